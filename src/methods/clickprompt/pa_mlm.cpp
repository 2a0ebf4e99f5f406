#include "llactr/methods/clickprompt/pa_mlm.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "llactr/ctr/trainer_state.h"
#include "llactr/ctr/training_state.h"
#include "llactr/tensor/shuffle.h"
#include "llactr/methods/common/progress_line.h"
#include "llactr/nn/clip_grad.h"
#include "llactr/nn/gradient_sync.h"
#include "llactr/nn/optimizer.h"
#include "llactr/tensor/ops.h"
#include "llactr/util/communicator.h"

namespace llactr::methods {

namespace {

constexpr const char* kKind = "pa-mlm";

// What the loop carries from one epoch to the next.
struct PaMlmLoop {
  const std::vector<Var>& params;  // the backbone's, then the LLM's
  AdamW& opt;
  std::vector<Rng*> rngs;          // order, mask, the backbone's dropout, the LLM's dropout
  std::vector<size_t>& order;      // shuffled in place each epoch
  PaMlmResult& result;
};

std::map<std::string, std::string> settings(const Backbone& backbone, size_t texts, const ClickPromptOptions& o) {
  return {{"backbone", backbone.name()},      {"texts", std::to_string(texts)},
          {"mlm epochs", std::to_string(o.mlm_epochs)}, {"mlm batch", std::to_string(o.mlm_batch)},
          {"mlm lr", setting_text(o.mlm_lr)},         {"mask rate", setting_text(o.mask_rate)},
          {"seed", std::to_string(o.seed)}};
}

void save_state(const std::string& path, const std::map<std::string, std::string>& run, int epoch, const PaMlmLoop& l) {
  TrainingState s;
  s.kind = kKind;
  s.settings = run;
  s.words["epoch"] = {uint64_t(epoch)};
  put_params(s, "param", l.params, &l.opt);
  for (size_t i = 0; i < l.rngs.size(); ++i) put_rng(s, "rng/" + std::to_string(i), *l.rngs[i]);
  s.words["order"] = std::vector<uint64_t>(l.order.begin(), l.order.end());
  s.words["counts"] = {uint64_t(l.result.steps), uint64_t(l.result.tokens)};
  s.reals["epoch_loss"] = l.result.epoch_loss;
  s.reals["seconds"] = {l.result.seconds};
  save_training_state(path, s);
}

// Returns the epochs the state had finished.
int load_state(const std::string& path, const std::map<std::string, std::string>& run, const PaMlmLoop& l) {
  const TrainingState s = load_training_state(path, kKind);
  check_settings(s, run, "resume with the options it was written with, or start afresh without --resume");
  const uint64_t epoch = s.word("epoch");
  const std::vector<uint64_t>& order = s.word_list("order");
  const std::vector<uint64_t>& counts = s.word_list("counts");
  const std::vector<double>& losses = s.real_list("epoch_loss");
  bool permutation = order.size() == l.order.size();
  std::vector<char> seen(l.order.size(), 0);
  for (size_t i = 0; permutation && i < order.size(); ++i) {
    permutation = order[i] < seen.size() && !seen[order[i]];
    if (permutation) seen[order[i]] = 1;
  }
  if (!permutation || counts.size() != 2 || losses.size() != epoch)
    throw std::runtime_error(path + ": corrupt PA-MLM state (text order, counts or losses)");
  take_params(s, "param", l.params, &l.opt);
  for (size_t i = 0; i < l.rngs.size(); ++i) take_rng(s, "rng/" + std::to_string(i), *l.rngs[i]);
  std::copy(order.begin(), order.end(), l.order.begin());
  l.result.steps = int64_t(counts[0]);
  l.result.tokens = int64_t(counts[1]);
  l.result.epoch_loss = losses;
  l.result.seconds = s.real("seconds");
  return int(epoch);
}

}  // namespace

PaMlmResult pa_mlm(Backbone& backbone, PromptedLlm& llm, const std::vector<std::vector<int32_t>>& texts,
                   const std::vector<int32_t>& ids, const MlmVocab& vocab, const ClickPromptOptions& o, bool progress,
                   const StateFile& state) {
  o.validate();
  const int N = backbone.config().num_fields;
  if (texts.empty() || ids.size() != texts.size() * size_t(N))
    throw std::invalid_argument("PA-MLM: need one row of " + std::to_string(N) + " ids per text, and some texts");
  size_t longest = 0;
  for (const auto& t : texts) longest = std::max(longest, t.size());
  llm.check_context(longest);

  std::vector<Var> params = backbone.parameters();
  for (const Var& p : llm.parameters()) params.push_back(p);
  AdamOptions ao;
  ao.lr = o.mlm_lr;
  AdamW opt(params, ao);  // weight_decay 0: what gets no gradient keeps its value
  MlmMasking masking;
  masking.rate = o.mask_rate;
  Rng order_rng(o.seed ^ 0x3a11u), mask_rng(o.seed ^ 0x3a5cu), dropout_rng(o.seed ^ 0xd40fu);
  std::vector<size_t> order(texts.size());
  std::iota(order.begin(), order.end(), size_t(0));

  // Data-parallel (mpirun): every rank draws the same order and every text's masks, so it knows
  // the whole batch; it runs its contiguous share of the batch's texts. The loss is a mean over
  // the batch's chosen tokens: a rank's share is its chosen tokens / all of them (gradient_sync.h).
  Communicator& comm = world();
  PaMlmResult r;
  const PaMlmLoop loop{params, opt, {&order_rng, &mask_rng, &dropout_rng, &llm.dropout_rng()}, order, r};
  const std::map<std::string, std::string> run = settings(backbone, texts.size(), o);
  int done = 0;
  if (state.resume && !state.path.empty() && std::ifstream(state.path).good()) {
    done = load_state(state.path, run, loop);
    if (progress && comm.is_writer()) std::fprintf(stderr, "[clickprompt PA-MLM] resumed after epoch %d from %s\n", done, state.path.c_str());
  }
  const double seconds_before = r.seconds;  // of the epochs before a resume
  ProgressLine line(progress && comm.is_writer());
  for (int epoch = done + 1; epoch <= o.mlm_epochs; ++epoch) {
    seeded_shuffle(order, order_rng);
    double loss_sum = 0;
    int64_t steps = 0;
    for (size_t i = 0; i < order.size(); i += size_t(o.mlm_batch)) {
      const size_t B = std::min(order.size(), i + size_t(o.mlm_batch)) - i;
      std::vector<MaskedText> masked;
      std::vector<int64_t> lengths;  // [B] tokens per text
      int64_t chosen_all = 0, packed_all = 0;
      for (size_t b = 0; b < B; ++b) {
        masked.push_back(mask_text(texts[order[i + b]], vocab, masking, mask_rng));
        for (int32_t t : masked.back().target) chosen_all += t >= 0;
        lengths.push_back(int64_t(masked.back().input.size()));
        packed_all += lengths.back();
      }
      if (chosen_all == 0) continue;  // no token chosen in the whole batch: nothing to learn from
      const RankShare share = rank_share(B, comm.rank(), comm.size(), /*pad_empty=*/true);
      const size_t Bm = share.count;
      std::vector<int32_t> batch_ids(Bm * size_t(N));
      std::vector<std::vector<int32_t>> inputs;
      std::vector<int32_t> rows, targets;  // CE rows of the packed batch and their tokens
      int row0 = 0;
      for (size_t b = 0; b < Bm; ++b) {
        const size_t t = order[i + share.first + b];
        std::copy_n(ids.data() + t * size_t(N), N, batch_ids.data() + b * size_t(N));
        MaskedText& m = masked[share.first + b];
        for (size_t k = 0; k < m.target.size(); ++k)
          if (m.target[k] >= 0) rows.push_back(row0 + int32_t(k)), targets.push_back(m.target[k]);
        row0 += int(m.input.size());
        inputs.push_back(std::move(m.input));
      }
      const llm::PackedBatch packed = llm::pack_sequences(inputs);
      dropout_rng.set_row_slice({int64_t(share.first), int64_t(Bm), int64_t(B)});  // the global batch's masks
      llm.set_dropout_slice(lengths, share.first, Bm);
      float share_loss = 0;
      {
        // A share without a chosen token still runs the forward: its dropout draws keep the
        // generators in step with the other ranks'. It records nothing.
        std::optional<NoGrad> nothing_to_learn;
        if (rows.empty()) nothing_to_learn.emplace();
        const Var E = backbone.embed(batch_ids.data(), int64_t(Bm));             // [Bm, N, D]
        backbone.logit(E, batch_ids.data(), {true, &dropout_rng});               // sets h: [Bm, d_h]
        const Var hidden = llm.forward(backbone.hidden(), packed, true).hidden;  // [rows, d]
        if (!rows.empty()) {
          const Var chosen = gather_rows(hidden, rows.data(), int64_t(rows.size()));  // [n, d]
          const Var ce = cross_entropy(llm.lm_logits(chosen), targets);               // scalar: mean over n
          if (!std::isfinite(ce.value().item())) {
            clear_tape();
            throw std::runtime_error("PA-MLM: the loss is not finite at epoch " + std::to_string(epoch) + ", step " +
                                     std::to_string(steps + 1) + " (try a smaller --clickprompt-mlm-lr)");
          }
          const float weight = share.padding ? 0.0f : float(double(rows.size()) / double(chosen_all));
          const Var loss = comm.size() > 1 ? mul_scalar(ce, weight) : ce;  // this rank's share of the batch's mean
          share_loss = loss.value().item();
          backward(loss);
        }
      }
      const float loss = sync_gradients(params, opt.sparse_update(), 1.0, share_loss, comm);  // the batch's mean CE
      clip_grad_norm(params, 10.0f);  // the trainer's clipping
      opt.step();
      opt.zero_grad();
      loss_sum += loss;
      ++steps;
      r.tokens += packed_all;
      line.update(false, "[clickprompt PA-MLM] epoch %d  %zu/%zu texts  loss %.4f  %.0f tokens/s", epoch, i + B,
                  order.size(), loss_sum / double(steps), double(r.tokens) / line.seconds());
    }
    r.steps += steps;
    r.epoch_loss.push_back(steps ? loss_sum / double(steps) : 0.0);
    line.update(true, "[clickprompt PA-MLM] epoch %d: loss %.5f  %lld tokens  %.0f tokens/s", epoch,
                r.epoch_loss.back(), (long long)r.tokens, double(r.tokens) / line.seconds());
    r.seconds = seconds_before + line.seconds();
    if (!state.path.empty() && comm.is_writer()) save_state(state.path, run, epoch, loop);
    if (epoch == state.stop_after_epoch)
      throw TrainingStopped("PA-MLM: stopped after epoch " + std::to_string(epoch) + " as asked" +
                            (state.path.empty() ? "" : "; its state is in " + state.path));
  }
  return r;
}

}  // namespace llactr::methods
