// What the methods' option structs (ElecOptions, ClickPromptOptions) share to read and check their
// values: an error that names the option as the command line spells it, and enum-valued options.
//
//   const std::pair<const char*, Mode> kModes[] = {{"prefix", Mode::Prefix}, {"input", Mode::Input}};
//   Mode m = parse_enum("clickprompt-mode", "input", kModes);   // "--clickprompt-mode 'x': expected one of prefix, input"
//   const char* s = enum_name(m, kModes);                        // "input"
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace llactr::methods {

// Throws std::invalid_argument "--<option> <value>: <need>".
[[noreturn]] inline void bad_option(const std::string& option, const std::string& value, const std::string& need) {
  throw std::invalid_argument("--" + option + " " + value + ": " + need);
}

template <class E, size_t K>
E parse_enum(const std::string& option, const std::string& s, const std::pair<const char*, E> (&names)[K]) {
  std::string known;
  for (const auto& [name, e] : names) {
    if (s == name) return e;
    known += std::string(known.empty() ? "" : ", ") + name;
  }
  bad_option(option, "'" + s + "'", "expected one of " + known);
}

template <class E, size_t K>
const char* enum_name(E e, const std::pair<const char*, E> (&names)[K]) {
  for (const auto& [name, x] : names)
    if (x == e) return name;
  return "?";
}

}  // namespace llactr::methods
