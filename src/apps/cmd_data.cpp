// ./llactr data stats: load a dataset (through the cache) and print its counts and fields.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "llactr/apps/args.h"
#include "llactr/apps/commands.h"
#include "llactr/apps/options.h"
#include "llactr/data/dataset.h"
#include "llactr/data/dataset_stats.h"
#include "llactr/util/json.h"

namespace llactr {
namespace {

// At most max_bytes of s, cut at a character boundary so the text stays valid UTF-8.
std::string utf8_prefix(const std::string& s, size_t max_bytes) {
  size_t n = std::min(max_bytes, s.size());
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

void print_text(const data::DataOptions& o, const data::Dataset& d, const data::DatasetStats& s, double seconds) {
  std::printf("dataset    %s  %s\n", data::data_format_name(o.format), o.dir.c_str());
  std::printf("loaded     %.3f s (%s)%s%s\n", seconds, d.from_cache ? "from cache" : "parsed and encoded",
              d.cache_file.empty() ? "" : "  cache ", d.cache_file.c_str());
  if (d.skipped_lines) std::printf("skipped    %zu malformed lines; first: %s\n", d.skipped_lines, d.first_skipped_line.c_str());
  std::printf("samples    %zu  positive %zu (%.2f%%)\n", s.samples, s.positives, 100.0 * double(s.positives) / double(s.samples));
  std::printf("split      train %zu  valid %zu  test %zu  (%s)\n", s.train, s.valid, s.test,
              o.split == data::SplitMode::Random ? "random" : "chronological");
  std::printf("vocabulary %d ids over %zu fields (min count %lld; id 0 of each field is OOV)\n\n", s.total_vocab,
              s.fields.size(), static_cast<long long>(o.min_count));
  std::printf("%-3s %-16s %8s %9s %9s  %s\n", "#", "field", "vocab", "OOV valid", "OOV test", "top values in train (count)");
  for (size_t k = 0; k < s.fields.size(); ++k) {
    const auto& f = s.fields[k];
    std::string top;
    for (const auto& [text, count] : f.top_values) {
      std::string t = text.size() > 40 ? utf8_prefix(text, 37) + "..." : text;
      top += (top.empty() ? "" : ", ") + t + " (" + std::to_string(count) + ")";
    }
    std::printf("%-3zu %-16s %8d %8.2f%% %8.2f%%  %s\n", k, f.name.c_str(), f.vocab_size, 100 * f.oov_rate_valid,
                100 * f.oov_rate_test, top.c_str());
    std::printf("    %s\n", f.description.c_str());
  }
}

void print_json(const data::DataOptions& o, const data::Dataset& d, const data::DatasetStats& s, double seconds) {
  std::printf("{\n  \"format\": %s,\n  \"dir\": %s,\n", json_quote(data::data_format_name(o.format)).c_str(), json_quote(o.dir).c_str());
  std::printf("  \"load_seconds\": %.4f,\n  \"from_cache\": %s,\n  \"skipped_lines\": %zu,\n", seconds,
              d.from_cache ? "true" : "false", d.skipped_lines);
  std::printf("  \"samples\": %zu,\n  \"positives\": %zu,\n", s.samples, s.positives);
  std::printf("  \"split\": {\"train\": %zu, \"valid\": %zu, \"test\": %zu},\n", s.train, s.valid, s.test);
  std::printf("  \"total_vocab\": %d,\n  \"fields\": [\n", s.total_vocab);
  for (size_t k = 0; k < s.fields.size(); ++k) {
    const auto& f = s.fields[k];
    std::printf("    {\"name\": %s, \"description\": %s, \"vocab_size\": %d, \"oov_rate_valid\": %.6f, "
                "\"oov_rate_test\": %.6f, \"top_values\": [",
                json_quote(f.name).c_str(), json_quote(f.description).c_str(), f.vocab_size, f.oov_rate_valid, f.oov_rate_test);
    for (size_t i = 0; i < f.top_values.size(); ++i)
      std::printf("%s{\"text\": %s, \"count\": %lld}", i ? ", " : "", json_quote(f.top_values[i].first).c_str(),
                  static_cast<long long>(f.top_values[i].second));
    std::printf("]}%s\n", k + 1 < s.fields.size() ? "," : "");
  }
  std::printf("  ]\n}\n");
}

int data_stats(int argc, char** argv) {
  Args a("llactr data stats --dataset {ml1m,ml100k,amazon2023,csv} --data-dir DIR [--json]");
  declare_data_options(a);
  a.alias("format", "dataset").alias("dir", "data-dir").alias("split", "split-mode").alias("seed", "split-seed");
  a.flag("no-cache", "neither read nor write the cache (same as --cache-dir \"\")").flag("json", "print JSON instead of text");
  if (!a.parse(argc, argv, 2)) return 0;
  if (!a.positional().empty()) throw std::invalid_argument("unexpected argument '" + a.positional()[0] + "'");
  data::DataOptions o = data_options(a);
  if (a.get_flag("no-cache")) o.cache_dir = "";
  auto t0 = std::chrono::steady_clock::now();
  data::Dataset d = data::load_dataset(o);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  data::DatasetStats s = data::compute_stats(d);
  if (a.get_flag("json")) print_json(o, d, s, seconds);
  else print_text(o, d, s, seconds);
  return 0;
}

}  // namespace

int cmd_data(int argc, char** argv) {
  std::string sub = argc >= 2 ? argv[1] : "";
  if (sub == "stats") return data_stats(argc, argv);
  if (sub.empty() || sub == "--help" || sub == "-h") {
    std::puts("usage: llactr data stats --dataset {ml1m,ml100k,amazon2023,csv} --data-dir DIR [--json]\n"
              "  (llactr data stats --help for all options)");
    return sub.empty() ? 1 : 0;
  }
  throw std::invalid_argument("unknown data subcommand '" + sub + "' (stats)");
}

}  // namespace llactr
