// How a rating (or any numeric column) becomes a click label: positive when one condition
// holds; negative when a second one holds, or when the first does not if there is no second;
// otherwise the row is dropped. MovieLens in LLaCTR: positive "> 3", negative "< 3" (3 dropped).
#pragma once
#include <string>
#include <string_view>

namespace llactr::data {

struct Condition {
  enum class Op { Gt, Ge, Lt, Le, Eq, Ne };
  Op op = Op::Ge;
  double threshold = 0;
  bool holds(double v) const;
  std::string str() const;  // e.g. "> 3"
};

struct LabelRule {
  Condition positive;
  bool has_negative = false;
  Condition negative;

  enum Outcome { kNegative = 0, kPositive = 1, kDrop = -1 };
  Outcome apply(double value) const;
  std::string str() const;  // "pos > 3 neg < 3", the syntax parse() reads

  // "pos OP T [neg OP U]" with OP one of > >= < <= == !=. Throws std::invalid_argument.
  static LabelRule parse(std::string_view text);
};

// The rules the built-in readers use.
LabelRule movielens_label_rule();  // pos > 3 neg < 3
LabelRule amazon_label_rule();     // pos >= 4

}  // namespace llactr::data
