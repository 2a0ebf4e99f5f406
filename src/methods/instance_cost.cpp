#include "llactr/methods/instance_cost.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "llactr/llm/model/transformer.h"

namespace llactr::methods {

std::string instance_prompt(const data::Dataset& dataset, size_t train_row) {
  std::string p = "Here is a user and an item, described by their features.\n";
  const int32_t* ids = dataset.train.row(train_row);
  for (int k = 0; k < dataset.schema.num_fields(); ++k) {
    const auto [field, local] = dataset.encoder.locate(ids[k]);
    p += dataset.schema.fields[k].name + ": " + dataset.encoder.text(field, local) + "\n";
  }
  return p + "Will the user like the item? Answer yes or no.\n";
}

InstanceCost measure_instance_cost(const data::Dataset& dataset, const llm::LanguageModel& lm, int samples, int batch) {
  InstanceCost c;
  c.train_samples = dataset.train.size();
  c.samples = int(std::min<size_t>(size_t(std::max(samples, 0)), c.train_samples));
  if (c.samples == 0 || batch < 1) throw std::invalid_argument("instance cost: need samples >= 1, batch >= 1 and a non-empty train split");
  std::vector<std::vector<int32_t>> prompts;
  const size_t stride = c.train_samples / size_t(c.samples);
  for (int i = 0; i < c.samples; ++i) {
    prompts.push_back(lm.tokenizer.encode(instance_prompt(dataset, size_t(i) * stride)));
    c.tokens += int64_t(prompts.back().size());
  }
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < prompts.size(); i += size_t(batch)) {
    const std::vector<std::vector<int32_t>> part(prompts.begin() + i, prompts.begin() + std::min(prompts.size(), i + batch));
    llm::forward(lm.model, part, {llm::LogitsMode::None, false});
  }
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double scale = double(c.train_samples) / double(c.samples);
  c.est_tokens = double(c.tokens) * scale;
  c.est_seconds = c.seconds * scale;
  return c;
}

}  // namespace llactr::methods
