// LLaCTR stage 1: self-supervised field-feature fine-tuning (SSFT) of the LLM with LoRA, and the
// field embeddings H [K, d] it produces (docs/SSFT.md).
//
//   SsftOptions o;  o.model_path = "data/stories260K/stories260K.gguf";  o.out_dir = "runs/ssft";
//   FieldEmbeddings h = load_or_compute_field_embeddings(dataset, o);   // last epoch, cached
//   h.H;  // [K, d] row k = field k (schema order), h.fields = names
//
// Files in out_dir, for every epoch e = 0..epochs (epoch 0 = the untuned model, the "w/o SSFT"
// ablation):  field_embeddings_epoch<e>.npy  (float32 [K, d])  and  field_embeddings_epoch<e>.json
// (model_sha256, cache_key, fields, epoch, pooling, dim, heldout_accuracy, loss, tokens, seconds,
// ssft settings), and for e >= 1 lora_epoch<e>.gguf (the adapters, see llm/lora_file.h). A run with
// epochs = 0 (the untuned model only) writes its epoch 0 to out_dir/untuned/ instead, so that it never
// overwrites a full run's cache.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "llactr/data/dataset.h"
#include "llactr/llm/train/trainable_transformer.h"

namespace llactr::methods {

// The initialisers are the defaults of the --ssft-* options too (ssft_options.h declares them
// from these members, so each default is written here only).
struct SsftOptions {
  std::string model_path;                           // GGUF model
  std::string out_dir;                              // embeddings, sidecars, adapters; the cache
  std::string prompt_file = "experiments/ssft_prompt.txt";
  int per_field = 300;            // feature values sampled per field (paper: 1000; docs/SSFT.md says why)
  double heldout_fraction = 0.1;  // of each field's values, for the accuracy
  int epochs = 3;
  float lr = 1e-3f;               // AdamW, weight decay 0 as the HF Trainer default (paper: 1e-4; docs/SSFT.md)
  double warmup_ratio = 0.1;      // linear warm-up over this share of the steps, then linear decay
  float max_grad_norm = 1.0f;     // HF Trainer default
  llm::LoraOptions lora;          // r 8, alpha 16, dropout 0.05, q and v
  float tau = 0.02f;              // InfoNCE temperature
  float w_cl = 1.0f, w_lg = 0.0f; // loss = w_cl InfoNCE + w_lg generative
  int micro_batch = 16, accum = 1;
  uint64_t seed = 2024;           // sampling, shuffling, dropout, LoRA init
  std::string pooling = "last";   // "last" or "mean": how a text's hidden states become one vector
  bool progress = true;           // progress bar on stderr
  bool use_cache = true;          // reuse out_dir's results when model, data and settings match
  // The threads the caller runs run_ssft on (it switches them: ScopedThreads); run_ssft itself
  // uses the current ones. Results are the same for the same thread count.
  int threads = 2;
};

struct FieldEmbeddings {
  std::vector<std::string> fields;  // [K] schema order
  int dim = 0;                      // d
  std::vector<float> H;             // [K, d] row-major, final-layer hidden states (not normalised)
  int epoch = 0;
  std::string pooling, model_sha256, npy_path;
};

struct SsftEpoch {
  int epoch = 0;
  double loss = 0, loss_cl = 0, loss_lg = 0;  // means over the epoch's micro-batches (0 for epoch 0)
  double heldout_accuracy = 0;                // argmax-cosine field accuracy after this epoch
  double heldout_infonce = 0;                 // InfoNCE of the held-out values (no dropout)
  int64_t tokens = 0;                         // LLM tokens processed so far (training + evaluation)
  double seconds = 0;                         // wall time so far
};

struct SsftResult {
  std::vector<FieldEmbeddings> embeddings;  // epochs 0..E
  std::vector<SsftEpoch> epochs;            // epochs 0..E
  int n_train = 0, n_heldout = 0;           // sampled feature values
  bool from_cache = false;
  std::string cache_key;
};

// Samples the SSFT data, reports epoch 0, trains, and writes every epoch's files; or, when
// out_dir already holds a complete run with the same cache key, reads it back (from_cache).
// The key is the sha256 of: the model file's sha256, the schema, the sampled values, the
// prompt template and every setting above except out_dir, progress and use_cache.
SsftResult run_ssft(const data::Dataset& dataset, const SsftOptions& options);

// One epoch's field embeddings (epoch -1 = the last), running SSFT only when not cached.
FieldEmbeddings load_or_compute_field_embeddings(const data::Dataset& dataset, const SsftOptions& options,
                                                 int epoch = -1);

// How well prompt vectors P [n, d] pick their field among the field vectors H [K, d]:
// accuracy of the argmax cosine similarity, and the mean InfoNCE -log softmax_k(cos_k / tau)[field].
struct FieldScores {
  double accuracy = 0, infonce = 0;
};
FieldScores field_scores(const std::vector<float>& P, const std::vector<int>& fields, const std::vector<float>& H, int d,
                         float tau);

}  // namespace llactr::methods
