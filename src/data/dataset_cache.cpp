#include "llactr/data/dataset_cache.h"

#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "llactr/data/binary_io.h"
#include "llactr/util/sha256.h"

namespace llactr::data {
namespace fs = std::filesystem;
namespace {

constexpr char kMagic[9] = "LLDSC003";  // bump the digits when the layout or any reader's output changes

// Every option that changes the encoded result.
std::string options_text(const DataOptions& o) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "format=%s\nsplit=%s\ntrain=%.17g\nvalid=%.17g\nseed=%llu\nmin_count=%lld\nskip_bad=%d\n",
                data_format_name(o.format), split_mode_name(o.split), o.train_ratio, o.valid_ratio,
                static_cast<unsigned long long>(o.split == SplitMode::Chronological ? 0 : o.seed),
                static_cast<long long>(o.min_count), int(o.skip_bad_lines));
  std::string text = buf;
  for (const std::string& f : o.drop_fields) text += "drop=" + f + "\n";
  return text;
}

void write_split(BinaryWriter& w, const Split& s) {
  w.pod(uint32_t(s.num_fields));
  w.vec(s.ids);
  w.vec(s.labels);
  w.vec(s.oov_cells);
  for (const std::string& t : s.oov_texts) w.string(t);
}

Split read_split(BinaryReader& r, const Encoder& enc) {
  Split s;
  s.num_fields = int(r.pod<uint32_t>());
  s.ids = r.vec<int32_t>();
  s.labels = r.vec<float>();
  if (s.num_fields != enc.num_fields() || s.ids.size() != s.labels.size() * size_t(s.num_fields))
    r.fail("split shape does not match the encoder");
  for (int32_t id : s.ids)
    if (id < 0 || id >= enc.total_vocab()) r.fail("feature id out of range");
  s.oov_cells = r.vec<uint64_t>();
  for (size_t j = 0; j < s.oov_cells.size(); ++j) {
    const uint64_t cell = s.oov_cells[j];
    if (cell >= s.ids.size() || (j > 0 && cell <= s.oov_cells[j - 1])) r.fail("OOV cells out of range or unsorted");
    const int field = int(cell % uint64_t(s.num_fields));
    if (s.ids[cell] != enc.offset(field)) r.fail("an OOV text on an in-vocabulary cell");
    s.oov_texts.push_back(r.string());
  }
  return s;
}

}  // namespace

std::string dataset_cache_key(const DataOptions& o, const Schema& schema, const std::vector<std::string>& sources) {
  // Size and content hash of each source; the mtime is left out on purpose: the content hash
  // already catches every change, and a copied or touched but identical file stays valid.
  Sha256 h;
  h.update(std::string(kMagic) + "\n" + options_text(o) + schema.fingerprint());
  for (const auto& f : sources)
    h.update(fs::path(f).filename().string() + "\t" + std::to_string(fs::file_size(f)) + "\t" + sha256_file_hex(f) + "\n");
  return h.hex_digest();
}

std::string dataset_cache_path(const DataOptions& o) {
  std::error_code ec;
  std::string dir = fs::absolute(o.dir, ec).lexically_normal().string();
  std::string schema_file = o.schema_file.empty() ? "" : fs::absolute(o.schema_file, ec).lexically_normal().string();
  std::string name = sha256_hex(dir + "\n" + schema_file + "\n" + o.descriptions_file + "\n" + options_text(o)).substr(0, 16);
  return (fs::path(o.cache_dir) / (std::string(data_format_name(o.format)) + "-" + name + ".bin")).string();
}

bool load_cached_dataset(const std::string& path, const std::string& key, Dataset& out) {
  if (!fs::exists(path)) return false;
  try {
    BinaryReader r(path);
    char magic[8];
    r.bytes(magic, 8);
    if (std::string(magic, 8) != kMagic || r.string() != key) return false;  // older layout or stale
    Dataset d;
    d.skipped_lines = r.pod<uint64_t>();
    d.first_skipped_line = r.string();
    d.encoder = Encoder::read(r);
    d.train = read_split(r, d.encoder);
    d.valid = read_split(r, d.encoder);
    d.test = read_split(r, d.encoder);
    if (!r.at_end()) r.fail("trailing bytes");
    out = std::move(d);
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "warning: ignoring unreadable dataset cache: %s\n", e.what());
    return false;
  }
}

void save_cached_dataset(const std::string& path, const std::string& key, const Dataset& d) {
  fs::create_directories(fs::path(path).parent_path());
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  try {
    BinaryWriter w(tmp);
    w.bytes(kMagic, 8);
    w.string(key);
    w.pod(uint64_t(d.skipped_lines));
    w.string(d.first_skipped_line);
    d.encoder.write(w);
    write_split(w, d.train);
    write_split(w, d.valid);
    write_split(w, d.test);
    w.close();
    fs::rename(tmp, path);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);  // never leave a half-written file behind
    throw;
  }
  std::string stem = path.substr(0, path.size() - 4);  // drop ".bin"
  d.encoder.write_feature_map(stem + ".featmap.tsv", d.schema);
}

}  // namespace llactr::data
