// Tokenizer: construction, lookups, token_to_piece and decode. The two encoders live in
// tokenizer_spm.cpp and tokenizer_bpe.cpp.
#include "llactr/llm/tokenizer/tokenizer.h"

#include <stdexcept>

#include "llactr/llm/tokenizer/unicode.h"

namespace llactr::llm {

namespace {

const char* const kSpmSpace = "\xE2\x96\x81";       // U+2581 "▁", SentencePiece's space
const char* const kUnknownPiece = "\xE2\x96\x85";   // U+2585 "▅", how llama.cpp prints <unk>

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

// "<0x41>" -> 0x41; -1 if the text is not a byte token.
int parse_byte_token(const std::string& t) {
  if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
  return std::stoi(t.substr(3, 2), nullptr, 16);
}

}  // namespace

Tokenizer::Tokenizer(Vocab vocab) : vocab_(std::move(vocab)) {
  if (vocab_.model == "llama") {
    is_spm_ = true;
  } else if (vocab_.model == "gpt2") {
    is_spm_ = false;
    pre_ = pre_tokenizer_from_name(vocab_.pre);
    ignore_merges_ = pre_ == PreTokenizer::Llama3;
  } else {
    throw std::runtime_error("tokenizer model '" + vocab_.model + "' is not supported (llama, gpt2)");
  }
  const int32_t n = vocab_.size();
  if (int32_t(vocab_.scores.size()) != n) vocab_.scores.resize(n, 0.0f);
  if (int32_t(vocab_.types.size()) != n) vocab_.types.resize(n, TokenType::Normal);
  for (int32_t id = 0; id < n; ++id) token_ids_[vocab_.tokens[id]] = id;  // last duplicate wins, as llama.cpp
  for (size_t r = 0; r < vocab_.merges.size(); ++r) {
    const std::string& m = vocab_.merges[r];
    const size_t sp = m.find(' ', 1);
    if (sp == std::string::npos || sp + 1 >= m.size())
      throw std::runtime_error("tokenizer.ggml.merges[" + std::to_string(r) + "] = '" + m +
                               "' is not 'left right'");
    merge_ranks_.emplace(m, int(r));  // the first occurrence keeps the lowest rank
  }
}

int32_t Tokenizer::token_id(std::string_view text) const {
  auto it = token_ids_.find(std::string(text));
  return it == token_ids_.end() ? -1 : it->second;
}

int Tokenizer::merge_rank(std::string_view left, std::string_view right) const {
  std::string key;
  key.reserve(left.size() + 1 + right.size());
  key.append(left).append(1, ' ').append(right);
  auto it = merge_ranks_.find(key);
  return it == merge_ranks_.end() ? -1 : it->second;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos) const {
  std::vector<int32_t> ids;
  if (add_bos && vocab_.bos_id >= 0) ids.push_back(vocab_.bos_id);
  if (text.empty()) return ids;
  if (is_spm_)
    encode_spm(text, ids);
  else
    encode_bpe(text, ids);
  return ids;
}

std::string Tokenizer::token_to_piece(int32_t id) const {
  if (id < 0 || id >= vocab_.size())
    throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary of " +
                            std::to_string(vocab_.size()) + " tokens");
  const std::string& text = vocab_.tokens[id];
  switch (vocab_.types[id]) {
    case TokenType::Control:
    case TokenType::Unused:
    case TokenType::Undefined:
      return "";
    case TokenType::Unknown:
      return kUnknownPiece;
    case TokenType::UserDefined:
      return text;
    case TokenType::Byte:
      if (int b = parse_byte_token(text); b >= 0) return std::string(1, char(b));
      return text;
    case TokenType::Normal:
      break;
  }
  if (is_spm_) {
    std::string piece = text;
    replace_all(piece, kSpmSpace, " ");
    return piece;
  }
  std::string bytes;
  return unicode_text_to_bytes(text, bytes) ? bytes : text;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string out;
  for (int32_t id : ids) out += token_to_piece(id);
  if (is_spm_) {
    // A "▁" that came through byte tokens is a space too (SentencePiece decodes after joining).
    replace_all(out, kSpmSpace, " ");
    if (vocab_.add_space_prefix && !out.empty() && out[0] == ' ') out.erase(0, 1);
  }
  return out;
}

}  // namespace llactr::llm
