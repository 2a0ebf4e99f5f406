// One factory per backbone, each in its own src/ctr/model_*.cpp. Use make_backbone(name, ..)
// unless you need a specific one.
#pragma once
#include <memory>

#include "llactr/ctr/backbone.h"

namespace llactr {

std::unique_ptr<Backbone> make_lr(const BackboneConfig& cfg, Rng& rng);
std::unique_ptr<Backbone> make_fm(const BackboneConfig& cfg, Rng& rng);
std::unique_ptr<Backbone> make_deepfm(const BackboneConfig& cfg, Rng& rng);
std::unique_ptr<Backbone> make_fwfm(const BackboneConfig& cfg, Rng& rng);
std::unique_ptr<Backbone> make_fmfm(const BackboneConfig& cfg, Rng& rng);
std::unique_ptr<Backbone> make_finalmlp(const BackboneConfig& cfg, Rng& rng);
std::unique_ptr<Backbone> make_wukong(const BackboneConfig& cfg, Rng& rng);
std::unique_ptr<Backbone> make_dcnv2(const BackboneConfig& cfg, Rng& rng);
std::unique_ptr<Backbone> make_xdeepfm(const BackboneConfig& cfg, Rng& rng);
std::unique_ptr<Backbone> make_autoint(const BackboneConfig& cfg, Rng& rng);

}  // namespace llactr
