#include "llactr/data/encoder.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace llactr::data {

Encoder::Encoder(const Encoder& other) : fields_(other.fields_), min_count_(other.min_count_) { finish(); }

Encoder& Encoder::operator=(const Encoder& other) {
  if (this != &other) {
    fields_ = other.fields_;
    min_count_ = other.min_count_;
    finish();
  }
  return *this;
}

Encoder Encoder::build(const RawTable& table, const std::vector<size_t>& train_rows, int64_t min_count) {
  if (min_count < 1) throw std::invalid_argument("min_count must be >= 1, got " + std::to_string(min_count));
  Encoder e;
  e.min_count_ = min_count;
  e.fields_.resize(table.num_fields());
  for (int k = 0; k < table.num_fields(); ++k) {
    std::vector<int64_t> counts(table.num_values(k), 0);  // per distinct text of the table
    for (size_t r : train_rows) ++counts[table.cell(r, k)];
    std::vector<uint32_t> kept;
    int64_t oov = 0;
    for (uint32_t v = 0; v < counts.size(); ++v) {
      if (counts[v] >= min_count) kept.push_back(v);
      else oov += counts[v];
    }
    std::sort(kept.begin(), kept.end(), [&](uint32_t a, uint32_t b) {
      return counts[a] != counts[b] ? counts[a] > counts[b] : table.value(k, a) < table.value(k, b);
    });
    Vocab& voc = e.fields_[k];
    voc.texts.push_back(kOovText);
    voc.counts.push_back(oov);
    for (uint32_t v : kept) {
      voc.texts.push_back(table.value(k, v));
      voc.counts.push_back(counts[v]);
    }
  }
  e.finish();
  return e;
}

void Encoder::finish() {
  offsets_.clear();
  int64_t total = 0;
  for (Vocab& voc : fields_) {
    offsets_.push_back(int32_t(total));
    total += int64_t(voc.texts.size());
    if (total > std::numeric_limits<int32_t>::max()) throw std::runtime_error("vocabulary exceeds 2^31 ids");
    voc.ids.clear();
    voc.ids.reserve(voc.texts.size());
    for (int32_t i = 1; i < int32_t(voc.texts.size()); ++i) voc.ids.emplace(voc.texts[i], i);
  }
  total_vocab_ = int32_t(total);
}

int32_t Encoder::local_id(int field, std::string_view text) const {
  const auto& ids = fields_[field].ids;
  auto it = ids.find(text);
  return it == ids.end() ? 0 : it->second;
}

std::pair<int, int32_t> Encoder::locate(int32_t global_id) const {
  if (global_id < 0 || global_id >= total_vocab_)
    throw std::out_of_range("global feature id " + std::to_string(global_id) + " outside [0, " +
                            std::to_string(total_vocab_) + ")");
  int field = int(std::upper_bound(offsets_.begin(), offsets_.end(), global_id) - offsets_.begin()) - 1;
  return {field, global_id - offsets_[field]};
}

Split Encoder::encode(const RawTable& table, const std::vector<size_t>& rows) const {
  if (table.num_fields() != num_fields())
    throw std::invalid_argument("table has " + std::to_string(table.num_fields()) + " fields, encoder " +
                                std::to_string(num_fields()));
  const int n = num_fields();
  // Global id of each distinct text of the table, looked up once, on its first use.
  std::vector<std::vector<int32_t>> global(n);
  for (int k = 0; k < n; ++k) global[k].assign(table.num_values(k), -1);
  Split s;
  s.num_fields = n;
  s.ids.resize(rows.size() * n);
  s.labels.resize(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    for (int k = 0; k < n; ++k) {
      uint32_t v = table.cell(rows[i], k);
      if (global[k][v] < 0) global[k][v] = global_id(k, table.value(k, v));
      s.ids[i * n + k] = global[k][v];
      if (global[k][v] == offset(k)) {  // out of vocabulary: keep the file's text for instance texts
        s.oov_cells.push_back(uint64_t(i) * uint64_t(n) + uint64_t(k));
        s.oov_texts.emplace_back(table.value(k, v));
      }
    }
    s.labels[i] = table.label(rows[i]);
  }
  return s;
}

void Encoder::write(BinaryWriter& w) const {
  w.bytes("LLENC002", 8);
  w.pod(min_count_);
  w.pod(uint32_t(fields_.size()));
  // Texts as one blob plus their lengths: two bulk reads instead of one per text.
  for (const Vocab& voc : fields_) {
    w.vec(voc.counts);
    std::vector<uint32_t> lengths;
    std::string blob;
    for (const auto& t : voc.texts) {
      lengths.push_back(uint32_t(t.size()));
      blob += t;
    }
    w.vec(lengths);
    w.vec(std::vector<char>(blob.begin(), blob.end()));
  }
}

Encoder Encoder::read(BinaryReader& r) {
  char magic[8];
  r.bytes(magic, 8);
  if (std::string(magic, 8) != "LLENC002") r.fail("not an llactr encoder (bad magic)");
  Encoder e;
  e.min_count_ = r.pod<int64_t>();
  uint32_t n = r.pod<uint32_t>();
  if (n > 4096) r.fail("implausible field count " + std::to_string(n));
  e.fields_.resize(n);
  for (Vocab& voc : e.fields_) {
    voc.counts = r.vec<int64_t>();
    std::vector<uint32_t> lengths = r.vec<uint32_t>();
    std::vector<char> blob = r.vec<char>();
    if (voc.counts.empty() || lengths.size() != voc.counts.size()) r.fail("field vocabulary sizes disagree");
    size_t at = 0;
    for (uint32_t len : lengths) {
      if (len > blob.size() - at) r.fail("text lengths exceed the text blob");
      voc.texts.emplace_back(blob.data() + at, len);
      at += len;
    }
    if (at != blob.size()) r.fail("text blob longer than its texts");
  }
  e.finish();
  return e;
}

void Encoder::save(const std::string& path) const {
  BinaryWriter w(path);
  write(w);
  w.close();
}

Encoder Encoder::load(const std::string& path) {
  BinaryReader r(path);
  Encoder e = read(r);
  if (!r.at_end()) r.fail("trailing bytes after the encoder");
  return e;
}

void Encoder::write_feature_map(const std::string& path, const Schema& schema) const {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!f) throw std::runtime_error("cannot create " + path);
  std::fprintf(f.get(), "field\tglobal_id\tlocal_id\tcount\ttext\n");
  for (int k = 0; k < num_fields(); ++k) {
    for (int32_t i = 0; i < vocab_size(k); ++i) {
      // Tabs and newlines inside a text would break the columns; show them escaped.
      std::string t;
      for (char c : text(k, i)) t += c == '\t' ? std::string("\\t") : c == '\n' ? std::string("\\n") : std::string(1, c);
      std::fprintf(f.get(), "%s\t%d\t%d\t%lld\t%s\n", schema.fields[k].name.c_str(), offset(k) + i, i,
                   static_cast<long long>(count(k, i)), t.c_str());
    }
  }
  if (std::fclose(f.release()) != 0) throw std::runtime_error("write error in " + path);
}

}  // namespace llactr::data
