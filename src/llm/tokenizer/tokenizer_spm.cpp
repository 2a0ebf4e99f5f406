// SentencePiece BPE by scores, as llama.cpp's llm_tokenizer_spm: start from one symbol per UTF-8
// character; keep merging the adjacent pair whose concatenation is the highest-scoring token
// (ties: the leftmost pair); symbols that are not tokens fall back to <0xXX> byte tokens.
#include <queue>

#include "llactr/llm/tokenizer/tokenizer.h"
#include "llactr/llm/tokenizer/unicode.h"

namespace llactr::llm {

namespace {

struct Symbol {
  int prev, next;    // neighbours in the linked list of live symbols (-1 = none)
  size_t start, n;   // bytes [start, start+n) of the text; n = 0 once merged into its left
};

struct Bigram {
  int left, right;
  float score;
  size_t size;  // bytes of the merged text, to detect pairs that went stale
};

struct LowerPriority {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

}  // namespace

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

  std::vector<Symbol> sym;
  for (size_t off = 0; off < escaped.size();) {
    const size_t n = std::min<size_t>(utf8_len(uint8_t(escaped[off])), escaped.size() - off);
    const int i = int(sym.size());
    sym.push_back({i - 1, off + n == escaped.size() ? -1 : i + 1, off, n});
    off += n;
  }

  std::priority_queue<Bigram, std::vector<Bigram>, LowerPriority> queue;
  auto try_add = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const size_t size = sym[left].n + sym[right].n;
    const int32_t id = token_id(std::string_view(escaped).substr(sym[left].start, size));
    if (id < 0) return;
    queue.push({left, right, vocab_.scores[id], size});
  };
  for (int i = 1; i < int(sym.size()); ++i) try_add(i - 1, i);

  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Symbol& l = sym[b.left];
    Symbol& r = sym[b.right];
    if (l.n == 0 || r.n == 0 || l.n + r.n != b.size) continue;  // one side changed since
    l.n += r.n;
    r.n = 0;
    l.next = r.next;
    if (r.next >= 0) sym[r.next].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }

  for (int i = sym.empty() ? -1 : 0; i != -1; i = sym[i].next) {
    const std::string_view piece = std::string_view(escaped).substr(sym[i].start, sym[i].n);
    if (int32_t id = token_id(piece); id >= 0) {
      out.push_back(id);
      continue;
    }
    for (char c : piece)
      if (int32_t id = byte_token(uint8_t(c)); id >= 0) out.push_back(id);
  }
}

}  // namespace llactr::llm
