// Train / valid / test: which rows of a RawTable go where, and the encoded rows themselves.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "llactr/data/raw_table.h"

namespace llactr::data {

enum class SplitMode {
  Chronological,  // stable sort by timestamp (ties keep file order), then cut
  Random,         // seeded shuffle, then cut
  // Items unseen in train: a seeded (1 - train_ratio) share of the item field's values is cold.
  // The warm items' rows are shuffled and cut as Random; the cold items' rows are shuffled and
  // cut between valid and test in the ratio valid : test, so test holds warm and cold rows and no
  // cold item reaches train.
  ColdItem,
};
// "chronological", "random", "cold-item"
const char* split_mode_name(SplitMode m);
// The inverse; throws std::invalid_argument naming the text and the modes.
SplitMode parse_split_mode(const std::string& name);

struct SplitRows {
  std::vector<size_t> train, valid, test;  // row indices into the RawTable, in split order
};

// Sizes floor(train_ratio * n), floor(valid_ratio * n), and the rest for test (computed in
// double as the LLaCTR code does, so the counts match it). Throws std::invalid_argument for
// ratios outside 0 < train, 0 <= valid, train + valid <= 1, and for ColdItem without an item
// field (item_field < 0).
SplitRows split_rows(const RawTable& table, SplitMode mode, double train_ratio, double valid_ratio, uint64_t seed,
                     int item_field = -1);

// One encoded split: GLOBAL feature ids (see Encoder) and labels.
struct Split {
  int num_fields = 0;
  std::vector<int32_t> ids;   // [n, num_fields] row-major
  std::vector<float> labels;  // [n], 0 or 1
  // Optional per-row dense features that are not ids (ELEC's cached LLM vectors); the Batcher
  // carries them into each Batch. Empty with dense_dim 0 for the plain backbones.
  int dense_dim = 0;
  std::vector<float> dense;   // [n, dense_dim] row-major
  // The file's text of every out-of-vocabulary cell (its id is its field's OOV row): the embedding
  // sees one OOV row for all of them, but an instance text shows the value itself, so an LLM can
  // read a cold item's name. Sorted by cell = row * num_fields + field.
  std::vector<uint64_t> oov_cells;
  std::vector<std::string> oov_texts;  // [oov_cells.size()]

  size_t size() const { return labels.size(); }
  const int32_t* row(size_t i) const { return ids.data() + i * num_fields; }
  size_t num_positive() const;
  // The file's text of cell (row, field) when it is out of vocabulary; nullptr when it is not.
  const std::string* oov_text(size_t row, int field) const;
  // Appends row i of `from` (same num_fields and dense_dim): ids, label, dense values, OOV texts.
  void append_row(const Split& from, size_t i);
};

}  // namespace llactr::data
