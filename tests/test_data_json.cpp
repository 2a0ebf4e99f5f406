#include <gtest/gtest.h>

#include <random>

#include "llactr/util/json.h"
#include "llactr/util/utf8.h"

using namespace llactr;
using T = JsonValue::Type;

TEST(JsonParse, ValuesObjectsArrays) {
  JsonValue v = parse_json(R"( {"a": 1.5e3, "b": [true, false, null, "x"], "c": {"d": -0}, "a": 2} )");
  ASSERT_EQ(v.type, T::Object);
  ASSERT_EQ(v.members.size(), 4u);
  EXPECT_EQ(v.find("a")->text, "2");  // a repeated key: the last wins
  const JsonValue* b = v.find("b");
  ASSERT_EQ(b->items.size(), 4u);
  EXPECT_EQ(b->items[0].type, T::Bool);
  EXPECT_EQ(b->items[1].text, "false");
  EXPECT_TRUE(b->items[2].is_null());
  EXPECT_EQ(b->items[3].text, "x");
  EXPECT_EQ(v.find("c")->find("d")->text, "-0");
  EXPECT_EQ(v.members[0].second.text, "1.5e3");  // numbers keep their literal
  EXPECT_EQ(v.find("missing"), nullptr);
  EXPECT_EQ(parse_json("[]").items.size(), 0u);
  EXPECT_EQ(parse_json("{}").type, T::Object);
}

TEST(JsonParse, StringEscapes) {
  EXPECT_EQ(parse_json(R"("a\"b\\c\/d\b\f\n\r\t")").text, "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(parse_json(R"("\u00e9\u20AC")").text, "\xC3\xA9\xE2\x82\xAC");       // é €
  EXPECT_EQ(parse_json(R"("\ud83d\ude00")").text, "\xF0\x9F\x98\x80");           // U+1F600 from a surrogate pair
  EXPECT_EQ(parse_json(R"("\ud83dx")").text, "\xEF\xBF\xBDx");                   // lone high surrogate -> U+FFFD
  EXPECT_EQ(parse_json(R"("\ude00")").text, "\xEF\xBF\xBD");                     // lone low surrogate
  EXPECT_EQ(parse_json(R"("\ud83d\u0041")").text, "\xEF\xBF\xBD" "A");           // high + non-low: both kept apart
  EXPECT_EQ(parse_json("\"caf\xE9\"").text, "caf\xEF\xBF\xBD");                  // invalid UTF-8 byte -> U+FFFD
}

TEST(MalformedJson, ErrorsSayWhereAndWhy) {
  auto error_of = [](const std::string& s) {
    try {
      parse_json(s);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of(R"({"a" 1})"), "byte 5: expected ':' after object key");
  EXPECT_EQ(error_of("[1, 2"), "byte 5: expected ',' or ']' in array");
  EXPECT_EQ(error_of("\"abc"), "byte 4: unterminated string");
  EXPECT_EQ(error_of("{} x"), "byte 3: unexpected characters after the JSON value");
  EXPECT_EQ(error_of("tru"), "byte 0: invalid literal (expected 'true')");
  for (const char* bad : {"", "01", "1.", "-", "1e", "1e+", ".5", "+1", "[1,]", "{\"a\":1,}", "{1:2}", "\"\\x\"",
                          "\"\\u12G4\"", "\"a\nb\"", "nul", "[", "{", "\"\\u12"})
    EXPECT_THROW(parse_json(bad), std::invalid_argument) << bad;
}

TEST(MalformedJson, DeepNestingIsAnErrorNotACrash) {
  EXPECT_NO_THROW(parse_json(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')));
  EXPECT_THROW(parse_json(std::string(100000, '[')), std::invalid_argument);
  EXPECT_THROW(parse_json(std::string(kMaxJsonDepth + 2, '[') + std::string(kMaxJsonDepth + 2, ']')), std::invalid_argument);
}

// Every prefix of a valid document, and seeded random mutations of it, either parse or throw
// invalid_argument; under `make test-san` this also checks there is no out-of-bounds access.
TEST(MalformedJson, PrefixesAndMutationsNeverCrash) {
  const std::string doc = R"({"user_id": "AB\u00e9", "rating": 4.0, "x": [1, {"y": null}], "s": "\ud83d\ude00"})";
  ASSERT_NO_THROW(parse_json(doc));
  for (size_t n = 0; n < doc.size(); ++n) EXPECT_THROW(parse_json(doc.substr(0, n)), std::invalid_argument) << n;
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string s = doc;
    for (int k = 0; k < 3; ++k) s[rng() % s.size()] = char(rng() % 256);
    try {
      JsonValue v = parse_json(s);
      for (const auto& m : v.members) EXPECT_TRUE(is_valid_utf8(m.first));
    } catch (const std::invalid_argument&) {
    }
  }
}

TEST(JsonParse, QuoteRoundTrips) {
  std::string s = "a\"b\\c\n\t\x01 \xC3\xA9";
  EXPECT_EQ(json_quote(s), "\"a\\\"b\\\\c\\n\\t\\u0001 \xC3\xA9\"");
  EXPECT_EQ(parse_json(json_quote(s)).text, s);
}
