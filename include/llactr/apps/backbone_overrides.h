// Per-backbone settings for ./run_experiment: `Name.lr = 1e-4` in a config (or `--Name.lr 1e-4`)
// applies to the runs of the backbone Name only, so one table can give one backbone its own
// training setting.
//
//   BackboneOverrides o = split_backbone_overrides(args);   // args: {"prog", "--lr=1e-3", "--Name.lr=1e-4"}
//   o.shared                 // {"prog", "--lr=1e-3"}: parsed as usual
//   o.args_for("Name")       // {"prog", "--lr=1e-3", "--lr=1e-4"}: the override comes last, so it wins
//
// Only the options in overridable_options() may be overridden (the training and architecture
// settings; not data, method or output options, which must be the same for every row of a table).
#pragma once
#include <map>
#include <string>
#include <vector>

namespace llactr {

struct BackboneOverrides {
  std::vector<std::string> shared;  // the arguments without the overrides (argv[0] first)
  std::map<std::string, std::vector<std::string>> per_backbone;  // backbone -> {"--key=value", ..}

  // shared followed by the backbone's overrides.
  std::vector<std::string> args_for(const std::string& backbone) const;
};

std::vector<std::string> overridable_options();

// The settings chosen on validation that differ by backbone: each backbone row's `settings`
// (ctr/backbone.h). split_backbone_overrides adds each one to its backbone's overrides unless the
// option is given for all backbones (command line or config) or for that backbone.
struct BuiltinOverride {
  std::string backbone, key, value;
};
std::vector<BuiltinOverride> builtin_overrides();

// Throws std::invalid_argument for an unknown backbone, an option not in overridable_options(),
// or an override without a value.
BackboneOverrides split_backbone_overrides(const std::vector<std::string>& args);

}  // namespace llactr
