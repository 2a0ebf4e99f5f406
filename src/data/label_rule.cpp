#include "llactr/data/label_rule.h"

#include <cstdio>
#include <stdexcept>

#include "llactr/data/line_parsing.h"

namespace llactr::data {
namespace {

const char* op_text(Condition::Op op) {
  switch (op) {
    case Condition::Op::Gt: return ">";
    case Condition::Op::Ge: return ">=";
    case Condition::Op::Lt: return "<";
    case Condition::Op::Le: return "<=";
    case Condition::Op::Eq: return "==";
    case Condition::Op::Ne: return "!=";
  }
  return "?";
}

Condition parse_condition(std::string_view op, std::string_view value, std::string_view whole) {
  Condition c;
  const Condition::Op ops[] = {Condition::Op::Gt, Condition::Op::Ge, Condition::Op::Lt,
                               Condition::Op::Le, Condition::Op::Eq, Condition::Op::Ne};
  bool found = false;
  for (auto o : ops)
    if (op == op_text(o)) c.op = o, found = true;
  if (!found) throw std::invalid_argument("label rule '" + std::string(whole) + "': unknown operator '" + std::string(op) + "'");
  try {
    c.threshold = parse_double(value, "label threshold");
  } catch (const BadLine& e) {
    throw std::invalid_argument("label rule '" + std::string(whole) + "': " + e.what());
  }
  return c;
}

}  // namespace

bool Condition::holds(double v) const {
  switch (op) {
    case Op::Gt: return v > threshold;
    case Op::Ge: return v >= threshold;
    case Op::Lt: return v < threshold;
    case Op::Le: return v <= threshold;
    case Op::Eq: return v == threshold;
    case Op::Ne: return v != threshold;
  }
  return false;
}

std::string Condition::str() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %.17g", op_text(op), threshold);
  return buf;
}

LabelRule::Outcome LabelRule::apply(double value) const {
  if (positive.holds(value)) return kPositive;
  if (!has_negative || negative.holds(value)) return kNegative;
  return kDrop;
}

std::string LabelRule::str() const {
  return "pos " + positive.str() + (has_negative ? " neg " + negative.str() : "");
}

LabelRule LabelRule::parse(std::string_view text) {
  std::vector<std::string_view> words;
  for (auto w : split(trim(text), " "))
    if (!w.empty()) words.push_back(w);
  LabelRule r;
  if ((words.size() != 3 && words.size() != 6) || words[0] != "pos" || (words.size() == 6 && words[3] != "neg"))
    throw std::invalid_argument("label rule '" + std::string(text) + "': expected 'pos OP T [neg OP U]', e.g. 'pos > 3 neg < 3'");
  r.positive = parse_condition(words[1], words[2], text);
  if (words.size() == 6) {
    r.has_negative = true;
    r.negative = parse_condition(words[4], words[5], text);
  }
  return r;
}

LabelRule movielens_label_rule() { return LabelRule::parse("pos > 3 neg < 3"); }
LabelRule amazon_label_rule() { return LabelRule::parse("pos >= 4"); }

}  // namespace llactr::data
