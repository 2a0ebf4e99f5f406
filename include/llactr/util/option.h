// One declaration per option: its name, default, parse, check, help and aliases in one line, for
// the backbones' own options (ctr/backbone.h's table) and the methods' (methods/method.h's table).
// ./run_experiment declares every row's options, so they work on the command line, in config files
// and in --help without code per option.
//
//   struct Sizes { std::vector<int64_t> mlp{300, 300, 128}; float dropout = 0; };   // the defaults, written once
//   const OptionTable<Sizes> table = OptionTable<Sizes>()
//       .units("mymodel-mlp", &Sizes::mlp, "hidden units")
//       .number("mymodel-dropout", &Sizes::dropout, between(0, 0.99), "dropout");
//   table.options()               // {{"mymodel-mlp", "300,300,128", "hidden units"}, ..}: defaults read from Sizes{}
//   Sizes s = table.read(values); // values: OptionValues by name; an absent one keeps its default
//   table.check(s);               // each member in its range, for a struct filled in by code
//
// Errors are std::invalid_argument naming the option as the command line spells it:
// "--mymodel-dropout must be in [0, 0.99], not 2".
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace llactr {

// What --help and the argument parser need of an option.
struct Option {
  std::string name;           // "mymodel-mlp": --mymodel-mlp on the command line, `mymodel-mlp = ..` in a config
  std::string default_value;  // its text ("300,300,128"); "" for a flag
  std::string help;
  std::vector<std::string> aliases;  // older spellings that keep working
  bool is_flag = false;
};

// Options' values as text by name, as the command line and config files gave them; a flag is "1"
// when given and "" otherwise. The typed getters name the option in their errors.
class OptionValues {
 public:
  OptionValues() = default;
  explicit OptionValues(std::map<std::string, std::string> values) : values_(std::move(values)) {}
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  const std::string& get(const std::string& name) const;  // std::logic_error for an absent name
  double get_double(const std::string& name) const;       // std::invalid_argument if not a number
  long get_int(const std::string& name) const;            // std::invalid_argument if not an integer
  bool get_flag(const std::string& name) const { return get(name) == "1"; }
  void set(const std::string& name, const std::string& value) { values_[name] = value; }
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// The allowed values of a number: [lo, hi], or (lo, hi] when lo_open. NaN is never allowed, and
// the default hi (the largest double) keeps infinity out.
struct Range {
  double lo = std::numeric_limits<double>::lowest();
  double hi = std::numeric_limits<double>::max();
  bool lo_open = false;
  bool contains(double v) const { return (lo_open ? v > lo : v >= lo) && v <= hi; }
  std::string describe() const;  // ">= 0", "> 0", "in [0, 0.99]", "in (0, 1]"
};
inline Range at_least(double lo) { return {lo, std::numeric_limits<double>::max(), false}; }
inline Range above(double lo) { return {lo, std::numeric_limits<double>::max(), true}; }
inline Range between(double lo, double hi) { return {lo, hi, false}; }
inline Range above_up_to(double lo, double hi) { return {lo, hi, true}; }

// The parsers and formatters the table uses, each error naming --name.
[[noreturn]] void bad_option_value(const std::string& name, const std::string& need, const std::string& value);
double parse_option_number(const std::string& name, const std::string& text);  // "--name is not a number: 'x'"
long parse_option_int(const std::string& name, const std::string& text);       // "--name is not an integer: 'x'"
void check_option_range(const std::string& name, double v, const Range& r);    // "--name must be >= 0, not -1"
// "400,400" -> {400, 400}: at least one width, each a positive integer.
std::vector<int64_t> parse_units(const std::string& name, const std::string& text);
std::string format_units(const std::vector<int64_t>& units);  // {400, 400} -> "400,400"
std::string format_number(double v);                          // shortest text that reads back to v
std::string format_number(float v);                           // shortest text that reads back to v as a float
// "must be a or b" / "must be one of a, b, c", for the choices' errors.
std::string one_of(const std::vector<std::string>& names);

template <class T>
struct NoDeduce {
  using type = T;
};

// Options bound to the members of a struct S. Each option's default is its member's value in S{}.
template <class S>
class OptionTable {
 public:
  using Aliases = std::vector<std::string>;

  OptionTable& integer(const char* name, int S::*m, Range r, const char* help, Aliases aliases = {}) {
    return integral(name, m, r, help, std::move(aliases));
  }
  OptionTable& integer(const char* name, int64_t S::*m, Range r, const char* help, Aliases aliases = {}) {
    return integral(name, m, r, help, std::move(aliases));
  }
  OptionTable& integer(const char* name, uint64_t S::*m, Range r, const char* help, Aliases aliases = {}) {
    return integral(name, m, r, help, std::move(aliases));
  }
  OptionTable& number(const char* name, float S::*m, Range r, const char* help, Aliases aliases = {}) {
    return real(name, m, r, help, std::move(aliases));
  }
  OptionTable& number(const char* name, double S::*m, Range r, const char* help, Aliases aliases = {}) {
    return real(name, m, r, help, std::move(aliases));
  }
  OptionTable& units(const char* name, std::vector<int64_t> S::*m, const char* help, Aliases aliases = {}) {
    return add({name, format_units(S{}.*m), help, std::move(aliases)},
               [=](const std::string& t, S& s) { s.*m = parse_units(name, t); },
               [=](const S& s) { parse_units(name, format_units(s.*m)); });
  }
  // A string; `required`: the empty string is an error.
  OptionTable& text(const char* name, std::string S::*m, bool required, const char* help, Aliases aliases = {}) {
    auto check = [=](const S& s) {
      if (required && (s.*m).empty()) bad_option_value(name, "non-empty", "''");
    };
    return add({name, S{}.*m, help, std::move(aliases)},
               [=](const std::string& t, S& s) {
                 s.*m = t;
                 check(s);
               },
               check);
  }
  // A flag: true when given. Its default is false.
  OptionTable& flag(const char* name, bool S::*m, const char* help, Aliases aliases = {}) {
    Option o{name, "", help, std::move(aliases), true};
    return add(std::move(o), [=](const std::string& t, S& s) { s.*m = t == "1"; }, [](const S&) {});
  }
  // One of named values: {{"lora", Tune::Lora}, {"frozen", Tune::Frozen}}.
  template <class E, size_t K>
  OptionTable& choice(const char* name, typename NoDeduce<E>::type S::*m, const std::pair<const char*, E> (&names)[K],
                      const char* help, Aliases aliases = {}) {
    std::vector<std::pair<std::string, E>> list(std::begin(names), std::end(names));
    std::string def;
    for (const auto& [n, e] : list)
      if (e == S{}.*m) def = n;
    return add({name, def, help, std::move(aliases)},
               [=](const std::string& t, S& s) {
                 std::vector<std::string> known;
                 for (const auto& [n, e] : list) {
                   if (t == n) {
                     s.*m = e;
                     return;
                   }
                   known.push_back(n);
                 }
                 bad_option_value(name, one_of(known), "'" + t + "'");
               },
               [](const S&) {});
  }
  // Any other type, with its own parser (throws naming the option) and formatter.
  template <class T>
  OptionTable& custom(const char* name, typename NoDeduce<T>::type S::*m, T (*parse)(const std::string&),
                      std::string (*format)(const T&), const char* help, Aliases aliases = {}) {
    return add({name, format(S{}.*m), help, std::move(aliases)},
               [=](const std::string& t, S& s) { s.*m = parse(t); }, [](const S&) {});
  }

  // An option whose text sets S by a function of its own, for a value that is not one member (a
  // name for several members' values): apply(text, s) throws naming the option; the default is
  // describe(S{}), so it still comes from S's initialisers.
  OptionTable& setter(const char* name, void (*apply)(const std::string&, S&), std::string (*describe)(const S&),
                      const char* help, Aliases aliases = {}) {
    return add({name, describe(S{}), help, std::move(aliases)}, apply, [](const S&) {});
  }
  // The options of a member struct M, declared by M's own table: each one reads into s.*m. Their
  // defaults are M{}'s, so S's initialiser of the member must not differ from M{}.
  template <class M>
  OptionTable& nested(M S::*m, const OptionTable<M>& inner) {
    for (size_t i = 0; i < inner.options_.size(); ++i) {
      auto read = inner.readers_[i];
      auto check = inner.checks_[i];
      add(inner.options_[i], [=](const std::string& t, S& s) { read(t, s.*m); }, [=](const S& s) { check(s.*m); });
    }
    return *this;
  }

  const std::vector<Option>& options() const { return options_; }
  // S{} with each option that `values` holds parsed and checked into its member.
  S read(const OptionValues& values) const {
    S s{};
    read_into(values, s);
    return s;
  }
  void read_into(const OptionValues& values, S& s) const {
    for (size_t i = 0; i < options_.size(); ++i)
      if (values.has(options_[i].name)) readers_[i](values.get(options_[i].name), s);
  }
  // Throws for the first member outside its option's range (a struct filled in by code).
  void check(const S& s) const {
    for (const auto& c : checks_) c(s);
  }

 private:
  template <class>
  friend class OptionTable;  // nested() reads the inner table's readers and checks

  template <class I>
  OptionTable& integral(const char* name, I S::*m, Range r, const char* help, Aliases aliases) {
    return add({name, std::to_string(S{}.*m), help, std::move(aliases)},
               [=](const std::string& t, S& s) {
                 const long v = parse_option_int(name, t);
                 if (!r.contains(double(v))) bad_option_value(name, r.describe(), t);
                 // Every long >= 0 fits an unsigned 64-bit I; a narrower I is checked against its limits.
                 const bool fits = std::is_unsigned<I>::value && sizeof(I) >= sizeof(long)
                                       ? v >= 0
                                       : v >= long(std::numeric_limits<I>::lowest()) && v <= long(std::numeric_limits<I>::max());
                 if (!fits) bad_option_value(name, "a smaller integer", t);
                 s.*m = I(v);
               },
               [=](const S& s) { check_option_range(name, double(s.*m), r); });
  }
  template <class F>
  OptionTable& real(const char* name, F S::*m, Range r, const char* help, Aliases aliases) {
    return add({name, format_number(S{}.*m), help, std::move(aliases)},
               [=](const std::string& t, S& s) {
                 const double v = parse_option_number(name, t);
                 if (!r.contains(v)) bad_option_value(name, r.describe(), t);
                 s.*m = F(v);
               },
               [=](const S& s) { check_option_range(name, double(s.*m), r); });
  }
  OptionTable& add(Option o, std::function<void(const std::string&, S&)> read, std::function<void(const S&)> check) {
    options_.push_back(std::move(o));
    readers_.push_back(std::move(read));
    checks_.push_back(std::move(check));
    return *this;
  }

  std::vector<Option> options_;
  std::vector<std::function<void(const std::string&, S&)>> readers_;
  std::vector<std::function<void(const S&)>> checks_;
};

}  // namespace llactr
