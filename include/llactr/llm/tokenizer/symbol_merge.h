// The merge loop both BPE flavours share, as llama.cpp's: start from one symbol per UTF-8
// character of text and keep merging the adjacent pair with the highest priority (ties: the
// leftmost pair) until no pair may merge. Byte-level BPE ranks pairs by merge rank
// (priority = -rank), SentencePiece by the score of the merged token.
//
//   auto pieces = merge_symbols(text, [&](std::string_view left, std::string_view right, double& priority) {
//     ..; return may_merge;   // false: this pair never merges
//   });
#pragma once
#include <queue>
#include <string_view>
#include <vector>

#include "llactr/llm/tokenizer/unicode.h"

namespace llactr::llm {

// The pieces left after merging, in text order (views into text).
template <class Priority>
std::vector<std::string_view> merge_symbols(std::string_view text, Priority priority) {
  struct Symbol {
    int prev, next;   // neighbours in the linked list of live symbols (-1 = none)
    size_t start, n;  // bytes [start, start+n) of text; n = 0 once merged into its left neighbour
  };
  struct Pair {
    int left, right;
    double priority;
    size_t size;  // bytes of the merged text, to detect pairs that went stale
  };
  struct Lower {
    bool operator()(const Pair& a, const Pair& b) const {
      return a.priority < b.priority || (a.priority == b.priority && a.left > b.left);
    }
  };
  std::vector<Symbol> sym;
  for (size_t off = 0; off < text.size();) {
    const size_t n = std::min<size_t>(utf8_len(uint8_t(text[off])), text.size() - off);
    const int i = int(sym.size());
    sym.push_back({i - 1, off + n == text.size() ? -1 : i + 1, off, n});
    off += n;
  }
  std::priority_queue<Pair, std::vector<Pair>, Lower> queue;
  auto try_add = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    double p = 0;
    if (priority(text.substr(sym[left].start, sym[left].n), text.substr(sym[right].start, sym[right].n), p))
      queue.push({left, right, p, sym[left].n + sym[right].n});
  };
  for (int i = 1; i < int(sym.size()); ++i) try_add(i - 1, i);

  while (!queue.empty()) {
    const Pair b = queue.top();
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

  std::vector<std::string_view> pieces;
  for (int i = sym.empty() ? -1 : 0; i != -1; i = sym[i].next) pieces.push_back(text.substr(sym[i].start, sym[i].n));
  return pieces;
}

}  // namespace llactr::llm
