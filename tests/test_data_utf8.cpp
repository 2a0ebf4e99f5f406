#include <gtest/gtest.h>

#include "llactr/util/utf8.h"

using namespace llactr;

TEST(Utf8Parse, ValidAndInvalidSequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));  // é € 😀 U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE9"));              // a Latin-1 byte
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // UTF-16 surrogate D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation byte
}

TEST(Utf8Parse, RepairAndLatin1) {
  EXPECT_EQ(repair_utf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(repair_utf8("a\xFF" "b\xE2\x82"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(latin1_to_utf8("Mis\xE9rables \xA9\xFF"), "Mis\xC3\xA9rables \xC2\xA9\xC3\xBF");
  // A file already in UTF-8 is left as is; a Latin-1 one is converted.
  EXPECT_EQ(latin1_file_to_utf8("Mis\xC3\xA9rables"), "Mis\xC3\xA9rables");
  EXPECT_EQ(latin1_file_to_utf8("Mis\xE9rables"), "Mis\xC3\xA9rables");
}
