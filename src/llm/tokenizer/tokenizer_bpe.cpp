// Byte-level BPE, as llama.cpp's llm_tokenizer_bpe: pre-tokenize into words; map each word's
// bytes to printable code points (GPT-2's table); start from one symbol per code point and keep
// merging the adjacent pair with the lowest merge rank (ties: the leftmost pair).
#include <stdexcept>

#include "llactr/llm/tokenizer/symbol_merge.h"
#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/tokenizer/unicode.h"

namespace llactr::llm {

void Tokenizer::encode_bpe(std::string_view text, std::vector<int32_t>& out) const {
  for (const std::string& raw_word : pre_tokenize(text, pre_)) {
    const std::string word = bytes_to_unicode_text(raw_word);
    if (ignore_merges_) {
      if (int32_t id = token_id(word); id >= 0) {
        out.push_back(id);
        continue;
      }
    }
    const std::string_view w(word);
    const auto by_rank = [&](std::string_view left, std::string_view right, double& priority) {
      const int rank = merge_rank(left, right);
      priority = -double(rank);  // the lowest rank first
      return rank >= 0;
    };
    for (const std::string_view piece : merge_symbols(w, by_rank)) {
      if (int32_t id = token_id(piece); id >= 0) {
        out.push_back(id);
        continue;
      }
      // Not a token (an incomplete vocabulary): one token per byte character, else <unk>.
      std::vector<size_t> offs;
      const std::vector<uint32_t> cps = utf8_decode(piece, &offs);
      for (size_t k = 0; k < cps.size(); ++k) {
        const size_t end = k + 1 < cps.size() ? offs[k + 1] : piece.size();
        int32_t id = token_id(piece.substr(offs[k], end - offs[k]));
        if (id < 0) id = vocab_.unk_id;
        if (id < 0)
          throw std::runtime_error("text piece '" + std::string(piece.substr(offs[k], end - offs[k])) +
                                   "' has no token and the vocabulary has no unknown token");
        out.push_back(id);
      }
    }
  }
}

}  // namespace llactr::llm
