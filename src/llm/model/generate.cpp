#include "llactr/llm/model/generate.h"

#include <algorithm>
#include <stdexcept>

namespace llactr::llm {

std::vector<int32_t> generate(const Model& model, const std::vector<int32_t>& prompt, int n_new,
                              Sampler& sampler, int32_t stop_id, const std::function<void(int32_t)>& on_token) {
  if (prompt.empty()) throw std::invalid_argument("generate: the prompt has no tokens");
  if (n_new <= 0) return {};
  std::vector<int32_t> out;
  out.reserve(n_new);
  KvCache cache(model.config, 1, int(prompt.size()) + n_new);
  Workspace ws;
  // The prompt: one pass over all its tokens, logits of the last one.
  std::vector<SeqSpan> span = {{0, 0, int(prompt.size())}};
  forward_packed(model, prompt.data(), span, &cache, LogitsMode::Last, ws);
  span[0].n = 1;
  for (;;) {
    const int32_t token = sampler.sample(ws.logits.data());
    out.push_back(token);
    if (on_token) on_token(token);
    if (token == stop_id || int(out.size()) == n_new) break;
    // One step: the new token at the next position, attending to the cache.
    forward_packed(model, &token, span, &cache, LogitsMode::Last, ws);
  }
  return out;
}

std::vector<int32_t> with_greedy_continuation(const Model& model, std::vector<int32_t> prompt, int n_new,
                                              int32_t stop_id) {
  const int n_ctx = model.config.n_ctx;
  const int room = n_ctx > 0 ? std::min(n_new, n_ctx - int(prompt.size())) : n_new;
  if (room <= 0) return prompt;
  Sampler greedy(SamplerOptions{}, model.config.n_vocab);
  const std::vector<int32_t> more = generate(model, prompt, room, greedy, stop_id);
  prompt.insert(prompt.end(), more.begin(), more.end());
  return prompt;
}

}  // namespace llactr::llm
