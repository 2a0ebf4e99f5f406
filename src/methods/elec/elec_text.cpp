#include "llactr/methods/elec/elec_text.h"

#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "llactr/llm/model/generate.h"
#include "llactr/methods/common/instance_text.h"
#include "llactr/methods/common/progress_line.h"
#include "llactr/util/clock.h"
#include "llactr/util/communicator.h"

namespace llactr::methods {

RowText elec_row_text(const data::Dataset& dataset, const ElecOptions& o, const llm::LanguageModel& base, ElecTextCost& cost) {
  RowText prompt;
  if (o.text_template.empty()) {
    prompt = instance_row_text(dataset, text_fields(dataset.schema, o.text_fields, "elec-text-fields"));
  } else {
    check_template(dataset.schema, o.text_template, "elec-text-template");
    prompt = [&dataset, tmpl = o.text_template](const data::Split& split, size_t row) {
      return template_text(dataset, split, row, tmpl);
    };
  }
  if (o.generate == 0) return prompt;

  // text -> text + continuation, for every distinct text of the three splits.
  auto written = std::make_shared<std::unordered_map<std::string, std::string>>();
  const llm::Tokenizer& tok = base.tokenizer;
  const int n_ctx = base.model.config.n_ctx;
  llm::Sampler greedy(llm::SamplerOptions{}, base.model.config.n_vocab);
  ProgressLine line(o.progress && world().is_writer());
  const auto t0 = Clock::now();
  for (const data::Split* s : {&dataset.train, &dataset.valid, &dataset.test})
    for (size_t i = 0; i < s->size(); ++i) {
      std::string text = prompt(*s, i);
      if (written->count(text)) continue;
      std::vector<int32_t> ids = tok.encode(text);
      // Every rank continues every text (the same greedy tokens). A prompt that fills the context
      // has no room to continue: it stays as it is (tokenize_rows cuts it).
      const int room = n_ctx > 0 ? std::min(o.generate, n_ctx - int(ids.size())) : o.generate;
      if (room > 0) {
        const std::vector<int32_t> more = llm::generate(base.model, ids, room, greedy, tok.eos());
        cost.tokens += int64_t(ids.size() + more.size());
        ids.insert(ids.end(), more.begin(), more.end());
      }
      written->emplace(std::move(text), tok.decode(ids));
      if (++cost.texts % 256 == 0)
        line.update(false, "[elec generate] %lld texts continued, %.0f tokens/s", (long long)cost.texts,
                    double(cost.tokens) / std::max(seconds_since(t0), 1e-9));
    }
  cost.seconds = seconds_since(t0);
  line.update(true, "[elec generate] %lld texts continued by up to %d tokens in %.1f s", (long long)cost.texts, o.generate,
              cost.seconds);
  return [prompt, written](const data::Split& split, size_t row) {
    const auto it = written->find(prompt(split, row));
    if (it == written->end()) throw std::logic_error("elec_row_text: a row whose text was not continued");
    return it->second;
  };
}

}  // namespace llactr::methods
