// The transformer forward on the autodiff engine, for fine-tuning (LoRA, or every weight).
//
// The same computation as forward_packed (transformer.h), step for step, but every step is an
// autodiff op, so a loss on the hidden states or logits can be differentiated. What trains
// depends on the TuneMode. Under TuneMode::Lora (the default) the base weights are constants
// (frozen: no gradient is ever computed for them) and the only parameters are the LoRA adapters
// (Hu et al. 2021, as Hugging Face PEFT implements them):
//
//   y = x W^T + b + (alpha / r) · dropout(x) A^T B^T        A: [r, in], B: [out, r]
//
// A starts as PEFT's kaiming_uniform(a = sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)), B as zeros, so
// an untrained adapter changes nothing. Dropout (on the adapter's input only) is applied in
// training mode. By default adapters sit on the query and value projections (PEFT's default
// for llama, and LLaCTR's released setting).
//
// Under TuneMode::Full every base weight is a parameter and there are no adapters: full
// fine-tuning, for tiny models (the gradients and AdamW's moments take three more copies of the
// model).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "llactr/llm/model/transformer_weights.h"
#include "llactr/llm/train/trainable_ops.h"
#include "llactr/tensor/rng.h"

namespace llactr::llm {

struct LoraOptions {
  int rank = 8;
  float alpha = 16.0f;
  float dropout = 0.05f;
  // Projections that get an adapter: any of q k v o gate up down.
  std::vector<std::string> targets = {"q", "v"};
  uint64_t seed = 2024;  // draws A
  float scale() const { return alpha / float(rank); }
};

// What fine-tuning trains: the LoRA adapters, or every base weight (and no adapters).
enum class TuneMode { Lora, Full };

// "q" -> "attn_q", ..., "down" -> "ffn_down" (llama.cpp tensor names); throws for an unknown target.
std::string lora_target_tensor(const std::string& target);

// y = x W^T + b, plus the LoRA term when this projection has an adapter.
struct Projection {
  Var W;       // [out, in] frozen (a parameter under TuneMode::Full)
  Var b;       // [out] frozen (a parameter under TuneMode::Full), or empty
  Var lora_a;  // [r, in] parameter, or empty when no adapter
  Var lora_b;  // [out, r] parameter
};

struct TrainableLayer {
  Var attn_norm;  // [d]
  Projection q, k, v, o;
  Var ffn_norm;   // [d]
  Projection gate, up, down;
  Projection* find(const std::string& target);  // by LoRA target name
};

// Whether LoRA dropout is on, and the generator that draws its masks.
struct DropoutMode {
  bool training = false;
  Rng* rng = nullptr;  // required when training with dropout > 0
};

// What a forward call adds to the plain causal forward (docs/LLM.md "Bidirectional attention and
// soft prompts"): the attention mask and ClickPrompt's soft prompts, as autodiff inputs, so a loss
// reaches whatever generates them. The defaults are the plain forward.
struct PromptVars {
  AttentionMask attention = AttentionMask::Causal;
  Var prefix;  // [B, K_p * n_layer * 2 * kv_dim] prefix keys/values (PrefixLayout in attention.h), or empty
  Var soft;    // [B, K_s * d] soft input tokens, at positions 0..K_s-1 before each sequence's tokens, or empty
};

struct TrainableOutput {
  Var hidden;  // [N, d] final-norm hidden state of every packed row (the tokens' rows, not soft rows)
  Var last;    // [B, d] each sequence's last row of `hidden`
};

// ---- the pieces of the forward, one function each (each is gradient-checked on its own)

// x = table[tokens]                                   -> [N, d]
Var embed_tokens(const Var& table, const PackedBatch& batch);
// residual + x W^T + b (+ (alpha/r) dropout(x) A^T B^T), one node (lora_linear)
//   x: [N, in]; residual: [N, out] or empty -> [N, out]
Var project(const Projection& p, const Var& x, const LoraOptions& lora, const DropoutMode& mode,
            const Var& residual = Var());
// x + Wo · attention(RoPE(q), RoPE(k), v) of RMSNorm(x) x: [N, d] -> [N, d]
// (with prompts' mask and, as layer `layer`, its prefix keys/values)
Var attention_block(const Var& x, const TrainableLayer& L, const PackedBatch& batch,
                    const std::shared_ptr<const RopeAngles>& angles, const TransformerConfig& c,
                    const LoraOptions& lora, const DropoutMode& mode, const PromptVars& prompts = {}, int layer = 0);
// x + Wd · (silu(Wg xn) * (Wu xn)), xn = RMSNorm(x)  x: [N, d] -> [N, d]
Var ffn_block(const Var& x, const TrainableLayer& L, const TransformerConfig& c, const LoraOptions& lora,
              const DropoutMode& mode);
// Each sequence's last row, or the mean of its rows.  hidden: [N, d] -> [B, d]
Var last_rows(const Var& hidden, const PackedBatch& batch);
Var mean_rows(const Var& hidden, const PackedBatch& batch);
// The same for any spans of the packed rows, in any order: row i pools spans[i].  -> [spans.size(), d]
Var last_rows(const Var& hidden, const std::vector<SeqSpan>& spans);
Var mean_rows(const Var& hidden, const std::vector<SeqSpan>& spans);

class TrainableTransformer {
 public:
  // Copies the base weights into constant tensors (memory: one more copy of the model) and
  // creates the adapters; under TuneMode::Full the copies are parameters, named as llama.cpp
  // names the tensors ("blk.0.attn_q.weight"), and `lora` gives no adapters. Throws
  // std::invalid_argument for rank < 1 or an unknown target.
  TrainableTransformer(const Model& base, const LoraOptions& lora, TuneMode tune = TuneMode::Lora);

  // Final-norm hidden states of the packed sequences. Throws std::invalid_argument for a batch of
  // no sequences, a malformed span or prompts of the wrong shape (soft tokens also need spans that
  // tile the rows in order, as pack_sequences makes them), std::out_of_range for a token id
  // outside the vocabulary or a sequence longer than the context with its prompts (check_context
  // in transformer.h).
  TrainableOutput forward(const PackedBatch& batch, const DropoutMode& mode = {}, const PromptVars& prompts = {}) const;
  // LM-head logits of some hidden rows.   hidden_rows: [n, d] -> [n, vocab]
  Var lm_logits(const Var& hidden_rows) const;

  // Every adapter's A then B, layer by layer, in target order q k v o gate up down.
  std::vector<Var> lora_parameters() const;
  // What trains: lora_parameters() under TuneMode::Lora; under TuneMode::Full every base weight,
  // token_embd, output_norm and the head, then each layer's in forward order.
  std::vector<Var> parameters() const;
  // The base model with every adapter folded in: W' = W + (alpha/r) B A (under TuneMode::Full,
  // the trained weights themselves).
  Model merged_model() const;

  const TransformerConfig& config() const { return config_; }
  const LoraOptions& lora() const { return lora_; }
  const std::vector<TrainableLayer>& layers() const { return layers_; }

 private:
  TransformerConfig config_;
  LoraOptions lora_;
  TuneMode tune_;
  Var token_embd_, output_norm_, output_;  // output_ empty when the head is tied to token_embd_
  Var output_b_;                           // the LM head's bias (qwen2's output.bias); usually empty
  std::vector<TrainableLayer> layers_;
};

}  // namespace llactr::llm
