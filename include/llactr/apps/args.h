// Command-line options shared by ./llactr's subcommands and ./run_experiment.
//
// Options are `--name value` or `--name=value`; a flag is `--name` alone. Every option a
// command reads must be declared with its help text, so `--help` lists them and a typo is an
// error ("unknown option --lr0; see --help") instead of being silently ignored. An alias is an
// older spelling that keeps working: `--format` for `--dataset`; get() takes the canonical name.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace llactr {

class Args {
 public:
  // `usage` is the first line of --help, e.g. "llactr data stats --format F --dir DIR".
  explicit Args(std::string usage) : usage_(std::move(usage)) {}

  // Declare an option with a default ("" = no default) or a flag, before parse().
  Args& option(const std::string& name, const std::string& default_value, const std::string& help);
  Args& flag(const std::string& name, const std::string& help);
  // `--old_name` means `--canonical` (declared before); --help lists it beside the canonical name.
  Args& alias(const std::string& old_name, const std::string& canonical);

  // Parse argv[first..argc). Throws std::invalid_argument on an unknown option or a missing
  // value. Returns false when --help was given (help already printed to stdout).
  bool parse(int argc, char** argv, int first = 1);

  bool has(const std::string& name) const;  // given on the command line (or has a default)
  bool get_flag(const std::string& name) const;
  std::string get(const std::string& name) const;  // throws if absent and no default
  long get_int(const std::string& name) const;     // throws naming the option if not a number
  double get_double(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  // Every declared option by canonical name with its value as given, else its default ("" when
  // it has none); flags "1" or "0". What run_experiment --resume compares.
  std::map<std::string, std::string> values() const;
  // For a command that takes no plain arguments: throws std::invalid_argument naming the first.
  void reject_positional() const;
  std::string help() const;

 private:
  struct Decl { std::string default_value, help; bool is_flag; std::vector<std::string> aliases; };
  std::string usage_;
  std::vector<std::string> order_;
  std::map<std::string, Decl> decls_;
  std::map<std::string, std::string> aliases_;  // old name -> canonical name
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace llactr
