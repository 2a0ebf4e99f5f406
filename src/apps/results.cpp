#include "llactr/apps/results.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>

#include "llactr/data/json.h"

namespace llactr {

namespace {

std::string num(double v, const char* fmt = "%.17g") {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// "0.7812" for one value, "0.7812 ± 0.0012" (sample std) for several.
std::string mean_std(const std::vector<double>& xs) {
  double m = 0;
  for (double x : xs) m += x;
  m /= double(xs.size());
  if (xs.size() == 1) return num(m, "%.4f");
  double v = 0;
  for (double x : xs) v += (x - m) * (x - m);
  return num(m, "%.4f") + " ± " + num(std::sqrt(v / double(xs.size() - 1)), "%.4f");
}

template <class T>
void push_unique(std::vector<T>& v, const T& x) {
  for (const T& y : v)
    if (y == x) return;
  v.push_back(x);
}

}  // namespace

std::string results_json(const std::vector<RunRecord>& runs) {
  std::string s = "{\"runs\":[";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunRecord& r = runs[i];
    s += i ? ",\n " : "\n ";
    s += "{\"dataset\":" + data::json_quote(r.dataset) + ",\"backbone\":" + data::json_quote(r.backbone) +
         ",\"method\":" + data::json_quote(r.method) + ",\"seed\":" + std::to_string(r.seed) +
         ",\"valid_auc\":" + num(r.valid_auc) + ",\"test_auc\":" + num(r.test_auc) +
         ",\"test_logloss\":" + num(r.test_logloss) + ",\"test_gauc\":" + (r.test_gauc < 0 ? "null" : num(r.test_gauc)) +
         ",\"best_epoch\":" + std::to_string(r.best_epoch) + ",\"epochs\":" + std::to_string(r.epochs) +
         ",\"train_seconds\":" + num(r.train_seconds) + ",\"train_samples_per_sec\":" + num(r.train_samples_per_sec) +
         ",\"infer_us_per_sample\":" + num(r.infer_us_per_sample) + "}";
  }
  return s + "\n]}\n";
}

std::string results_table(const std::vector<RunRecord>& runs) {
  std::vector<std::string> backbones, columns;  // column = "dataset (method)"
  for (const RunRecord& r : runs) {
    push_unique(backbones, r.backbone);
    push_unique(columns, r.dataset + " (" + r.method + ")");
  }
  std::string s = "| Backbone |", rule = "|---|";
  for (const std::string& c : columns) {
    s += " " + c + " AUC | " + c + " Logloss | " + c + " gAUC |";
    rule += "---|---|---|";
  }
  s += "\n" + rule + "\n";
  for (const std::string& b : backbones) {
    s += "| " + b + " |";
    for (const std::string& c : columns) {
      std::vector<double> a, l, g;
      for (const RunRecord& r : runs)
        if (r.backbone == b && r.dataset + " (" + r.method + ")" == c) {
          a.push_back(r.test_auc);
          l.push_back(r.test_logloss);
          if (r.test_gauc >= 0) g.push_back(r.test_gauc);
        }
      s += a.empty() ? " | | |" : " " + mean_std(a) + " | " + mean_std(l) + " | " + (g.empty() ? "–" : mean_std(g)) + " |";
    }
    s += "\n";
  }
  return s;
}

std::string epochs_csv(const std::vector<EpochRecord>& epochs) {
  std::string s = "dataset,backbone,method,seed,epoch,train_loss,valid_auc,valid_logloss,lr,train_seconds,samples_per_sec\n";
  for (const EpochRecord& e : epochs)
    s += e.dataset + "," + e.backbone + "," + e.method + "," + std::to_string(e.seed) + "," + std::to_string(e.epoch) +
         "," + num(e.train_loss, "%.6f") + "," + num(e.valid_auc, "%.6f") + "," + num(e.valid_logloss, "%.6f") + "," +
         num(e.lr, "%g") + "," + num(e.train_seconds, "%.3f") + "," + num(e.samples_per_sec, "%.0f") + "\n";
  return s;
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f.good()) throw std::runtime_error("cannot write " + path);
}

}  // namespace llactr
