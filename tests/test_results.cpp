// run_experiment's results: results.json round-trips through the parser, and the comparison
// table's RelaImpr and columns follow the definitions.
#include <gtest/gtest.h>

#include "llactr/apps/result_plots.h"
#include "llactr/apps/results.h"

namespace llactr {
namespace {

RunRecord run(const std::string& backbone, const std::string& method, uint64_t seed, double valid, double test) {
  RunRecord r;
  r.dataset = "ml100k", r.backbone = backbone, r.method = method, r.seed = seed;
  r.valid_auc = valid, r.test_auc = test, r.test_logloss = 0.45, r.test_gauc = -1;
  r.best_epoch = 2, r.epochs = 4, r.train_seconds = 10, r.train_samples_per_sec = 5000, r.infer_us_per_sample = 1.5;
  return r;
}

TEST(ResultsJsonParse, RoundTripsRecordsAndSettings) {
  RunRecord a = run("FM", "base", 2024, 0.79, 0.78), b = run("FM", "llactr", 2024, 0.80, 0.79);
  b.test_gauc = 0.77;
  b.llm_seconds = 12.5;
  b.llm_tokens = 1234567;
  b.settings = {{"lambda_fre", "0.1"}, {"fie_mode", "\"per-sample\""}, {"frozen_adapters", "false"}};
  std::vector<RunRecord> back = parse_results_json(results_json({a, b}), "x.json");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].method, "base");
  EXPECT_EQ(back[0].test_gauc, -1);
  EXPECT_DOUBLE_EQ(back[1].test_auc, 0.79);
  EXPECT_DOUBLE_EQ(back[1].test_gauc, 0.77);
  EXPECT_DOUBLE_EQ(back[1].llm_seconds, 12.5);
  EXPECT_DOUBLE_EQ(back[1].llm_tokens, 1234567);
  EXPECT_EQ(back[1].seed, 2024u);
  EXPECT_EQ(back[1].best_epoch, 2);
  EXPECT_EQ(back[1].settings, b.settings);
  EXPECT_EQ(results_json(back), results_json({a, b}));
  EXPECT_EQ(back[0].test_cold_auc, -1);  // written as null
  EXPECT_EQ(results_table(back).find("cold AUC"), std::string::npos);  // no column without cold rows
}

TEST(ResultsJsonParse, ColdItemAucRoundTripsAndGetsAColumn) {
  RunRecord a = run("FM", "base", 2024, 0.79, 0.78), b = run("FM", "base", 2025, 0.79, 0.76);
  a.test_cold_auc = 0.61, b.test_cold_auc = 0.63;
  const std::vector<RunRecord> back = parse_results_json(results_json({a, b}), "x.json");
  EXPECT_DOUBLE_EQ(back[0].test_cold_auc, 0.61);
  const std::string table = results_table(back);
  EXPECT_NE(table.find("ml100k (base) cold AUC"), std::string::npos) << table;
  EXPECT_NE(table.find("0.6200 ± 0.0141"), std::string::npos) << table;  // mean and sample std of 0.61, 0.63
}

TEST(ResultsJsonParse, MalformedInputNamesTheFile) {
  EXPECT_THROW(parse_results_json("{\"runs\":[", "bad.json"), std::runtime_error);
  EXPECT_THROW(parse_results_json("{\"x\":1}", "bad.json"), std::runtime_error);
  try {
    parse_results_json("{\"runs\":[{\"dataset\":\"d\",\"backbone\":\"FM\",\"method\":\"base\"}]}", "bad.json");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json: run 1"), std::string::npos) << e.what();
  }
}

// A setting under a run field's name would write the key twice (run_experiment writes a
// backbone's own settings as "DeepFM.epochs" for that reason); a file that holds a key twice is
// rejected, not read with one of the two values picked silently.
TEST(ResultsJsonParse, ASettingNeverTakesARunFieldsName) {
  RunRecord a = run("DeepFM", "base", 2024, 0.79, 0.78);
  a.settings = {{"epochs", "\"5\""}};
  EXPECT_THROW(results_json({a}), std::logic_error);
  a.settings = {{"DeepFM.epochs", "\"5\""}, {"DeepFM.epochs", "\"6\""}};
  EXPECT_THROW(results_json({a}), std::logic_error);
  a.settings = {{"DeepFM.epochs", "\"5\""}};
  const std::vector<RunRecord> back = parse_results_json(results_json({a}), "x.json");
  EXPECT_EQ(back[0].epochs, 4);
  EXPECT_EQ(back[0].settings, a.settings);
  std::string twice = results_json({run("DeepFM", "base", 2024, 0.79, 0.78)});
  twice.insert(twice.rfind('}', twice.rfind(']')), ",\"epochs\":\"5\"");  // as an older writer could
  try {
    parse_results_json(twice, "old.json");
    FAIL() << twice;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("old.json: run 1: \"epochs\" appears twice"), std::string::npos) << e.what();
  }
}

TEST(EpochsCsvParse, RoundTripsTheLog) {
  EpochRecord e;
  e.dataset = "ml100k", e.backbone = "WuKong", e.method = "llactr", e.seed = 2025, e.epoch = 3;
  e.train_loss = 0.25, e.valid_auc = 0.75, e.valid_logloss = 0.5, e.lr = 1e-4, e.train_seconds = 1.5, e.samples_per_sec = 35000;
  EpochRecord f = e;
  f.epoch = 4, f.valid_auc = 0.7425;
  const std::string text = epochs_csv({e, f});
  std::vector<EpochRecord> back = parse_epochs_csv(text, "epochs.csv");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].backbone, "WuKong");
  EXPECT_EQ(back[0].seed, 2025u);
  EXPECT_EQ(back[1].epoch, 4);
  EXPECT_DOUBLE_EQ(back[1].valid_auc, 0.7425);
  EXPECT_DOUBLE_EQ(back[0].lr, 1e-4);
  EXPECT_EQ(epochs_csv(back), text);
  EXPECT_TRUE(parse_epochs_csv(epochs_csv({}), "empty.csv").empty());
}

TEST(EpochsCsvParse, MalformedInputNamesFileLineAndReason) {
  const std::string header = epochs_csv({});
  auto message = [](const std::string& text) {
    try {
      parse_epochs_csv(text, "runs/epochs.csv");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("a,b,c\n").find("runs/epochs.csv: line 1: not an epochs.csv header"), std::string::npos);
  EXPECT_NE(message(header + "ml100k,FM,base,2024,1,0.5\n").find("line 2: 6 columns, expected 11"), std::string::npos);
  EXPECT_NE(message(header + "ml100k,FM,base,2024,1,0.5,0.7,0.4,0.001,1.0,5000\nml100k,FM,base,2024,2,0.4,x,0.4,0.001,1.0,5000\n")
                .find("line 3: column 7 is not a number: 'x'"),
            std::string::npos);
}

TEST(ResultPlots, ValidAucChartColoursByBackboneAndDashesTheMethod) {
  std::vector<EpochRecord> log;
  for (const char* b : {"FM", "DeepFM"})
    for (const char* m : {"base", "llactr"})
      for (int epoch = 1; epoch <= 2; ++epoch) {
        EpochRecord e;
        e.dataset = "ml100k", e.backbone = b, e.method = m, e.seed = 2024, e.epoch = epoch, e.valid_auc = 0.7 + 0.01 * epoch;
        log.push_back(e);
        e.seed = 2025;  // other seeds are not drawn
        log.push_back(e);
      }
  svg::LineChart c = valid_auc_chart(log, "ml100k", 2024);
  ASSERT_EQ(c.series.size(), 4u);
  EXPECT_EQ(c.series[1].name, "FM llactr");
  EXPECT_EQ(c.series[0].colour, c.series[1].colour);
  EXPECT_NE(c.series[1].colour, c.series[2].colour);
  EXPECT_FALSE(c.series[2].dashed);
  EXPECT_TRUE(c.series[3].dashed);
  EXPECT_EQ(c.series[3].x, (std::vector<double>{1, 2}));
}

TEST(ResultsComparison, RelaImprUsesTheSeedMeans) {
  // base AUCs 0.70, 0.72 (mean 0.71); method 0.73, 0.75 (mean 0.74): (0.24/0.21) − 1 = +14.29%.
  std::vector<RunRecord> runs{run("FM", "base", 1, 0.7, 0.70), run("FM", "base", 2, 0.7, 0.72),
                              run("FM", "llactr", 1, 0.7, 0.73), run("FM", "llactr", 2, 0.7, 0.75)};
  runs[2].llm_seconds = runs[3].llm_seconds = 30;
  runs[2].llm_tokens = 2e6, runs[3].llm_tokens = 4e6;
  const std::string t = comparison_table(runs);
  EXPECT_NE(t.find("| FM | 0.7100 ± 0.0141 | 0.7400 ± 0.0141 | +14.29% |"), std::string::npos) << t;
  EXPECT_NE(t.find("| 30.0 ± 0.0 | 3.00 ± 1.41 |"), std::string::npos) << t;  // LLM seconds, millions of tokens
}

// With cold-item AUCs, three columns follow RelaImpr: the cold AUCs and their RelaImpr on the seed means.
TEST(ResultsComparison, ColdItemColumnsWhenTheRunsHaveThem) {
  std::vector<RunRecord> runs{run("LR", "base", 1, 0.7, 0.69), run("FM", "base", 1, 0.7, 0.70),
                              run("FM", "elec", 1, 0.7, 0.73)};
  EXPECT_EQ(comparison_table(runs).find("cold"), std::string::npos);
  runs[0].test_cold_auc = 0.58, runs[1].test_cold_auc = 0.60, runs[2].test_cold_auc = 0.65;  // (0.15/0.10) − 1 = +50%
  const std::string t = comparison_table(runs);
  EXPECT_NE(t.find("| RelaImpr | cold AUC base | cold AUC elec | cold RelaImpr | Logloss base |"), std::string::npos) << t;
  EXPECT_NE(t.find("| FM | 0.7000 | 0.7300 | +15.00% | 0.6000 | 0.6500 | +50.00% | 0.4500 |"), std::string::npos) << t;
  EXPECT_NE(t.find("| LR | 0.6900 | – | – | 0.5800 | – | – | 0.4500 |"), std::string::npos) << t;
}

// LR, trained base only, stays in the comparison as a reference row; a dataset with no method run has no table.
TEST(ResultsComparison, BaseOnlyRowsAreKept) {
  std::vector<RunRecord> runs{run("LR", "base", 1, 0.7, 0.69), run("FM", "base", 1, 0.7, 0.70),
                              run("FM", "llactr", 1, 0.7, 0.73)};
  const std::string t = comparison_table(runs);
  EXPECT_NE(t.find("| LR | 0.6900 | – | – |"), std::string::npos) << t;
  EXPECT_NE(t.find("| FM | 0.7000 | 0.7300 |"), std::string::npos) << t;
  EXPECT_EQ(comparison_table({run("LR", "base", 1, 0.7, 0.69)}), "");
}

TEST(ResultsComparison, ValidationChoosesOnValidNotTest) {
  // "a" is better on valid, "b" on test: the choice is "a" and its test AUC is reported.
  std::vector<RunRecord> runs{run("FM", "a", 1, 0.80, 0.70), run("FM", "b", 1, 0.79, 0.90)};
  const std::string t = validation_table(runs);
  EXPECT_NE(t.find("| FM | **0.8000** | 0.7900 | a | 0.7000 |"), std::string::npos) << t;
}

TEST(ResultPlots, BarChartHasErrorBarsOnlyWithSeveralSeeds) {
  std::vector<RunRecord> one{run("FM", "base", 1, 0.7, 0.70), run("FM", "llactr", 1, 0.7, 0.72)};
  svg::BarChart c = auc_bar_chart(one, "ml100k");
  ASSERT_EQ(c.groups.size(), 1u);
  EXPECT_EQ(c.series_names, (std::vector<std::string>{"base", "llactr"}));
  EXPECT_TRUE(c.groups[0].errors.empty());
  one.push_back(run("FM", "base", 2, 0.7, 0.72));
  c = auc_bar_chart(one, "ml100k");
  EXPECT_NEAR(c.groups[0].values[0], 0.71, 1e-12);
  EXPECT_NEAR(c.groups[0].errors[0], 0.0141421, 1e-6);
  EXPECT_EQ(c.groups[0].errors[1], 0);
  EXPECT_THROW(auc_bar_chart(one, "other"), std::invalid_argument);
}

}  // namespace
}  // namespace llactr
