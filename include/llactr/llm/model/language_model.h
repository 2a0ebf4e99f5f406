// A GGUF language model as the commands use it: the transformer and its tokenizer, from one file.
#pragma once
#include <string>

#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/model/transformer_weights.h"

namespace llactr::llm {

struct LanguageModel {
  Model model;
  Tokenizer tokenizer;
};

// Opens `path` (a missing file gets a message saying to run `make data`), reads the weights and
// the tokenizer, and checks that they agree on the vocabulary size.
LanguageModel open_language_model(const std::string& path);

}  // namespace llactr::llm
