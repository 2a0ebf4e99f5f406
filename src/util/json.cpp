#include "llactr/util/json.h"

#include <cstdio>
#include <stdexcept>

#include "llactr/util/utf8.h"

namespace llactr {
namespace {

// Recursive descent over the bytes of one document; pos_ is the byte offset errors report.
class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}

  JsonValue parse_document() {
    JsonValue v = parse_value(0);
    skip_space();
    if (pos_ != s_.size()) fail("unexpected characters after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& reason) const {
    throw std::invalid_argument("byte " + std::to_string(pos_) + ": " + reason);
  }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }

  void skip_space() {
    while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }

  void expect_word(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) fail("invalid literal (expected '" + std::string(word) + "')");
    pos_ += word.size();
  }

  JsonValue parse_value(int depth) {
    if (depth > kMaxJsonDepth) fail("nesting deeper than " + std::to_string(kMaxJsonDepth));
    skip_space();
    if (at_end()) fail("unexpected end of input, expected a value");
    JsonValue v;
    char c = peek();
    if (c == '{') {
      v.type = JsonValue::Type::Object;
      parse_object(v, depth);
    } else if (c == '[') {
      v.type = JsonValue::Type::Array;
      parse_array(v, depth);
    } else if (c == '"') {
      v.type = JsonValue::Type::String;
      v.text = parse_string();
    } else if (c == 't' || c == 'f') {
      v.type = JsonValue::Type::Bool;
      v.text = c == 't' ? "true" : "false";
      expect_word(v.text);
    } else if (c == 'n') {
      expect_word("null");
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.type = JsonValue::Type::Number;
      v.text = parse_number();
    } else {
      fail(std::string("unexpected character '") + c + "'");
    }
    return v;
  }

  void parse_object(JsonValue& v, int depth) {
    ++pos_;  // '{'
    skip_space();
    if (peek() == '}') { ++pos_; return; }
    while (true) {
      skip_space();
      if (peek() != '"') fail("expected a string key in object");
      std::string key = parse_string();
      skip_space();
      if (peek() != ':') fail("expected ':' after object key");
      ++pos_;
      v.members.emplace_back(std::move(key), parse_value(depth + 1));
      skip_space();
      if (peek() == ',') { ++pos_; continue; }
      if (peek() == '}') { ++pos_; return; }
      fail("expected ',' or '}' in object");
    }
  }

  void parse_array(JsonValue& v, int depth) {
    ++pos_;  // '['
    skip_space();
    if (peek() == ']') { ++pos_; return; }
    while (true) {
      v.items.push_back(parse_value(depth + 1));
      skip_space();
      if (peek() == ',') { ++pos_; continue; }
      if (peek() == ']') { ++pos_; return; }
      fail("expected ',' or ']' in array");
    }
  }

  std::string parse_number() {
    size_t start = pos_;
    auto digits = [&] {
      size_t d = pos_;
      while (!at_end() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - d;
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') ++pos_;
    else if (digits() == 0) fail("invalid number");
    if (peek() == '.') {
      ++pos_;
      if (digits() == 0) fail("invalid number: no digits after '.'");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (digits() == 0) fail("invalid number: no digits in exponent");
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  unsigned parse_hex4() {
    if (pos_ + 4 > s_.size()) fail("truncated \\u escape");
    unsigned cp = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      cp <<= 4;
      if (c >= '0' && c <= '9') cp |= unsigned(c - '0');
      else if (c >= 'a' && c <= 'f') cp |= unsigned(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') cp |= unsigned(c - 'A' + 10);
      else fail("invalid hex digit in \\u escape");
    }
    return cp;
  }

  // A \uXXXX escape (pos_ after the 'u'); a lone surrogate decodes to U+FFFD.
  unsigned parse_unicode_escape() {
    unsigned cp = parse_hex4();
    if (cp >= 0xDC00 && cp <= 0xDFFF) return 0xFFFD;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (s_.substr(pos_, 2) != "\\u") return 0xFFFD;
      size_t save = pos_;
      pos_ += 2;
      unsigned lo = parse_hex4();
      if (lo < 0xDC00 || lo > 0xDFFF) {
        pos_ = save;  // not a pair: the next escape is decoded on its own
        return 0xFFFD;
      }
      return 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    return cp;
  }

  std::string parse_string() {
    ++pos_;  // opening quote
    std::string raw;
    while (true) {
      if (at_end()) fail("unterminated string");
      char c = s_[pos_];
      if (c == '"') { ++pos_; break; }
      if (static_cast<unsigned char>(c) < 0x20) fail("control character inside string");
      if (c != '\\') {
        raw += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (at_end()) fail("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '"': raw += '"'; break;
        case '\\': raw += '\\'; break;
        case '/': raw += '/'; break;
        case 'b': raw += '\b'; break;
        case 'f': raw += '\f'; break;
        case 'n': raw += '\n'; break;
        case 'r': raw += '\r'; break;
        case 't': raw += '\t'; break;
        case 'u': append_utf8(raw, parse_unicode_escape()); break;
        default: --pos_; fail(std::string("invalid escape '\\") + e + "'");
      }
    }
    return repair_utf8(raw);
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  const JsonValue* found = nullptr;
  for (const auto& m : members)
    if (m.first == key) found = &m.second;
  return found;
}

JsonValue parse_json(std::string_view text) { return JsonParser(text).parse_document(); }

std::string json_number(double v) {
  char s[32];
  std::snprintf(s, sizeof s, "%.6g", v);
  return s;
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace llactr
