#include "llactr/methods/common/instance_cost.h"

#include <algorithm>
#include <stdexcept>

#include "llactr/llm/model/transformer.h"
#include "llactr/methods/common/instance_text.h"
#include "llactr/util/clock.h"

namespace llactr::methods {

InstanceCost measure_instance_cost(const data::Dataset& dataset, const llm::LanguageModel& lm, int samples, int batch) {
  InstanceCost c;
  c.train_samples = dataset.train.size();
  c.samples = int(std::min<size_t>(size_t(std::max(samples, 0)), c.train_samples));
  if (c.samples == 0 || batch < 1) throw std::invalid_argument("instance cost: need samples >= 1, batch >= 1 and a non-empty train split");
  std::vector<std::vector<int32_t>> prompts;
  const size_t stride = c.train_samples / size_t(c.samples);
  const size_t n_ctx = size_t(lm.model.config.n_ctx);
  for (int i = 0; i < c.samples; ++i) {
    prompts.push_back(lm.tokenizer.encode(instance_text(dataset, dataset.train, size_t(i) * stride)));
    // The model cannot read past its context: a longer text is cut there, as an instance-level method must.
    if (prompts.back().size() > n_ctx) prompts.back().resize(n_ctx), ++c.truncated;
    c.tokens += int64_t(prompts.back().size());
  }
  const auto start = Clock::now();
  for (size_t i = 0; i < prompts.size(); i += size_t(batch)) {
    const std::vector<std::vector<int32_t>> part(prompts.begin() + i, prompts.begin() + std::min(prompts.size(), i + batch));
    llm::forward(lm.model, part, {llm::LogitsMode::None, false});
  }
  c.seconds = seconds_since(start);
  const double scale = double(c.train_samples) / double(c.samples);
  c.est_tokens = double(c.tokens) * scale;
  c.est_seconds = c.seconds * scale;
  return c;
}

}  // namespace llactr::methods
