// Pre-tokenizers of byte-level BPE vocabularies: split text into words before BPE merges, as the
// regex named by tokenizer.ggml.pre would. Hand-written matchers (no std::regex), following the
// alternatives of each regex left to right, with \p{L}, \p{N}, \s from llm/unicode.h.
//
//   gpt2   ("default", "gpt-2"):  's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   llama3 ("llama-bpe", "llama3"): (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//                                 ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   qwen2:  the llama3 regex with \p{N} (one digit per word) instead of \p{N}{1,3}
//   smollm: first every digit \p{N} on its own, then the gpt2 regex on the rest
//
// Note: llama.cpp maps the name "default" to a four-regex cascade of its own (punctuation runs,
// then gpt2, then digit runs of three); here "default" is the plain gpt2 regex.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace llactr::llm {

enum class PreTokenizer { Gpt2, Llama3, Qwen2, Smollm };

// tokenizer.ggml.pre -> kind; an absent key ("") means gpt2. Unknown names throw
// std::runtime_error listing the supported ones.
PreTokenizer pre_tokenizer_from_name(const std::string& name);

// The words of `text` (UTF-8), in order; concatenated they give back `text` exactly.
std::vector<std::string> pre_tokenize(std::string_view text, PreTokenizer kind);

}  // namespace llactr::llm
