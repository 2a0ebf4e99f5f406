#include "llactr/apps/experiment_resume.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "llactr/data/line_parsing.h"

namespace llactr {

namespace {

const std::set<std::string> kNotCompared = {"out",  "config", "quiet", "resume", "stop-after-epochs",
                                            "save-checkpoints", "aggregate"};

std::string options_file(const std::string& out) { return out + "/options.cfg"; }

}  // namespace

std::map<std::string, std::string> recorded_options(const Args& a, const BackboneOverrides& overrides) {
  std::map<std::string, std::string> all;
  for (const auto& [name, value] : a.values())
    if (!kNotCompared.count(name)) all[name] = value;
  for (const auto& [backbone, list] : overrides.per_backbone)
    for (const std::string& o : list) {  // "--key=value"
      const size_t eq = o.find('=');
      all[backbone + "." + o.substr(2, eq - 2)] = o.substr(eq + 1);
    }
  return all;
}

void write_recorded_options(const std::string& out, const std::map<std::string, std::string>& options) {
  std::string text =
      "# The options of the experiment in this folder (a config file for --config); run_experiment --resume\n"
      "# continues it only with the same values.\n";
  for (const auto& [name, value] : options) text += name + " = " + value + "\n";
  write_text_file(options_file(out), text);
}

void check_recorded_options(const std::string& out, const std::map<std::string, std::string>& options) {
  const std::string path = options_file(out);
  if (!std::filesystem::exists(path))
    throw std::invalid_argument("--resume: " + out + " holds no experiment to resume (no options.cfg; run_experiment "
                                "writes it once the data has loaded)");
  std::map<std::string, std::string> recorded;
  const std::string text = data::read_text_file(path, "written by run_experiment when the experiment started");
  size_t line_no = 0;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find(" = ");
    if (eq == std::string::npos)
      throw std::invalid_argument(path + ":" + std::to_string(line_no) + ": not a `key = value` line");
    recorded[line.substr(0, eq)] = line.substr(eq + 3);
  }
  // The shared options first, then the backbones' own ("Name.key"): the first that differs is named.
  std::vector<std::string> names;
  for (const auto& entry : recorded) names.push_back(entry.first);
  for (const auto& entry : options)
    if (!recorded.count(entry.first)) names.push_back(entry.first);
  std::stable_sort(names.begin(), names.end(), [](const std::string& x, const std::string& y) {
    return (x.find('.') != std::string::npos) < (y.find('.') != std::string::npos);
  });
  for (const std::string& name : names) {
    const auto then = recorded.find(name);
    const auto now = options.find(name);
    const std::string a = then == recorded.end() ? "none" : "'" + then->second + "'";
    const std::string b = now == options.end() ? "none" : "'" + now->second + "'";
    if (a != b)
      throw std::invalid_argument("--resume: " + path + " records " + (name.find('.') == std::string::npos ? "--" : "") +
                                  name + " = " + a + ", this run has " + b +
                                  "; resume with the same options, or give another --out");
  }
}

bool RecordedRuns::has(const std::string& dataset, const std::string& backbone, uint64_t seed,
                       const std::vector<std::string>& rows) const {
  return std::all_of(rows.begin(), rows.end(), [&](const std::string& row) {
    return std::any_of(runs.begin(), runs.end(), [&](const RunRecord& r) {
      return r.dataset == dataset && r.backbone == backbone && r.seed == seed && r.method == row;
    });
  });
}

RecordedRuns read_recorded_runs(const std::string& out) {
  RecordedRuns r;
  const std::string runs = out + "/results.json", log = out + "/epochs.csv";
  if (std::filesystem::exists(runs))
    r.runs = parse_results_json(data::read_text_file(runs, "the runs run_experiment recorded"), runs);
  if (std::filesystem::exists(log))
    r.epochs = parse_epochs_csv(data::read_text_file(log, "the epoch logs run_experiment recorded"), log);
  return r;
}

std::string run_state_dir(const std::string& out, const std::string& dataset, const std::string& backbone,
                          const std::string& method, uint64_t seed) {
  return out + "/state/" + dataset + "_" + backbone + "_" + method + "_s" + std::to_string(seed);
}

}  // namespace llactr
