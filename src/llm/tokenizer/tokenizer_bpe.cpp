// Byte-level BPE, as llama.cpp's llm_tokenizer_bpe: pre-tokenize into words; map each word's
// bytes to printable code points (GPT-2's table); start from one symbol per code point and keep
// merging the adjacent pair with the lowest merge rank (ties: the leftmost pair).
#include <queue>
#include <stdexcept>

#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/tokenizer/unicode.h"

namespace llactr::llm {

namespace {

struct Symbol {
  int prev, next;
  size_t start, n;  // bytes of the mapped word; n = 0 once merged into its left neighbour
};

struct Bigram {
  int left, right;
  int rank;
  size_t size;
};

struct LowerPriority {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

}  // namespace

void Tokenizer::encode_bpe(std::string_view text, std::vector<int32_t>& out) const {
  for (const std::string& raw_word : pre_tokenize(text, pre_)) {
    const std::string word = bytes_to_unicode_text(raw_word);
    if (ignore_merges_) {
      if (int32_t id = token_id(word); id >= 0) {
        out.push_back(id);
        continue;
      }
    }
    std::vector<Symbol> sym;
    for (size_t off = 0; off < word.size();) {
      const size_t n = std::min<size_t>(utf8_len(uint8_t(word[off])), word.size() - off);
      const int i = int(sym.size());
      sym.push_back({i - 1, off + n == word.size() ? -1 : i + 1, off, n});
      off += n;
    }
    const std::string_view w(word);
    std::priority_queue<Bigram, std::vector<Bigram>, LowerPriority> queue;
    auto try_add = [&](int left, int right) {
      if (left < 0 || right < 0) return;
      const int rank = merge_rank(w.substr(sym[left].start, sym[left].n), w.substr(sym[right].start, sym[right].n));
      if (rank >= 0) queue.push({left, right, rank, sym[left].n + sym[right].n});
    };
    for (int i = 1; i < int(sym.size()); ++i) try_add(i - 1, i);

    while (!queue.empty()) {
      const Bigram b = queue.top();
      queue.pop();
      Symbol& l = sym[b.left];
      Symbol& r = sym[b.right];
      if (l.n == 0 || r.n == 0 || l.n + r.n != b.size) continue;  // stale pair
      l.n += r.n;
      r.n = 0;
      l.next = r.next;
      if (r.next >= 0) sym[r.next].prev = b.left;
      try_add(l.prev, b.left);
      try_add(b.left, l.next);
    }

    for (int i = sym.empty() ? -1 : 0; i != -1; i = sym[i].next) {
      const std::string_view piece = w.substr(sym[i].start, sym[i].n);
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
