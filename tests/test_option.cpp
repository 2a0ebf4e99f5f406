// util/option.h: one declaration per option. Defaults come from the struct and read back to it,
// values are parsed and range-checked with errors that name the option, and every declared
// option of the method and backbone tables reads its own default back unchanged.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "llactr/methods/llactr/ssft_options.h"
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

// nested() binds a member struct's own table; setter() sets several members from one text;
// double and uint64_t members read exactly.
struct Inner {
  int width = 4;
};
struct Outer {
  Inner inner;
  double share = 0.1;
  uint64_t seed = 2024;
  int a = 1, b = 0;
};
void apply_preset(const std::string& t, Outer& o) {
  if (t == "one") o.a = 1, o.b = 0;
  else if (t == "two") o.a = 0, o.b = 1;
  else bad_option_value("outer-preset", "one or two", "'" + t + "'");
}
std::string preset_of(const Outer& o) { return o.a == 1 ? "one" : "two"; }

TEST(OptionTable, NestedTablesSettersDoublesAndUnsigned) {
  static const OptionTable<Inner> inner = OptionTable<Inner>().integer("outer-width", &Inner::width, between(1, 8), "w");
  const OptionTable<Outer> t = OptionTable<Outer>()
                                   .nested(&Outer::inner, inner)
                                   .number("outer-share", &Outer::share, between(0, 0.9), "share")
                                   .integer("outer-seed", &Outer::seed, at_least(0), "seed")
                                   .setter("outer-preset", apply_preset, preset_of, "preset");
  std::map<std::string, std::string> d;
  for (const Option& o : t.options()) d[o.name] = o.default_value;
  EXPECT_EQ(d, (std::map<std::string, std::string>{
                   {"outer-width", "4"}, {"outer-share", "0.1"}, {"outer-seed", "2024"}, {"outer-preset", "one"}}));
  const Outer o = t.read(OptionValues({{"outer-width", "7"}, {"outer-share", "0.3"}, {"outer-seed", "18446744"},
                                       {"outer-preset", "two"}}));
  EXPECT_EQ(o.inner.width, 7);
  EXPECT_EQ(o.share, 0.3);  // a double, not rounded through float
  EXPECT_EQ(o.seed, 18446744u);
  EXPECT_EQ(o.a, 0);
  EXPECT_EQ(o.b, 1);
  auto error = [&](const std::string& name, const std::string& value) -> std::string {
    try {
      t.read(OptionValues(std::map<std::string, std::string>{{name, value}}));
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error("outer-width", "9"), "--outer-width must be in [1, 8], not 9");
  EXPECT_EQ(error("outer-seed", "-1"), "--outer-seed must be >= 0, not -1");
  EXPECT_EQ(error("outer-preset", "three"), "--outer-preset must be one or two, not 'three'");
  Outer bad;
  bad.inner.width = 0;
  EXPECT_THROW(t.check(bad), std::invalid_argument);  // the nested table's checks apply too
}

// SSFT's options: declared from SsftOptions' members (and llm::LoraOptions'), with the names and
// defaults they had when they were a list of their own.
TEST(OptionTable, SsftOptionsAreTheStructsDefaultsUnderTheirOldNames) {
  std::vector<std::string> names;
  std::map<std::string, std::string> d;
  for (const Option& o : methods::ssft_option_list()) {
    names.push_back(o.name);
    d[o.name] = o.default_value;
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "ssft-epochs", "ssft-loss", "ssft-w-cl", "ssft-w-lg", "ssft-per-field", "ssft-heldout",
                       "ssft-lr", "ssft-warmup", "ssft-rank", "ssft-alpha", "ssft-dropout", "ssft-targets",
                       "ssft-tau", "ssft-micro-batch", "ssft-accum", "ssft-seed", "ssft-pool", "ssft-prompt",
                       "ssft-dir", "ssft-threads"}));
  // The old list's texts, by value ("1e-3" is now written "0.001").
  const std::map<std::string, std::string> old{
      {"ssft-epochs", "3"},       {"ssft-loss", "infonce"},     {"ssft-w-cl", ""},
      {"ssft-w-lg", ""},          {"ssft-per-field", "300"},    {"ssft-heldout", "0.1"},
      {"ssft-lr", "1e-3"},        {"ssft-warmup", "0.1"},       {"ssft-rank", "8"},
      {"ssft-alpha", "16"},       {"ssft-dropout", "0.05"},     {"ssft-targets", "q,v"},
      {"ssft-tau", "0.02"},       {"ssft-micro-batch", "16"},   {"ssft-accum", "1"},
      {"ssft-seed", "2024"},      {"ssft-pool", "last"},        {"ssft-prompt", "experiments/ssft_prompt.txt"},
      {"ssft-dir", ""},           {"ssft-threads", "2"}};
  for (const auto& [name, text] : old) {
    double a = 0, b = 0;
    if (std::sscanf(text.c_str(), "%lf", &a) == 1 && std::sscanf(d.at(name).c_str(), "%lf", &b) == 1)
      EXPECT_EQ(a, b) << name;
    else
      EXPECT_EQ(d.at(name), text) << name;
  }
  const methods::SsftOptions o = methods::ssft_options(OptionValues(d), "ml100k"), s;
  EXPECT_EQ(o.out_dir, "data/cache/ssft/ml100k");
  EXPECT_EQ(o.epochs, s.epochs);
  EXPECT_EQ(o.w_cl, s.w_cl);
  EXPECT_EQ(o.w_lg, s.w_lg);
  EXPECT_EQ(o.per_field, s.per_field);
  EXPECT_EQ(o.heldout_fraction, s.heldout_fraction);
  EXPECT_EQ(o.lr, s.lr);
  EXPECT_EQ(o.warmup_ratio, s.warmup_ratio);
  EXPECT_EQ(o.lora.rank, s.lora.rank);
  EXPECT_EQ(o.lora.alpha, s.lora.alpha);
  EXPECT_EQ(o.lora.dropout, s.lora.dropout);
  EXPECT_EQ(o.lora.targets, s.lora.targets);
  EXPECT_EQ(o.lora.seed, o.seed);
  EXPECT_EQ(o.tau, s.tau);
  EXPECT_EQ(o.micro_batch, s.micro_batch);
  EXPECT_EQ(o.accum, s.accum);
  EXPECT_EQ(o.seed, s.seed);
  EXPECT_EQ(o.pooling, s.pooling);
  EXPECT_EQ(o.prompt_file, s.prompt_file);
  EXPECT_EQ(o.threads, s.threads);
  // The loss: a name for both weights, then a weight given on its own.
  d["ssft-loss"] = "generative";
  methods::SsftOptions g = methods::ssft_options(OptionValues(d), "x");
  EXPECT_EQ(g.w_cl, 0.0f);
  EXPECT_EQ(g.w_lg, 1.0f);
  d["ssft-w-cl"] = "0.5";
  g = methods::ssft_options(OptionValues(d), "x");
  EXPECT_EQ(g.w_cl, 0.5f);
  EXPECT_EQ(g.w_lg, 1.0f);
  d["ssft-w-cl"] = "0", d["ssft-w-lg"] = "0";
  EXPECT_THROW(methods::ssft_options(OptionValues(d), "x"), std::invalid_argument);
  d["ssft-w-lg"] = "1", d["ssft-targets"] = ",";
  EXPECT_THROW(methods::ssft_options(OptionValues(d), "x"), std::invalid_argument);
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
