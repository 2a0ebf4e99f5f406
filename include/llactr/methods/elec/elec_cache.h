// ELEC stage 2: the LLM's pooled vector p of every train, validation and test row, computed once
// and cached on disk (docs/ELEC.md).
//
//   p = mean over the text's tokens of the final-norm hidden states     p: [d]
//
// The text of a row is a RowText's: the instance text (methods/instance_text.h) by default, or what
// --elec-text-fields, --elec-text-template and --elec-generate make of it (methods/common/row_text.h). A text
// longer than the model's context is cut to n_ctx tokens; the count of cut rows is logged and returned.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "llactr/data/dataset.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/llm/model/pooled_hidden.h"
#include "llactr/methods/common/instance_text.h"

namespace llactr::methods {

// The text template's name in the cache key: a change of template must miss the cache.
inline constexpr const char* kElecTextTemplate = "<Field> is <value>. (schema order, single spaces)";

// Token ids of every row's text ([split.size()]), each cut to at most max_tokens (> 0); truncated
// counts the cut ones. With `only`, just those rows are tokenised (the others stay empty).
std::vector<std::vector<int32_t>> tokenize_rows(const data::Split& split, const RowText& text, const llm::Tokenizer& tokenizer,
                                                int max_tokens, int64_t& truncated, const std::vector<size_t>* only = nullptr);

struct PoolStats {
  int64_t tokens = 0;
  double seconds = 0;  // forward passes only (tokenisation excluded)
};
// p of each token sequence with the inference forward, `batch` sequences per call:  -> [n, d].
// progress: a label for a "\r" line with rows and tokens/s on stderr ("" = quiet).
std::vector<float> pool_vectors(const llm::Model& model, const std::vector<std::vector<int32_t>>& seqs,
                                llm::Pooling pooling, int batch, const std::string& progress, PoolStats& stats);

struct PooledVectors {
  int dim = 0;                            // d
  std::vector<float> train, valid, test;  // [n_split, d] each, in split order
  // The instance-level LLM cost: tokens and seconds of the forwards that computed the vectors
  // (read back from the cache's sidecar when from_cache).
  int64_t tokens = 0;
  double seconds = 0;
  int64_t truncated = 0;                  // rows cut to the context length
  bool from_cache = false;
  std::string key, path;
};

// p of every row, from out_dir/elec_vectors_<key>.npy (+ .npy.json: the cost) when they exist and
// use_cache, else computed and written there. Each distinct text is pooled once (the rows of an
// item share its own text), and the cost is that of the distinct texts; the file has a row per row. The key is the sha256 of the model file's sha256, lora_sha256 ("none" for
// the base model), the template, the pooling and every row's text; `model` must be that file with
// those adapters folded in.
PooledVectors load_or_compute_vectors(const data::Dataset& dataset, const llm::LanguageModel& lm,
                                      const std::string& model_sha256, const std::string& lora_sha256,
                                      const std::string& out_dir, llm::Pooling pooling, const RowText& text,
                                      int batch, bool use_cache, bool progress);

}  // namespace llactr::methods
