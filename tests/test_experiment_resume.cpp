// run_experiment --resume (apps/experiment_resume.h): an experiment stopped after an epoch
// (--stop-after-epochs, which stops where a kill would) and resumed, twice, ends with the
// uninterrupted experiment's results.json and epochs.csv, number for number; other options are refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "data_fixtures.h"
#include "experiment_runner.h"
#include "llactr/apps/results.h"
#include "test_data.h"

namespace llactr {
namespace {

using testing::error_of;
using testing::TempDir;

int run(std::vector<std::string> args) { return testing::run_experiment_with(std::move(args)); }

struct Recorded {
  std::vector<RunRecord> runs;
  std::vector<EpochRecord> epochs;
};
Recorded read_out(const std::string& out) {
  const std::string runs = out + "/results.json", log = out + "/epochs.csv";
  return {parse_results_json(testing::read_file(runs), runs), parse_epochs_csv(testing::read_file(log), log)};
}

class ExperimentResume : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = tmp_.file("ml1m");
    std::filesystem::create_directories(data_);
    testing::write_ml1m_generated(data_, 7, 30, 2000);
  }
  std::vector<std::string> args(const std::string& out, std::vector<std::string> more = {}) {
    std::vector<std::string> a{"--dataset", "ml1m", "--data-dir", data_, "--backbones", "FM,DeepFM", "--method", "base",
                               "--epochs", "3", "--patience", "5", "--batch-size", "128", "--threads", "2",
                               "--net-dropout", "0.2", "--cache-dir", "", "--out", out, "--quiet"};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  }
  TempDir tmp_;
  std::string data_;
};

TEST_F(ExperimentResume, StoppedTwiceAndResumedEqualsTheUninterruptedRun) {
  const std::string whole = tmp_.file("whole"), parts = tmp_.file("parts");
  ASSERT_EQ(run(args(whole)), 0);
  const Recorded a = read_out(whole);
  ASSERT_EQ(a.runs.size(), 3u);  // LR (the reference), FM, DeepFM

  // Stopped after LR's epoch 2: nothing recorded yet, LR's state on disk.
  EXPECT_EQ(run(args(parts, {"--stop-after-epochs", "2"})), 3);
  EXPECT_TRUE(std::filesystem::exists(parts + "/state/ml1m_LR_base_s2024/train.state"));
  // Resumed and stopped again: LR continues at epoch 3 and is recorded, FM stops after its epoch 2.
  EXPECT_EQ(run(args(parts, {"--resume", "--stop-after-epochs", "2"})), 3);
  EXPECT_EQ(read_out(parts).runs.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(parts + "/state/ml1m_LR_base_s2024"));  // removed once recorded
  // Resumed to the end: LR is skipped, FM continues at epoch 3, DeepFM runs whole.
  EXPECT_EQ(run(args(parts, {"--resume"})), 0);
  const Recorded b = read_out(parts);

  ASSERT_EQ(b.runs.size(), a.runs.size());
  for (size_t i = 0; i < a.runs.size(); ++i) {
    SCOPED_TRACE(a.runs[i].backbone);
    EXPECT_EQ(b.runs[i].backbone, a.runs[i].backbone);
    // results.json writes 17 significant digits: the doubles compare to the bit.
    EXPECT_EQ(b.runs[i].valid_auc, a.runs[i].valid_auc);
    EXPECT_EQ(b.runs[i].test_auc, a.runs[i].test_auc);
    EXPECT_EQ(b.runs[i].test_logloss, a.runs[i].test_logloss);
    EXPECT_EQ(b.runs[i].test_gauc, a.runs[i].test_gauc);
    EXPECT_EQ(b.runs[i].best_epoch, a.runs[i].best_epoch);
    EXPECT_EQ(b.runs[i].epochs, a.runs[i].epochs);
  }
  ASSERT_EQ(b.epochs.size(), a.epochs.size());
  for (size_t i = 0; i < a.epochs.size(); ++i) {
    EXPECT_EQ(b.epochs[i].train_loss, a.epochs[i].train_loss) << i;
    EXPECT_EQ(b.epochs[i].valid_auc, a.epochs[i].valid_auc) << i;
    EXPECT_EQ(b.epochs[i].lr, a.epochs[i].lr) << i;
  }
  // Everything recorded: a further resume trains nothing and keeps the results.
  EXPECT_EQ(run(args(parts, {"--resume"})), 0);
  EXPECT_EQ(read_out(parts).runs.size(), a.runs.size());
}

TEST_F(ExperimentResume, OtherOptionsOrNoExperimentAreRefusedNamingWhy) {
  const std::string out = tmp_.file("out");
  EXPECT_EQ(run(args(out, {"--stop-after-epochs", "1"})), 3);
  std::string e = error_of([&] { run(args(out, {"--resume", "--lr", "0.01"})); });
  EXPECT_NE(e.find("records --lr = '1e-3', this run has '0.01'"), std::string::npos) << e;
  e = error_of([&] { run(args(out, {"--resume", "--threads", "1"})); });
  EXPECT_NE(e.find("--threads"), std::string::npos) << e;
  e = error_of([&] { run(args(out, {"--resume", "--DeepFM.lr", "1e-4"})); });
  EXPECT_NE(e.find("DeepFM.lr = none, this run has '1e-4'"), std::string::npos) << e;
  e = error_of([&] { run(args(tmp_.file("empty"), {"--resume"})); });
  EXPECT_NE(e.find("holds no experiment to resume"), std::string::npos) << e;
  // --quiet and --stop-after-epochs do not change the numbers: a resume may change them.
  std::vector<std::string> loud = args(out, {"--resume"});
  loud.pop_back();  // --quiet
  loud.pop_back();
  loud.push_back("--resume");
  EXPECT_EQ(run(loud), 0);
}

}  // namespace
}  // namespace llactr
