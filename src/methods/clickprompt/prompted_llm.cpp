#include "llactr/methods/clickprompt/prompted_llm.h"

#include <stdexcept>
#include <string>

namespace llactr::methods {

namespace {

const llm::Model& with_lm_head(const llm::Model& model) {
  require_lm_head(model);
  return model;
}

PromptShape shape_of(const llm::TransformerConfig& c, const ClickPromptOptions& o) {
  PromptShape s;
  s.mode = o.mode;
  s.prompts = o.prompts;
  s.hidden = o.prompt_hidden > 0 ? o.prompt_hidden : c.n_embd;  // H' = d, the reference's
  s.n_layer = c.n_layer;
  s.kv_dim = c.kv_dim();
  s.d_model = c.n_embd;
  return s;
}

// LoRA on q and v with dropout 0.05 (as SSFT and ELEC); unused under --clickprompt-llm-tune full.
llm::LoraOptions lora_of(const ClickPromptOptions& o) {
  llm::LoraOptions l;
  l.rank = o.lora_rank;
  l.alpha = o.lora_alpha;
  l.seed = o.seed;
  return l;
}

}  // namespace

void require_lm_head(const llm::Model& model) {
  const llm::Matrix& head = model.weights.lm_head();
  if (head.empty() || head.rows != model.config.n_vocab || head.cols != model.config.n_embd)
    throw std::invalid_argument(
        "ClickPrompt: the language model has no LM head (no output.weight and no token embeddings to tie it to); "
        "PA-MLM predicts the masked tokens through it");
}

PromptedLlm::PromptedLlm(const llm::Model& model, int64_t d_h, const ClickPromptOptions& options)
    : options_(options), llm_(with_lm_head(model), lora_of(options), options.llm_tune), dropout_rng_(options.seed ^ 0xc11cu) {
  Rng init(options.seed);
  generator_ = PromptGenerator(d_h, shape_of(llm_.config(), options), init, "clickprompt.generator");
}

void PromptedLlm::check_context(size_t longest_text) const {
  const int n_ctx = llm_.config().n_ctx;
  if (n_ctx > 0 && size_t(options_.prompts) + longest_text > size_t(n_ctx))
    throw std::invalid_argument("ClickPrompt: " + std::to_string(options_.prompts) + " prompts (--clickprompt-prompts) + " +
                                std::to_string(longest_text) + " text tokens exceed the model's context of " +
                                std::to_string(n_ctx) + " positions");
}

llm::TrainableOutput PromptedLlm::forward(const Var& h, const llm::PackedBatch& batch, bool training) {
  const Var P = generator_.forward(h);  // [B, K·L·2·d_kv] or [B, K·d]; empty when K = 0
  llm::PromptVars prompts;
  prompts.attention = options_.attention == PromptAttention::Bidirectional ? llm::AttentionMask::Bidirectional
                                                                             : llm::AttentionMask::Causal;
  (options_.mode == PromptMode::Prefix ? prompts.prefix : prompts.soft) = P;
  return llm_.forward(batch, {training, &dropout_rng_}, prompts);
}

void PromptedLlm::set_dropout_slice(const std::vector<int64_t>& text_tokens, size_t first, size_t count) {
  // Rows per text in the projections: its tokens, after its soft input tokens in input mode.
  const int64_t soft = options_.mode == PromptMode::Input ? options_.prompts : 0;
  int64_t before = 0, mine = 0, all = 0;
  for (size_t i = 0; i < text_tokens.size(); ++i) {
    const int64_t rows = soft + text_tokens[i];
    before += i < first ? rows : 0;
    mine += i >= first && i < first + count ? rows : 0;
    all += rows;
  }
  dropout_rng_.set_row_slice({before, mine, all});
}

std::vector<Var> PromptedLlm::parameters() const {
  std::vector<Var> ps = generator_.parameters();
  for (const Var& p : llm_.parameters()) ps.push_back(p);
  return ps;
}

}  // namespace llactr::methods
