#include "llactr/methods/elec/elec_cache.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "llactr/llm/model/pooled_hidden.h"
#include "llactr/llm/model/transformer.h"
#include "llactr/methods/common/instance_text.h"
#include "llactr/methods/common/progress_line.h"
#include "llactr/util/clock.h"
#include "llactr/util/communicator.h"
#include "llactr/util/json.h"
#include "llactr/util/npy.h"
#include "llactr/util/sha256.h"

namespace llactr::methods {

namespace {

// The sidecar <npy>.json keeps what computing the vectors cost, so a run that reads them from the
// cache still reports the instance-level cost.
void write_cost(const PooledVectors& v) {
  std::ofstream f(v.path + ".json");
  f << "{\"key\": " << json_quote(v.key) << ", \"tokens\": " << v.tokens << ", \"seconds\": " << v.seconds
    << ", \"truncated\": " << v.truncated << "}\n";
  if (!f) throw std::runtime_error(v.path + ".json: cannot write");
}

void read_cost(PooledVectors& v) {
  std::ifstream f(v.path + ".json");
  std::stringstream ss;
  ss << f.rdbuf();
  const JsonValue j = parse_json(ss.str());
  const JsonValue *tokens = j.find("tokens"), *seconds = j.find("seconds");
  if (!tokens || !seconds) throw std::runtime_error(v.path + ".json: no tokens or seconds; delete the cache files to recompute");
  v.tokens = std::stoll(tokens->text);
  v.seconds = std::stod(seconds->text);
}
}  // namespace

std::vector<std::vector<int32_t>> tokenize_rows(const data::Split& split, const RowText& text, const llm::Tokenizer& tokenizer,
                                                int max_tokens, int64_t& truncated, const std::vector<size_t>* only) {
  if (max_tokens < 1) throw std::invalid_argument("tokenize_rows: max_tokens must be >= 1");
  std::vector<std::vector<int32_t>> seqs(split.size());
  auto tokenize = [&](size_t i) {
    seqs[i] = tokenizer.encode(text(split, i));
    if (seqs[i].size() > size_t(max_tokens)) {
      seqs[i].resize(size_t(max_tokens));
      ++truncated;
    }
  };
  if (only)
    for (size_t i : *only) tokenize(i);
  else
    for (size_t i = 0; i < split.size(); ++i) tokenize(i);
  return seqs;
}

// llm::pooled_hidden one batch at a time, for the progress line and the LLM time and tokens.
std::vector<float> pool_vectors(const llm::Model& model, const std::vector<std::vector<int32_t>>& seqs,
                                llm::Pooling pooling, int batch, const std::string& progress, PoolStats& stats) {
  const size_t d = size_t(model.config.n_embd);
  std::vector<float> p;
  p.reserve(seqs.size() * d);
  ProgressLine line(!progress.empty());
  for (size_t i = 0; i < seqs.size(); i += size_t(batch)) {
    const size_t end = std::min(seqs.size(), i + size_t(batch));
    const std::vector<std::vector<int32_t>> part(seqs.begin() + long(i), seqs.begin() + long(end));
    const auto tf = Clock::now();
    const std::vector<float> v = llm::pooled_hidden(model, part, pooling, batch);  // [end - i, d]
    stats.seconds += seconds_since(tf);
    for (const auto& s : part) stats.tokens += int64_t(s.size());
    p.insert(p.end(), v.begin(), v.end());
    line.update(end == seqs.size(), "[%s] %zu/%zu rows  %.0f tokens/s", progress.c_str(), end, seqs.size(),
                double(stats.tokens) / std::max(stats.seconds, 1e-9));
  }
  return p;
}

PooledVectors load_or_compute_vectors(const data::Dataset& dataset, const llm::LanguageModel& lm,
                                      const std::string& model_sha256, const std::string& lora_sha256,
                                      const std::string& out_dir, llm::Pooling pooling, const RowText& text,
                                      int batch, bool use_cache, bool progress) {
  PooledVectors v;
  v.dim = lm.model.config.n_embd;
  const int n_ctx = std::max(lm.model.config.n_ctx, 1);
  const data::Split* splits[3] = {&dataset.train, &dataset.valid, &dataset.test};
  // Each distinct text is pooled once (an item's own text recurs in every row of the item):
  // distinct[u] its tokens, row_text[r] the index u of row r's text.
  std::vector<std::vector<int32_t>> distinct;
  std::vector<size_t> row_text;
  std::vector<char> cut;  // [distinct] whether the text was cut to the context
  std::unordered_map<std::string, size_t> index_of;
  Sha256 h;
  h.update(model_sha256 + "\n" + lora_sha256 + "\n" + kElecTextTemplate + "\n" + std::to_string(n_ctx) + "\n");
  if (pooling != llm::Pooling::Mean) h.update("pool=last\n");  // mean keeps the keys of the caches made before the option
  for (const data::Split* s : splits)
    for (size_t i = 0; i < s->size(); ++i) {
      std::string t = text(*s, i);
      h.update(t + "\n");  // the texts are the key
      auto [it, added] = index_of.emplace(std::move(t), distinct.size());
      if (added) {
        distinct.push_back(lm.tokenizer.encode(it->first));
        cut.push_back(distinct.back().size() > size_t(n_ctx));
        if (cut.back()) distinct.back().resize(size_t(n_ctx));
      }
      row_text.push_back(it->second);
      v.truncated += cut[it->second];
    }
  const size_t n_rows = row_text.size();
  v.key = h.hex_digest();
  v.path = out_dir + "/elec_vectors_" + v.key.substr(0, 16) + ".npy";
  Communicator& comm = world();
  if (v.truncated > 0 && comm.is_writer())
    std::fprintf(stderr, "[elec] %lld of %zu instance texts are longer than the context (%d tokens) and were truncated\n",
                 (long long)v.truncated, n_rows, n_ctx);
  std::vector<float> all;
  // Data-parallel (mpirun): rank 0 decides whether the cache is there; every rank then reads it
  // (out_dir on a filesystem they share) or computes its share of the rows.
  int32_t cached = use_cache && std::filesystem::exists(v.path) && std::filesystem::exists(v.path + ".json");
  comm.broadcast(&cached, 1);
  if (cached) {
    NpyArray a = read_npy(v.path);
    if (a.shape != std::vector<int64_t>{int64_t(n_rows), v.dim})
      throw std::runtime_error(v.path + ": cached vectors have the wrong shape; delete the file to recompute");
    all = std::move(a.data);
    read_cost(v);
    v.from_cache = true;
  } else {
    // A sharded map: each rank pools whole chunks of `batch` distinct texts (its share of the
    // chunks), the very forwards one process runs, so the gathered rows equal one process's bit for bit.
    const size_t chunks = (distinct.size() + size_t(batch) - 1) / size_t(batch);
    const RankShare mine = rank_share(chunks, comm.rank(), comm.size(), /*pad_empty=*/false);
    const size_t lo = std::min(distinct.size(), mine.first * size_t(batch));
    const size_t hi = std::min(distinct.size(), (mine.first + mine.count) * size_t(batch));
    const std::vector<std::vector<int32_t>> part(distinct.begin() + long(lo), distinct.begin() + long(hi));
    PoolStats st;
    // pooled: [distinct, d]; all: [n_rows, d], row r a copy of its text's vector.
    const std::vector<float> pooled =
        comm.allgatherv(pool_vectors(lm.model, part, pooling, batch, progress && comm.is_writer() ? "elec cache" : "", st));
    const size_t d = size_t(v.dim);
    all.resize(n_rows * d);
    for (size_t r = 0; r < n_rows; ++r) std::copy_n(pooled.begin() + long(row_text[r] * d), d, all.begin() + long(r * d));
    // The cost is every rank's: tokens and forward seconds summed (compute, not wall time).
    v.tokens = sum_over_ranks(st.tokens, comm);
    v.seconds = st.seconds;
    if (comm.size() > 1) {
      v.seconds = 0;
      for (float x : comm.allgatherv(std::vector<float>{float(st.seconds)})) v.seconds += x;
    }
    if (comm.is_writer()) {
      std::filesystem::create_directories(out_dir);
      write_npy(v.path, all, {int64_t(n_rows), v.dim});
      write_cost(v);
    }
  }
  // Split the [n_train + n_valid + n_test, d] matrix into the three splits.
  size_t at = 0;
  std::vector<float>* outs[3] = {&v.train, &v.valid, &v.test};
  for (int k = 0; k < 3; ++k) {
    const size_t n = splits[k]->size() * size_t(v.dim);
    outs[k]->assign(all.begin() + at, all.begin() + at + n);
    at += n;
  }
  return v;
}

}  // namespace llactr::methods
