#include "llactr/data/split.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "llactr/tensor/shuffle.h"

namespace llactr::data {

const char* split_mode_name(SplitMode m) {
  switch (m) {
    case SplitMode::Chronological: return "chronological";
    case SplitMode::Random: return "random";
    case SplitMode::ColdItem: return "cold-item";
  }
  return "?";
}

SplitMode parse_split_mode(const std::string& name) {
  for (SplitMode m : {SplitMode::Chronological, SplitMode::Random, SplitMode::ColdItem})
    if (name == split_mode_name(m)) return m;
  throw std::invalid_argument("--split-mode must be chronological, random or cold-item, not '" + name + "'");
}

namespace {
// Appends order[0 .. n) cut by the ratios: floor(train·n) rows to train, floor(valid·n) to valid, the rest to test.
void cut(const std::vector<size_t>& order, double train_ratio, double valid_ratio, SplitRows& s) {
  const size_t n = order.size();
  const size_t n_train = static_cast<size_t>(train_ratio * double(n));
  const size_t n_valid = std::min(static_cast<size_t>(valid_ratio * double(n)), n - n_train);
  s.train.insert(s.train.end(), order.begin(), order.begin() + long(n_train));
  s.valid.insert(s.valid.end(), order.begin() + long(n_train), order.begin() + long(n_train + n_valid));
  s.test.insert(s.test.end(), order.begin() + long(n_train + n_valid), order.end());
}
}  // namespace

SplitRows split_rows(const RawTable& table, SplitMode mode, double train_ratio, double valid_ratio, uint64_t seed,
                     int item_field) {
  if (!(train_ratio > 0) || !(valid_ratio >= 0) || !(train_ratio + valid_ratio <= 1))
    throw std::invalid_argument("split ratios must satisfy 0 < train, 0 <= valid, train + valid <= 1 (got train " +
                                std::to_string(train_ratio) + ", valid " + std::to_string(valid_ratio) + ")");
  if (mode == SplitMode::ColdItem && (item_field < 0 || item_field >= table.num_fields()))
    throw std::invalid_argument("--split-mode cold-item needs a dataset with an item field (the CSV schema's 'item' line)");
  const size_t n = table.rows();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t(0));
  std::mt19937_64 rng(seed);
  SplitRows s;
  if (mode == SplitMode::Chronological) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return table.timestamp(a) < table.timestamp(b); });
  } else {
    seeded_shuffle(order, rng);
  }
  if (mode != SplitMode::ColdItem) {
    cut(order, train_ratio, valid_ratio, s);
    return s;
  }
  // cold[v]: whether value v of the item field is one of the (1 - train_ratio) share of cold items
  std::vector<uint32_t> items(table.num_values(item_field));
  std::iota(items.begin(), items.end(), uint32_t(0));
  seeded_shuffle(items, rng);
  std::vector<char> cold(items.size(), 0);
  const size_t n_cold = items.size() - static_cast<size_t>(train_ratio * double(items.size()));
  for (size_t i = 0; i < n_cold; ++i) cold[items[i]] = 1;
  std::vector<size_t> warm_rows, cold_rows;
  for (size_t r : order) (cold[table.cell(r, item_field)] ? cold_rows : warm_rows).push_back(r);
  cut(warm_rows, train_ratio, valid_ratio, s);
  const double held_out = 1.0 - train_ratio;  // cold rows: valid gets valid / (valid + test) of them
  cut(cold_rows, 0.0, held_out > 0 ? valid_ratio / held_out : 0.0, s);
  return s;
}

size_t Split::num_positive() const {
  size_t p = 0;
  for (float y : labels) p += y > 0.5f;
  return p;
}

const std::string* Split::oov_text(size_t row, int field) const {
  const uint64_t cell = uint64_t(row) * uint64_t(num_fields) + uint64_t(field);
  const auto it = std::lower_bound(oov_cells.begin(), oov_cells.end(), cell);
  return it != oov_cells.end() && *it == cell ? &oov_texts[size_t(it - oov_cells.begin())] : nullptr;
}

void Split::append_row(const Split& from, size_t i) {
  if (from.num_fields != num_fields || from.dense_dim != dense_dim)
    throw std::invalid_argument("append_row: the splits' shapes differ");
  const size_t N = size_t(num_fields), D = size_t(dense_dim), to = size();
  ids.insert(ids.end(), from.row(i), from.row(i) + N);
  labels.push_back(from.labels[i]);
  dense.insert(dense.end(), from.dense.begin() + i * D, from.dense.begin() + (i + 1) * D);
  for (int k = 0; k < num_fields; ++k)
    if (const std::string* t = from.oov_text(i, k)) {
      oov_cells.push_back(uint64_t(to) * N + uint64_t(k));  // rows only ever append: the list stays sorted
      oov_texts.push_back(*t);
    }
}

}  // namespace llactr::data
