#include "llactr/apps/backbone_overrides.h"

#include <algorithm>
#include <stdexcept>

#include "llactr/ctr/backbone.h"

namespace llactr {

const std::vector<std::string>& overridable_options() {
  static const std::vector<std::string> names{"lr",           "batch-size", "epochs",         "patience",
                                              "weight-decay", "grad-clip",  "embedding-update", "net-dropout",
                                              "wukong-dropout", "wukong-layers"};
  return names;
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
  const std::vector<std::string>& allowed = overridable_options();
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
  return o;
}

}  // namespace llactr
