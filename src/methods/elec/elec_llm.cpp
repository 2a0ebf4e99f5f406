#include "llactr/methods/elec/elec_llm.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <stdexcept>

#include "llactr/tensor/shuffle.h"
#include "llactr/llm/train/trainable_transformer.h"
#include "llactr/methods/common/instance_text.h"
#include "llactr/methods/common/progress_line.h"
#include "llactr/methods/common/row_subsample.h"
#include "llactr/nn/clip_grad.h"
#include "llactr/nn/gradient_sync.h"
#include "llactr/nn/early_stopping.h"
#include "llactr/nn/metrics.h"
#include "llactr/nn/optimizer.h"
#include "llactr/tensor/ops.h"
#include "llactr/util/clock.h"
#include "llactr/util/sha256.h"

namespace llactr::methods {

namespace {

std::vector<float> labels_of(const data::Split& s, const std::vector<size_t>& rows) {
  std::vector<float> y;
  for (size_t r : rows) y.push_back(s.labels[r]);
  return y;
}

// Rows rows[share] of a [n, d] matrix as a constant [share.count, d].
Var gather_p(const std::vector<float>& p, int d, const std::vector<size_t>& rows, const RankShare& share) {
  Tensor t({int64_t(share.count), d});
  for (size_t i = 0; i < share.count; ++i)
    std::copy_n(p.data() + rows[share.first + i] * size_t(d), d, t.data() + i * size_t(d));
  return constant(std::move(t));
}

// Data-parallel: each rank scores whole chunks of `batch` rows (its share of the chunks), so that
// every chunk is the forward one process runs, and the probabilities are gathered in order.
std::vector<float> tower_probs(const ElecTower& tower, const PoolFn& p_of, const std::vector<size_t>& rows, int batch) {
  NoGrad no_grad;
  Communicator& comm = world();
  const size_t chunks = (rows.size() + size_t(batch) - 1) / size_t(batch);
  const RankShare mine = rank_share(chunks, comm.rank(), comm.size(), /*pad_empty=*/false);
  std::vector<float> probs;
  for (size_t c = mine.first; c < mine.first + mine.count; ++c) {
    const size_t i = c * size_t(batch);
    const std::vector<size_t> part(rows.begin() + i, rows.begin() + std::min(rows.size(), i + size_t(batch)));
    const Tensor z = tower.logit(p_of(part, RankShare{0, part.size(), false}, true, false)).value();
    for (int64_t k = 0; k < z.numel(); ++k) probs.push_back(1.0f / (1.0f + std::exp(-z[k])));
  }
  return comm.allgatherv(probs);
}

std::string sha256_of_tensors(const std::vector<Var>& ps) {
  Sha256 h;
  for (const Var& p : ps) h.update(p.value().data(), size_t(p.numel()) * sizeof(float));
  return h.hex_digest();
}

}  // namespace

ElecTower::ElecTower(int64_t d, int64_t D, int t_hidden, Rng& rng) {
  MlpOptions o;
  o.hidden = {t_hidden};
  o.output_dim = D;
  T = Mlp(d, o, rng, "elec.T");
  head = Linear(D, 1, rng, "elec.head");
}

Var ElecTower::logit(const Var& p) const {
  Var z = head.forward(vector(p));  // [B, 1]
  return reshape(z, {z.dim(0)});
}

std::vector<Var> ElecTower::parameters() const {
  std::vector<Var> ps = T.parameters();
  for (const Var& p : head.parameters()) ps.push_back(p);
  return ps;
}

TowerFit fit_tower(ElecTower& tower, const std::vector<Var>& extra, const PoolFn& p_of,
                   const std::vector<size_t>& train_rows, const std::vector<float>& train_labels,
                   const std::vector<size_t>& valid_rows, const std::vector<float>& valid_labels, const ElecOptions& o) {
  std::vector<Var> params = tower.parameters();
  params.insert(params.end(), extra.begin(), extra.end());
  AdamOptions ao;
  ao.lr = o.llm_lr;
  AdamW opt(params, ao);
  Rng rng(o.seed ^ 0xe1ecu);
  std::vector<size_t> order(train_rows.size());
  std::iota(order.begin(), order.end(), size_t(0));
  TowerFit fit;
  EarlyStopping stop(params, o.llm_patience, 0, /*ties_improve=*/false);
  Communicator& comm = world();
  for (int epoch = 1; epoch <= o.llm_epochs; ++epoch) {
    seeded_shuffle(order, rng);
    double loss_sum = 0;
    size_t steps = 0;
    ProgressLine line(o.progress && comm.is_writer());
    for (size_t i = 0; i < order.size(); i += size_t(o.llm_batch)) {
      std::vector<size_t> rows;
      for (size_t k = i; k < std::min(order.size(), i + size_t(o.llm_batch)); ++k) rows.push_back(train_rows[order[k]]);
      // This rank's share of the batch (all of it in one process); the BCE is a mean over its rows.
      const RankShare share = rank_share(rows.size(), comm.rank(), comm.size(), /*pad_empty=*/true);
      std::vector<float> y;
      for (size_t k = i + share.first; k < i + share.first + share.count; ++k) y.push_back(train_labels[order[k]]);
      Var loss = bce_with_logits(tower.logit(p_of(rows, share, false, true)), Tensor({int64_t(y.size())}, y));
      backward(loss);
      loss_sum += sync_gradients(params, SparseUpdate::Dense, share.weight(rows.size()), loss.value().item(), comm);
      ++steps;
      clip_grad_norm(params, 1.0f);
      opt.step();
      opt.zero_grad();
      line.update(false, "[elec stage 1] epoch %d  %zu/%zu rows  loss %.4f", epoch, i + rows.size(), order.size(),
                  loss_sum / double(steps));
    }
    const double valid_auc = auc(tower_probs(tower, p_of, valid_rows, o.llm_batch), valid_labels);
    fit.epochs = epoch;
    const bool improved = stop.update(epoch, valid_auc);
    line.update(true, "[elec stage 1] epoch %d: loss %.5f  valid AUC %.6f%s", epoch, loss_sum / double(steps), valid_auc,
                improved ? "  *" : "");
    if (stop.should_stop()) break;
  }
  stop.restore();
  fit.best_epoch = stop.best_epoch();
  fit.best_valid_auc = stop.best_value();
  return fit;
}

ElecPrepared prepare_elec(const data::Dataset& dataset, int embedding_dim, const ElecOptions& o) {
  o.validate();
  ElecPrepared prep;
  prep.embedding_dim = embedding_dim;
  prep.t_hidden = o.t_hidden;
  if (o.without_llm) {
    prep.without_llm = true;
    return prep;
  }
  // Opening the model checks that the file exists and is llama or qwen2, before anything trains.
  llm::LanguageModel lm = llm::open_language_model(o.model_path);
  // Every row's text, the base model's generations included (before stage 1 tunes it).
  const RowText text = method_row_text(dataset, o.text(), "elec", lm, o.progress, prep.text_cost);
  const std::string model_sha = sha256_file_hex(o.model_path);
  const int d = lm.model.config.n_embd, n_ctx = std::max(lm.model.config.n_ctx, 1);
  Rng init(o.seed);
  ElecTower tower(d, embedding_dim, o.t_hidden, init);

  const std::vector<size_t> train_rows = subsample_rows(dataset.train.size(), o.llm_rows, o.seed);
  const std::vector<size_t> valid_rows = subsample_rows(dataset.valid.size(), o.llm_valid_rows, o.seed + 1);
  const std::vector<float> train_y = labels_of(dataset.train, train_rows), valid_y = labels_of(dataset.valid, valid_rows);
  const auto t0 = Clock::now();
  TowerFit fit;
  if (o.llm_tune == ElecLlmTune::Frozen) {
    // The base model's vectors are the cache; T and the head train on them.
    prep.vectors = load_or_compute_vectors(dataset, lm, model_sha, "none", o.out_dir, o.pool, text, o.llm_batch, o.use_cache, o.progress);
    const auto t1 = Clock::now();
    PoolFn p_of = [&](const std::vector<size_t>& rows, const RankShare& share, bool valid, bool) {
      return gather_p(valid ? prep.vectors.valid : prep.vectors.train, d, rows, share);
    };
    fit = fit_tower(tower, {}, p_of, train_rows, train_y, valid_rows, valid_y, o);
    prep.stage1_seconds = seconds_since(t1);
  } else {
    llm::TrainableTransformer tt(lm.model, o.lora);
    int64_t truncated = 0;
    const auto train_seqs = tokenize_rows(dataset.train, text, lm.tokenizer, n_ctx, truncated, &train_rows);
    const auto valid_seqs = tokenize_rows(dataset.valid, text, lm.tokenizer, n_ctx, truncated, &valid_rows);
    Rng dropout_rng(o.seed ^ 0x10a4u);
    PoolFn p_of = [&](const std::vector<size_t>& rows, const RankShare& share, bool valid, bool training) {
      const auto& all = valid ? valid_seqs : train_seqs;
      // The LoRA dropout masks of the whole batch's packed rows, this share's kept (Rng::RowSlice).
      int64_t before = 0, mine = 0, global = 0;
      std::vector<std::vector<int32_t>> seqs;
      for (size_t k = 0; k < rows.size(); ++k) {
        const int64_t n = int64_t(all[rows[k]].size());
        const bool in_share = k >= share.first && k < share.first + share.count;
        if (in_share) seqs.push_back(all[rows[k]]);
        before += k < share.first ? n : 0, mine += in_share ? n : 0, global += n;
      }
      dropout_rng.set_row_slice({before, mine, global});
      const llm::PackedBatch b = llm::pack_sequences(seqs);
      if (!share.padding) prep.stage1_tokens += b.rows();  // this rank's; summed over ranks below
      const Var hidden = tt.forward(b, {training, &dropout_rng}).hidden;  // [N, d]
      return o.pool == llm::Pooling::Mean ? llm::mean_rows(hidden, b) : llm::last_rows(hidden, b);  // [B, d]
    };
    fit = fit_tower(tower, tt.lora_parameters(), p_of, train_rows, train_y, valid_rows, valid_y, o);
    prep.stage1_seconds = seconds_since(t0);
    prep.stage1_tokens = sum_over_ranks(prep.stage1_tokens, world());
    prep.lora_sha256 = sha256_of_tensors(tt.lora_parameters());
    llm::LanguageModel tuned{tt.merged_model(), std::move(lm.tokenizer)};
    prep.vectors =
        load_or_compute_vectors(dataset, tuned, model_sha, prep.lora_sha256, o.out_dir, o.pool, text, o.llm_batch, o.use_cache,
                                o.progress);
    lm = std::move(tuned);
  }
  prep.llm_epochs = fit.epochs, prep.llm_best_epoch = fit.best_epoch, prep.llm_valid_auc = fit.best_valid_auc;
  for (const Var& p : tower.parameters()) prep.tower.push_back(p.value());

  // The method `llm`: the tower on every test row's cached vector.
  std::vector<size_t> test_rows(dataset.test.size());
  std::iota(test_rows.begin(), test_rows.end(), size_t(0));
  PoolFn test_p = [&](const std::vector<size_t>& rows, const RankShare& share, bool, bool) {
    return gather_p(prep.vectors.test, d, rows, share);
  };
  const std::vector<float> probs = tower_probs(tower, test_p, test_rows, 4096);
  prep.llm_test = score(probs, dataset.test, eval_fields(dataset));
  // One LLM forward per sample, timed on up to 512 test rows: G's serving cost beyond the backbone.
  int64_t truncated = 0;
  data::Split probe;
  probe.num_fields = dataset.test.num_fields;
  const size_t n_probe = std::min<size_t>(512, dataset.test.size());
  for (size_t i = 0; i < n_probe; ++i) probe.append_row(dataset.test, i);
  PoolStats st;
  pool_vectors(lm.model, tokenize_rows(probe, text, lm.tokenizer, n_ctx, truncated), o.pool, o.llm_batch, "", st);
  prep.llm_us_per_sample = st.seconds * 1e6 / double(std::max<size_t>(n_probe, 1));
  prep.llm_test.infer_us_per_sample = prep.llm_us_per_sample;
  return prep;
}

}  // namespace llactr::methods
