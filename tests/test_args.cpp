#include <gtest/gtest.h>

#include "llactr/apps/args.h"

using llactr::Args;

namespace {
Args make() {
  Args a("t");
  a.option("lr", "0.001", "learning rate").option("out", "", "output").flag("greedy", "greedy");
  return a;
}
}  // namespace

TEST(ArgsParse, ValuesDefaultsAndFlags) {
  Args a = make();
  const char* argv[] = {"t", "--out=dir", "--greedy", "pos"};
  ASSERT_TRUE(a.parse(4, const_cast<char**>(argv)));
  EXPECT_EQ(a.get("out"), "dir");
  EXPECT_DOUBLE_EQ(a.get_double("lr"), 0.001);
  EXPECT_TRUE(a.get_flag("greedy"));
  ASSERT_EQ(a.positional().size(), 1u);
  try {
    a.reject_positional();
    FAIL() << "a plain argument was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "unexpected argument 'pos' (see --help)");
  }
  Args none = make();
  const char* flags_only[] = {"t", "--greedy"};
  ASSERT_TRUE(none.parse(2, const_cast<char**>(flags_only)));
  EXPECT_NO_THROW(none.reject_positional());
}

TEST(ArgsParse, BadInputIsAClearError) {
  Args a = make();
  const char* typo[] = {"t", "--lr0", "1"};
  EXPECT_THROW(a.parse(3, const_cast<char**>(typo)), std::invalid_argument);
  Args b = make();
  const char* missing[] = {"t", "--lr"};
  EXPECT_THROW(b.parse(2, const_cast<char**>(missing)), std::invalid_argument);
  Args c = make();
  const char* notnum[] = {"t", "--lr", "x"};
  ASSERT_TRUE(c.parse(3, const_cast<char**>(notnum)));
  EXPECT_THROW(c.get_double("lr"), std::invalid_argument);
  EXPECT_THROW(c.get("out"), std::invalid_argument);
}

TEST(ArgsParse, AnAliasIsTheSameOptionAndHelpNamesIt) {
  Args a = make();
  a.alias("learning-rate", "lr").alias("fast", "greedy");
  const char* argv[] = {"t", "--learning-rate=0.5", "--fast"};
  ASSERT_TRUE(a.parse(3, const_cast<char**>(argv)));
  EXPECT_DOUBLE_EQ(a.get_double("lr"), 0.5);
  EXPECT_TRUE(a.get_flag("greedy"));
  EXPECT_NE(a.help().find("(alias --learning-rate)"), std::string::npos);
  // The later spelling wins, whichever name it uses.
  Args b = make();
  b.alias("learning-rate", "lr");
  const char* both[] = {"t", "--lr", "1", "--learning-rate", "2"};
  ASSERT_TRUE(b.parse(5, const_cast<char**>(both)));
  EXPECT_EQ(b.get("lr"), "2");
  EXPECT_THROW(make().alias("x", "undeclared"), std::logic_error);
  EXPECT_THROW(make().alias("out", "lr"), std::logic_error);  // an alias cannot hide an option
}
