// Binary cache of an encoded Dataset (encoder, three splits, skipped-line count), so a second run skips
// parsing. One file per (format, folder, options); inside it, a key that hashes the options,
// the schema and the size and sha256 of every source file. A changed key, a newer format
// version or a corrupt file means a miss, and the dataset is rebuilt and the file rewritten.
#pragma once
#include <string>
#include <vector>

#include "llactr/data/dataset.h"

namespace llactr::data {

// Full cache key (64 hex digits).
std::string dataset_cache_key(const DataOptions& options, const Schema& schema, const std::vector<std::string>& sources);
// The cache file for these options: <cache_dir>/<format>-<16 hex digits>.bin.
std::string dataset_cache_path(const DataOptions& options);

// True and fills out if path holds a dataset with this key; false if absent, stale or corrupt.
bool load_cached_dataset(const std::string& path, const std::string& key, Dataset& out);
// Writes atomically (temporary file, then rename); also writes <path minus .bin>.featmap.tsv.
void save_cached_dataset(const std::string& path, const std::string& key, const Dataset& d);

}  // namespace llactr::data
