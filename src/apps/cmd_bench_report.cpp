// llactr bench-report: the interaction-layer tables and plots of docs/PERFORMANCE.md, regenerated
// from Google Benchmark JSON (bench/bench_interactions.cpp, bench/bench_transformer.cpp) and,
// optionally, a run_experiment results.json for the end-to-end training rows.
//
//   ./llactr bench-report --json build/bench-results/*.json --train-results R/results.json
//                         --out docs/PERFORMANCE.md --plot-dir docs/plots
//
// Only the text between <!-- BEGIN bench-report --> and <!-- END bench-report --> is rewritten.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "llactr/apps/args.h"
#include "llactr/apps/bench_results.h"
#include "llactr/apps/commands.h"
#include "llactr/apps/svg_plot.h"
#include "llactr/data/line_parsing.h"
#include "llactr/util/json.h"

namespace llactr {

namespace {

const char* const kBegin = "<!-- BEGIN bench-report -->";
const char* const kEnd = "<!-- END bench-report -->";

// v with `sig` significant digits, no exponent for ordinary magnitudes: 1234, 12.3, 0.0123.
std::string sig(double v, int digits = 3) {
  if (!std::isfinite(v)) return "—";
  if (v == 0) return "0";
  const int decimals = std::max(0, digits - 1 - int(std::floor(std::log10(std::fabs(v)))));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}
std::string pct(double frac) { return std::isfinite(frac) ? sig(100 * frac, 2) + "%" : "—"; }

struct Point {
  BenchRun run;
  LayerPoint at;
};

// All interaction-layer cases of all files, and the limits measured with them.
struct Data {
  std::vector<Point> points;
  std::vector<std::string> layers;  // in the order the program registered them
  std::set<int64_t> Bs, Ns, Ds;
  double roofline = NAN, bandwidth = NAN;
  const BenchFile* source = nullptr;  // the file the layer cases came from
  std::vector<const BenchRun*> prompt;  // bench_transformer's PromptProcessing cases

  const Point* find(const std::string& layer, const std::string& mode, int64_t B, int64_t N, int64_t D) const {
    for (const Point& p : points)
      if (p.at.layer == layer && p.at.mode == mode && p.at.B == B && p.at.N == N && p.at.D == D) return &p;
    return nullptr;
  }
};

Data collect(const std::vector<BenchFile>& files) {
  Data d;
  for (const BenchFile& f : files)
    for (const BenchRun& r : f.runs) {
      LayerPoint lp;
      if (parse_layer_case(r.name, lp)) {
        d.points.push_back({r, lp});
        if (std::find(d.layers.begin(), d.layers.end(), lp.layer) == d.layers.end()) d.layers.push_back(lp.layer);
        d.Bs.insert(lp.B), d.Ns.insert(lp.N), d.Ds.insert(lp.D);
        d.source = &f;
      } else if (r.name.rfind("PromptProcessing", 0) == 0) {
        d.prompt.push_back(&r);
      }
    }
  // The limits from the file that holds the layer cases (they were measured in that process).
  if (d.source)
    for (const BenchRun& r : d.source->runs) {
      if (r.name.rfind("GemmRoofline", 0) == 0) d.roofline = r.counter("GFLOP/s");
      if (r.name.rfind("StreamTriad", 0) == 0) d.bandwidth = r.counter("best_GB/s");
    }
  return d;
}

std::string cell(const Point* p) {
  if (!p) return "";
  const BenchRun& r = p->run;
  return sig(r.time_us) + " µs · " + sig(r.counter("GFLOP/s")) + " GF/s · " + pct(r.counter("roofline_frac")) + " · " +
         sig(r.counter("GB/s")) + " GB/s";
}

void layer_tables(std::ostringstream& md, const Data& d) {
  for (const char* mode : {"fwd", "fwdbwd"})
    for (int64_t B : d.Bs) {
      md << "\n#### " << (std::string(mode) == "fwd" ? "Forward (inference, no tape)" : "Forward + backward")
         << ", B = " << B << "\n\nCell: µs per batch · GFLOP/s · % of the GEMM roofline · GB/s (compulsory bytes).\n\n";
      md << "| layer | N |";
      for (int64_t D : d.Ds) md << " D = " << D << " |";
      md << "\n|---|---|";
      for (size_t i = 0; i < d.Ds.size(); ++i) md << "---|";
      md << "\n";
      for (const std::string& layer : d.layers)
        for (int64_t N : d.Ns) {
          std::string row;
          bool any = false;
          for (int64_t D : d.Ds) {
            const Point* p = d.find(layer, mode, B, N, D);
            any |= p != nullptr;
            row += " " + cell(p) + " |";
          }
          if (any) md << "| " << layer << " | " << N << " |" << row << "\n";
        }
    }
}

// The O(N·D) FM against the pair-by-pair one, at each N.
void fm_table(std::ostringstream& md, const Data& d) {
  md << "\n#### FM: O(N·D) against the pairwise O(N²·D) form\n\n| B | N | D | fwd: FM µs | pairwise µs | speed-up | "
        "fwd+bwd: FM µs | pairwise µs | speed-up |\n|---|---|---|---|---|---|---|---|---|\n";
  for (int64_t B : d.Bs)
    for (int64_t D : d.Ds)
      for (int64_t N : d.Ns) {
        std::string row;
        bool any = false;
        for (const char* mode : {"fwd", "fwdbwd"}) {
          const Point *fast = d.find("FM", mode, B, N, D), *slow = d.find("FMPairwise", mode, B, N, D);
          if (fast && slow) {
            any = true;
            row += " " + sig(fast->run.time_us) + " | " + sig(slow->run.time_us) + " | " +
                   sig(slow->run.time_us / fast->run.time_us, 2) + "× |";
          } else {
            row += " | | |";
          }
        }
        if (any) md << "| " << B << " | " << N << " | " << D << " |" << row << "\n";
      }
}

// Layers whose best point at the largest B stays under 10% of the roofline, with their bandwidth.
void low_roofline_table(std::ostringstream& md, const Data& d) {
  if (d.Bs.empty()) return;
  const int64_t B = *d.Bs.rbegin();
  md << "\n#### Below 10% of the roofline at B = " << B << "\n\nPer layer and mode, over the N × D grid: the range of "
     << "the roofline fraction, of the achieved GB/s, and of that GB/s as a fraction of the STREAM triad.\n\n"
     << "| layer | mode | % roofline | GB/s | % of triad |\n|---|---|---|---|---|\n";
  for (const std::string& layer : d.layers)
    for (const char* mode : {"fwd", "fwdbwd"}) {
      double rmin = INFINITY, rmax = -INFINITY, gmin = INFINITY, gmax = -INFINITY, bmin = INFINITY, bmax = -INFINITY;
      for (const Point& p : d.points) {
        if (p.at.layer != layer || p.at.mode != mode || p.at.B != B) continue;
        rmin = std::min(rmin, p.run.counter("roofline_frac")), rmax = std::max(rmax, p.run.counter("roofline_frac"));
        gmin = std::min(gmin, p.run.counter("GB/s")), gmax = std::max(gmax, p.run.counter("GB/s"));
        bmin = std::min(bmin, p.run.counter("bandwidth_frac")), bmax = std::max(bmax, p.run.counter("bandwidth_frac"));
      }
      if (!(rmin < 0.1)) continue;
      md << "| " << layer << " | " << mode << " | " << pct(rmin) << " – " << pct(rmax) << " | " << sig(gmin) << " – "
         << sig(gmax) << " | " << pct(bmin) << " – " << pct(bmax) << " |\n";
    }
}

// time vs N at the largest B and D = 32 (or the middle D), one series per layer, log time axis.
std::vector<std::string> plots(const Data& d, const std::string& dir) {
  std::vector<std::string> paths;
  if (d.Bs.empty()) return paths;
  const int64_t B = *d.Bs.rbegin();
  const int64_t D = d.Ds.count(32) ? 32 : *std::next(d.Ds.begin(), d.Ds.size() / 2);
  for (const char* mode : {"fwd", "fwdbwd"}) {
    svg::LineChart c{std::string(std::string(mode) == "fwd" ? "Forward" : "Forward + backward") + ", B = " +
                         std::to_string(B) + ", D = " + std::to_string(D),
                     "fields N", "µs per batch (log)", {}, false, true};
    for (const std::string& layer : d.layers) {
      svg::Series s{layer, {}, {}};
      for (int64_t N : d.Ns)
        if (const Point* p = d.find(layer, mode, B, N, D)) s.x.push_back(double(N)), s.y.push_back(p->run.time_us);
      if (!s.x.empty()) c.series.push_back(s);
    }
    if (c.series.empty()) continue;
    const std::string path = (std::filesystem::path(dir) / (std::string("interactions_") + mode + "_time_vs_n.svg")).string();
    svg::write_file(path, svg::render(c));
    paths.push_back(path);
  }
  return paths;
}

void training_rows(std::ostringstream& md, const std::string& path) {
  const std::string text = data::read_text_file(path, "a results.json written by ./run_experiment");
  JsonValue doc;
  try {
    doc = parse_json(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  const JsonValue* runs = doc.find("runs");
  if (!runs) throw std::runtime_error(path + ": no \"runs\" (not a run_experiment results.json?)");
  md << "\n#### End to end: CTR training (`" << path << "`)\n\n| dataset | backbone | train samples/s | "
     << "inference µs/sample | test AUC | epochs |\n|---|---|---|---|---|---|\n";
  for (const auto& r : runs->items) {
    auto text = [&](const char* k) { const auto* v = r.find(k); return v ? v->text : std::string("—"); };
    auto number = [&](const char* k) { const auto* v = r.find(k); return v ? sig(std::stod(v->text)) : std::string("—"); };
    md << "| " << text("dataset") << " | " << text("backbone") << " | " << number("train_samples_per_sec") << " | "
       << number("infer_us_per_sample") << " | " << text("test_auc").substr(0, 6) << " | " << text("epochs") << " |\n";
  }
}

void prompt_rows(std::ostringstream& md, const Data& d) {
  if (d.prompt.empty()) return;
  md << "\n#### End to end: LLM prompt processing (bench_transformer)\n\n| case | tokens/s | GFLOP/s | % of roofline |\n"
        "|---|---|---|---|\n";
  for (const BenchRun* r : d.prompt)
    md << "| " << r->name << " | " << sig(r->counter("tokens/s")) << " | " << sig(r->counter("GFLOP/s")) << " | "
       << pct(r->counter("GFLOP/s") / r->counter("roofline_GFLOP/s")) << " |\n";
}

}  // namespace

int cmd_bench_report(int argc, char** argv) {
  Args a("llactr bench-report --json FILE.. [--train-results results.json] --out docs/PERFORMANCE.md");
  a.option("json", "", "Google Benchmark JSON output; further files may follow as plain arguments (a shell glob)")
      .option("train-results", "", "run_experiment results.json for the end-to-end training rows (optional)")
      .option("out", "docs/PERFORMANCE.md", "Markdown file whose bench-report section is rewritten")
      .option("plot-dir", "docs/plots", "where the SVG plots of time vs N go")
      .option("command", "make bench-full", "the command that produced the JSON, quoted in the report");
  if (!a.parse(argc, argv)) return 0;
  std::vector<std::string> paths{a.get("json")};
  if (paths[0].empty()) throw std::invalid_argument("--json FILE is required");
  for (const std::string& p : a.positional()) paths.push_back(p);
  std::vector<BenchFile> files;
  for (const std::string& p : paths) files.push_back(read_bench_json(p));
  const Data d = collect(files);
  if (d.points.empty()) throw std::invalid_argument("no Interaction/* cases in the given JSON files");

  std::ostringstream md;
  md << "_Generated by `./llactr bench-report` from the JSON of `" << a.get("command") << "`; edit the text outside "
     << "the markers, not this part._\n\n";
  const BenchFile& src = *d.source;
  md << "Run " << src.date << " on " << src.num_cpus << " CPUs at " << sig(src.mhz, 4) << " MHz";
  if (src.load_avg.size() == 3)
    md << ", load average at the start " << sig(src.load_avg[0]) << " / " << sig(src.load_avg[1]) << " / "
       << sig(src.load_avg[2]) << " (1 / 5 / 15 min)";
  md << ". Limits measured in the same process: GEMM roofline **" << sig(d.roofline) << " GFLOP/s**, STREAM triad **"
     << sig(d.bandwidth) << " GB/s**.\n";
  const std::string out = a.get("out");
  for (const std::string& svg_path : plots(d, a.get("plot-dir"))) {
    const auto rel = std::filesystem::relative(svg_path, std::filesystem::path(out).parent_path());
    md << "\n![" << std::filesystem::path(svg_path).stem().string() << "](" << rel.string() << ")\n";
  }
  fm_table(md, d);
  low_roofline_table(md, d);
  layer_tables(md, d);
  if (a.has("train-results") && !a.get("train-results").empty()) training_rows(md, a.get("train-results"));
  prompt_rows(md, d);

  std::string doc;
  if (std::ifstream in{out, std::ios::binary}) {
    std::stringstream ss;
    ss << in.rdbuf();
    doc = ss.str();
  }
  doc = replace_between_markers(doc, kBegin, kEnd, md.str());
  std::ofstream o(out, std::ios::binary);
  if (!(o << doc)) throw std::runtime_error(out + ": cannot write");
  std::printf("bench-report: %zu layer cases from %zu files -> %s\n", d.points.size(), files.size(), out.c_str());
  return 0;
}

}  // namespace llactr
