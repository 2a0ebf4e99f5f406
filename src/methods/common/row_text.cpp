#include "llactr/methods/common/row_text.h"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "llactr/llm/model/generate.h"
#include "llactr/methods/common/option_checks.h"
#include "llactr/methods/common/progress_line.h"
#include "llactr/util/clock.h"
#include "llactr/util/communicator.h"

namespace llactr::methods {

void check_row_text_options(const RowTextOptions& o, const std::string& method) {
  if (!o.text_template.empty() && !o.fields.empty())
    bad_option(method + "-text-template", o.text_template,
               "is exclusive with --" + method + "-text-fields (name the fields in the template)");
}

RowText method_row_text(const data::Dataset& dataset, const RowTextOptions& o, const std::string& method,
                        const llm::LanguageModel& base, bool progress, GenerationCost& cost) {
  check_row_text_options(o, method);
  RowText prompt;
  if (o.text_template.empty()) {
    prompt = instance_row_text(dataset, text_fields(dataset.schema, o.fields, method + "-text-fields"));
  } else {
    check_template(dataset.schema, o.text_template, method + "-text-template");
    prompt = [&dataset, tmpl = o.text_template](const data::Split& split, size_t row) {
      return template_text(dataset, split, row, tmpl);
    };
  }
  if (o.generate == 0) return prompt;

  // text -> text + continuation, for every distinct text of the three splits.
  auto written = std::make_shared<std::unordered_map<std::string, std::string>>();
  const llm::Tokenizer& tok = base.tokenizer;
  ProgressLine line(progress && world().is_writer());
  const std::string tag = "[" + method + " generate]";
  const auto t0 = Clock::now();
  for (const data::Split* s : {&dataset.train, &dataset.valid, &dataset.test})
    for (size_t i = 0; i < s->size(); ++i) {
      std::string text = prompt(*s, i);
      if (written->count(text)) continue;
      // Every rank continues every text (the same greedy tokens). A prompt that fills the context
      // has no room to continue: it stays as it is (the method cuts or rejects it).
      const std::vector<int32_t> prompt_ids = tok.encode(text);
      const std::vector<int32_t> ids = llm::with_greedy_continuation(base.model, prompt_ids, o.generate, tok.eos());
      if (ids.size() > prompt_ids.size()) cost.tokens += int64_t(ids.size());
      written->emplace(std::move(text), tok.decode(ids));
      if (++cost.texts % 256 == 0)
        line.update(false, "%s %lld texts continued, %.0f tokens/s", tag.c_str(), (long long)cost.texts,
                    double(cost.tokens) / std::max(seconds_since(t0), 1e-9));
    }
  cost.seconds = seconds_since(t0);
  line.update(true, "%s %lld texts continued by up to %d tokens in %.1f s", tag.c_str(), (long long)cost.texts,
              o.generate, cost.seconds);
  return [prompt, written, method](const data::Split& split, size_t row) {
    const auto it = written->find(prompt(split, row));
    if (it == written->end()) throw std::logic_error(method + "'s row text: a row whose text was not continued");
    return it->second;
  };
}

}  // namespace llactr::methods
