// ELEC as a row of the method table: ./run_experiment --method base,elec in-process on a generated
// ML-1M-layout folder and a tiny random GGUF writes the elec, elec-gain and llm rows with their
// cost fields, and bad ELEC options fail before the data is loaded.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "data_fixtures.h"
#include "llactr/apps/experiment.h"
#include "llactr/apps/results.h"
#include "llactr/methods/method.h"
#include "llactr/tensor/gemm.h"
#include "support/random_model.h"

namespace llactr {
namespace {

using testing::TempDir;

int run(std::vector<std::string> args) {
  args.insert(args.begin(), "run_experiment");
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  const int threads = omp_get_max_threads();
  const int rc = run_experiment(int(argv.size()), argv.data());
  set_threads(threads);  // run_experiment sets its own; the other tests keep theirs
  return rc;
}

// A tiny llama GGUF with a byte vocabulary (every text tokenises).
std::string tiny_model(const TempDir& dir) {
  llm::RandomModelSpec spec;
  spec.n_embd = 16, spec.n_layer = 1, spec.n_head = 4, spec.n_head_kv = 2, spec.n_ff = 24, spec.n_vocab = 260;
  spec.n_ctx = 128;
  llm::random_model_writer(spec).write(dir.file("tiny.gguf"));
  return dir.file("tiny.gguf");
}

std::map<std::string, std::string> settings_of(const RunRecord& r) {
  return std::map<std::string, std::string>(r.settings.begin(), r.settings.end());
}

TEST(MethodElec, RunExperimentWritesTheElecGainAndLlmRows) {
  TempDir tmp;
  const std::string data = tmp.file("ml1m");
  std::filesystem::create_directories(data);
  testing::write_ml1m_generated(data, 7, 30, 2000);  // 7 users: every test user has both classes (gAUC)
  const std::string model = tiny_model(tmp);
  ASSERT_EQ(run({"--dataset", "ml1m", "--data-dir", data, "--backbones", "FM,DeepFM", "--method", "base,elec",
                 "--epochs", "2", "--seeds", "1", "--threads", "1", "--llm-model", model, "--elec-llm-rows", "200",
                 "--elec-llm-valid-rows", "100", "--elec-llm-epochs", "1", "--elec-llm-batch", "32",
                 "--elec-t-hidden", "16", "--elec-dir", tmp.file("elec"), "--cache-dir", "", "--out", tmp.file("out"),
                 "--quiet"}),
            0);
  const std::string path = tmp.file("out") + "/results.json";
  const std::vector<RunRecord> got = parse_results_json(testing::read_file(path), path);
  // Per backbone base, then elec and elec-gain; the llm row once, in the first backbone's run.
  std::vector<std::string> rows;
  for (const RunRecord& r : got) rows.push_back(r.backbone + " " + r.method);
  EXPECT_EQ(rows, (std::vector<std::string>{"FM base", "FM llm", "FM elec", "FM elec-gain", "DeepFM base",
                                            "DeepFM elec", "DeepFM elec-gain"}));
  for (const RunRecord& r : got) {
    SCOPED_TRACE(r.backbone + " " + r.method);
    EXPECT_TRUE(r.test_auc >= 0 && r.test_auc <= 1);  // the generated data is separable: AUC 1 is fine
    EXPECT_TRUE(std::isfinite(r.test_logloss) && r.test_logloss > 0);
    if (r.method == "base") {
      EXPECT_EQ(r.llm_seconds, 0);
      continue;
    }
    const auto s = settings_of(r);
    ASSERT_TRUE(s.count("stage1_seconds") && s.count("cache_seconds") && s.count("cache_tokens") &&
                s.count("cache_truncated_rows"));
    EXPECT_GT(std::stod(s.at("cache_tokens")), 0);
    EXPECT_GT(std::stod(s.at("stage1_tokens")), 0);
    EXPECT_NEAR(r.llm_seconds, std::stod(s.at("stage1_seconds")) + std::stod(s.at("cache_seconds")), 1e-4);
    EXPECT_EQ(s.at("elec_alpha"), "1");
  }
  // G serves one measured LLM forward per sample on top of its backbone.
  for (size_t i = 0; i + 1 < got.size(); ++i) {
    if (got[i].method != "elec") continue;
    EXPECT_GT(got[i + 1].infer_us_per_sample, std::stod(settings_of(got[i]).at("llm_us_per_sample")));
  }
}

TEST(MethodElec, BadOptionsFailBeforeTheDataIsLoaded) {
  auto error_of = [](std::vector<std::string> extra) {
    std::vector<std::string> args{"--data-dir", "/nonexistent/ml-100k", "--method", "elec", "--quiet",
                                  "--elec-without-llm"};
    args.insert(args.end(), extra.begin(), extra.end());
    try {
      run(args);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of({}).find("dataset folder /nonexistent/ml-100k not found"), std::string::npos);
  EXPECT_NE(error_of({"--elec-alpha", "-1"}).find("--elec-alpha"), std::string::npos);
  EXPECT_NE(error_of({"--elec-tau", "0"}).find("--elec-tau"), std::string::npos);
  EXPECT_NE(error_of({"--elec-inject", "x"}).find("--elec-inject"), std::string::npos);
  EXPECT_NE(error_of({"--elec-schedule", "x"}).find("--elec-schedule"), std::string::npos);
  EXPECT_NE(error_of({"--elec-llm-rows", "-5"}).find("--elec-llm-rows"), std::string::npos);
  EXPECT_NE(error_of({"--elec-label", ""}).find("--elec-label"), std::string::npos);
}

TEST(MethodElec, RowNamesFollowTheLabel) {
  const methods::MethodEntry& e = methods::method_entry("elec");
  using Names = std::vector<std::string>;
  auto names = [&](const std::string& label, bool without_llm) {
    return e.row_names(methods::OptionValues({{"elec-label", label}, {"elec-without-llm", without_llm ? "1" : ""}}));
  };
  EXPECT_EQ(names("elec", false), (Names{"elec", "elec-gain", "llm"}));
  EXPECT_EQ(names("frozen-LLM", false), (Names{"frozen-LLM", "frozen-LLM-gain", "frozen-LLM-llm"}));
  EXPECT_EQ(names("w-o-LLM", true), (Names{"w-o-LLM", "w-o-LLM-gain"}));
}

TEST(MethodElec, AMissingModelFailsBeforeTheDataIsLoaded) {
  try {
    run({"--data-dir", "/nonexistent/ml-100k", "--method", "elec", "--quiet", "--llm-model", "/nonexistent.gguf"});
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("language model /nonexistent.gguf not found"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace llactr
