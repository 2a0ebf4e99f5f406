#include "llactr/llm/train/trainable_transformer.h"

#include <algorithm>
#include <stdexcept>

#include "llactr/nn/init.h"
#include "llactr/tensor/gemm.h"
#include "llactr/tensor/ops.h"

namespace llactr::llm {

namespace {

const char* const kTargets[] = {"q", "k", "v", "o", "gate", "up", "down"};

// A base weight: a constant under LoRA (no gradient is ever computed for it), a parameter named
// `name` under full tuning. An empty vector (an absent bias) stays an empty Var.
Var base_weight(Tensor t, const std::string& name, TuneMode tune) {
  return tune == TuneMode::Full ? parameter(std::move(t), name) : constant(std::move(t));
}
Var base_weight(const Matrix& m, const std::string& name, TuneMode tune) {
  return base_weight(Tensor({m.rows, m.cols}, m.data), name, tune);
}
Var base_weight(const std::vector<float>& v, const std::string& name, TuneMode tune) {
  return v.empty() ? Var() : base_weight(Tensor({int64_t(v.size())}, v), name, tune);
}

Matrix to_matrix(const Var& w) {
  Matrix m;
  m.rows = int(w.dim(0));
  m.cols = int(w.dim(1));
  m.data.assign(w.value().data(), w.value().data() + w.numel());
  return m;
}

std::vector<float> to_vector(const Var& v) {
  return v ? std::vector<float>(v.value().data(), v.value().data() + v.numel()) : std::vector<float>();
}

// K_s of soft input tokens [S, K_s * d] (0 if empty).
int soft_length(const Var& soft, int S, const TransformerConfig& c) {
  if (!soft) return 0;
  if (soft.shape().size() != 2 || soft.dim(0) != S || soft.dim(1) % c.n_embd != 0)
    throw std::invalid_argument("soft input tokens have shape " + shape_str(soft.shape()) + ", expected [" +
                                std::to_string(S) + ", K * " + std::to_string(c.n_embd) + "]");
  return int(soft.dim(1) / c.n_embd);
}

// The batch as the layers see it with n_soft soft tokens: each span's soft rows, then its tokens'
// rows; and where each row's embedding comes from in [token embeddings [N, d] ; soft [S * n_soft, d]].
struct SoftRows {
  PackedBatch run;
  std::vector<int32_t> source;      // [N + S * n_soft] a row of [tokens ; soft] for each row of run
  std::vector<int32_t> token_rows;  // [N] the row of run that holds each token
};

SoftRows with_soft_rows(const PackedBatch& batch, int n_soft) {
  SoftRows r;
  const int N = batch.rows(), S = batch.size();
  const std::invalid_argument not_tiled("TrainableTransformer::forward: soft input tokens need spans that tile the "
                                        "rows in order (build batches with pack_sequences)");
  r.token_rows.resize(N);
  for (int s = 0; s < S; ++s) {
    const SeqSpan& sp = batch.spans[s];
    if (sp.row0 != r.run.rows() - s * n_soft) throw not_tiled;
    r.run.spans.push_back({sp.seq, r.run.rows(), n_soft + sp.n});
    for (int i = 0; i < n_soft; ++i) {
      r.source.push_back(N + s * n_soft + i);
      r.run.tokens.push_back(0);  // not read: these rows are the soft embeddings
      r.run.pos.push_back(i);
    }
    for (int i = 0; i < sp.n; ++i) {
      const int t = sp.row0 + i;
      r.token_rows[t] = r.run.rows();
      r.source.push_back(t);
      r.run.tokens.push_back(batch.tokens[t]);
      r.run.pos.push_back(n_soft + batch.pos[t]);
    }
  }
  if (r.run.rows() != N + S * n_soft) throw not_tiled;
  return r;
}

}  // namespace

std::string lora_target_tensor(const std::string& target) {
  if (target == "q") return "attn_q";
  if (target == "k") return "attn_k";
  if (target == "v") return "attn_v";
  if (target == "o") return "attn_output";
  if (target == "gate") return "ffn_gate";
  if (target == "up") return "ffn_up";
  if (target == "down") return "ffn_down";
  throw std::invalid_argument("unknown LoRA target '" + target + "' (use q, k, v, o, gate, up, down)");
}

Projection* TrainableLayer::find(const std::string& target) {
  if (target == "q") return &q;
  if (target == "k") return &k;
  if (target == "v") return &v;
  if (target == "o") return &o;
  if (target == "gate") return &gate;
  if (target == "up") return &up;
  if (target == "down") return &down;
  lora_target_tensor(target);  // throws
  return nullptr;
}

Var embed_tokens(const Var& table, const PackedBatch& batch) {
  return gather_rows(table, batch.tokens.data(), batch.rows());
}

Var project(const Projection& p, const Var& x, const LoraOptions& lora, const DropoutMode& mode, const Var& residual) {
  // Dropout on the adapter's input only, its mask drawn before the products (as PEFT's lora_dropout).
  Tensor mask;
  if (p.lora_a && mode.training && lora.dropout > 0.0f) {
    if (!mode.rng) throw std::invalid_argument("project: LoRA dropout in training mode needs an Rng");
    mask = dropout_mask(x.shape(), lora.dropout, *mode.rng);
  }
  // residual + x W^T + b + (alpha/r) (x ⊙ mask) A^T B^T        [N, out]
  return lora_linear(x, p.W, p.b, p.lora_a, p.lora_b, lora.scale(), std::move(mask), residual);
}

Var attention_block(const Var& x, const TrainableLayer& L, const PackedBatch& batch,
                    const std::shared_ptr<const RopeAngles>& angles, const TransformerConfig& c,
                    const LoraOptions& lora, const DropoutMode& mode, const PromptVars& prompts, int layer) {
  // xn = RMSNorm(x) * attn_norm                              xn: [N, d]
  Var xn = rms_norm(x, L.attn_norm, c.rms_eps);
  // q, k, v projections (with their adapters)                q: [N, q_dim]; k, v: [N, kv_dim]
  Var q = project(L.q, xn, lora, mode);
  Var k = project(L.k, xn, lora, mode);
  Var v = project(L.v, xn, lora, mode);
  // rotate queries and keys by their positions
  q = rope_op(q, angles, c.n_head, c);
  k = rope_op(k, angles, c.n_head_kv, c);
  // att = softmax(q k^T / sqrt(hd)) v within each sequence (and its prefix)   att: [N, q_dim]
  Var att = attention_op(q, k, v, batch, c, prompts.attention, prompts.prefix, layer);
  // x + att Wo^T
  return project(L.o, att, lora, mode, x);
}

Var ffn_block(const Var& x, const TrainableLayer& L, const TransformerConfig& c, const LoraOptions& lora,
              const DropoutMode& mode) {
  // xn = RMSNorm(x) * ffn_norm                               xn: [N, d]
  Var xn = rms_norm(x, L.ffn_norm, c.rms_eps);
  // h = silu(xn Wg^T) * (xn Wu^T)                            h: [N, ff]
  const Var gate = project(L.gate, xn, lora, mode);
  const Var up = project(L.up, xn, lora, mode);
  const Var h = swiglu(gate, up);
  // x + h Wd^T
  return project(L.down, h, lora, mode, x);
}

Var last_rows(const Var& hidden, const std::vector<SeqSpan>& spans) {
  std::vector<int32_t> rows;
  for (const SeqSpan& sp : spans) rows.push_back(sp.row0 + sp.n - 1);
  return gather_rows(hidden, rows.data(), int64_t(rows.size()));
}

Var mean_rows(const Var& hidden, const std::vector<SeqSpan>& spans) {
  // [R, N] averaging matrix times hidden [N, d]
  const int64_t N = hidden.dim(0);
  Tensor avg({int64_t(spans.size()), N});
  for (size_t k = 0; k < spans.size(); ++k)
    for (int i = 0; i < spans[k].n; ++i) avg[int64_t(k) * N + spans[k].row0 + i] = 1.0f / float(spans[k].n);
  return matmul(constant(std::move(avg)), hidden);
}

// A packed batch's spans are its sequences in order (spans[k].seq == k).
Var last_rows(const Var& hidden, const PackedBatch& batch) { return last_rows(hidden, batch.spans); }
Var mean_rows(const Var& hidden, const PackedBatch& batch) { return mean_rows(hidden, batch.spans); }

TrainableTransformer::TrainableTransformer(const Model& base, const LoraOptions& lora, TuneMode tune)
    : config_(base.config), lora_(lora), tune_(tune) {
  if (lora.rank < 1) throw std::invalid_argument("LoRA rank must be at least 1, got " + std::to_string(lora.rank));
  for (const std::string& t : lora.targets) lora_target_tensor(t);  // rejects unknown names early
  const TransformerWeights& w = base.weights;
  token_embd_ = base_weight(w.token_embd, "token_embd.weight", tune);
  output_norm_ = base_weight(w.output_norm, "output_norm.weight", tune);
  if (!w.output.empty()) output_ = base_weight(w.output, "output.weight", tune);
  output_b_ = base_weight(w.output_b, "output.bias", tune);
  Rng rng(lora.seed);
  for (int l = 0; l < config_.n_layer; ++l) {
    const LayerWeights& B = w.layers[l];
    const std::string blk = "blk." + std::to_string(l) + ".";
    // llama.cpp's name of a projection's weight or bias, by LoRA target name.
    auto proj = [&](const char* target, const Matrix& W, const std::vector<float>& b) {
      const std::string name = blk + lora_target_tensor(target);
      return Projection{base_weight(W, name + ".weight", tune), base_weight(b, name + ".bias", tune), {}, {}};
    };
    TrainableLayer L;
    L.attn_norm = base_weight(B.attn_norm, blk + "attn_norm.weight", tune);
    L.q = proj("q", B.wq, B.bq);
    L.k = proj("k", B.wk, B.bk);
    L.v = proj("v", B.wv, B.bv);
    L.o = proj("o", B.wo, B.bo);
    L.ffn_norm = base_weight(B.ffn_norm, blk + "ffn_norm.weight", tune);
    L.gate = proj("gate", B.w_gate, B.b_gate);
    L.up = proj("up", B.w_up, B.b_up);
    L.down = proj("down", B.w_down, B.b_down);
    for (const char* t : kTargets) {
      if (tune == TuneMode::Full) break;  // full tuning trains the weights themselves, with no adapters
      if (std::find(lora.targets.begin(), lora.targets.end(), t) == lora.targets.end()) continue;
      Projection& p = *L.find(t);
      const std::string name = blk + lora_target_tensor(t);
      // A ~ kaiming_uniform(a = sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)) (PEFT), B = 0.
      Tensor a({lora.rank, p.W.dim(1)}), no_bias;
      init::torch_linear(a, no_bias, rng);
      p.lora_a = parameter(std::move(a), name + ".lora_a");
      p.lora_b = parameter(Tensor({p.W.dim(0), int64_t(lora.rank)}), name + ".lora_b");
    }
    layers_.push_back(std::move(L));
  }
}

TrainableOutput TrainableTransformer::forward(const PackedBatch& batch, const DropoutMode& mode,
                                             const PromptVars& prompts) const {
  const TransformerConfig& c = config_;
  if (batch.spans.empty()) throw std::invalid_argument("TrainableTransformer::forward: the batch has no sequences");
  const int n_prefix = prefix_length(prompts.prefix, batch.size(), c);
  const int n_soft = soft_length(prompts.soft, batch.size(), c);
  for (size_t s = 0; s < batch.spans.size(); ++s) {
    const SeqSpan& sp = batch.spans[s];
    if (sp.n < 1 || sp.row0 < 0 || sp.row0 + sp.n > batch.rows() || batch.pos.size() != batch.tokens.size())
      throw std::invalid_argument("TrainableTransformer::forward: sequence " + std::to_string(s) +
                                  " is empty or outside the packed rows (build batches with pack_sequences)");
    check_context(c, int(s), n_prefix + n_soft + batch.pos[size_t(sp.row0 + sp.n - 1)] + 1);
  }
  for (int32_t t : batch.tokens)
    if (t < 0 || t >= c.n_vocab)
      throw std::out_of_range("token id " + std::to_string(t) + " is outside the vocabulary of " + std::to_string(c.n_vocab));
  // x = token_embd[tokens]                                   x: [N, d]
  Var x = embed_tokens(token_embd_, batch);
  // With soft tokens the layers run on each span's soft rows, then its tokens' rows.
  const SoftRows soft = n_soft ? with_soft_rows(batch, n_soft) : SoftRows{};
  const PackedBatch& run = n_soft ? soft.run : batch;
  if (n_soft)  // x = [soft_s ; token rows of s] for each span s    x: [N + S * n_soft, d]
    x = gather_rows(concat({x, reshape(prompts.soft, {-1, c.n_embd})}, 0), soft.source.data(), run.rows());
  // RoPE angles of every row's position                      [rows, n_rot/2]
  const auto angles = rope_angles_for(run, c);
  for (int l = 0; l < c.n_layer; ++l) {
    // x += attention(RMSNorm(x))
    x = attention_block(x, layers_[l], run, angles, c, lora_, mode, prompts, l);
    // x += SwiGLU(RMSNorm(x))
    x = ffn_block(x, layers_[l], c, lora_, mode);
  }
  // hidden = RMSNorm(x) * output_norm                        hidden: [N, d] (the tokens' rows)
  TrainableOutput out;
  out.hidden = rms_norm(x, output_norm_, c.rms_eps);
  if (n_soft) out.hidden = gather_rows(out.hidden, soft.token_rows.data(), batch.rows());
  // each sequence's last row                                 last: [B, d]
  out.last = last_rows(out.hidden, batch);
  return out;
}

Var TrainableTransformer::lm_logits(const Var& hidden_rows) const {
  // logits = hidden W_out^T + b_out (W_out = token_embd when tied)   [n, vocab]
  return linear(hidden_rows, output_ ? output_ : token_embd_, output_b_);
}

std::vector<Var> TrainableTransformer::lora_parameters() const {
  std::vector<Var> params;
  for (const TrainableLayer& L : layers_)
    for (const Projection* p : {&L.q, &L.k, &L.v, &L.o, &L.gate, &L.up, &L.down})
      if (p->lora_a) params.push_back(p->lora_a), params.push_back(p->lora_b);
  return params;
}

std::vector<Var> TrainableTransformer::parameters() const {
  if (tune_ == TuneMode::Lora) return lora_parameters();
  std::vector<Var> params;
  auto add = [&](const Var& v) {
    if (v) params.push_back(v);  // absent biases and an absent (tied) head are empty
  };
  for (const Var& v : {token_embd_, output_norm_, output_, output_b_}) add(v);
  for (const TrainableLayer& L : layers_) {
    add(L.attn_norm);
    for (const Projection* p : {&L.q, &L.k, &L.v, &L.o}) add(p->W), add(p->b);
    add(L.ffn_norm);
    for (const Projection* p : {&L.gate, &L.up, &L.down}) add(p->W), add(p->b);
  }
  return params;
}

Model TrainableTransformer::merged_model() const {
  // W' = W + (alpha/r) B A  for every projection with an adapter.
  auto merged = [&](const Projection& p) {
    Matrix m = to_matrix(p.W);
    if (p.lora_a)
      gemm(false, false, m.rows, m.cols, lora_.rank, lora_.scale(), p.lora_b.value().data(),
           p.lora_a.value().data(), 1.0f, m.data.data());
    return m;
  };
  Model m;
  m.config = config_;
  TransformerWeights& w = m.weights;
  w.token_embd = to_matrix(token_embd_);
  w.output_norm = to_vector(output_norm_);
  if (output_) w.output = to_matrix(output_);
  w.output_b = to_vector(output_b_);
  for (const TrainableLayer& L : layers_) {
    LayerWeights B;
    B.attn_norm = to_vector(L.attn_norm);
    B.wq = merged(L.q), B.wk = merged(L.k), B.wv = merged(L.v), B.wo = merged(L.o);
    B.bq = to_vector(L.q.b), B.bk = to_vector(L.k.b), B.bv = to_vector(L.v.b), B.bo = to_vector(L.o.b);
    B.ffn_norm = to_vector(L.ffn_norm);
    B.w_gate = merged(L.gate), B.w_up = merged(L.up), B.w_down = merged(L.down);
    B.b_gate = to_vector(L.gate.b), B.b_up = to_vector(L.up.b), B.b_down = to_vector(L.down.b);
    w.layers.push_back(std::move(B));
  }
  return m;
}

}  // namespace llactr::llm
