// util/option.h: one declaration per option. Defaults come from the struct and read back to it,
// values are parsed and range-checked with errors that name the option, and every declared
// option of the method and backbone tables reads its own default back unchanged.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <stdexcept>

#include "llactr/methods/method.h"
#include "llactr/tensor/gemm.h"
#include "llactr/util/option.h"

namespace llactr {
namespace {

enum class Mode { Fast, Slow };
const std::pair<const char*, Mode> kModes[] = {{"fast", Mode::Fast}, {"slow", Mode::Slow}};

struct Toy {
  int layers = 3;
  int64_t rows = 2000;
  float rate = 1e-3f;
  std::vector<int64_t> mlp{300, 300, 128};
  std::string label = "toy";
  bool quick = false;
  Mode mode = Mode::Slow;
};

const OptionTable<Toy>& toy_table() {
  static const OptionTable<Toy> t = OptionTable<Toy>()
                                        .integer("toy-layers", &Toy::layers, between(1, 64), "layers", {"layers"})
                                        .integer("toy-rows", &Toy::rows, at_least(0), "rows")
                                        .number("toy-rate", &Toy::rate, above(0), "rate")
                                        .units("toy-mlp", &Toy::mlp, "widths")
                                        .text("toy-label", &Toy::label, true, "label")
                                        .flag("toy-quick", &Toy::quick, "quick")
                                        .choice("toy-mode", &Toy::mode, kModes, "mode");
  return t;
}

std::string error_of(const std::string& name, const std::string& value) {
  try {
    toy_table().read(OptionValues(std::map<std::string, std::string>{{name, value}}));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

TEST(OptionTable, DefaultsAreTheStructsWrittenOnce) {
  std::map<std::string, std::string> d;
  for (const Option& o : toy_table().options()) d[o.name] = o.default_value;
  EXPECT_EQ(d.at("toy-layers"), "3");
  EXPECT_EQ(d.at("toy-rows"), "2000");
  EXPECT_EQ(d.at("toy-rate"), "0.001");
  EXPECT_EQ(d.at("toy-mlp"), "300,300,128");
  EXPECT_EQ(d.at("toy-label"), "toy");
  EXPECT_EQ(d.at("toy-quick"), "");
  EXPECT_EQ(d.at("toy-mode"), "slow");
  EXPECT_EQ(toy_table().options()[0].aliases, std::vector<std::string>{"layers"});
  // Read back from their texts, the defaults are the struct's to the bit.
  const Toy t = toy_table().read(OptionValues(d)), s;
  EXPECT_EQ(t.layers, s.layers);
  EXPECT_EQ(t.rows, s.rows);
  EXPECT_EQ(t.rate, s.rate);
  EXPECT_EQ(t.mlp, s.mlp);
  EXPECT_EQ(t.label, s.label);
  EXPECT_EQ(t.quick, s.quick);
  EXPECT_EQ(t.mode, s.mode);
}

TEST(OptionTable, ParsesGivenValuesAndKeepsTheOthers) {
  const Toy t = toy_table().read(
      OptionValues({{"toy-mlp", "400,400,400"}, {"toy-quick", "1"}, {"toy-mode", "fast"}, {"toy-rate", "2.5"}}));
  EXPECT_EQ(t.mlp, (std::vector<int64_t>{400, 400, 400}));
  EXPECT_TRUE(t.quick);
  EXPECT_EQ(t.mode, Mode::Fast);
  EXPECT_EQ(t.rate, 2.5f);
  EXPECT_EQ(t.layers, 3);
}

TEST(OptionTable, BadValuesNameTheOption) {
  EXPECT_EQ(error_of("toy-layers", "0"), "--toy-layers must be in [1, 64], not 0");
  EXPECT_EQ(error_of("toy-layers", "x"), "--toy-layers is not an integer: 'x'");
  EXPECT_EQ(error_of("toy-layers", "3000000000"), "--toy-layers must be in [1, 64], not 3000000000");
  EXPECT_EQ(error_of("toy-rows", "-1"), "--toy-rows must be >= 0, not -1");
  EXPECT_EQ(error_of("toy-rate", "0"), "--toy-rate must be > 0, not 0");
  EXPECT_EQ(error_of("toy-rate", "inf"), "--toy-rate must be > 0, not inf");
  EXPECT_EQ(error_of("toy-rate", "nan"), "--toy-rate must be > 0, not nan");
  EXPECT_EQ(error_of("toy-mlp", "400,0"), "--toy-mlp must be comma-separated positive integers, not '400,0'");
  EXPECT_EQ(error_of("toy-mlp", ""), "--toy-mlp must be at least one layer width, not ''");
  EXPECT_EQ(error_of("toy-label", ""), "--toy-label must be non-empty, not ''");
  EXPECT_EQ(error_of("toy-mode", "medium"), "--toy-mode must be fast or slow, not 'medium'");
  Toy bad;
  bad.rate = -1;
  EXPECT_THROW(toy_table().check(bad), std::invalid_argument);
  EXPECT_NO_THROW(toy_table().check(Toy{}));
}

// Every method option's declared default reads back without an error.
TEST(OptionTable, EveryMethodReadsItsDeclaredDefaults) {
  for (const methods::MethodEntry& m : methods::method_table()) {
    std::map<std::string, std::string> d;
    for (const Option& o : m.options) {
      EXPECT_EQ(o.name.rfind(std::string(m.name) + "-", 0), 0u) << o.name << " lacks the method's prefix";
      d[o.name] = o.default_value;
    }
    EXPECT_FALSE(m.row_names(OptionValues(d)).empty()) << m.name;
  }
}

TEST(ScopedThreads, RestoresTheCountAlsoWhenAnExceptionLeaves) {
  const int before = omp_get_max_threads();
  const int other = before == 1 ? 2 : 1;
  {
    ScopedThreads t(other);
    EXPECT_EQ(omp_get_max_threads(), other);
  }
  EXPECT_EQ(omp_get_max_threads(), before);
  try {
    ScopedThreads t(other);
    throw std::runtime_error("stage failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(omp_get_max_threads(), before);
}

}  // namespace
}  // namespace llactr
