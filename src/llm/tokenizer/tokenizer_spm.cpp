// SentencePiece BPE by scores, as llama.cpp's llm_tokenizer_spm: start from one symbol per UTF-8
// character; keep merging the adjacent pair whose concatenation is the highest-scoring token
// (ties: the leftmost pair); symbols that are not tokens fall back to <0xXX> byte tokens.
#include "llactr/llm/tokenizer/symbol_merge.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/tokenizer/unicode.h"

namespace llactr::llm {

int32_t Tokenizer::byte_token(uint8_t byte) const {
  static const char* hex = "0123456789ABCDEF";
  const char name[7] = {'<', '0', 'x', hex[byte >> 4], hex[byte & 15], '>', 0};
  if (int32_t id = token_id(name); id >= 0) return id;
  if (int32_t id = token_id(std::string(1, char(byte))); id >= 0) return id;
  return vocab_.unk_id;
}

void Tokenizer::encode_spm(std::string_view raw, std::vector<int32_t>& out) const {
  // The dummy prefix, then every space as "▁".
  std::string text = vocab_.add_space_prefix ? " " : "";
  text.append(raw);
  std::string escaped;
  for (char c : text) {
    if (c == ' ')
      escaped += "\xE2\x96\x81";
    else
      escaped += c;
  }

  const std::string_view e(escaped);
  const auto by_score = [&](std::string_view left, std::string_view right, double& priority) {
    // left and right are adjacent in e: the merged piece is the view over both.
    const int32_t id = token_id(e.substr(size_t(left.data() - e.data()), left.size() + right.size()));
    if (id < 0) return false;
    priority = double(vocab_.scores[id]);  // the highest-scoring token first
    return true;
  };
  for (const std::string_view piece : merge_symbols(e, by_score)) {
    if (int32_t id = token_id(piece); id >= 0) {
      out.push_back(id);
      continue;
    }
    for (char c : piece)
      if (int32_t id = byte_token(uint8_t(c)); id >= 0) out.push_back(id);
  }
}

}  // namespace llactr::llm
