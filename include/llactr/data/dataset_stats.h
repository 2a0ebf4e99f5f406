// Summary numbers of an encoded dataset, as `./llactr data stats` prints them.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "llactr/data/dataset.h"

namespace llactr::data {

struct FieldStats {
  std::string name, description;
  int32_t vocab_size = 0;        // including the OOV id
  double oov_rate_valid = 0;     // fraction of valid rows whose value is out of vocabulary
  double oov_rate_test = 0;
  std::vector<std::pair<std::string, int64_t>> top_values;  // up to 3 most frequent in train, with counts
};

struct DatasetStats {
  size_t samples = 0, positives = 0;
  size_t train = 0, valid = 0, test = 0;
  int32_t total_vocab = 0;
  std::vector<FieldStats> fields;
};

DatasetStats compute_stats(const Dataset& d);

}  // namespace llactr::data
