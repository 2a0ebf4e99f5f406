#include "llactr/apps/bench_results.h"

#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

#include "llactr/data/line_parsing.h"
#include "llactr/util/json.h"

namespace llactr {

double BenchRun::counter(const std::string& key) const {
  auto it = counters.find(key);
  return it == counters.end() ? NAN : it->second;
}

namespace {

// Numeric members of a benchmark entry that are Google Benchmark's own, not user counters.
const std::set<std::string> kBuiltin = {"family_index", "per_family_instance_index", "repetitions", "repetition_index",
                                        "threads", "iterations", "real_time", "cpu_time"};

double to_us(double t, const std::string& unit) {
  if (unit == "ns") return t / 1e3;
  if (unit == "us") return t;
  if (unit == "ms") return t * 1e3;
  if (unit == "s") return t * 1e6;
  throw std::invalid_argument("unknown time_unit '" + unit + "'");
}

const JsonValue& member(const JsonValue& v, const char* key, const std::string& where) {
  const JsonValue* m = v.find(key);
  if (!m) throw std::invalid_argument(where + " has no \"" + key + "\"");
  return *m;
}

}  // namespace

BenchFile read_bench_json(const std::string& path) {
  const std::string text = data::read_text_file(path, "a Google Benchmark JSON file (--benchmark_out)");
  BenchFile f;
  f.path = path;
  try {
    JsonValue doc = parse_json(text);
    const JsonValue& ctx = member(doc, "context", "the document");
    if (const auto* h = ctx.find("host_name")) f.host = h->text;
    if (const auto* d = ctx.find("date")) f.date = d->text;
    if (const auto* n = ctx.find("num_cpus")) f.num_cpus = std::stoi(n->text);
    if (const auto* m = ctx.find("mhz_per_cpu")) f.mhz = std::stod(m->text);
    if (const auto* l = ctx.find("load_avg"))
      for (const auto& x : l->items) f.load_avg.push_back(std::stod(x.text));
    const JsonValue& list = member(doc, "benchmarks", "the document");
    if (list.type != JsonValue::Type::Array) throw std::invalid_argument("\"benchmarks\" is not an array");
    for (size_t i = 0; i < list.items.size(); ++i) {
      const JsonValue& b = list.items[i];
      const std::string where = "benchmark " + std::to_string(i);
      if (const auto* t = b.find("run_type"); t && t->text != "iteration") continue;
      if (const auto* e = b.find("error_occurred"); e && e->text == "true") continue;
      BenchRun r;
      r.name = member(b, "name", where).text;
      r.time_us = to_us(std::stod(member(b, "real_time", where).text), member(b, "time_unit", where).text);
      for (const auto& [k, v] : b.members)
        if (v.type == JsonValue::Type::Number && !kBuiltin.count(k)) r.counters[k] = std::stod(v.text);
      f.runs.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return f;
}

bool parse_layer_case(const std::string& name, LayerPoint& out) {
  std::vector<std::string> parts;
  std::stringstream ss(name);
  for (std::string p; std::getline(ss, p, '/');) parts.push_back(p);
  if (parts.size() < 6 || parts[0] != "Interaction") return false;
  auto value = [&](const std::string& p, const char* key, int64_t& v) {
    const std::string k = std::string(key) + ":";
    if (p.compare(0, k.size(), k) != 0) return false;
    try {
      v = std::stoll(p.substr(k.size()));
    } catch (const std::exception&) {
      return false;
    }
    return true;
  };
  LayerPoint lp{parts[1], parts[2]};
  if (!value(parts[3], "B", lp.B) || !value(parts[4], "N", lp.N) || !value(parts[5], "D", lp.D)) return false;
  out = lp;
  return true;
}

std::string replace_between_markers(const std::string& doc, const std::string& begin, const std::string& end,
                                    const std::string& body) {
  const size_t b = doc.find(begin), e = doc.find(end);
  if (b == std::string::npos && e == std::string::npos)
    return doc + (doc.empty() || doc.back() == '\n' ? "" : "\n") + "\n" + begin + "\n" + body + end + "\n";
  if (b == std::string::npos || e == std::string::npos || e < b)
    throw std::runtime_error("markers '" + begin + "' and '" + end + "' must both be present, in that order");
  const size_t body_start = doc.find('\n', b);
  if (body_start == std::string::npos || body_start > e) throw std::runtime_error("'" + begin + "' must end its line");
  return doc.substr(0, body_start + 1) + body + doc.substr(e);
}

}  // namespace llactr
