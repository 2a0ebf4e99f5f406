// A new backbone is one file plus one row, a new method one file plus one row: this file is both.
// It declares a toy backbone and a toy method, registers them (for the test's lifetime), and runs
// ./run_experiment in-process: their options are on the command line and in --help, the toy's size
// reaches the model, per-backbone settings and checkpoints work, and no other file knows them.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "data_fixtures.h"
#include "experiment_runner.h"
#include "llactr/apps/experiment.h"
#include "llactr/apps/results.h"
#include "llactr/ctr/backbone.h"
#include "llactr/ctr/checkpoint.h"
#include "llactr/methods/method.h"
#include "llactr/nn/linear.h"
#include "llactr/tensor/ops.h"
#include "llactr/tensor/rng.h"
#include "llactr/util/json.h"

namespace llactr {
namespace {

// ---- the toy backbone: y = w2ᵀ ReLU(W1 vec(E) + b1) + b2, h = the hidden layer [B, width]

struct ToyNetOptions {
  int width = 4;
};

const OptionTable<ToyNetOptions>& toynet_options() {
  static const OptionTable<ToyNetOptions> table =
      OptionTable<ToyNetOptions>().integer("toynet-width", &ToyNetOptions::width, between(1, 64), "ToyNet's hidden width");
  return table;
}

class ToyNet : public Backbone {
 public:
  ToyNet(const BackboneConfig& cfg, Rng& rng)
      : Backbone("ToyNet", cfg, rng),
        own_(toynet_options().read(cfg.options)),
        hidden_layer_(int64_t(cfg.input_fields()) * cfg.embedding_dim, own_.width, rng, "hidden"),
        out_(own_.width, 1, rng, "out") {
    own(hidden_layer_.parameters());
    own(out_.parameters());
  }
  Var logit(const Var& E, const int32_t*, const ForwardContext&) override {
    const int64_t B = E.dim(0);
    hidden_ = relu(hidden_layer_.forward(reshape(E, {B, -1})));  // [B, width]
    return reshape(out_.forward(hidden_), {B});                  // [B]
  }
  int64_t hidden_dim() const override { return own_.width; }

 private:
  ToyNetOptions own_;
  Linear hidden_layer_, out_;
};

BackboneEntry toynet_row() {
  return {"ToyNet", toynet_options().options(), construct<ToyNet>,
          /*torch_init=*/false, /*paper_six=*/false, {{"batch-size", "64"}}};
}

// ---- the toy method: the backbone alone, renamed, reporting the model's hidden width

struct ToyMethodOptions {
  std::string label = "toy";
};

const OptionTable<ToyMethodOptions>& toy_method_options() {
  static const OptionTable<ToyMethodOptions> table =
      OptionTable<ToyMethodOptions>().text("toy-label", &ToyMethodOptions::label, true, "the rows' name");
  return table;
}

class ToyMethod : public methods::Method {
 public:
  explicit ToyMethod(const methods::MethodSetup& s) : label_(toy_method_options().read(s.options).label) {}
  std::vector<methods::MethodRow> run(const data::Dataset& dataset, const std::string& backbone,
                                      const BackboneConfig& bc, const TrainConfig& tc) override {
    Rng init(tc.seed);
    std::unique_ptr<Backbone> model = make_backbone(backbone, bc, init);
    methods::MethodRow r = methods::train_and_test(dataset, *model, tc, nullptr);
    r.method = label_;
    r.settings = {{"hidden_dim", std::to_string(model->hidden_dim())}};
    return {r};
  }

 private:
  std::string label_;
};

methods::MethodEntry toy_method_row() {
  return {"toy", "a toy method: the backbone alone under another name", toy_method_options().options(),
          [](const methods::MethodSetup& s) -> std::unique_ptr<methods::Method> { return std::make_unique<ToyMethod>(s); },
          [](const OptionValues& o) { return std::vector<std::string>{toy_method_options().read(o).label}; }};
}

int run(std::vector<std::string> args) { return testing::run_experiment_with(std::move(args)); }

TEST(Plugins, AToyBackboneAndAToyMethodRunWithoutTouchingAnyOtherFile) {
  const BackboneRegistration toynet(toynet_row());
  const methods::MethodRegistration toy(toy_method_row());
  testing::TempDir tmp;
  const std::string data = tmp.file("ml1m");
  std::filesystem::create_directories(data);
  testing::write_ml1m_generated(data, 7, 30, 2000);

  // Their options are run_experiment's, in --help too.
  ::testing::internal::CaptureStdout();
  ASSERT_EQ(run({"--help"}), 0);
  const std::string help = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(help.find("--toynet-width V"), std::string::npos);
  EXPECT_NE(help.find("toy: the rows' name (default toy)"), std::string::npos);
  EXPECT_NE(help.find("ToyNet"), std::string::npos);  // among --backbones' names

  ASSERT_EQ(run({"--dataset", "ml1m", "--data-dir", data, "--backbones", "ToyNet", "--method", "base,toy", "--toy-label",
                 "mine", "--toynet-width", "3", "--ToyNet.lr", "1e-2", "--ToyNet.epochs", "2", "--epochs", "3", "--seeds",
                 "1", "--threads",
                 "1", "--cache-dir", "", "--out", tmp.file("out"), "--save-checkpoints", "--quiet"}),
            0);
  const std::string path = tmp.file("out") + "/results.json";
  const std::vector<RunRecord> got = parse_results_json(testing::read_file(path), path);
  std::vector<std::string> rows;
  for (const RunRecord& r : got) rows.push_back(r.backbone + " " + r.method);
  EXPECT_EQ(rows, (std::vector<std::string>{"LR base", "ToyNet base", "ToyNet mine"}));
  for (const RunRecord& r : got) {
    if (r.backbone != "ToyNet") continue;
    SCOPED_TRACE(r.method);
    EXPECT_TRUE(r.test_auc >= 0 && r.test_auc <= 1);
    EXPECT_LE(r.epochs, 2);  // the count run, an integer; the override is "ToyNet.epochs" (parsing rejects a key twice)
    std::map<std::string, std::string> s(r.settings.begin(), r.settings.end());
    EXPECT_EQ(s.at("ToyNet.batch-size"), json_quote("64"));  // the row's own training setting
    EXPECT_EQ(s.at("ToyNet.lr"), json_quote("1e-2"));        // the per-backbone override
    EXPECT_EQ(s.at("ToyNet.epochs"), json_quote("2"));       // not under the run's own "epochs"
    if (r.method == "mine") {
      EXPECT_EQ(s.at("hidden_dim"), "3");  // --toynet-width reached the model
    }
  }
  // The checkpoint of the base row saved the toy's option and loads through the table.
  const LoadedCheckpoint c = load_checkpoint(tmp.file("out") + "/ml1m_ToyNet_base_s2024.ckpt");
  EXPECT_EQ(c.model->name(), "ToyNet");
  EXPECT_EQ(c.model->hidden_dim(), 3);
  EXPECT_EQ(c.model->config().options.get("toynet-width"), "3");
}

TEST(Plugins, RegistrationsEndWithTheirScopeAndNamesAreUnique) {
  const size_t backbones = backbone_names().size(), methods_before = methods::method_table().size();
  {
    const BackboneRegistration toynet(toynet_row());
    const methods::MethodRegistration toy(toy_method_row());
    EXPECT_EQ(backbone_names().back(), "ToyNet");
    EXPECT_EQ(std::string(methods::method_table().back().name), "toy");
    EXPECT_THROW(BackboneRegistration again(toynet_row()), std::logic_error);
    EXPECT_THROW(methods::MethodRegistration again(toy_method_row()), std::logic_error);
  }
  EXPECT_EQ(backbone_names().size(), backbones);
  EXPECT_EQ(methods::method_table().size(), methods_before);
  EXPECT_THROW(backbone_entry("ToyNet"), std::invalid_argument);
  EXPECT_THROW(methods::method_entry("toy"), std::invalid_argument);
}

}  // namespace
}  // namespace llactr
