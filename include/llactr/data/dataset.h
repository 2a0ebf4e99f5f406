// The data layer's entry point: read a dataset folder, split it, build the vocabulary on train,
// encode the three splits, and cache the result so the next run skips parsing.
//
//   DataOptions o;  o.format = DataFormat::Ml1m;  o.dir = "data/ml-1m";
//   Dataset d = load_dataset(o);
//   d.train.ids;  // [n, N] global ids, N = d.schema.num_fields(); rows for an embedding table
//                 // of d.encoder.total_vocab() rows
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "llactr/data/encoder.h"
#include "llactr/data/raw_table.h"
#include "llactr/data/schema.h"
#include "llactr/data/split.h"

namespace llactr::data {

enum class DataFormat { Ml1m, Ml100k, Amazon2023, Csv };
DataFormat parse_data_format(const std::string& name);  // "ml1m", "ml100k", "amazon2023", "csv"
const char* data_format_name(DataFormat f);

struct DataOptions {
  DataFormat format = DataFormat::Ml100k;
  std::string dir;                // the dataset folder (only read, never written)
  std::string schema_file;        // csv only; default <dir>/schema.txt
  std::string descriptions_file;  // optional "Name<TAB>description" overrides
  SplitMode split = SplitMode::Chronological;
  double train_ratio = 0.8;
  double valid_ratio = 0.1;  // test gets the rest
  uint64_t seed = 2024;      // used by SplitMode::Random and ColdItem
  int64_t min_count = 1;
  std::string cache_dir = "data/cache";  // relative to the working directory; "" = no cache
  bool skip_bad_lines = false;
  // Fields left out before splitting and encoding (e.g. {"ZipCode"}); each must be a field of the
  // format's schema, and at least one field must stay.
  std::vector<std::string> drop_fields;
};

struct Dataset {
  Schema schema;
  Encoder encoder;
  Split train, valid, test;
  size_t skipped_lines = 0;        // malformed lines skipped (skip_bad_lines)
  std::string first_skipped_line;  // "file:line: reason" of the first one
  bool from_cache = false;
  std::string cache_file;  // "" when the cache is off or could not be written

  size_t num_samples() const { return train.size() + valid.size() + test.size(); }
  size_t num_positive() const { return train.num_positive() + valid.num_positive() + test.num_positive(); }
};

// Throws std::runtime_error with a clear message for a missing file (saying what to run), a
// malformed line (file:line: reason), an empty split or a split with a single label class.
// A cache that cannot be written is only a warning on stderr.
Dataset load_dataset(const DataOptions& options);

// The schema load_dataset uses (defaults per format, or the CSV schema file; descriptions file
// applied; drop_fields left out). Throws std::invalid_argument naming a drop_fields entry the
// schema lacks, so options can be checked before any data is read.
Schema dataset_schema(const DataOptions& options);
// The files load_dataset reads for these options.
std::vector<std::string> dataset_source_files(const DataOptions& options);
// The raw table the options' reader produces, without the drop_fields columns (no split, no encoding).
RawTable read_raw_table(const DataOptions& options);
// Split + vocabulary + encoding of an already-read table (load_dataset without files or cache).
Dataset encode_dataset(Schema schema, const RawTable& table, const DataOptions& options);

}  // namespace llactr::data
