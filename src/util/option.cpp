#include "llactr/util/option.h"

#include <charconv>
#include <sstream>
#include <stdexcept>

namespace llactr {

const std::string& OptionValues::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error("option --" + name + " was never declared");
  return it->second;
}

double OptionValues::get_double(const std::string& name) const { return parse_option_number(name, get(name)); }
long OptionValues::get_int(const std::string& name) const { return parse_option_int(name, get(name)); }

std::string Range::describe() const {
  const bool top = hi == std::numeric_limits<double>::max(), bottom = lo == std::numeric_limits<double>::lowest();
  if (bottom && top) return "a finite number";
  if (top) return std::string(lo_open ? "> " : ">= ") + format_number(lo);
  if (bottom) return "<= " + format_number(hi);
  return std::string("in ") + (lo_open ? "(" : "[") + format_number(lo) + ", " + format_number(hi) + "]";
}

void bad_option_value(const std::string& name, const std::string& need, const std::string& value) {
  throw std::invalid_argument("--" + name + " must be " + need + ", not " + value);
}

namespace {

// The whole text as a T, or std::invalid_argument "--name is not <what>: 'text'".
template <class T>
T parse_whole(const std::string& name, const std::string& text, const char* what) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw std::invalid_argument("--" + name + " is not " + what + ": '" + text.substr(0, 40) + "'");
  return v;
}

}  // namespace

double parse_option_number(const std::string& name, const std::string& text) {
  return parse_whole<double>(name, text, "a number");
}

long parse_option_int(const std::string& name, const std::string& text) { return parse_whole<long>(name, text, "an integer"); }

void check_option_range(const std::string& name, double v, const Range& r) {
  if (!r.contains(v)) bad_option_value(name, r.describe(), format_number(v));
}

std::vector<int64_t> parse_units(const std::string& name, const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || v < 1)
      bad_option_value(name, "comma-separated positive integers", "'" + text + "'");
    out.push_back(v);
  }
  if (out.empty()) bad_option_value(name, "at least one layer width", "''");
  return out;
}

std::string format_units(const std::vector<int64_t>& units) {
  std::string s;
  for (int64_t u : units) s += (s.empty() ? "" : ",") + std::to_string(u);
  return s;
}

std::string format_number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

std::string format_number(float v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

std::string one_of(const std::vector<std::string>& names) {
  if (names.size() == 2) return names[0] + " or " + names[1];
  std::string s = "one of ";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s;
}

}  // namespace llactr
