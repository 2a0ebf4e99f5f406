#include "llactr/apps/args.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace llactr {

Args& Args::option(const std::string& name, const std::string& default_value, const std::string& help) {
  order_.push_back(name);
  decls_[name] = {default_value, help, false, {}};
  return *this;
}

Args& Args::flag(const std::string& name, const std::string& help) {
  order_.push_back(name);
  decls_[name] = {"", help, true, {}};
  return *this;
}

Args& Args::alias(const std::string& old_name, const std::string& canonical) {
  auto it = decls_.find(canonical);
  if (it == decls_.end()) throw std::logic_error("alias --" + old_name + " of the undeclared option --" + canonical);
  if (decls_.count(old_name) || aliases_.count(old_name)) throw std::logic_error("option --" + old_name + " declared twice");
  aliases_[old_name] = canonical;
  it->second.aliases.push_back(old_name);
  return *this;
}

bool Args::parse(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(help().c_str(), stdout);
      return false;
    }
    if (a.rfind("--", 0) != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (auto alias = aliases_.find(name); alias != aliases_.end()) name = alias->second;
    auto it = decls_.find(name);
    if (it == decls_.end()) throw std::invalid_argument("unknown option --" + name + "; see --help");
    if (it->second.is_flag) {
      if (inline_value) throw std::invalid_argument("--" + name + " is a flag and takes no value");
      values_[name] = "1";
    } else {
      if (!inline_value) {
        if (i + 1 >= argc) throw std::invalid_argument("option --" + name + " needs a value");
        value = argv[++i];
      }
      values_[name] = value;
    }
  }
  return true;
}

bool Args::has(const std::string& name) const {
  if (values_.count(name)) return true;
  auto it = decls_.find(name);
  return it != decls_.end() && !it->second.is_flag && !it->second.default_value.empty();
}

bool Args::get_flag(const std::string& name) const { return values_.count(name) > 0; }

std::map<std::string, std::string> Args::values() const {
  std::map<std::string, std::string> all;
  for (const auto& [name, d] : decls_) {
    auto v = values_.find(name);
    all[name] = d.is_flag ? (v != values_.end() ? "1" : "0") : v != values_.end() ? v->second : d.default_value;
  }
  return all;
}

std::string Args::get(const std::string& name) const {
  if (auto v = values_.find(name); v != values_.end()) return v->second;
  auto d = decls_.find(name);
  if (d == decls_.end()) throw std::logic_error("option --" + name + " was never declared");
  if (d->second.default_value.empty()) throw std::invalid_argument("missing required option --" + name);
  return d->second.default_value;
}

long Args::get_int(const std::string& name) const {
  std::string s = get(name);
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0') throw std::invalid_argument("--" + name + " expects an integer, got '" + s + "'");
  return v;
}

double Args::get_double(const std::string& name) const {
  std::string s = get(name);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0') throw std::invalid_argument("--" + name + " expects a number, got '" + s + "'");
  return v;
}

std::string Args::help() const {
  std::string out = "usage: " + usage_ + "\n";
  if (!order_.empty()) out += "options:\n";
  for (const auto& n : order_) {
    const Decl& d = decls_.at(n);
    std::string left = "  --" + n + (d.is_flag ? "" : " V");
    if (left.size() < 28) left.resize(28, ' ');
    out += left + " " + d.help;
    if (!d.is_flag && !d.default_value.empty()) out += " (default " + d.default_value + ")";
    for (const std::string& old_name : d.aliases) out += " (alias --" + old_name + ")";
    out += "\n";
  }
  return out;
}

void Args::reject_positional() const {
  if (!positional_.empty()) throw std::invalid_argument("unexpected argument '" + positional_[0] + "' (see --help)");
}

}  // namespace llactr
