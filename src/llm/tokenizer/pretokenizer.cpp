#include "llactr/llm/tokenizer/pretokenizer.h"

#include <stdexcept>

#include "llactr/llm/tokenizer/unicode.h"

namespace llactr::llm {

namespace {

// The code points of one span of text, with safe look-ahead: past the end reads as kEnd.
struct Cursor {
  static constexpr uint32_t kEnd = 0xFFFFFFFF;
  const std::vector<uint32_t>& cps;
  size_t begin, end;
  uint32_t at(size_t i) const { return i >= begin && i < end ? cps[i] : kEnd; }
  bool letter(size_t i) const { return at(i) != kEnd && is_letter(at(i)); }
  bool number(size_t i) const { return at(i) != kEnd && is_number(at(i)); }
  bool space(size_t i) const { return at(i) != kEnd && is_whitespace(at(i)); }
  bool other(size_t i) const { return at(i) != kEnd && !space(i) && !letter(i) && !number(i); }
  bool newline(size_t i) const { return at(i) == '\r' || at(i) == '\n'; }
};

// Length of a contraction 's 't 're 've 'm 'll 'd at i (0 if none); case-insensitive or not.
size_t contraction(const Cursor& c, size_t i, bool ignore_case) {
  if (c.at(i) != '\'') return 0;
  auto low = [&](size_t k) { return ignore_case ? to_lower_ascii(c.at(k)) : c.at(k); };
  const uint32_t a = low(i + 1), b = low(i + 2);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  return 0;
}

// \s+(?!\S)|\s+ at i (c.space(i) holds): a whitespace run, minus its last character when a
// non-space follows (that character then starts the next word, e.g. " world").
size_t whitespace_run(const Cursor& c, size_t i) {
  size_t j = i;
  while (c.space(j)) ++j;
  if (j - i > 1 && c.at(j) != Cursor::kEnd) return j - 1 - i;
  return j - i;
}

// Word ends of the gpt2 regex over [c.begin, c.end), appended to `ends`.
void split_gpt2(const Cursor& c, std::vector<size_t>& ends) {
  size_t i = c.begin;
  while (i < c.end) {
    size_t j = i;
    const size_t start = c.at(i) == ' ' ? i + 1 : i;  // the optional leading space
    if (size_t n = contraction(c, i, false)) {
      j = i + n;
    } else if (c.letter(start)) {
      for (j = start; c.letter(j);) ++j;
    } else if (c.number(start)) {
      for (j = start; c.number(j);) ++j;
    } else if (c.other(start)) {
      for (j = start; c.other(j);) ++j;
    } else if (c.space(i)) {
      j = i + whitespace_run(c, i);
    } else {
      j = i + 1;
    }
    ends.push_back(j);
    i = j;
  }
}

// Word ends of the llama3 regex (max_digits 3) or qwen2's (max_digits 1).
void split_llama3(const Cursor& c, size_t max_digits, std::vector<size_t>& ends) {
  size_t i = c.begin;
  while (i < c.end) {
    size_t j = i;
    if (size_t n = contraction(c, i, true)) {
      j = i + n;
    } else if (!c.newline(i) && !c.number(i) && (c.letter(i) || c.letter(i + 1))) {
      // [^\r\n\p{L}\p{N}]?\p{L}+
      for (j = i + 1; c.letter(j);) ++j;
    } else if (c.number(i)) {
      // \p{N}{1,max}
      for (j = i; c.number(j) && j - i < max_digits;) ++j;
    } else if (c.other(c.at(i) == ' ' ? i + 1 : i)) {
      // ' '?[^\s\p{L}\p{N}]+[\r\n]*
      for (j = c.at(i) == ' ' ? i + 1 : i; c.other(j);) ++j;
      while (c.newline(j)) ++j;
    } else if (c.space(i)) {
      // \s*[\r\n]+ (up to the last newline of the whitespace run), else \s+(?!\S) | \s+
      size_t last_newline_end = 0;
      for (size_t k = i; c.space(k); ++k)
        if (c.newline(k)) last_newline_end = k + 1;
      j = last_newline_end ? last_newline_end : i + whitespace_run(c, i);
    } else {
      j = i + 1;
    }
    ends.push_back(j);
    i = j;
  }
}

// smollm's first pass: every \p{N} is its own span, and so is each run of non-digits.
std::vector<size_t> split_digits(const std::vector<uint32_t>& cps) {
  std::vector<size_t> ends;
  for (size_t i = 0; i < cps.size(); ++i)
    if (is_number(cps[i]) || i + 1 == cps.size() || is_number(cps[i + 1])) ends.push_back(i + 1);
  return ends;
}

}  // namespace

PreTokenizer pre_tokenizer_from_name(const std::string& name) {
  if (name.empty() || name == "default" || name == "gpt-2" || name == "gpt2") return PreTokenizer::Gpt2;
  if (name == "llama-bpe" || name == "llama3" || name == "llama-v3") return PreTokenizer::Llama3;
  if (name == "qwen2") return PreTokenizer::Qwen2;
  if (name == "smollm") return PreTokenizer::Smollm;
  throw std::runtime_error("unsupported tokenizer.ggml.pre '" + name +
                           "' (supported: default, gpt-2, llama-bpe, qwen2, smollm)");
}

std::vector<std::string> pre_tokenize(std::string_view text, PreTokenizer kind) {
  std::vector<size_t> offsets;
  const std::vector<uint32_t> cps = utf8_decode(text, &offsets);
  std::vector<size_t> ends;  // code point index where each word ends
  switch (kind) {
    case PreTokenizer::Gpt2: split_gpt2({cps, 0, cps.size()}, ends); break;
    case PreTokenizer::Llama3: split_llama3({cps, 0, cps.size()}, 3, ends); break;
    case PreTokenizer::Qwen2: split_llama3({cps, 0, cps.size()}, 1, ends); break;
    case PreTokenizer::Smollm: {
      size_t begin = 0;
      for (size_t end : split_digits(cps)) {
        split_gpt2({cps, begin, end}, ends);
        begin = end;
      }
      break;
    }
  }
  std::vector<std::string> words;
  size_t prev = 0;
  for (size_t e : ends) {
    const size_t b0 = offsets[prev], b1 = e < cps.size() ? offsets[e] : text.size();
    words.emplace_back(text.substr(b0, b1 - b0));
    prev = e;
  }
  return words;
}

}  // namespace llactr::llm
