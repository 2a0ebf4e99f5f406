#include "llactr/apps/results.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>

#include "llactr/data/line_parsing.h"
#include "llactr/util/json.h"

namespace llactr {

namespace {

std::string num(double v, const char* fmt = "%.17g") {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

template <class T>
void push_unique(std::vector<T>& v, const T& x) {
  for (const T& y : v)
    if (y == x) return;
  v.push_back(x);
}

struct Stats {
  double mean = 0, std = 0;
  size_t n = 0;
};

Stats stats(const std::vector<double>& xs) {
  Stats st;
  st.n = xs.size();
  if (xs.empty()) return st;
  for (double x : xs) st.mean += x;
  st.mean /= double(xs.size());
  if (xs.size() > 1) {
    for (double x : xs) st.std += (x - st.mean) * (x - st.mean);
    st.std = std::sqrt(st.std / double(xs.size() - 1));
  }
  return st;
}

// One metric over the seeds of (dataset, backbone, method).
std::vector<double> metric(const std::vector<RunRecord>& runs, const std::string& dataset, const std::string& backbone,
                           const std::string& method, double RunRecord::*field) {
  std::vector<double> xs;
  for (const RunRecord& r : runs)
    if (r.dataset == dataset && r.backbone == backbone && r.method == method) xs.push_back(r.*field);
  return xs;
}

// "0.7812" for one value, "0.7812 ± 0.0012" (sample std) for several, "–" for none.
std::string cell(const std::vector<double>& xs, const char* fmt = "%.4f") {
  if (xs.empty()) return "–";
  Stats st = stats(xs);
  return xs.size() == 1 ? num(st.mean, fmt) : num(st.mean, fmt) + " ± " + num(st.std, fmt);
}

// RelaImpr of the seed means, (AUC_m − 0.5) / (AUC_b − 0.5) − 1, as "+1.23%"; "–" when a side is missing.
std::string rela_impr(const std::vector<double>& auc_m, const std::vector<double>& auc_b) {
  if (auc_m.empty() || auc_b.empty()) return "–";
  return num(100 * ((stats(auc_m).mean - 0.5) / (stats(auc_b).mean - 0.5) - 1), "%+.2f") + "%";
}

// Cold-item columns appear only when some run has cold-item test rows (--split-mode cold-item).
bool has_cold_rows(const std::vector<RunRecord>& runs) {
  return std::any_of(runs.begin(), runs.end(), [](const RunRecord& r) { return r.test_cold_auc >= 0; });
}

std::string json_text(const JsonValue& v, const std::string& path, const std::string& key) {
  using T = JsonValue::Type;
  switch (v.type) {
    case T::Null: return "null";
    case T::String: return json_quote(v.text);
    case T::Number:
    case T::Bool: return v.text;
    default: throw std::runtime_error(path + ": run member \"" + key + "\" is an array or object (not a setting)");
  }
}

}  // namespace

const std::vector<std::string>& run_fields() {
  static const std::vector<std::string> names{
      "dataset",     "backbone", "method",        "seed",          "valid_auc",    "test_auc",
      "test_logloss", "test_gauc", "best_epoch",  "epochs",        "train_seconds", "train_samples_per_sec",
      "infer_us_per_sample", "llm_seconds", "llm_tokens", "test_cold_auc"};
  return names;
}

std::string results_json(const std::vector<RunRecord>& runs) {
  std::string s = "{\"runs\":[";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunRecord& r = runs[i];
    // A setting named like a run field or like another setting would write one key twice: JSON
    // readers then keep one of the two, and which one differs between readers.
    std::vector<std::string> keys = run_fields();
    for (const auto& [key, value] : r.settings) {
      if (std::find(keys.begin(), keys.end(), key) != keys.end())
        throw std::logic_error("results.json: the setting \"" + key + "\" of " + r.backbone + " " + r.method +
                               " has the name of a run field or of another setting");
      keys.push_back(key);
    }
    s += i ? ",\n " : "\n ";
    s += "{\"dataset\":" + json_quote(r.dataset) + ",\"backbone\":" + json_quote(r.backbone) +
         ",\"method\":" + json_quote(r.method) + ",\"seed\":" + std::to_string(r.seed) +
         ",\"valid_auc\":" + num(r.valid_auc) + ",\"test_auc\":" + num(r.test_auc) +
         ",\"test_logloss\":" + num(r.test_logloss) + ",\"test_gauc\":" + (r.test_gauc < 0 ? "null" : num(r.test_gauc)) +
         ",\"best_epoch\":" + std::to_string(r.best_epoch) + ",\"epochs\":" + std::to_string(r.epochs) +
         ",\"train_seconds\":" + num(r.train_seconds) + ",\"train_samples_per_sec\":" + num(r.train_samples_per_sec) +
         ",\"infer_us_per_sample\":" + num(r.infer_us_per_sample) + ",\"llm_seconds\":" + num(r.llm_seconds) +
         ",\"llm_tokens\":" + num(r.llm_tokens) +
         ",\"test_cold_auc\":" + (r.test_cold_auc < 0 ? "null" : num(r.test_cold_auc));
    for (const auto& [key, value] : r.settings) s += "," + json_quote(key) + ":" + value;
    s += "}";
  }
  return s + "\n]}\n";
}

std::string results_table(const std::vector<RunRecord>& runs) {
  std::vector<std::string> backbones, columns;  // column = "dataset (method)"
  for (const RunRecord& r : runs) {
    push_unique(backbones, r.backbone);
    push_unique(columns, r.dataset + " (" + r.method + ")");
  }
  const bool cold = has_cold_rows(runs);
  std::string s = "| Backbone |", rule = "|---|";
  for (const std::string& c : columns) {
    s += " " + c + " AUC | " + c + " Logloss | " + c + " gAUC |" + (cold ? " " + c + " cold AUC |" : "");
    rule += cold ? "---|---|---|---|" : "---|---|---|";
  }
  s += "\n" + rule + "\n";
  for (const std::string& b : backbones) {
    s += "| " + b + " |";
    for (const std::string& c : columns) {
      std::vector<double> a, l, g, ca;
      for (const RunRecord& r : runs)
        if (r.backbone == b && r.dataset + " (" + r.method + ")" == c) {
          a.push_back(r.test_auc);
          l.push_back(r.test_logloss);
          if (r.test_gauc >= 0) g.push_back(r.test_gauc);
          if (r.test_cold_auc >= 0) ca.push_back(r.test_cold_auc);
        }
      s += a.empty() ? " | | |" : " " + cell(a) + " | " + cell(l) + " | " + cell(g) + " |";
      if (cold) s += a.empty() ? " |" : " " + cell(ca) + " |";
    }
    s += "\n";
  }
  return s;
}

std::vector<RunRecord> parse_results_json(const std::string& text, const std::string& path) {
  JsonValue doc;
  try {
    doc = parse_json(text);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  const JsonValue* list = doc.find("runs");
  if (!list || list->type != JsonValue::Type::Array) throw std::runtime_error(path + ": no \"runs\" array");
  std::vector<RunRecord> runs;
  for (const JsonValue& o : list->items) {
    const std::string where = path + ": run " + std::to_string(runs.size() + 1);
    if (o.type != JsonValue::Type::Object) throw std::runtime_error(where + " is not an object");
    // A key twice: JSON readers keep one of the two, and which one differs between readers.
    for (size_t m = 0; m < o.members.size(); ++m)
      for (size_t k = 0; k < m; ++k)
        if (o.members[k].first == o.members[m].first)
          throw std::runtime_error(where + ": \"" + o.members[m].first +
                                   "\" appears twice (a per-backbone setting written under a run field's name by an "
                                   "older run_experiment?)");
    RunRecord r;
    auto str = [&](const char* k) -> std::string {
      const JsonValue* v = o.find(k);
      if (!v || v->type != JsonValue::Type::String) throw std::runtime_error(where + ": missing string \"" + std::string(k) + "\"");
      return v->text;
    };
    r.dataset = str("dataset"), r.backbone = str("backbone"), r.method = str("method");
    std::vector<std::pair<const char*, double*>> numbers{
        {"valid_auc", &r.valid_auc},         {"test_auc", &r.test_auc},
        {"test_logloss", &r.test_logloss},   {"train_seconds", &r.train_seconds},
        {"train_samples_per_sec", &r.train_samples_per_sec}, {"infer_us_per_sample", &r.infer_us_per_sample},
        {"llm_seconds", &r.llm_seconds},     {"llm_tokens", &r.llm_tokens}};
    for (auto& [key, dst] : numbers) {
      const JsonValue* v = o.find(key);
      if (!v) {
        // llm_seconds is absent in files written before LLaCTR, llm_tokens before ClickPrompt.
        if (std::string(key) == "llm_seconds" || std::string(key) == "llm_tokens") continue;
        throw std::runtime_error(where + ": missing \"" + key + "\"");
      }
      if (v->type != JsonValue::Type::Number) throw std::runtime_error(where + ": \"" + key + "\" is not a number");
      *dst = std::stod(v->text);
    }
    const JsonValue* g = o.find("test_gauc");
    r.test_gauc = g && g->type == JsonValue::Type::Number ? std::stod(g->text) : -1;
    const JsonValue* c = o.find("test_cold_auc");  // null, or absent in files written before it
    r.test_cold_auc = c && c->type == JsonValue::Type::Number ? std::stod(c->text) : -1;
    for (auto [key, dst] : {std::pair<const char*, int*>{"best_epoch", &r.best_epoch}, {"epochs", &r.epochs}}) {
      const JsonValue* v = o.find(key);
      if (!v || v->type != JsonValue::Type::Number) throw std::runtime_error(where + ": missing \"" + key + "\"");
      *dst = std::stoi(v->text);
    }
    const JsonValue* seed = o.find("seed");
    if (!seed || seed->type != JsonValue::Type::Number) throw std::runtime_error(where + ": missing \"seed\"");
    r.seed = std::stoull(seed->text);
    const std::vector<std::string>& known = run_fields();
    for (const auto& [key, value] : o.members)
      if (std::find(known.begin(), known.end(), key) == known.end())
        r.settings.emplace_back(key, json_text(value, path, key));
    runs.push_back(std::move(r));
  }
  return runs;
}

std::string comparison_table(const std::vector<RunRecord>& runs, const std::string& base) {
  std::vector<std::string> datasets, methods, backbones;
  for (const RunRecord& r : runs) {
    push_unique(datasets, r.dataset);
    if (r.method != base) push_unique(methods, r.method);
    push_unique(backbones, r.backbone);
  }
  // Cold-item columns (AUC on the test rows of items unseen in train, and its RelaImpr): what a
  // method carries to an item it never saw.
  const bool cold = has_cold_rows(runs);
  std::string s;
  for (const std::string& ds : datasets)
    for (const std::string& m : methods) {
      std::string rows;
      bool with_method = false;
      for (const std::string& b : backbones) {
        std::vector<double> auc_b = metric(runs, ds, b, base, &RunRecord::test_auc);
        std::vector<double> auc_m = metric(runs, ds, b, m, &RunRecord::test_auc);
        if (auc_b.empty()) continue;
        if (auc_m.empty()) {  // a base-only reference row (e.g. the reference backbone)
          rows += "| " + b + " | " + cell(auc_b) + " | – | – | " +
                  (cold ? cell(metric(runs, ds, b, base, &RunRecord::test_cold_auc)) + " | – | – | " : "") +
                  cell(metric(runs, ds, b, base, &RunRecord::test_logloss)) +
                  " | – | – | – | " + cell(metric(runs, ds, b, base, &RunRecord::train_seconds), "%.1f") + " | – | " +
                  cell(metric(runs, ds, b, base, &RunRecord::infer_us_per_sample), "%.2f") + " | – |\n";
          continue;
        }
        with_method = true;
        std::vector<double> mtok = metric(runs, ds, b, m, &RunRecord::llm_tokens);
        for (double& t : mtok) t /= 1e6;
        std::string cold_cells;
        if (cold) {
          const std::vector<double> cb = metric(runs, ds, b, base, &RunRecord::test_cold_auc),
                                    cm = metric(runs, ds, b, m, &RunRecord::test_cold_auc);
          cold_cells = cell(cb) + " | " + cell(cm) + " | " + rela_impr(cm, cb) + " | ";
        }
        rows += "| " + b + " | " + cell(auc_b) + " | " + cell(auc_m) + " | " + rela_impr(auc_m, auc_b) + " | " + cold_cells +
                cell(metric(runs, ds, b, base, &RunRecord::test_logloss)) + " | " +
                cell(metric(runs, ds, b, m, &RunRecord::test_logloss)) + " | " +
                cell(metric(runs, ds, b, m, &RunRecord::llm_seconds), "%.1f") + " | " + cell(mtok, "%.2f") + " | " +
                cell(metric(runs, ds, b, base, &RunRecord::train_seconds), "%.1f") + " | " +
                cell(metric(runs, ds, b, m, &RunRecord::train_seconds), "%.1f") + " | " +
                cell(metric(runs, ds, b, base, &RunRecord::infer_us_per_sample), "%.2f") + " | " +
                cell(metric(runs, ds, b, m, &RunRecord::infer_us_per_sample), "%.2f") + " |\n";
      }
      if (!with_method) continue;
      s += "### " + ds + ": " + base + " vs " + m + "\n\n";
      s += "| Backbone | AUC " + base + " | AUC " + m + " | RelaImpr | " +
           (cold ? "cold AUC " + base + " | cold AUC " + m + " | cold RelaImpr | " : "") + "Logloss " + base +
           " | Logloss " + m + " | LLM s | LLM Mtok | train s " + base + " | train s " + m + " | infer µs " + base +
           " | infer µs " + m + " |\n";
      s += std::string("|---|---|---|---|") + (cold ? "---|---|---|" : "") + "---|---|---|---|---|---|---|---|\n" + rows + "\n";
    }
  return s;
}

std::string validation_table(const std::vector<RunRecord>& runs) {
  std::vector<std::string> datasets, methods, backbones;
  for (const RunRecord& r : runs) {
    push_unique(datasets, r.dataset);
    push_unique(methods, r.method);
    push_unique(backbones, r.backbone);
  }
  std::string s;
  for (const std::string& ds : datasets) {
    s += "### " + ds + ": validation AUC (best in bold) and the test AUC of the method chosen on validation\n\n| Backbone |";
    for (const std::string& m : methods) s += " " + m + " |";
    s += " chosen | its test AUC |\n|---|";
    for (size_t i = 0; i < methods.size() + 2; ++i) s += "---|";
    s += "\n";
    for (const std::string& b : backbones) {
      std::string best;
      double best_auc = -1;
      for (const std::string& m : methods) {
        std::vector<double> v = metric(runs, ds, b, m, &RunRecord::valid_auc);
        if (!v.empty() && stats(v).mean > best_auc) best_auc = stats(v).mean, best = m;
      }
      if (best.empty()) continue;
      s += "| " + b + " |";
      for (const std::string& m : methods) {
        std::string c = cell(metric(runs, ds, b, m, &RunRecord::valid_auc));
        s += " " + (m == best ? "**" + c + "**" : c) + " |";
      }
      s += " " + best + " | " + cell(metric(runs, ds, b, best, &RunRecord::test_auc)) + " |\n";
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

std::vector<EpochRecord> parse_epochs_csv(const std::string& text, const std::string& path) {
  const std::string header = epochs_csv({});
  if (text.compare(0, header.size(), header) != 0)
    throw std::runtime_error(path + ": line 1: not an epochs.csv header (expected " + header.substr(0, header.size() - 1) + ")");
  std::vector<EpochRecord> epochs;
  size_t pos = header.size();
  for (int line = 2; pos < text.size(); ++line) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string row = text.substr(pos, end - pos);
    pos = end + 1;
    if (row.empty()) continue;
    const std::vector<std::string_view> f = data::split(row, ",");
    const std::string where = path + ": line " + std::to_string(line) + ": ";
    if (f.size() != 11) throw std::runtime_error(where + std::to_string(f.size()) + " columns, expected 11");
    auto number = [&](size_t i) {
      try {
        return data::parse_double(f[i], ("column " + std::to_string(i + 1)).c_str());
      } catch (const data::BadLine& bad) {
        throw std::runtime_error(where + bad.what());
      }
    };
    EpochRecord e;
    e.dataset = std::string(f[0]), e.backbone = std::string(f[1]), e.method = std::string(f[2]);
    e.seed = uint64_t(number(3)), e.epoch = int(number(4));
    e.train_loss = number(5), e.valid_auc = number(6), e.valid_logloss = number(7);
    e.lr = number(8), e.train_seconds = number(9), e.samples_per_sec = number(10);
    epochs.push_back(std::move(e));
  }
  return epochs;
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f.good()) throw std::runtime_error("cannot write " + path);
}

}  // namespace llactr
