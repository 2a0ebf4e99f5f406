#include "llactr/data/dataset.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "llactr/data/amazon_reader.h"
#include "llactr/data/csv_reader.h"
#include "llactr/data/dataset_cache.h"
#include "llactr/data/movielens_reader.h"

namespace llactr::data {
namespace {

std::string csv_schema_path(const DataOptions& o) {
  return o.schema_file.empty() ? o.dir + "/schema.txt" : o.schema_file;
}

// A CTR split needs rows of both classes (AUC is undefined otherwise).
void check_split(const char* name, const Split& s, const DataOptions& o) {
  std::string where = std::string(name) + " split";
  std::string ratios = " (ratios train " + std::to_string(o.train_ratio) + ", valid " + std::to_string(o.valid_ratio) + ")";
  if (s.size() == 0) throw std::runtime_error(where + " is empty" + ratios + "; use more data or other ratios");
  size_t pos = s.num_positive();
  if (pos == 0 || pos == s.size())
    throw std::runtime_error(where + " has a single label class (" + std::to_string(s.size()) + " rows, all " +
                             (pos ? "positive" : "negative") + ")" + ratios + "; CTR metrics need both classes");
}

std::string missing_data_hint(DataFormat f) {
  switch (f) {
    case DataFormat::Ml1m: return "run `make data-ml1m`, or pass --dir to a folder with ratings.dat, users.dat, movies.dat";
    case DataFormat::Ml100k: return "run `make data`, or pass --dir to a folder with u.data, u.user, u.item";
    case DataFormat::Amazon2023: return "download the category's reviews and meta_ JSON-lines from https://amazon-reviews-2023.github.io/";
    case DataFormat::Csv: return "check the 'file' line of the schema file";
  }
  return "";
}

Schema full_schema(const DataOptions& o) {
  Schema s;
  switch (o.format) {
    case DataFormat::Ml1m: s = ml1m_schema(); break;
    case DataFormat::Ml100k: s = ml100k_schema(); break;
    case DataFormat::Amazon2023: s = amazon2023_schema(); break;
    case DataFormat::Csv: s = read_csv_schema(csv_schema_path(o)).schema; break;
  }
  if (!o.descriptions_file.empty()) apply_descriptions_file(s, o.descriptions_file);
  return s;
}

// Indices of the fields that stay after o.drop_fields, in schema order.
std::vector<int> kept_fields(const Schema& s, const DataOptions& o) {
  std::string names;
  for (const Field& f : s.fields) names += (names.empty() ? "" : ", ") + f.name;
  for (const std::string& name : o.drop_fields)
    if (s.index_of(name) < 0)
      throw std::invalid_argument("cannot drop field '" + name + "': the " + data_format_name(o.format) +
                                  " fields are " + names);
  std::vector<int> keep;
  for (int k = 0; k < s.num_fields(); ++k)
    if (std::find(o.drop_fields.begin(), o.drop_fields.end(), s.fields[size_t(k)].name) == o.drop_fields.end())
      keep.push_back(k);
  if (keep.empty()) throw std::invalid_argument("dropping " + names + " leaves no field");
  return keep;
}

}  // namespace

DataFormat parse_data_format(const std::string& name) {
  if (name == "ml1m") return DataFormat::Ml1m;
  if (name == "ml100k") return DataFormat::Ml100k;
  if (name == "amazon2023") return DataFormat::Amazon2023;
  if (name == "csv") return DataFormat::Csv;
  throw std::invalid_argument("unknown data format '" + name + "' (ml1m, ml100k, amazon2023, csv)");
}

const char* data_format_name(DataFormat f) {
  switch (f) {
    case DataFormat::Ml1m: return "ml1m";
    case DataFormat::Ml100k: return "ml100k";
    case DataFormat::Amazon2023: return "amazon2023";
    case DataFormat::Csv: return "csv";
  }
  return "?";
}

Schema dataset_schema(const DataOptions& o) {
  const Schema full = full_schema(o);
  if (o.drop_fields.empty()) return full;
  Schema s;
  for (int k : kept_fields(full, o)) {
    if (k == full.user_field) s.user_field = s.num_fields();
    if (k == full.item_field) s.item_field = s.num_fields();
    s.fields.push_back(full.fields[size_t(k)]);
  }
  return s;
}

std::vector<std::string> dataset_source_files(const DataOptions& o) {
  switch (o.format) {
    case DataFormat::Ml1m: return ml1m_files(o.dir);
    case DataFormat::Ml100k: return ml100k_files(o.dir);
    case DataFormat::Amazon2023: return amazon2023_files(o.dir);
    case DataFormat::Csv: return {csv_schema_path(o), read_csv_schema(csv_schema_path(o)).file};
  }
  return {};
}

RawTable read_raw_table(const DataOptions& o) {
  RawTable t = [&] {
    switch (o.format) {
      case DataFormat::Ml1m: return read_ml1m(o.dir, o.skip_bad_lines);
      case DataFormat::Ml100k: return read_ml100k(o.dir, o.skip_bad_lines);
      case DataFormat::Amazon2023: return read_amazon2023(o.dir, o.skip_bad_lines);
      case DataFormat::Csv: return read_csv(read_csv_schema(csv_schema_path(o)), o.skip_bad_lines);
    }
    throw std::logic_error("unknown format");
  }();
  if (o.drop_fields.empty()) return t;
  const std::vector<int> keep = kept_fields(full_schema(o), o);
  RawTable kept(int(keep.size()));
  std::vector<std::string_view> cells(keep.size());
  for (size_t r = 0; r < t.rows(); ++r) {
    for (size_t j = 0; j < keep.size(); ++j) cells[j] = t.text(r, keep[j]);
    kept.add_row(cells.data(), t.label(r), t.timestamp(r));
  }
  kept.skipped = t.skipped;
  return kept;
}

Dataset encode_dataset(Schema schema, const RawTable& table, const DataOptions& o) {
  if (schema.num_fields() != table.num_fields()) throw std::logic_error("schema and table disagree on the field count");
  SplitRows rows = split_rows(table, o.split, o.train_ratio, o.valid_ratio, o.seed, schema.item_field);
  Dataset d;
  d.schema = std::move(schema);
  d.encoder = Encoder::build(table, rows.train, o.min_count);
  d.train = d.encoder.encode(table, rows.train);
  d.valid = d.encoder.encode(table, rows.valid);
  d.test = d.encoder.encode(table, rows.test);
  d.skipped_lines = table.skipped.count;
  d.first_skipped_line = table.skipped.first;
  check_split("train", d.train, o);
  check_split("valid", d.valid, o);
  check_split("test", d.test, o);
  return d;
}

Dataset load_dataset(const DataOptions& o) {
  if (o.dir.empty() && (o.format != DataFormat::Csv || o.schema_file.empty()))
    throw std::invalid_argument("no dataset folder given (--dir)");
  Schema schema = dataset_schema(o);
  for (const auto& f : dataset_source_files(o))
    if (!std::filesystem::is_regular_file(f)) throw std::runtime_error("missing " + f + ": " + missing_data_hint(o.format));
  std::string cache_path, key;
  if (!o.cache_dir.empty()) {
    cache_path = dataset_cache_path(o);
    key = dataset_cache_key(o, schema, dataset_source_files(o));
    Dataset cached;
    if (load_cached_dataset(cache_path, key, cached)) {
      cached.schema = std::move(schema);
      cached.from_cache = true;
      cached.cache_file = cache_path;
      return cached;
    }
  }
  Dataset d = encode_dataset(std::move(schema), read_raw_table(o), o);
  if (!cache_path.empty()) {
    try {
      save_cached_dataset(cache_path, key, d);
      d.cache_file = cache_path;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "warning: dataset cache not written (%s); the next run parses again\n", e.what());
    }
  }
  return d;
}

}  // namespace llactr::data
