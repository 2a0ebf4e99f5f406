// LoRA adapters on disk, and the base model with the adapters merged in, both as GGUF.
//
// Adapter file (llama.cpp's LoRA-adapter layout, so `llama-cli --lora` could read it):
//   general.type = "adapter", adapter.type = "lora", adapter.lora.alpha = alpha (f32),
//   plus llactr.lora.rank, llactr.lora.targets; tensors F32
//   blk.N.<proj>.weight.lora_a  ne = [in, r]   (A: [r, in] row-major)
//   blk.N.<proj>.weight.lora_b  ne = [r, out]  (B: [out, r] row-major)
#pragma once
#include <string>

#include "llactr/llm/train/trainable_transformer.h"

namespace llactr::llm {

void save_lora_adapters(const TrainableTransformer& model, const std::string& path);
// Overwrites the model's adapters with the file's. Throws std::runtime_error naming the file when
// it is not a LoRA adapter, or its rank, alpha, targets or shapes differ from the model's.
void load_lora_adapters(const std::string& path, TrainableTransformer& model);

// Copies every metadata key and tensor of the GGUF file `base_path` to `out_path`, except that each
// projection with an adapter is replaced by W + (alpha/r) B A (stored F32, whatever its original type).
void write_merged_gguf(const std::string& base_path, const TrainableTransformer& model, const std::string& out_path);

}  // namespace llactr::llm
