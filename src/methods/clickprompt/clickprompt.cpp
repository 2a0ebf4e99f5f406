#include "llactr/methods/clickprompt/clickprompt.h"

#include <algorithm>
#include <stdexcept>

#include "llactr/ctr/trainer_state.h"
#include "llactr/methods/common/row_subsample.h"
#include "llactr/tensor/ops.h"
#include "llactr/tensor/param_values.h"
#include "llactr/util/clock.h"
#include "llactr/util/communicator.h"

namespace llactr::methods {

const std::vector<int32_t>& InstanceTokens::of(const data::Split& split, size_t row) {
  std::string t = text(split, row);
  auto it = by_text.find(t);
  if (it == by_text.end()) {
    std::vector<int32_t> ids = tokenizer.encode(t);
    it = by_text.emplace(std::move(t), std::move(ids)).first;
  }
  return it->second;
}

ClickPromptEnhancer::ClickPromptEnhancer(PromptedLlm& llm, ClickPromptHead& head, bool plm_only, InstanceTokens& texts)
    : llm_(llm), head_(head), plm_only_(plm_only), texts_(texts) {}

std::vector<Var> ClickPromptEnhancer::parameters() {
  std::vector<Var> ps = llm_.parameters();
  for (const Var& p : head_.parameters()) ps.push_back(p);
  return ps;
}

Var ClickPromptEnhancer::fuse_logit(const Var& z_ctr, const Var& h, const data::Batch& batch) {
  std::vector<std::vector<int32_t>> seqs;
  for (size_t b = 0; b < batch.size; ++b)
    seqs.push_back(texts_.of(*batch.source, batch.rows[b]));
  const llm::PackedBatch packed = llm::pack_sequences(seqs);
  if (!batch.padding) tokens_ += packed.rows();  // a padding slice repeats another rank's text
  // The trainer evaluates under NoGrad: LoRA dropout is on exactly when gradients are recorded.
  const bool training = grad_enabled();
  Communicator& comm = world();
  if (training) {
    // Data-parallel: this batch is one rank's slice of the global batch. The dropout masks are the
    // global batch's rows' (PromptedLlm::set_dropout_slice); the other ranks' texts' lengths
    // come from them (one small allgatherv per step: the slices hold only their own rows). One
    // process: the whole batch.
    std::vector<int32_t> mine;
    for (const auto& t : seqs) mine.push_back(int32_t(t.size()));
    std::vector<size_t> counts;
    const std::vector<int32_t> all = comm.allgatherv(batch.padding ? std::vector<int32_t>{} : mine, &counts);
    size_t first = 0;
    for (int q = 0; q < comm.rank(); ++q) first += counts[size_t(q)];
    if (batch.padding) first = all.size() - 1;  // the batch's last text, again
    llm_.set_dropout_slice(std::vector<int64_t>(all.begin(), all.end()), first, seqs.size());
  }
  const Var hidden = llm_.forward(h, packed, training).hidden;           // [N, d]
  const Var z_plm = head_.plm_logit(llm::mean_rows(hidden, packed));      // [B]
  return plm_only_ ? z_plm : head_.fused_logit(z_plm, z_ctr);
}

ClickPromptRun run_clickprompt(const data::Dataset& dataset, const llm::LanguageModel& lm, const RowText& text,
                               const std::string& name, const BackboneConfig& bc, const TrainConfig& tc,
                               ClickPromptOptions o, bool progress) {
  o.seed = tc.seed;  // the generator, LoRA, masking and head draws follow the run's seed
  o.validate();
  Rng init(tc.seed);
  std::unique_ptr<Backbone> backbone = make_backbone(name, bc, init);  // as every method's
  PromptedLlm llm(lm.model, backbone->hidden_dim(), o);
  const MlmVocab vocab = mlm_vocab(lm.tokenizer.vocab());

  // Every text the LLM will read, tokenised before anything trains, so a prefix that does not fit
  // the context fails first.
  InstanceTokens texts{text, lm.tokenizer, {}};
  const bool llm_rows = std::any_of(o.rows.begin(), o.rows.end(), [](ClickPromptRow r) { return r != ClickPromptRow::Ctr; });
  size_t longest = 0;
  auto read = [&](const data::Split& s, size_t i) {
    longest = std::max(longest, texts.of(s, i).size());
  };
  const std::vector<size_t> mlm_rows =
      o.without_mlm ? std::vector<size_t>{} : subsample_rows(dataset.train.size(), o.mlm_rows, tc.seed);
  for (size_t i : mlm_rows) read(dataset.train, i);
  // The rows that run the LLM fine-tune on a seeded subsample of train (all rows by default).
  const data::Split llm_train = subsample_split(dataset.train, o.finetune_rows, tc.seed);
  const data::Split llm_valid = subsample_split(dataset.valid, o.finetune_valid_rows, tc.seed + 1);
  if (llm_rows)
    for (const data::Split* s : {&llm_train, &llm_valid, &dataset.test})
      for (size_t i = 0; i < s->size(); ++i) read(*s, i);
  llm.check_context(longest);

  ClickPromptRun run;
  run.mlm_rows = int64_t(mlm_rows.size());
  run.finetune_rows = int64_t(llm_train.size());
  run.finetune_valid_rows = int64_t(llm_valid.size());
  if (!o.without_mlm) {
    std::vector<std::vector<int32_t>> mlm_texts;
    std::vector<int32_t> ids;
    const int N = dataset.train.num_fields;
    for (size_t i : mlm_rows) {
      mlm_texts.push_back(texts.of(dataset.train, i));
      ids.insert(ids.end(), dataset.train.row(i), dataset.train.row(i) + N);
    }
    StateFile mlm_state = tc.state;
    mlm_state.path = state_part(tc.state.path, "pa-mlm");
    run.mlm = pa_mlm(*backbone, llm, mlm_texts, ids, vocab, o, progress, mlm_state);
  }
  const std::vector<Tensor> backbone_start = snapshot_values(backbone->parameters());
  const std::vector<Tensor> llm_start = snapshot_values(llm.parameters());

  TrainConfig ftc = tc;
  ftc.lr = 1e-3f;  // the reference's fine-tuning rate, for all three
  for (ClickPromptRow which : o.rows) {
    ClickPromptRowResult r;
    r.row = which;
    Rng fresh(tc.seed);
    ftc.state.path = state_part(tc.state.path, clickprompt_row_name(which));  // each row its own (--resume)
    std::shared_ptr<Backbone> model = make_backbone(name, bc, fresh);
    restore_values(model->parameters(), backbone_start);  // PA-MLM's weights; the output layer as initialised
    const auto t0 = Clock::now();
    if (which == ClickPromptRow::Ctr) {
      r.train = train(*model, dataset.train, dataset.valid, ftc);
      r.finetune_seconds = seconds_since(t0);
      r.test = evaluate(*model, dataset.test, eval_fields(dataset), ftc.batch_size);
      r.served = model;
    } else {
      restore_values(llm.parameters(), llm_start);
      Rng head_init(tc.seed ^ 0x4eadu);
      ClickPromptHead head(llm.width(), o.alpha, head_init);
      ClickPromptEnhancer enhancer(llm, head, which == ClickPromptRow::Plm, texts);
      TrainConfig ltc = ftc;
      ltc.batch_size = size_t(o.finetune_batch);
      r.train = train(*model, llm_train, llm_valid, ltc, &enhancer);
      r.finetune_seconds = seconds_since(t0);
      r.finetune_tokens = sum_over_ranks(enhancer.tokens(), world());  // data-parallel: every rank's texts
      r.test = evaluate(*model, dataset.test, eval_fields(dataset), ltc.batch_size, &enhancer);
      r.alpha = head.alpha().value()[0];
    }
    run.rows.push_back(std::move(r));
  }
  return run;
}

}  // namespace llactr::methods
