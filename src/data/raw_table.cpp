#include "llactr/data/raw_table.h"

namespace llactr::data {

RawTable::RawTable(int num_fields) : num_fields_(num_fields), fields_(num_fields) {}

void RawTable::add_row(const std::string_view* cells, float label, int64_t timestamp) {
  for (int k = 0; k < num_fields_; ++k) {
    Column& col = fields_[k];
    auto it = col.index.find(cells[k]);
    if (it == col.index.end()) {
      col.values.emplace_back(cells[k]);
      it = col.index.emplace(col.values.back(), uint32_t(col.values.size() - 1)).first;
    }
    cells_.push_back(it->second);
  }
  labels_.push_back(label);
  timestamps_.push_back(timestamp);
}

}  // namespace llactr::data
