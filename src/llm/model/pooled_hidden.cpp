#include "llactr/llm/model/pooled_hidden.h"

#include <algorithm>
#include <stdexcept>

#include "llactr/llm/model/transformer.h"

namespace llactr::llm {

Pooling parse_pooling(const std::string& name) {
  for (const auto& [n, p] : kPoolingNames)
    if (name == n) return p;
  throw std::invalid_argument("pooling must be 'last' or 'mean', not '" + name + "'");
}

std::vector<float> pooled_hidden(const Model& model, const std::vector<std::vector<int32_t>>& seqs, Pooling pooling,
                                 int batch, AttentionMask attention) {
  if (batch < 1) throw std::invalid_argument("pooled_hidden: batch must be >= 1");
  const int d = model.config.n_embd;
  std::vector<float> out(seqs.size() * size_t(d));
  Workspace ws;
  std::vector<int32_t> tokens;
  std::vector<SeqSpan> spans;
  Prompts prompts;
  prompts.attention = attention;
  for (size_t i = 0; i < seqs.size(); i += size_t(batch)) {
    tokens.clear();
    spans.clear();
    const size_t end = std::min(seqs.size(), i + size_t(batch));
    for (size_t s = i; s < end; ++s) {
      if (seqs[s].empty()) throw std::invalid_argument("pooled_hidden: sequence " + std::to_string(s) + " has no tokens");
      spans.push_back({int(s - i), int(tokens.size()), int(seqs[s].size())});
      tokens.insert(tokens.end(), seqs[s].begin(), seqs[s].end());
    }
    forward_packed(model, tokens.data(), spans, nullptr, LogitsMode::None, ws, nullptr, prompts);
    // ws.hidden: [N, d] -> out rows i..end-1: [d] each
    for (const SeqSpan& sp : spans)
      pool_span(ws.hidden.data(), d, sp, pooling == Pooling::Mean, out.data() + (i + size_t(sp.seq)) * size_t(d));
  }
  return out;
}

}  // namespace llactr::llm
