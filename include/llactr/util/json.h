// A small JSON (RFC 8259) parser for one document per call, as in JSON-lines files.
//
// Strict grammar; every error is a std::invalid_argument saying "byte N: reason". Safe on any
// input: nesting deeper than kMaxJsonDepth is an error (no stack overflow), invalid UTF-8 inside
// strings becomes U+FFFD, \u escapes (with surrogate pairs) are decoded to UTF-8.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llactr {

constexpr int kMaxJsonDepth = 128;

struct JsonValue {
  enum class Type { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  // String: the decoded text. Number: the literal as written ("4.5", "1e3"), so no precision is
  // lost and it renders the way the file wrote it. Bool: "true" or "false".
  std::string text;
  std::vector<JsonValue> items;                             // Array
  std::vector<std::pair<std::string, JsonValue>> members;  // Object, in file order

  bool is_null() const { return type == Type::Null; }
  // The member named key (the last one if repeated), or nullptr; nullptr too if not an object.
  const JsonValue* find(std::string_view key) const;
};

JsonValue parse_json(std::string_view text);

// s as a JSON string literal with its quotes ("a\"b"); s must be valid UTF-8.
std::string json_quote(std::string_view s);
// v as a JSON number with 6 significant digits ("%.6g"), as results.json's settings write them.
std::string json_number(double v);

}  // namespace llactr
