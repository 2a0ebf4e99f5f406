#include "llactr/llm/model/language_model.h"

#include <filesystem>
#include <stdexcept>

#include "llactr/llm/gguf/gguf.h"

namespace llactr::llm {

LanguageModel open_language_model(const std::string& path) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error("model file '" + path + "' not found (run `make data` to fetch stories260K, or pass --model)");
  const gguf::GgufFile file = gguf::GgufFile::open(path);
  LanguageModel lm{load_model(file), Tokenizer(vocab_from_gguf(file))};
  if (lm.tokenizer.n_vocab() > lm.model.config.n_vocab)
    throw std::runtime_error(path + ": the tokenizer has " + std::to_string(lm.tokenizer.n_vocab()) +
                             " tokens but token_embd.weight only " + std::to_string(lm.model.config.n_vocab) + " rows");
  return lm;
}

}  // namespace llactr::llm
