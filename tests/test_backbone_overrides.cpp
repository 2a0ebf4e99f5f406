// run_experiment's per-backbone settings (`WuKong.lr = 1e-4`): split from the shared options,
// appended last so they win, and bad overrides are clear errors.
#include <gtest/gtest.h>

#include "llactr/apps/backbone_overrides.h"

namespace llactr {
namespace {

using Strings = std::vector<std::string>;

TEST(BackboneOverridesParse, SplitsAndAppendsLast) {
  const BackboneOverrides o = split_backbone_overrides(
      {"prog", "--lr=1e-3", "--WuKong.lr=1e-4", "--out=results/x.y", "--DeepFM.weight-decay", "1e-5", "--seeds", "3"});
  EXPECT_EQ(o.shared, (Strings{"prog", "--lr=1e-3", "--out=results/x.y", "--seeds", "3"}));
  EXPECT_EQ(o.args_for("WuKong"), (Strings{"prog", "--lr=1e-3", "--out=results/x.y", "--seeds", "3", "--lr=1e-4"}));
  EXPECT_EQ(o.args_for("DeepFM").back(), "--weight-decay=1e-5");
  EXPECT_EQ(o.args_for("FM"), o.shared);
}

// WuKong's validated lr is the default of a bare run, unless lr is set for all or for WuKong.
TEST(BackboneOverridesParse, BuiltinDefaultsYieldToExplicitSettings) {
  EXPECT_EQ(split_backbone_overrides({"prog"}).args_for("WuKong"), (Strings{"prog", "--lr=1e-4"}));
  EXPECT_EQ(split_backbone_overrides({"prog"}).args_for("FM"), (Strings{"prog"}));
  EXPECT_EQ(split_backbone_overrides({"prog", "--lr", "2e-3"}).args_for("WuKong"), (Strings{"prog", "--lr", "2e-3"}));
  EXPECT_EQ(split_backbone_overrides({"prog", "--lr=2e-3"}).args_for("WuKong"), (Strings{"prog", "--lr=2e-3"}));
  EXPECT_EQ(split_backbone_overrides({"prog", "--WuKong.lr=3e-4"}).args_for("WuKong"), (Strings{"prog", "--lr=3e-4"}));
  // The built-in one is recorded like a configured one (run_experiment writes per_backbone into results.json).
  EXPECT_EQ(split_backbone_overrides({"prog", "--seeds=2"}).per_backbone.at("WuKong"), (Strings{"--lr=1e-4"}));
}

TEST(BackboneOverridesParse, BadOverridesAreClearErrors) {
  auto error = [](const Strings& args) {
    try {
      split_backbone_overrides(args);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error({"prog", "--Wukong.lr=1e-4"}).find("unknown backbone 'Wukong'"), std::string::npos);
  EXPECT_NE(error({"prog", "--WuKong.dataset=ml1m"}).find("'dataset' cannot be set per backbone"), std::string::npos);
  EXPECT_NE(error({"prog", "--WuKong.lr"}).find("needs a value"), std::string::npos);
}

}  // namespace
}  // namespace llactr
