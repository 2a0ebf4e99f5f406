#include "llactr/apps/result_plots.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace llactr {

svg::BarChart auc_bar_chart(const std::vector<RunRecord>& runs, const std::string& dataset) {
  svg::BarChart c;
  c.title = dataset + ": test AUC per backbone";
  c.y_label = "test AUC";
  std::vector<std::string> backbones;
  for (const RunRecord& r : runs) {
    if (r.dataset != dataset) continue;
    if (std::find(backbones.begin(), backbones.end(), r.backbone) == backbones.end()) backbones.push_back(r.backbone);
    if (std::find(c.series_names.begin(), c.series_names.end(), r.method) == c.series_names.end())
      c.series_names.push_back(r.method);
  }
  if (backbones.empty()) throw std::invalid_argument("auc_bar_chart: no runs for dataset " + dataset);
  double lowest = 1;
  bool seeds = false;
  for (const std::string& b : backbones) {
    svg::BarGroup g{b, {}, {}};
    for (const std::string& m : c.series_names) {
      std::vector<double> xs;
      for (const RunRecord& r : runs)
        if (r.dataset == dataset && r.backbone == b && r.method == m) xs.push_back(r.test_auc);
      double mean = 0, var = 0;
      for (double x : xs) mean += x;
      mean = xs.empty() ? 0 : mean / double(xs.size());
      for (double x : xs) var += (x - mean) * (x - mean);
      g.values.push_back(mean);
      g.errors.push_back(xs.size() > 1 ? std::sqrt(var / double(xs.size() - 1)) : 0);
      seeds = seeds || xs.size() > 1;
      if (!xs.empty()) lowest = std::min(lowest, mean - g.errors.back());
    }
    c.groups.push_back(g);
  }
  if (!seeds)
    for (svg::BarGroup& g : c.groups) g.errors.clear();
  // AUCs differ in the second decimal: start the axis just below the lowest bar.
  c.y_min = std::floor((lowest - 0.02) * 50) / 50;
  return c;
}

svg::LineChart valid_auc_chart(const std::vector<EpochRecord>& epochs, const std::string& dataset, uint64_t seed) {
  svg::LineChart c;
  c.title = dataset + ": validation AUC per epoch (seed " + std::to_string(seed) + ")";
  c.x_label = "epoch";
  c.y_label = "validation AUC";
  // One colour per backbone; the base run solid, the other methods dashed in the same colour.
  std::vector<std::string> backbones;
  for (const EpochRecord& e : epochs) {
    if (e.dataset != dataset || e.seed != seed) continue;
    const std::string name = e.backbone + " " + e.method;
    auto it = std::find_if(c.series.begin(), c.series.end(), [&](const svg::Series& s) { return s.name == name; });
    if (it == c.series.end()) {
      auto b = std::find(backbones.begin(), backbones.end(), e.backbone);
      if (b == backbones.end()) b = backbones.insert(b, e.backbone);
      it = c.series.insert(c.series.end(), svg::Series{name, {}, {}, int(b - backbones.begin()), e.method != "base"});
    }
    it->x.push_back(e.epoch);
    it->y.push_back(e.valid_auc);
  }
  return c;
}

}  // namespace llactr
