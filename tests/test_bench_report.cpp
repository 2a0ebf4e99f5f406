// llactr bench-report's input side: Google Benchmark JSON, interaction-case names, and the
// replacement of the generated section of a Markdown file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "llactr/apps/bench_results.h"

namespace llactr {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The shape of a real --benchmark_out file, trimmed: one iteration run in µs, one in ms, and a
// mean aggregate that must be skipped.
const char* kJson = R"({
  "context": {"date": "2026-11-23T17:00:00+00:00", "host_name": "box", "num_cpus": 2, "mhz_per_cpu": 2096,
              "load_avg": [1.5, 2, 2.5], "library_build_type": "release"},
  "benchmarks": [
    {"name": "Interaction/FM/fwd/B:4096/N:13/D:32/real_time", "family_index": 2, "run_type": "iteration",
     "iterations": 100, "real_time": 4.5e2, "cpu_time": 300, "time_unit": "us", "GFLOP/s": 12.5, "roofline_frac": 0.06},
    {"name": "GemmRoofline/iterations:1", "run_type": "iteration", "iterations": 1, "real_time": 80,
     "cpu_time": 80, "time_unit": "ms", "GFLOP/s": 210},
    {"name": "Interaction/FM/fwd/B:4096/N:13/D:32/real_time_mean", "run_type": "aggregate", "aggregate_name": "mean",
     "iterations": 3, "real_time": 1, "cpu_time": 1, "time_unit": "us"}
  ]
})";

TEST(BenchJsonParse, ReadsRunsCountersAndContext) {
  BenchFile f = read_bench_json(write_temp("bench_ok.json", kJson));
  EXPECT_EQ(f.host, "box");
  EXPECT_EQ(f.num_cpus, 2);
  ASSERT_EQ(f.load_avg.size(), 3u);
  EXPECT_DOUBLE_EQ(f.load_avg[2], 2.5);
  ASSERT_EQ(f.runs.size(), 2u);  // the aggregate is skipped
  EXPECT_DOUBLE_EQ(f.runs[0].time_us, 450);
  EXPECT_DOUBLE_EQ(f.runs[0].counter("GFLOP/s"), 12.5);
  EXPECT_EQ(f.runs[0].counters.count("family_index"), 0u);  // Google Benchmark's own fields are not counters
  EXPECT_TRUE(std::isnan(f.runs[0].counter("GB/s")));
  EXPECT_DOUBLE_EQ(f.runs[1].time_us, 80000);  // ms -> µs
}

TEST(BenchJsonParse, BadFilesNameThePathAndReason) {
  const std::string bad = write_temp("bench_bad.json", "{\"context\": {}, \"benchmarks\": [");
  try {
    read_bench_json(bad);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(bad + ": byte"), std::string::npos) << e.what();
  }
  const std::string no_list = write_temp("bench_nolist.json", "{\"context\": {}}");
  EXPECT_THROW(read_bench_json(no_list), std::runtime_error);
  const std::string unit = write_temp("bench_unit.json",
      R"({"context": {}, "benchmarks": [{"name": "x", "real_time": 1, "time_unit": "fortnights"}]})");
  EXPECT_THROW(read_bench_json(unit), std::runtime_error);
  EXPECT_THROW(read_bench_json(::testing::TempDir() + "does_not_exist.json"), std::runtime_error);
}

TEST(BenchJsonParse, LayerCaseNames) {
  LayerPoint p;
  ASSERT_TRUE(parse_layer_case("Interaction/DCNv2Cross/fwdbwd/B:256/N:39/D:64/real_time", p));
  EXPECT_EQ(p.layer, "DCNv2Cross");
  EXPECT_EQ(p.mode, "fwdbwd");
  EXPECT_EQ(p.B, 256);
  EXPECT_EQ(p.N, 39);
  EXPECT_EQ(p.D, 64);
  EXPECT_TRUE(parse_layer_case("Interaction/FM/fwd/B:1/N:2/D:3", p));
  EXPECT_FALSE(parse_layer_case("GemmRoofline/iterations:1", p));
  EXPECT_FALSE(parse_layer_case("Interaction/FM/fwd/B:x/N:2/D:3", p));
  EXPECT_FALSE(parse_layer_case("Interaction/FM/fwd/N:2/B:1/D:3", p));
}

TEST(BenchReportMarkers, ReplacesOnlyTheMarkedSection) {
  const std::string doc = "# P\n\n## A\nkeep\n<!-- B -->\nold 1\nold 2\n<!-- E -->\n## C\nkeep too\n";
  EXPECT_EQ(replace_between_markers(doc, "<!-- B -->", "<!-- E -->", "new\n"),
            "# P\n\n## A\nkeep\n<!-- B -->\nnew\n<!-- E -->\n## C\nkeep too\n");
  // No markers yet: appended, so the next run finds them.
  EXPECT_EQ(replace_between_markers("# P\n", "<!-- B -->", "<!-- E -->", "x\n"), "# P\n\n<!-- B -->\nx\n<!-- E -->\n");
  EXPECT_THROW(replace_between_markers("<!-- E -->\n<!-- B -->\n", "<!-- B -->", "<!-- E -->", ""), std::runtime_error);
  EXPECT_THROW(replace_between_markers("<!-- B -->\n", "<!-- B -->", "<!-- E -->", ""), std::runtime_error);
}

}  // namespace
}  // namespace llactr
