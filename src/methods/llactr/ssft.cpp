#include "llactr/methods/llactr/ssft.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "llactr/data/line_parsing.h"
#include "llactr/tensor/shuffle.h"
#include "llactr/llm/model/language_model.h"
#include "llactr/llm/train/lora_file.h"
#include "llactr/methods/common/progress_line.h"
#include "llactr/methods/llactr/ssft_data.h"
#include "llactr/nn/clip_grad.h"
#include "llactr/nn/gradient_sync.h"
#include "llactr/nn/optimizer.h"
#include "llactr/nn/scheduler.h"
#include "llactr/tensor/ops.h"
#include "llactr/util/clock.h"
#include "llactr/util/communicator.h"
#include "llactr/util/json.h"
#include "llactr/util/npy.h"
#include "llactr/util/sha256.h"

namespace llactr::methods {

namespace fs = std::filesystem;
using llm::PackedBatch;
using llm::SeqSpan;

namespace {

// One tokenised training or evaluation text: prompt (+ response when the generative loss is on).
struct Tokens {
  std::vector<int32_t> ids;
  int prompt_len = 0;  // the prompt's tokens are ids[0, prompt_len)
  int field = 0;
};

// ---- pooling: one vector per range of packed rows

// ranges[i] = (i, row0, n): rows [row0, row0+n) of hidden [N, d] -> pooled [R, d]
Var pool(const Var& hidden, const std::vector<SeqSpan>& ranges, const std::string& pooling) {
  return pooling == "last" ? llm::last_rows(hidden, ranges) : llm::mean_rows(hidden, ranges);
}

// ---- everything a run needs, prepared once

struct Setup {
  llm::LanguageModel lm;
  std::string model_sha256, prompt_template, cache_key;
  SsftSplit data;
  std::vector<Tokens> train, heldout;             // prompts (+ responses for training when w_lg > 0)
  std::vector<std::vector<int32_t>> descriptions; // [K] field descriptions
};

std::string settings_json(const SsftOptions& o, const Setup& s) {
  std::string targets;
  for (const std::string& t : o.lora.targets) targets += (targets.empty() ? "" : ",") + t;
  std::ostringstream j;
  j << "{\"per_field\": " << o.per_field << ", \"heldout_fraction\": " << o.heldout_fraction
    << ", \"epochs\": " << o.epochs << ", \"lr\": " << o.lr << ", \"warmup_ratio\": " << o.warmup_ratio
    << ", \"max_grad_norm\": " << o.max_grad_norm << ", \"lora_rank\": " << o.lora.rank
    << ", \"lora_alpha\": " << o.lora.alpha << ", \"lora_dropout\": " << o.lora.dropout
    << ", \"lora_targets\": " << json_quote(targets) << ", \"tau\": " << o.tau << ", \"w_cl\": " << o.w_cl
    << ", \"w_lg\": " << o.w_lg << ", \"micro_batch\": " << o.micro_batch << ", \"accum\": " << o.accum
    << ", \"seed\": " << o.seed << ", \"pooling\": " << json_quote(o.pooling)
    << ", \"prompt_sha256\": " << json_quote(sha256_hex(s.prompt_template))
    << ", \"n_train\": " << s.train.size() << ", \"n_heldout\": " << s.heldout.size() << "}";
  return j.str();
}

Setup prepare(const data::Dataset& dataset, const SsftOptions& o) {
  if (o.pooling != "last" && o.pooling != "mean")
    throw std::invalid_argument("pooling must be 'last' or 'mean', not '" + o.pooling + "'");
  if (o.epochs < 0 || o.micro_batch < 1 || o.accum < 1 || !(o.tau > 0.0f))
    throw std::invalid_argument("SSFT needs epochs >= 0, micro_batch >= 1, accum >= 1 and tau > 0");
  if (o.w_cl < 0.0f || o.w_lg < 0.0f || o.w_cl + o.w_lg <= 0.0f)
    throw std::invalid_argument("SSFT loss weights must be >= 0 and not both 0");
  Setup s{llm::open_language_model(o.model_path), {}, {}, {}, {}, {}, {}, {}};
  s.model_sha256 = sha256_file_hex(o.model_path);
  s.prompt_template = read_prompt_template(o.prompt_file);
  s.data = sample_field_features(dataset.encoder, o.per_field, o.heldout_fraction, o.seed);
  if (s.data.train.empty()) throw std::runtime_error("SSFT: the train vocabulary has no feature values to sample");
  const data::Schema& schema = dataset.schema;
  for (const data::Field& f : schema.fields) s.descriptions.push_back(s.lm.tokenizer.encode(f.description));
  auto tokens = [&](const SsftExample& e, bool with_response) {
    Tokens t;
    t.ids = s.lm.tokenizer.encode(render_prompt(s.prompt_template, e.feature, schema));
    t.prompt_len = int(t.ids.size());
    t.field = e.field;
    if (with_response) {
      // Response = the field's description, then EOS (as the released code's tokenize()).
      const std::vector<int32_t> r = s.lm.tokenizer.encode(schema.fields[e.field].description, false);
      t.ids.insert(t.ids.end(), r.begin(), r.end());
      if (s.lm.tokenizer.eos() >= 0) t.ids.push_back(s.lm.tokenizer.eos());
    }
    return t;
  };
  for (const SsftExample& e : s.data.train) s.train.push_back(tokens(e, o.w_lg > 0.0f));
  for (const SsftExample& e : s.data.heldout) s.heldout.push_back(tokens(e, false));

  // Cache key: model, schema, the sampled values, template and settings.
  Sha256 h;
  h.update(s.model_sha256 + "\n" + schema.fingerprint() + "\n" + settings_json(o, s) + "\n");
  for (const auto* part : {&s.data.train, &s.data.heldout})
    for (const SsftExample& e : *part) h.update(std::to_string(e.field) + "\t" + e.feature + "\n");
  s.cache_key = h.hex_digest();
  return s;
}

// ---- encoding without gradients (evaluation, extraction)

// Pooled final hidden state of each text's first `lengths[i]` tokens: [n, d].
std::vector<float> encode_texts(const llm::TrainableTransformer& model, const std::vector<std::vector<int32_t>>& texts,
                                const std::string& pooling, int chunk, int64_t& tokens) {
  NoGrad no_grad;
  const int d = model.config().n_embd;
  std::vector<float> out;
  out.reserve(texts.size() * d);
  for (size_t i = 0; i < texts.size(); i += chunk) {
    const std::vector<std::vector<int32_t>> part(texts.begin() + i, texts.begin() + std::min(texts.size(), i + chunk));
    const PackedBatch b = llm::pack_sequences(part);
    tokens += b.rows();
    const Tensor v = pool(model.forward(b).hidden, b.spans, pooling).value();
    out.insert(out.end(), v.data(), v.data() + v.numel());
  }
  return out;
}

std::vector<std::vector<int32_t>> prompts_of(const std::vector<Tokens>& t) {
  std::vector<std::vector<int32_t>> p;
  for (const Tokens& x : t) p.emplace_back(x.ids.begin(), x.ids.begin() + x.prompt_len);
  return p;
}

// ---- files

// A 0-epoch run (the untuned model only, "w/o SSFT") has its own cache key, so it gets its own
// folder: in out_dir it would overwrite a full run's epoch-0 files and make the next full run
// repeat the whole fine-tuning.
std::string cache_dir(const SsftOptions& o) { return o.epochs == 0 ? o.out_dir + "/untuned" : o.out_dir; }
std::string epoch_stem(const SsftOptions& o, int e) { return cache_dir(o) + "/field_embeddings_epoch" + std::to_string(e); }

void write_epoch(const SsftOptions& o, const Setup& s, const data::Schema& schema, const FieldEmbeddings& h,
                 const SsftEpoch& st) {
  // Written under temporary names and renamed, so that a run reading the cache at the same time
  // never sees half a file.
  const std::string stem = epoch_stem(o, st.epoch), tmp = stem + ".tmp" + std::to_string(::getpid());
  write_npy(tmp + ".npy", h.H, {int64_t(h.fields.size()), h.dim});
  std::ostringstream j;
  j.precision(17);
  j << "{\n  \"model_sha256\": " << json_quote(s.model_sha256) << ",\n  \"model_path\": "
    << json_quote(o.model_path) << ",\n  \"cache_key\": " << json_quote(s.cache_key)
    << ",\n  \"fields\": [";
  for (int k = 0; k < schema.num_fields(); ++k) j << (k ? ", " : "") << json_quote(schema.fields[k].name);
  j << "],\n  \"epoch\": " << st.epoch << ",\n  \"pooling\": " << json_quote(h.pooling) << ",\n  \"dim\": " << h.dim
    << ",\n  \"heldout_accuracy\": " << st.heldout_accuracy << ",\n  \"heldout_infonce\": " << st.heldout_infonce << ",\n  \"loss\": " << st.loss
    << ",\n  \"loss_cl\": " << st.loss_cl << ",\n  \"loss_lg\": " << st.loss_lg << ",\n  \"tokens\": " << st.tokens
    << ",\n  \"seconds\": " << st.seconds << ",\n  \"ssft\": " << settings_json(o, s) << "\n}\n";
  {
    std::ofstream f(tmp + ".json", std::ios::binary);
    f << j.str();
    if (!f) throw std::runtime_error("cannot write " + tmp + ".json");
  }
  fs::rename(tmp + ".npy", stem + ".npy");
  fs::rename(tmp + ".json", stem + ".json");
}

double number(const JsonValue& j, const char* key) {
  const JsonValue* v = j.find(key);
  if (!v || v->type != JsonValue::Type::Number) throw std::runtime_error(std::string("no number '") + key + "'");
  return std::stod(v->text);
}

// A complete earlier run with the same key, or false.
bool read_cache(const SsftOptions& o, const Setup& s, const data::Schema& schema, SsftResult& r) {
  for (int e = 0; e <= o.epochs; ++e) {
    const std::string stem = epoch_stem(o, e);
    if (!fs::exists(stem + ".json") || !fs::exists(stem + ".npy")) return false;
    const JsonValue j = parse_json(data::read_text_file(stem + ".json", "an SSFT cache sidecar"));
    const JsonValue* key = j.find("cache_key");
    if (!key || key->text != s.cache_key) return false;
    FieldEmbeddings h;
    for (const data::Field& f : schema.fields) h.fields.push_back(f.name);
    const NpyArray a = read_npy(stem + ".npy");
    h.dim = int(a.shape.back()), h.H = a.data, h.epoch = e, h.pooling = o.pooling;
    h.model_sha256 = s.model_sha256, h.npy_path = stem + ".npy";
    SsftEpoch st;
    st.epoch = e, st.loss = number(j, "loss"), st.loss_cl = number(j, "loss_cl"), st.loss_lg = number(j, "loss_lg");
    st.heldout_accuracy = number(j, "heldout_accuracy"), st.heldout_infonce = number(j, "heldout_infonce");
    st.tokens = int64_t(number(j, "tokens"));
    st.seconds = number(j, "seconds");
    r.embeddings.push_back(std::move(h));
    r.epochs.push_back(st);
  }
  return true;
}

// ---- one training micro-batch: forward, weighted losses, backward

struct StepLoss {
  double cl = 0, lg = 0, total = 0;
};

// A rank's part of a micro-batch (data-parallel SSFT): its texts and each loss term's share. The
// InfoNCE is a mean over the micro-batch's texts (share: its texts / all), the generative loss a
// mean over all response tokens (share: its response tokens / all of them), so the ranks' shares
// of the losses, and of their gradients, add up to one process's (gradient_sync.h).
struct MicroBatchShare {
  std::vector<const Tokens*> texts;
  double cl = 1, lg = 1;
  int64_t packed_rows = 0;  // the whole micro-batch's: the LLM tokens one process would read
};

// Every rank knows the whole micro-batch (the same order from the seed): its share needs no message.
// The LoRA dropout masks are the whole micro-batch's rows' masks: rng skips the other ranks' prompt
// rows and draws the field descriptions' rows, which every rank encodes (Rng::RowSlice::tail).
MicroBatchShare share_of(const std::vector<const Tokens*>& batch, const Setup& s, const SsftOptions& o, Rng& rng,
                         Communicator& comm) {
  const RankShare r = rank_share(batch.size(), comm.rank(), comm.size(), /*pad_empty=*/true);
  MicroBatchShare m;
  m.texts.assign(batch.begin() + long(r.first), batch.begin() + long(r.first + r.count));
  int64_t rows_before = 0, rows_mine = 0, rows_all = 0, responses_mine = 0, responses_all = 0, tail = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const int64_t n = int64_t(batch[i]->ids.size()), response = n - batch[i]->prompt_len;
    const bool mine = i >= r.first && i < r.first + r.count;
    rows_before += i < r.first ? n : 0;
    rows_mine += mine ? n : 0;
    responses_mine += mine ? response : 0;
    rows_all += n, responses_all += response;
  }
  if (o.w_cl > 0.0f)
    for (const auto& d : s.descriptions) tail += int64_t(d.size());
  rng.set_row_slice({rows_before, rows_mine, rows_all, tail});
  m.packed_rows = rows_all + tail;
  m.cl = r.weight(batch.size());
  m.lg = r.padding || responses_all == 0 ? 0.0 : double(responses_mine) / double(responses_all);
  return m;
}

StepLoss train_micro_batch(const llm::TrainableTransformer& model, const MicroBatchShare& share, const Setup& s,
                           const SsftOptions& o, Rng& rng) {
  const std::vector<const Tokens*>& batch = share.texts;
  // Packed rows: the B prompts (with responses), then the K field descriptions re-encoded, so
  // the InfoNCE gradient flows through both sides.
  std::vector<std::vector<int32_t>> seqs;
  for (const Tokens* t : batch) seqs.push_back(t->ids);
  const bool contrastive = o.w_cl > 0.0f, generative = o.w_lg > 0.0f;
  if (contrastive) seqs.insert(seqs.end(), s.descriptions.begin(), s.descriptions.end());
  const PackedBatch packed = llm::pack_sequences(seqs);
  const int B = int(batch.size());
  // hidden: [N, d]
  const Var hidden = model.forward(packed, {true, &rng}).hidden;

  StepLoss out;
  Var loss;
  if (contrastive) {
    // InfoNCE: cos(prompt, field) / tau over the K fields, target = the value's field.
    std::vector<SeqSpan> prompt_rows, field_rows;
    std::vector<int32_t> target;
    for (int b = 0; b < B; ++b) {
      prompt_rows.push_back({b, packed.spans[b].row0, batch[b]->prompt_len});
      target.push_back(batch[b]->field);
    }
    for (size_t k = 0; k < s.descriptions.size(); ++k) field_rows.push_back(packed.spans[B + k]);
    const Var p = l2_normalize(pool(hidden, prompt_rows, o.pooling));  // [B, d]
    const Var f = l2_normalize(pool(hidden, field_rows, o.pooling));   // [K, d]
    const Var cl = cross_entropy(mul_scalar(matmul(p, f, false, true), 1.0f / o.tau), target);
    out.cl = share.cl * cl.value().item();
    loss = mul_scalar(cl, float(o.w_cl * share.cl));
  }
  // -log P(response | prompt): each response token predicted from the row before it.
  std::vector<int32_t> rows, next;
  for (int b = 0; generative && b < B; ++b)
    for (int t = batch[b]->prompt_len - 1; t + 1 < int(batch[b]->ids.size()); ++t)
      rows.push_back(packed.spans[b].row0 + t), next.push_back(batch[b]->ids[t + 1]);
  if (!rows.empty()) {  // a rank's texts may have no response token while another rank's have some
    const Var lg = cross_entropy(model.lm_logits(gather_rows(hidden, rows.data(), int64_t(rows.size()))), next);
    out.lg = share.lg * lg.value().item();
    const Var term = mul_scalar(lg, float(o.w_lg * share.lg));
    loss = loss ? add(loss, term) : term;
  }
  if (!loss) return out;  // nothing of this rank's texts enters the loss (its rng draws are done)
  out.total = loss.value().item();
  if (!std::isfinite(out.total)) throw std::runtime_error("SSFT: the loss is not finite (" + std::to_string(out.total) + ")");
  // Gradient accumulation: each micro-batch contributes 1/accum of the step's gradient.
  backward(mul_scalar(loss, 1.0f / float(o.accum)));
  return out;
}

}  // namespace

FieldScores field_scores(const std::vector<float>& P, const std::vector<int>& fields, const std::vector<float>& H, int d,
                         float tau) {
  FieldScores out;
  if (fields.empty()) return out;
  const size_t K = H.size() / d;
  auto norm = [d](const float* x) {
    double s = 0;
    for (int i = 0; i < d; ++i) s += double(x[i]) * x[i];
    return std::max(std::sqrt(s), 1e-12);
  };
  for (size_t i = 0; i < fields.size(); ++i) {
    const float* p = P.data() + i * d;
    std::vector<double> cos(K);
    for (size_t k = 0; k < K; ++k) {
      const float* h = H.data() + k * d;
      double dot = 0;
      for (int j = 0; j < d; ++j) dot += double(p[j]) * h[j];
      cos[k] = dot / (norm(p) * norm(h));
    }
    const size_t best = size_t(std::max_element(cos.begin(), cos.end()) - cos.begin());
    out.accuracy += best == size_t(fields[i]);
    // -log softmax(cos / tau)[field], with the max subtracted
    double z = 0;
    for (double c : cos) z += std::exp((c - cos[best]) / tau);
    out.infonce += -((cos[fields[i]] - cos[best]) / tau - std::log(z));
  }
  out.accuracy /= double(fields.size());
  out.infonce /= double(fields.size());
  return out;
}

SsftResult run_ssft(const data::Dataset& dataset, const SsftOptions& o) {
  const auto start = Clock::now();
  const Setup s = prepare(dataset, o);
  const data::Schema& schema = dataset.schema;
  SsftResult r;
  r.n_train = int(s.train.size()), r.n_heldout = int(s.heldout.size());
  r.cache_key = s.cache_key;
  // Data-parallel (mpirun): every rank reads the cache (out_dir on a filesystem they share), rank 0
  // alone writes it.
  Communicator& comm = world();
  if (comm.is_writer()) fs::create_directories(cache_dir(o));
  float hit = o.use_cache && read_cache(o, s, schema, r) ? 1.0f : 0.0f;
  comm.allreduce_sum(&hit, 1);
  if (hit != 0.0f && hit != float(comm.size()))
    throw std::runtime_error("SSFT: " + cache_dir(o) + " holds a finished run for some ranks and not others: put it on a "
                             "filesystem every rank shares");
  if (hit != 0.0f) {
    r.from_cache = true;
    return r;
  }
  r.embeddings.clear(), r.epochs.clear();  // what read_cache found of an unfinished run

  const llm::TrainableTransformer model(s.lm.model, o.lora);
  const int d = model.config().n_embd;
  int64_t tokens = 0;
  std::vector<int> heldout_fields;
  for (const Tokens& t : s.heldout) heldout_fields.push_back(t.field);
  const std::vector<std::vector<int32_t>> heldout_prompts = prompts_of(s.heldout);

  // Field embeddings and held-out accuracy of the model as it is now; written as epoch e.
  auto finish_epoch = [&](SsftEpoch st) {
    FieldEmbeddings h;
    for (const data::Field& f : schema.fields) h.fields.push_back(f.name);
    h.dim = d, h.epoch = st.epoch, h.pooling = o.pooling, h.model_sha256 = s.model_sha256;
    h.npy_path = epoch_stem(o, st.epoch) + ".npy";
    h.H = encode_texts(model, s.descriptions, o.pooling, o.micro_batch, tokens);
    const std::vector<float> P = encode_texts(model, heldout_prompts, o.pooling, o.micro_batch, tokens);
    const FieldScores sc = field_scores(P, heldout_fields, h.H, d, o.tau);
    st.heldout_accuracy = sc.accuracy, st.heldout_infonce = sc.infonce;
    st.tokens = tokens;
    st.seconds = seconds_since(start);
    if (comm.is_writer()) write_epoch(o, s, schema, h, st);
    r.embeddings.push_back(std::move(h));
    r.epochs.push_back(st);
  };
  finish_epoch(SsftEpoch{});  // epoch 0: the untuned model ("w/o SSFT")

  const std::vector<Var> params = model.lora_parameters();
  AdamOptions ao;
  ao.lr = o.lr, ao.weight_decay = 0.0f;
  AdamW opt(params, ao);
  const int n = int(s.train.size());
  const int micro_per_epoch = (n + o.micro_batch - 1) / o.micro_batch;
  const int steps_per_epoch = (micro_per_epoch + o.accum - 1) / o.accum;
  const int64_t total_steps = int64_t(steps_per_epoch) * o.epochs;
  LinearWarmupDecay sched(opt, int64_t(std::ceil(o.warmup_ratio * double(total_steps))), total_steps);
  Rng rng(o.seed ^ 0x55f7u);
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;

  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    // A fresh seeded shuffle each epoch.
    seeded_shuffle(order, rng);
    ProgressLine bar(o.progress && comm.is_writer());
    SsftEpoch st;
    st.epoch = epoch;
    double step_loss = 0;  // this rank's share of the loss since the last optimiser step
    for (int m = 0; m < micro_per_epoch; ++m) {
      std::vector<const Tokens*> batch;
      for (int i = m * o.micro_batch; i < std::min(n, (m + 1) * o.micro_batch); ++i) batch.push_back(&s.train[order[i]]);
      const MicroBatchShare share = share_of(batch, s, o, rng, comm);
      const StepLoss l = train_micro_batch(model, share, s, o, rng);
      rng.set_row_slice({});  // the epochs' shuffles draw from rng too
      tokens += share.packed_rows;
      step_loss += l.total, st.loss_cl += l.cl, st.loss_lg += l.lg;
      if ((m + 1) % o.accum == 0 || m + 1 == micro_per_epoch) {
        // Every rank's shares of the gradients and of the loss, summed (one allreduce).
        st.loss += sync_gradients(params, SparseUpdate::Dense, 1.0, float(step_loss), comm);
        step_loss = 0;
        clip_grad_norm(params, o.max_grad_norm);
        opt.step();
        opt.zero_grad();
        sched.step();
      }
      const int width = 30, filled = width * (m + 1) / micro_per_epoch;
      bar.update(m + 1 == micro_per_epoch, "[ssft] epoch %d/%d |%s%s| %d/%d loss %.4f %.1f s", epoch, o.epochs,
                 std::string(filled, '#').c_str(), std::string(width - filled, '-').c_str(), m + 1, micro_per_epoch,
                 st.loss / (m + 1), bar.seconds());
    }
    if (comm.size() > 1) {  // the ranks' shares of the epoch's loss terms
      float parts[2] = {float(st.loss_cl), float(st.loss_lg)};
      comm.allreduce_sum(parts, 2);
      st.loss_cl = parts[0], st.loss_lg = parts[1];
    }
    st.loss /= micro_per_epoch, st.loss_cl /= micro_per_epoch, st.loss_lg /= micro_per_epoch;
    if (comm.is_writer()) llm::save_lora_adapters(model, o.out_dir + "/lora_epoch" + std::to_string(epoch) + ".gguf");
    finish_epoch(st);
  }
  return r;
}

FieldEmbeddings load_or_compute_field_embeddings(const data::Dataset& dataset, const SsftOptions& options, int epoch) {
  SsftResult r = run_ssft(dataset, options);
  const int e = epoch < 0 ? options.epochs : epoch;
  if (e > options.epochs)
    throw std::invalid_argument("epoch " + std::to_string(e) + " is beyond the " + std::to_string(options.epochs) +
                                " SSFT epochs");
  return std::move(r.embeddings[e]);
}

}  // namespace llactr::methods
