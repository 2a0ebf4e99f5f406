// Feature vocabulary: text values <-> integer ids, built on the train split only.
//
// Per field k, local id 0 is out-of-vocabulary (values unseen in train, or seen fewer than
// min_count times) and local ids 1.. are the kept values, most frequent first (ties by text).
// Field k owns the GLOBAL ids [offset(k), offset(k) + vocab_size(k)), so a single embedding
// table of total_vocab() rows serves every field; encoded splits hold global ids.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "llactr/data/binary_io.h"
#include "llactr/data/raw_table.h"
#include "llactr/data/schema.h"
#include "llactr/data/split.h"

namespace llactr::data {

inline constexpr const char* kOovText = "<OOV>";

class Encoder {
 public:
  Encoder() = default;
  // The lookup maps hold views into the texts: a copy rebuilds them; a move keeps them valid.
  Encoder(const Encoder& other);
  Encoder& operator=(const Encoder& other);
  Encoder(Encoder&&) noexcept = default;
  Encoder& operator=(Encoder&&) noexcept = default;
  // Counts each field's values over train_rows of table; keeps those seen >= min_count times.
  static Encoder build(const RawTable& table, const std::vector<size_t>& train_rows, int64_t min_count);

  int num_fields() const { return int(fields_.size()); }
  int64_t min_count() const { return min_count_; }
  int32_t vocab_size(int field) const { return int32_t(fields_[field].texts.size()); }  // includes OOV
  int32_t offset(int field) const { return offsets_[field]; }
  int32_t total_vocab() const { return total_vocab_; }
  // Text and train count of a local id; id 0 is kOovText with the count of train values mapped to it.
  const std::string& text(int field, int32_t local_id) const { return fields_[field].texts[local_id]; }
  int64_t count(int field, int32_t local_id) const { return fields_[field].counts[local_id]; }
  // Local id of a text (0 if out of vocabulary), and global id = offset + local id.
  int32_t local_id(int field, std::string_view text) const;
  int32_t global_id(int field, std::string_view text) const { return offset(field) + local_id(field, text); }
  // (field, local id) of a global id; throws std::out_of_range outside [0, total_vocab()).
  std::pair<int, int32_t> locate(int32_t global_id) const;

  // Encodes the given rows of a table that has these fields, in that order.
  Split encode(const RawTable& table, const std::vector<size_t>& rows) const;

  void write(BinaryWriter& w) const;
  static Encoder read(BinaryReader& r);
  void save(const std::string& path) const;
  static Encoder load(const std::string& path);
  // Human-readable feature map, one line per id: field, global id, local id, count, text (TSV).
  void write_feature_map(const std::string& path, const Schema& schema) const;

 private:
  struct Vocab {
    std::vector<std::string> texts;  // [vocab_size], texts[0] = kOovText
    std::vector<int64_t> counts;     // [vocab_size]
    std::unordered_map<std::string_view, int32_t> ids;  // text -> local id, views into texts
  };
  void finish();  // offsets and lookup maps from texts
  std::vector<Vocab> fields_;
  std::vector<int32_t> offsets_;
  int32_t total_vocab_ = 0;
  int64_t min_count_ = 1;
};

}  // namespace llactr::data
