#include "llactr/llm/tokenizer/bpe_trainer.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <queue>
#include <stdexcept>
#include <unordered_map>

#include "llactr/data/line_parsing.h"
#include "llactr/llm/gguf/gguf.h"
#include "llactr/llm/tokenizer/unicode.h"
#include "llactr/util/utf8.h"

namespace llactr::llm {

namespace {

const char* const kSpmSpace = "\xE2\x96\x81";  // U+2581 "▁"
constexpr int32_t kFirstPiece = 3 + 256;       // <unk>, <s>, </s>, then the 256 byte tokens

// A pair of adjacent symbol ids as one hash key: left in the high half.
uint64_t pair_key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }
int32_t left_of(uint64_t k) { return int32_t(k >> 32); }
int32_t right_of(uint64_t k) { return int32_t(k & 0xFFFFFFFFu); }

// Highest count first; ties: the smaller key (smaller left id, then smaller right id).
struct Candidate {
  int64_t count;
  uint64_t key;
  bool operator<(const Candidate& o) const { return count < o.count || (count == o.count && key > o.key); }
};

// " " + line with every ' ' as "▁", cut before each "▁" into words; counts added to `words`.
void count_words(const std::string& line, std::unordered_map<std::string, int64_t>& words, size_t& n_words) {
  std::string word = kSpmSpace;
  for (char c : line) {
    if (c == ' ') {
      ++words[word];
      ++n_words;
      word = kSpmSpace;
    } else {
      word += c;
    }
  }
  ++words[word];
  ++n_words;
}

// The UTF-8 characters of a (valid) word.
std::vector<std::string> characters(const std::string& word) {
  std::vector<std::string> out;
  for (size_t i = 0; i < word.size();) {
    const size_t n = std::min<size_t>(utf8_len(uint8_t(word[i])), word.size() - i);
    out.push_back(word.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace

Vocab train_bpe_vocab(const std::vector<std::string>& lines, const BpeTrainOptions& options, BpeTrainStats* stats) {
  if (lines.empty()) throw std::invalid_argument("the corpus is empty: nothing to train a tokenizer on");
  BpeTrainStats st;
  st.lines = lines.size();

  // Words with their counts, sorted so that nothing depends on hash order.
  std::unordered_map<std::string, int64_t> word_counts;
  for (const std::string& line : lines) count_words(line, word_counts, st.words);
  std::vector<std::pair<std::string, int64_t>> sorted_words(word_counts.begin(), word_counts.end());
  std::sort(sorted_words.begin(), sorted_words.end());
  st.unique_words = sorted_words.size();

  // Characters: the kept ones become symbols 0..K-1, by falling count then bytes.
  std::map<std::string, int64_t> char_counts;
  for (const auto& [w, n] : sorted_words)
    for (const std::string& c : characters(w)) char_counts[c] += n;
  std::vector<std::pair<int64_t, std::string>> chars;
  for (const auto& [c, n] : char_counts)
    if (n >= options.min_char_count) chars.emplace_back(-n, c);
  std::sort(chars.begin(), chars.end());
  st.chars_kept = chars.size();
  st.chars_dropped = char_counts.size() - chars.size();
  if (int64_t(options.vocab_size) < int64_t(kFirstPiece + chars.size()))
    throw std::invalid_argument("--vocab " + std::to_string(options.vocab_size) + " is too small: 3 control + 256 byte + " +
                                std::to_string(chars.size()) + " character tokens need " +
                                std::to_string(kFirstPiece + chars.size()));

  std::vector<std::string> pieces;  // symbol id -> text
  std::unordered_map<std::string, int32_t> piece_id;
  for (const auto& c : chars) {
    piece_id.emplace(c.second, int32_t(pieces.size()));
    pieces.push_back(c.second);
  }

  // Each word as symbol ids; -1 for a character that is not a token (it never pairs).
  std::vector<std::vector<int32_t>> words(sorted_words.size());
  std::vector<int64_t> freq(sorted_words.size());
  for (size_t w = 0; w < sorted_words.size(); ++w) {
    freq[w] = sorted_words[w].second;
    for (const std::string& c : characters(sorted_words[w].first)) {
      auto it = piece_id.find(c);
      words[w].push_back(it == piece_id.end() ? -1 : it->second);
    }
  }

  std::unordered_map<uint64_t, int64_t> pair_count;
  std::unordered_map<uint64_t, std::vector<uint32_t>> pair_words;  // may list a word twice
  for (size_t w = 0; w < words.size(); ++w)
    for (size_t i = 0; i + 1 < words[w].size(); ++i)
      if (words[w][i] >= 0 && words[w][i + 1] >= 0) {
        const uint64_t k = pair_key(words[w][i], words[w][i + 1]);
        pair_count[k] += freq[w];
        pair_words[k].push_back(uint32_t(w));
      }
  std::priority_queue<Candidate> queue;
  for (const auto& [k, n] : pair_count) queue.push({n, k});

  std::vector<int32_t> merged_order;  // ids of the merged pieces, in merge order (each once)
  std::vector<size_t> visited(words.size(), 0);  // merge step + 1 at which a word was last rewritten
  std::unordered_map<uint64_t, int64_t> before;   // touched pairs' counts before this merge
  const size_t budget = size_t(options.vocab_size) - kFirstPiece - chars.size();
  while (merged_order.size() < budget && !queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    auto cit = pair_count.find(top.key);
    if (cit == pair_count.end() || cit->second != top.count) continue;  // stale entry
    if (top.count < 2) break;
    const int32_t a = left_of(top.key), b = right_of(top.key);
    const std::string text = pieces[a] + pieces[b];
    int32_t c;
    if (auto it = piece_id.find(text); it != piece_id.end()) {
      c = it->second;  // reached before through another split: same token
    } else {
      c = int32_t(pieces.size());
      piece_id.emplace(text, c);
      pieces.push_back(text);
      merged_order.push_back(c);
    }
    ++st.merges;

    before.clear();
    auto add = [&](int32_t x, int32_t y, int64_t delta) {
      if (x < 0 || y < 0) return;
      const uint64_t k = pair_key(x, y);
      int64_t& n = pair_count[k];
      before.emplace(k, n);
      n += delta;
    };
    const std::vector<uint32_t> holders = std::move(pair_words[top.key]);
    pair_words.erase(top.key);
    for (uint32_t w : holders) {
      if (visited[w] == st.merges) continue;
      visited[w] = st.merges;
      std::vector<int32_t>& sym = words[w];
      // Take the word's pairs out, merge every (a, b) left to right, put its pairs back.
      for (size_t i = 0; i + 1 < sym.size(); ++i) add(sym[i], sym[i + 1], -freq[w]);
      size_t out = 0;
      for (size_t i = 0; i < sym.size(); ++i) {
        if (i + 1 < sym.size() && sym[i] == a && sym[i + 1] == b) {
          sym[out++] = c;
          ++i;
        } else {
          sym[out++] = sym[i];
        }
      }
      sym.resize(out);
      for (size_t i = 0; i + 1 < sym.size(); ++i) {
        add(sym[i], sym[i + 1], freq[w]);
        if ((sym[i] == c || sym[i + 1] == c) && sym[i] >= 0 && sym[i + 1] >= 0)
          pair_words[pair_key(sym[i], sym[i + 1])].push_back(w);
      }
    }
    for (const auto& [k, old] : before) {
      const int64_t n = pair_count[k];
      if (n == 0) pair_count.erase(k);
      else if (n != old) queue.push({n, k});
    }
  }

  for (size_t w = 0; w < words.size(); ++w) {
    size_t n = 0, byte = 0;
    const std::vector<std::string> cs = characters(sorted_words[w].first);
    for (int32_t sym : words[w]) n += sym >= 0 ? 1 : 0;
    for (const std::string& ch : cs) byte += piece_id.count(ch) ? 0 : ch.size();
    st.tokens += size_t(freq[w]) * (n + byte);
  }

  Vocab v;
  v.model = "llama";
  v.bos_id = 1, v.eos_id = 2, v.unk_id = 0;
  v.add_bos = true;
  v.add_space_prefix = true;
  auto push = [&](std::string text, float score, TokenType type) {
    v.tokens.push_back(std::move(text));
    v.scores.push_back(score);
    v.types.push_back(type);
  };
  push("<unk>", 0.0f, TokenType::Unknown);
  push("<s>", 0.0f, TokenType::Control);
  push("</s>", 0.0f, TokenType::Control);
  static const char* hex = "0123456789ABCDEF";
  for (int byte = 0; byte < 256; ++byte)
    push(std::string("<0x") + hex[byte >> 4] + hex[byte & 15] + ">", 0.0f, TokenType::Byte);
  for (size_t r = 0; r < merged_order.size(); ++r) push(pieces[merged_order[r]], -float(r), TokenType::Normal);
  for (size_t i = 0; i < chars.size(); ++i) push(pieces[i], -float(merged_order.size() + i), TokenType::Normal);
  if (stats) *stats = st;
  return v;
}

void set_tokenizer_metadata(gguf::GgufWriter& w, const Vocab& v) {
  w.set_string("tokenizer.ggml.model", v.model);
  w.set_strings("tokenizer.ggml.tokens", v.tokens);
  w.set_f32s("tokenizer.ggml.scores", v.scores);
  std::vector<int32_t> types;
  for (TokenType t : v.types) types.push_back(int32_t(t));
  w.set_i32s("tokenizer.ggml.token_type", types);
  w.set_u32("tokenizer.ggml.bos_token_id", uint32_t(v.bos_id));
  w.set_u32("tokenizer.ggml.eos_token_id", uint32_t(v.eos_id));
  w.set_u32("tokenizer.ggml.unknown_token_id", uint32_t(v.unk_id));
  w.set_bool("tokenizer.ggml.add_bos_token", v.add_bos);
  w.set_bool("tokenizer.ggml.add_eos_token", false);
  w.set_bool("tokenizer.ggml.add_space_prefix", v.add_space_prefix);
}

void write_tokenizer_gguf(const Vocab& v, const std::string& path) {
  gguf::GgufWriter w;
  w.set_string("general.name", "llactr BPE tokenizer (" + std::to_string(v.size()) + " tokens)");
  set_tokenizer_metadata(w, v);
  w.write(path);
}

CorpusEncoding encode_corpus(const Tokenizer& tok, const std::vector<std::string>& lines, size_t n_worst) {
  CorpusEncoding s;
  std::vector<std::pair<double, size_t>> shares;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::vector<int32_t> ids = tok.encode(lines[i], false);
    size_t bytes = 0;
    for (int32_t id : ids) bytes += tok.vocab().types[id] == TokenType::Byte;
    s.tokens += ids.size();
    s.byte_tokens += bytes;
    const double share = ids.empty() ? 0.0 : double(bytes) / double(ids.size());
    s.mean_line_share += share;
    if (bytes) shares.emplace_back(share, i);
    if (tok.decode(ids) != lines[i] && s.round_trip_failures++ == 0) s.first_failure = i;
  }
  if (!lines.empty()) s.mean_line_share /= double(lines.size());
  std::sort(shares.begin(), shares.end(), [](const auto& x, const auto& y) {
    return x.first > y.first || (x.first == y.first && x.second < y.second);
  });
  shares.resize(std::min(shares.size(), n_worst));
  s.worst = std::move(shares);
  return s;
}

}  // namespace llactr::llm
