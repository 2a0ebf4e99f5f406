// Writing a Model as a GGUF file that llama.cpp loads: the counterpart of load_model
// (transformer_weights.h), for models trained here (llactr pretrain).
//
// The file is a standard F32 llama GGUF: general.architecture = "llama", the llama.* keys
// load_model and llama.cpp read, every tokenizer.ggml.* key of the tokenizer's file, and the
// tensors under llama.cpp's names. Weights are stored exactly as the Model holds them
// (Matrix [out, in] = ggml ne [in, out]); RoPE is llama's "normal" mode on those rows, the
// layout llama.cpp's convert script produces by permuting Hugging Face's Q/K rows, so a model
// trained with our forward runs identically under llama.cpp and needs no permutation.
#pragma once
#include <string>

#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/model/transformer_weights.h"

namespace llactr::llm {

// The file's contents. Throws std::invalid_argument for a model that is not a llama, has a
// bias or rope_freqs tensor (this writer stores the plain llama architecture only), or whose
// vocabulary size differs from the tokenizer's token count.
gguf::GgufWriter llama_gguf_writer(const Model& m, const gguf::GgufFile& tokenizer);
// Writes it to `path`; throws std::runtime_error naming the path when it cannot be written.
void save_llama_gguf(const Model& m, const gguf::GgufFile& tokenizer, const std::string& path);

}  // namespace llactr::llm
