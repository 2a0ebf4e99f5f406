// Labelled samples as text, before encoding: one row per sample with N cell texts (one per
// schema field), a 0/1 label and a timestamp. Every reader produces one.
//
// Each field's distinct texts are stored once and cells hold indices into them, because values
// repeat a lot (a user's gender on every one of their rows; an Amazon item's long description
// on every review of it) and the encoder can then count integers instead of hashing strings.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "llactr/data/line_parsing.h"

namespace llactr::data {

class RawTable {
 public:
  explicit RawTable(int num_fields);
  RawTable(RawTable&&) = default;
  RawTable& operator=(RawTable&&) = default;
  RawTable(const RawTable&) = delete;  // the lookup index holds views into values_

  // Appends a row; cells: [num_fields] texts, copied in (interned).
  void add_row(const std::string_view* cells, float label, int64_t timestamp);

  size_t rows() const { return labels_.size(); }
  int num_fields() const { return num_fields_; }
  float label(size_t row) const { return labels_[row]; }
  int64_t timestamp(size_t row) const { return timestamps_[row]; }
  // Index of the cell's text among values(field).
  uint32_t cell(size_t row, int field) const { return cells_[row * num_fields_ + field]; }
  const std::string& text(size_t row, int field) const { return fields_[field].values[cell(row, field)]; }
  size_t num_values(int field) const { return fields_[field].values.size(); }
  const std::string& value(int field, uint32_t index) const { return fields_[field].values[index]; }

  SkippedLines skipped;  // malformed lines the reader skipped (--skip-bad-lines)

 private:
  struct Column {
    std::deque<std::string> values;  // a deque never moves its elements, so the views below stay valid
    std::unordered_map<std::string_view, uint32_t> index;
  };
  int num_fields_;
  std::vector<Column> fields_;
  std::vector<uint32_t> cells_;  // [rows, num_fields]
  std::vector<float> labels_;
  std::vector<int64_t> timestamps_;
};

}  // namespace llactr::data
