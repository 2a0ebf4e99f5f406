// The backbone table (include/llactr/ctr/backbone.h): one row per model, each given by the model's
// own file. A new backbone is its file src/ctr/model_<name>.cpp and one line here.
#include <algorithm>
#include <stdexcept>

#include "llactr/ctr/backbone.h"

namespace llactr {

// The rows, one per model file.
BackboneEntry lr_backbone();
BackboneEntry fm_backbone();
BackboneEntry deepfm_backbone();
BackboneEntry fwfm_backbone();
BackboneEntry fmfm_backbone();
BackboneEntry finalmlp_backbone();
BackboneEntry wukong_backbone();
BackboneEntry dcnv2_backbone();
BackboneEntry xdeepfm_backbone();
BackboneEntry autoint_backbone();

namespace {

std::vector<BackboneEntry>& rows() {
  static std::vector<BackboneEntry> table{lr_backbone(),       fm_backbone(),     deepfm_backbone(), fwfm_backbone(),
                                          fmfm_backbone(),     finalmlp_backbone(), wukong_backbone(), dcnv2_backbone(),
                                          xdeepfm_backbone(), autoint_backbone()};
  return table;
}

std::vector<std::string>& names() {
  static std::vector<std::string> list;
  return list;
}

void refresh_names() {
  names().clear();
  for (const BackboneEntry& e : rows()) names().push_back(e.name);
}

}  // namespace

const std::vector<BackboneEntry>& backbone_table() { return rows(); }

const std::vector<std::string>& backbone_names() {
  if (names().size() != rows().size()) refresh_names();
  return names();
}

const BackboneEntry& backbone_entry(const std::string& name) {
  for (const BackboneEntry& e : rows())
    if (e.name == name) return e;
  std::string known;
  for (const BackboneEntry& e : rows()) known += (known.empty() ? "" : ", ") + e.name;
  throw std::invalid_argument("unknown backbone '" + name + "' (known: " + known + ")");
}

std::unique_ptr<Backbone> make_backbone(const std::string& name, const BackboneConfig& cfg, Rng& rng) {
  const BackboneEntry& entry = backbone_entry(name);
  for (const auto& [option, value] : cfg.options.all()) {
    bool declared = false;
    for (const BackboneEntry& e : rows())
      for (const Option& o : e.options) declared = declared || o.name == option;
    if (!declared) throw std::invalid_argument("no backbone has an option --" + option);
  }
  return entry.make(cfg, rng);
}

OptionValues backbone_option_values(const std::string& name, const OptionValues& given) {
  OptionValues out;
  for (const Option& o : backbone_entry(name).options) out.set(o.name, given.has(o.name) ? given.get(o.name) : o.default_value);
  return out;
}

BackboneRegistration::BackboneRegistration(BackboneEntry entry) : name_(entry.name) {
  for (const BackboneEntry& e : rows())
    if (e.name == entry.name) throw std::logic_error("backbone " + e.name + " registered twice");
  rows().push_back(std::move(entry));
  refresh_names();
}

BackboneRegistration::~BackboneRegistration() {
  auto& r = rows();
  r.erase(std::remove_if(r.begin(), r.end(), [&](const BackboneEntry& e) { return e.name == name_; }), r.end());
  refresh_names();
}

}  // namespace llactr
