// Reading Google Benchmark's JSON output (--benchmark_out_format=json) for `llactr bench-report`,
// and replacing the generated part of a Markdown document.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace llactr {

struct BenchRun {
  std::string name;                        // e.g. "Interaction/FM/fwd/B:4096/N:13/D:32/real_time"
  double time_us = 0;                      // real time per iteration, in microseconds
  std::map<std::string, double> counters;  // the user counters: "GFLOP/s", "roofline_frac", ..
  double counter(const std::string& key) const;  // NaN when absent
};

struct BenchFile {
  std::string path, host, date;
  int num_cpus = 0;
  double mhz = 0;
  std::vector<double> load_avg;  // 1, 5, 15 minutes, at the start of the run
  std::vector<BenchRun> runs;    // iterations only; aggregates (mean, stddev ..) are skipped
};

// Throws std::runtime_error("path: reason") for an unreadable file, bad JSON or a missing field.
BenchFile read_bench_json(const std::string& path);

// A case of bench/bench_interactions.cpp: "Interaction/<layer>/<mode>/B:<b>/N:<n>/D:<d>[/real_time]".
struct LayerPoint {
  std::string layer, mode;  // mode: "fwd" or "fwdbwd"
  int64_t B = 0, N = 0, D = 0;
};
bool parse_layer_case(const std::string& name, LayerPoint& out);  // false for other names

// doc with the text between the lines `begin` and `end` replaced by body (the marker lines stay).
// When neither marker is present the section is appended at the end with both markers; when only
// one is, or they are out of order, throws std::runtime_error.
std::string replace_between_markers(const std::string& doc, const std::string& begin, const std::string& end,
                                    const std::string& body);

}  // namespace llactr
