#include "llactr/apps/options.h"

#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace llactr {

namespace {

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\r"));
  s.erase(s.find_last_not_of(" \t\r") + 1);
  return s;
}

}  // namespace

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<std::string> with_config(int argc, char** argv) {
  std::vector<std::string> args{argv[0]}, cli(argv + 1, argv + argc);
  std::string config;
  for (size_t i = 0; i < cli.size(); ++i) {
    if (cli[i] == "--config" && i + 1 < cli.size()) config = cli[i + 1];
    if (cli[i].rfind("--config=", 0) == 0) config = cli[i].substr(9);
  }
  if (!config.empty()) {
    std::ifstream f(config);
    if (!f) throw std::runtime_error("cannot open config file " + config);
    std::string line;
    for (int n = 1; std::getline(f, line); ++n) {
      line = line.substr(0, line.find('#'));
      if (trim(line).empty()) continue;
      auto eq = line.find('=');
      if (eq == std::string::npos) throw std::runtime_error(config + ":" + std::to_string(n) + ": expected key = value");
      std::string key = trim(line.substr(0, eq));
      if (key == "config") throw std::runtime_error(config + ":" + std::to_string(n) + ": a config cannot include another");
      args.push_back("--" + key + "=" + trim(line.substr(eq + 1)));
    }
  }
  args.insert(args.end(), cli.begin(), cli.end());
  return args;
}

long int_in(const Args& a, const std::string& name, long lo, long hi) {
  const long v = a.get_int(name);
  if (v < lo || v > hi)
    throw std::invalid_argument("--" + name + " must be in [" + std::to_string(lo) + ", " +
                                (hi == LONG_MAX ? std::string("∞") : std::to_string(hi)) + "], not " + std::to_string(v));
  return v;
}

double double_in(const Args& a, const std::string& name, double lo, double hi) {
  const double v = a.get_double(name);
  if (!(v >= lo && v <= hi)) {
    std::ostringstream s;
    s << "--" << name << " must be in [" << lo << ", " << hi << "], not " << a.get(name);
    throw std::invalid_argument(s.str());
  }
  return v;
}

void declare_data_options(Args& a) {
  a.option("dataset", "ml100k", "dataset format: ml100k, ml1m, amazon2023, csv")
      .option("data-dir", "", "dataset folder, only read (default data/ml-100k or data/ml-1m; `make data` fetches ML-100K)")
      .option("dataset-label", "", "the dataset's name in tables and caches (default: the format, e.g. ml100k)")
      .option("cache-dir", "data/cache", "where the encoded dataset is cached (\"\" = no cache)")
      .option("drop-fields", "", "comma-separated fields to leave out before the split and the vocabulary, e.g. ZipCode")
      .option("schema", "", "csv: the schema file (default DATA_DIR/schema.txt)")
      .option("descriptions", "", "file of 'Name<TAB>description' lines overriding the field descriptions")
      .option("split-mode", "chronological",
              "train/valid/test split: chronological, random, or cold-item (a 1 - train-ratio share of the items "
              "never in train; docs/DATA.md)")
      .option("train-ratio", "0.8", "fraction of samples in train")
      .option("valid-ratio", "0.1", "fraction in valid; test gets the rest")
      .option("split-seed", "2024", "seed of the random and cold-item splits")
      .option("min-count", "1", "values seen fewer times in train are out of vocabulary")
      .flag("skip-bad-lines", "skip malformed lines (and report how many) instead of failing");
}

data::DataOptions data_options(const Args& a) {
  data::DataOptions o;
  o.format = data::parse_data_format(a.get("dataset"));
  o.dir = a.has("data-dir") ? a.get("data-dir") : o.format == data::DataFormat::Ml1m ? "data/ml-1m" : "data/ml-100k";
  o.cache_dir = a.get("cache-dir");
  o.schema_file = a.has("schema") ? a.get("schema") : "";
  o.descriptions_file = a.has("descriptions") ? a.get("descriptions") : "";
  o.split = data::parse_split_mode(a.get("split-mode"));
  o.train_ratio = double_in(a, "train-ratio", 0, 1);
  o.valid_ratio = double_in(a, "valid-ratio", 0, 1);
  if (!(o.train_ratio > 0) || !(o.train_ratio + o.valid_ratio < 1))
    throw std::invalid_argument("--train-ratio must be > 0 and --train-ratio + --valid-ratio < 1 (test gets the rest)");
  o.seed = uint64_t(int_in(a, "split-seed", 0, LONG_MAX));
  o.min_count = int_in(a, "min-count", 1, LONG_MAX);
  o.skip_bad_lines = a.get_flag("skip-bad-lines");
  if (a.has("drop-fields")) o.drop_fields = split_commas(a.get("drop-fields"));
  if (!std::filesystem::exists(o.dir))
    throw std::runtime_error("dataset folder " + o.dir + " not found: run `make data` (set LLACTR_DATA_MIRROR to copy "
                             "from a local mirror), or pass --data-dir");
  if (!o.drop_fields.empty()) data::dataset_schema(o);  // an unknown name is an error before the data is read
  return o;
}

std::string dataset_label(const Args& a) {
  return a.has("dataset-label") ? a.get("dataset-label") : data::data_format_name(data::parse_data_format(a.get("dataset")));
}

void declare_llm_options(Args& a) {
  a.option("llm-model", "data/stories260K/stories260K.gguf", "the GGUF language model (llama or qwen2)");
}

std::string llm_model(const Args& a) {
  const std::string path = a.get("llm-model");
  methods::require_llm_model(path);
  return path;
}

void declare_ssft_options(Args& a) { declare_options(a, methods::ssft_option_list()); }

methods::SsftOptions ssft_options(const Args& a, const std::string& dataset_label) {
  return methods::ssft_options(option_values(a, methods::ssft_option_list()), dataset_label);
}

void declare_options(Args& a, const std::vector<Option>& options, const std::string& help_prefix) {
  for (const Option& o : options) {
    if (o.is_flag) a.flag(o.name, help_prefix + o.help);
    else a.option(o.name, o.default_value, help_prefix + o.help);
    for (const std::string& old_name : o.aliases) a.alias(old_name, o.name);
  }
}

OptionValues option_values(const Args& a, const std::vector<Option>& options) {
  std::map<std::string, std::string> values;
  for (const Option& o : options)
    if (o.is_flag) values[o.name] = a.get_flag(o.name) ? "1" : "";
    else if (a.has(o.name)) values[o.name] = a.get(o.name);  // an option without a default may be absent
  return OptionValues(std::move(values));
}

void declare_method_options(Args& a) {
  for (const methods::MethodEntry& m : methods::method_table()) declare_options(a, m.options, std::string(m.name) + ": ");
}

OptionValues method_options(const Args& a, const methods::MethodEntry& method) { return option_values(a, method.options); }

}  // namespace llactr
