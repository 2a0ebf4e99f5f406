#include "llactr/apps/backbone_overrides.h"

#include <algorithm>
#include <stdexcept>

#include "llactr/ctr/backbone.h"

namespace llactr {

std::vector<std::string> overridable_options() {
  // The training settings, the shared architecture ones but D (every method's LLM stage is built
  // for one D), and every model's own.
  std::vector<std::string> names{"lr",           "batch-size", "epochs",           "patience",
                                 "monitor",      "weight-decay", "grad-clip",      "embedding-update"};
  for (const Option& o : backbone_config_options().options())
    if (o.name != "embedding-dim") names.push_back(o.name);
  for (const BackboneEntry& e : backbone_table())
    for (const Option& o : e.options) names.push_back(o.name);
  return names;
}

std::vector<BuiltinOverride> builtin_overrides() {
  std::vector<BuiltinOverride> list;
  for (const BackboneEntry& e : backbone_table())
    for (const auto& [key, value] : e.settings) list.push_back({e.name, key, value});
  return list;
}

std::vector<std::string> BackboneOverrides::args_for(const std::string& backbone) const {
  std::vector<std::string> out = shared;
  auto it = per_backbone.find(backbone);
  if (it != per_backbone.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  return out;
}

BackboneOverrides split_backbone_overrides(const std::vector<std::string>& args) {
  BackboneOverrides o;
  const std::vector<std::string>& backbones = backbone_names();
  const std::vector<std::string> allowed = overridable_options();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const size_t dot = arg.find('.');
    const size_t eq = arg.find('=');
    // "--Name.key[=value]": a dot before any '=' in an option name.
    if (i == 0 || arg.rfind("--", 0) != 0 || dot == std::string::npos || (eq != std::string::npos && eq < dot)) {
      o.shared.push_back(arg);
      continue;
    }
    const std::string backbone = arg.substr(2, dot - 2);
    const std::string key = arg.substr(dot + 1, eq == std::string::npos ? std::string::npos : eq - dot - 1);
    if (std::find(backbones.begin(), backbones.end(), backbone) == backbones.end())
      throw std::invalid_argument("override " + arg + ": unknown backbone '" + backbone + "'");
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      throw std::invalid_argument("override " + arg + ": '" + key + "' cannot be set per backbone");
    std::string value;
    if (eq != std::string::npos) value = arg.substr(eq + 1);
    else if (i + 1 < args.size()) value = args[++i];
    else throw std::invalid_argument("override " + arg + " needs a value");
    o.per_backbone[backbone].push_back("--" + key + "=" + value);
  }
  // A built-in setting applies unless the option is set for everyone or for that backbone.
  auto sets = [](const std::vector<std::string>& list, const std::string& key) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& a) { return a == "--" + key || a.rfind("--" + key + "=", 0) == 0; });
  };
  for (const BuiltinOverride& d : builtin_overrides()) {
    auto own = o.per_backbone.find(d.backbone);
    if (sets(o.shared, d.key) || (own != o.per_backbone.end() && sets(own->second, d.key))) continue;
    std::vector<std::string>& list = o.per_backbone[d.backbone];
    list.insert(list.begin(), "--" + d.key + "=" + d.value);
  }
  return o;
}

}  // namespace llactr
