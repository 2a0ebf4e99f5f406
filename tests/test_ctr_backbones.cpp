// Each backbone: a gradient check of the full forward pass on a tiny batch, and its logit
// against an independent value (by hand for LR/FM/FwFM/FmFM; for DeepFM, FinalMLP, WuKong, DCNv2,
// xDeepFM and AutoInt a composition written out here in plain Eigen from the model's own weights).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "gradcheck_util.h"
#include "llactr/ctr/backbone.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

using testing::expect_grads_match;
using Mat = Eigen::MatrixXd;
using RowVec = Eigen::RowVectorXd;

BackboneConfig tiny_config() {
  BackboneConfig c;
  c.num_fields = 3;
  c.vocab_size = 9;
  c.embedding_dim = 4;
  c.options.set("deepfm-mlp", "5,4");
  c.options.set("finalmlp-mlp1", "4,4");
  c.options.set("finalmlp-mlp2", "6");
  c.options.set("finalmlp-fs-hidden", "3");
  c.options.set("finalmlp-heads", "2");
  c.options.set("wukong-layers", "2");
  c.options.set("wukong-fmb-units", "5");
  c.options.set("wukong-fmb-dim", "3");
  c.options.set("wukong-compression-dim", "3");
  c.options.set("wukong-project-dim", "2");
  c.options.set("wukong-mlp", "4");
  c.options.set("dcnv2-layers", "2");
  c.options.set("dcnv2-mlp", "5");
  c.options.set("xdeepfm-cin", "3,2");
  c.options.set("xdeepfm-mlp", "4");
  c.options.set("autoint-layers", "2");
  c.options.set("autoint-heads", "2");
  c.options.set("autoint-attention-dim", "6");  // != D = 4: the first layer has W_res, the second an identity residual
  return c;
}

// Ids [B=4, N=3] in each field's own range of the 9-row table (fields own rows 0-2, 3-5, 6-8).
const int32_t kIds[12] = {0, 3, 6, 1, 4, 7, 2, 5, 8, 0, 5, 7};

// Every parameter redrawn N(0, 0.5²), so that E is not ~1e-4 and no ReLU input sits at a kink.
void randomise(Backbone& m, uint64_t seed) {
  Rng rng(seed);
  for (Var p : m.parameters())
    for (int64_t i = 0; i < p.numel(); ++i) p.value()[i] = rng.normal(0.0f, 0.5f);
}

Var forward(Backbone& m, const int32_t* ids, int64_t B) {
  return m.logit(m.embed(ids, B), ids, ForwardContext{});
}

class BackboneGradCheck : public ::testing::TestWithParam<std::string> {};

TEST_P(BackboneGradCheck, FullForward) {
  Rng rng(1);
  auto m = make_backbone(GetParam(), tiny_config(), rng);
  randomise(*m, 2);
  Var y = forward(*m, kIds, 4);
  ASSERT_EQ(y.shape(), (Shape{4}));
  ASSERT_EQ(m->hidden().shape(), (Shape{4, m->hidden_dim()}));
  clear_tape();
  GradCheckOptions opt;
  opt.h = 1e-3;  // small steps: ReLU kinks and LayerNorm curvature
  opt.atol = 3e-3;
  expect_grads_match([&](const std::vector<Var>&) { return forward(*m, kIds, 4); }, m->parameters(), opt);
}

// The (N+1)-field path (ELEC's gain network): E = [embed(ids); v] with v: [B, 1, D] an input of
// its own. Gradients reach every parameter and v; the first-order terms still read the N ids.
TEST_P(BackboneGradCheck, ExtraFieldPath) {
  BackboneConfig c = tiny_config();
  c.extra_fields = 1;
  Rng rng(1);
  auto m = make_backbone(GetParam(), c, rng);
  randomise(*m, 2);
  Var v = random_param({4, 1, c.embedding_dim}, 4);  // v: [B, 1, D] (seed 3 put a WuKong ReLU input within h of its kink)
  auto f = [&] { return m->logit(concat({m->embed(kIds, 4), v}, 1), kIds, ForwardContext{}); };
  Var y = f();
  ASSERT_EQ(y.shape(), (Shape{4}));
  ASSERT_EQ(m->hidden().shape(), (Shape{4, m->hidden_dim()}));
  // The extra field changes the logit of every model that reads E (LR reads only ids).
  const Tensor before = y.value();
  for (int64_t i = 0; i < v.numel(); ++i) v.value()[i] += 0.5f;
  const Tensor after = f().value();
  for (int64_t i = 0; i < v.numel(); ++i) v.value()[i] -= 0.5f;
  if (GetParam() == "LR")
    EXPECT_EQ(before[0], after[0]);
  else
    EXPECT_NE(before[0], after[0]);
  clear_tape();
  std::vector<Var> inputs = m->parameters();
  inputs.push_back(v);
  GradCheckOptions opt;
  opt.h = 1e-3;
  opt.atol = 3e-3;
  expect_grads_match([&](const std::vector<Var>&) { return f(); }, inputs, opt);
}

INSTANTIATE_TEST_SUITE_P(All, BackboneGradCheck, ::testing::ValuesIn(backbone_names()),
                         [](const auto& info) { return info.param; });

TEST(BackboneRegistry, NamesParametersAndErrors) {
  Rng rng(1);
  EXPECT_EQ(backbone_names().size(), 10u);
  for (const std::string& n : backbone_names()) {
    auto m = make_backbone(n, tiny_config(), rng);
    EXPECT_EQ(m->name(), n);
    EXPECT_EQ(m->parameters().front().name(), "embedding");
    std::set<std::string> names;
    for (const Var& p : m->parameters()) EXPECT_TRUE(names.insert(p.name()).second) << n << ": duplicate " << p.name();
  }
  EXPECT_THROW(make_backbone("DeepFm", tiny_config(), rng), std::invalid_argument);
  BackboneConfig bad = tiny_config();
  bad.num_fields = 0;
  EXPECT_THROW(make_backbone("FM", bad, rng), std::invalid_argument);
}

// FuxiCTR's init_weights vs PyTorch's defaults (what the LLaCTR code's FinalMLP and WuKong keep).
TEST(BackboneInit, FuxiCtrAndTorchDefaults) {
  BackboneConfig c = tiny_config();
  c.vocab_size = 3000;  // 24,000 embedding values: their std is known to ~1%
  c.embedding_dim = 8;
  c.options.set("deepfm-mlp", "64");
  auto stats = [](const Var& p) {
    double sum = 0, sq = 0, lo = 1e300, hi = -1e300;
    for (int64_t i = 0; i < p.numel(); ++i) {
      const double v = p.value()[i];
      sum += v, sq += v * v, lo = std::min(lo, v), hi = std::max(hi, v);
    }
    const double mean = sum / double(p.numel());
    return std::array<double, 3>{std::sqrt(sq / double(p.numel()) - mean * mean), lo, hi};
  };
  const double bound = 1.0 / std::sqrt(24.0);  // mlp.0: [64, N·D = 24]
  for (ParamInit init : {ParamInit::FuxiCtr, ParamInit::Torch}) {
    c.init = init;
    Rng rng(3);
    auto m = make_backbone("DeepFM", c, rng);
    const auto emb = stats(m->parameter("embedding")), first = stats(m->parameter("fm.linear.w"));
    const auto W = stats(m->parameter("mlp.0.W")), b = stats(m->parameter("mlp.0.b"));
    if (init == ParamInit::FuxiCtr) {
      EXPECT_NEAR(emb[0], 1e-4, 2e-6);
      EXPECT_NEAR(first[0], 1e-4, 6e-6);
      EXPECT_NEAR(W[0], std::sqrt(2.0 / (24 + 64)), 0.01);  // Xavier normal
      EXPECT_EQ(b[1], 0.0);
      EXPECT_EQ(b[2], 0.0);
    } else {
      EXPECT_NEAR(emb[0], 1.0, 0.02);  // nn.Embedding: N(0, 1)
      EXPECT_NEAR(first[0], 1.0, 0.05);
      EXPECT_GE(W[1], -bound);  // nn.Linear: U(±1/√in) for W and b
      EXPECT_LT(W[2], bound);
      EXPECT_NEAR(W[0], bound / std::sqrt(3.0), 0.05 * bound);
      EXPECT_GE(b[1], -bound);
      EXPECT_LT(b[2], bound);
      EXPECT_GT(b[2] - b[1], bound);
    }
  }
  // FwFM's r and bias are one Linear(P, 1): under torch both are U(±1/√P), P = 3.
  c.init = ParamInit::Torch;
  Rng rng(4);
  auto fwfm = make_backbone("FwFM", c, rng);
  EXPECT_NE(fwfm->parameter("fwfm.bias").value()[0], 0.0f);
  EXPECT_LT(std::abs(fwfm->parameter("fwfm.bias").value()[0]), 1.0 / std::sqrt(3.0));
  // Every layer of FinalMLP and WuKong follows the init (their own explicit draws aside).
  for (const char* name : {"FinalMLP", "WuKong", "LR", "FM", "FmFM"}) EXPECT_NO_THROW(make_backbone(name, c, rng)) << name;
  EXPECT_THROW(make_backbone("DCNv2", c, rng), std::invalid_argument);
  EXPECT_EQ(parse_param_init("torch"), ParamInit::Torch);
  EXPECT_THROW(parse_param_init("xavier"), std::invalid_argument);
}

// ---- independent values. Three fields, D = 2, one row: ids 0, 1, 2 with
//   e_0 = (1, 2), e_1 = (3, -1), e_2 = (0.5, 0.5),   <e0,e1> = 1, <e0,e2> = 1.5, <e1,e2> = 1.

BackboneConfig hand_config() {
  BackboneConfig c;
  c.num_fields = 3;
  c.vocab_size = 3;
  c.embedding_dim = 2;
  return c;
}
const int32_t kRow[3] = {0, 1, 2};

void set(Backbone& m, const std::string& name, std::vector<float> v) {
  Var p = m.parameter(name);
  ASSERT_EQ(p.numel(), int64_t(v.size())) << name;
  std::copy(v.begin(), v.end(), p.value().data());
}

void set_hand_embeddings(Backbone& m) { set(m, "embedding", {1, 2, 3, -1, 0.5f, 0.5f}); }

TEST(BackboneValue, LrByHand) {
  Rng rng(1);
  auto m = make_backbone("LR", hand_config(), rng);
  set(*m, "lr.w", {0.1f, 0.2f, -0.4f});
  set(*m, "lr.bias", {0.25f});
  EXPECT_NEAR(forward(*m, kRow, 1).value()[0], 0.15f, 1e-6);  // 0.25 + 0.1 + 0.2 - 0.4
}

TEST(BackboneValue, FmByHand) {
  Rng rng(1);
  auto m = make_backbone("FM", hand_config(), rng);
  set_hand_embeddings(*m);
  set(*m, "fm.linear.w", {0.1f, 0.2f, -0.4f});
  set(*m, "fm.linear.bias", {0.25f});
  // 0.25 − 0.1 + (1 + 1.5 + 1) = 3.65;  h = Σ_{i<j} e_i ⊙ e_j = (3 + 0.5 + 1.5, −2 + 1 − 0.5) = (5, −1.5)
  EXPECT_NEAR(forward(*m, kRow, 1).value()[0], 3.65f, 1e-5);
  EXPECT_NEAR(m->hidden().value()[0], 5.0f, 1e-5);
  EXPECT_NEAR(m->hidden().value()[1], -1.5f, 1e-5);
}

TEST(BackboneValue, FwfmByHand) {
  Rng rng(1);
  auto m = make_backbone("FwFM", hand_config(), rng);
  set_hand_embeddings(*m);
  set(*m, "fwfm.r", {0.5f, -1.0f, 2.0f});  // pairs (0,1), (0,2), (1,2)
  set(*m, "fwfm.bias", {0.25f});
  set(*m, "fwfm.linear.W", {0.1f, 0.1f, 0.1f, 0.1f, 0.1f, -0.2f});
  // pairs: 0.5·1 − 1·1.5 + 2·1 = 1;  FiLV: 0.1·(1 + 2 + 3 − 1 + 0.5) − 0.2·0.5 = 0.45;  + 0.25
  EXPECT_NEAR(forward(*m, kRow, 1).value()[0], 1.7f, 1e-5);
}

TEST(BackboneValue, FmfmByHand) {
  Rng rng(1);
  auto m = make_backbone("FmFM", hand_config(), rng);
  set_hand_embeddings(*m);
  set(*m, "fmfm.linear.w", {0.1f, 0.2f, 0.4f});
  // M_01 = diag(1, 2): e0ᵀM e1 = 1·3 + 2·2·(−1) = −1
  // M_02 = [[0, 1], [1, 0]]: e0ᵀM = (2, 1), · e2 = 1.5
  // M_12 = [[1, 1], [0, 0]]: e1ᵀM = (3, 3), · e2 = 3
  set(*m, "fmfm.M", {1, 0, 0, 2, 0, 1, 1, 0, 1, 1, 0, 0});
  EXPECT_NEAR(forward(*m, kRow, 1).value()[0], 0.7f + 3.5f, 1e-5);
}

// ---- compositions in plain Eigen (double) for the deep models

Mat value(const Backbone& m, const std::string& name, int64_t rows) {
  const Tensor& t = m.parameter(name).value();
  Mat out(rows, t.numel() / rows);
  for (int64_t i = 0; i < t.numel(); ++i) out(i / out.cols(), i % out.cols()) = t[i];
  return out;
}
Mat W(const Backbone& m, const std::string& n) { return value(m, n + ".W", m.parameter(n + ".W").dim(0)); }
RowVec b(const Backbone& m, const std::string& n) { return value(m, n + ".b", 1).row(0); }
Mat dense(const Backbone& m, const std::string& n, const Mat& x) { return (x * W(m, n).transpose()).rowwise() + b(m, n); }
Mat relu(const Mat& x) { return x.cwiseMax(0.0); }
Mat sigmoid(const Mat& x) { return (1.0 / (1.0 + (-x.array()).exp())).matrix(); }
Mat layer_norm(const Backbone& m, const std::string& n, const Mat& x) {
  Mat y(x.rows(), x.cols());
  for (int64_t r = 0; r < x.rows(); ++r) {
    double mu = x.row(r).mean(), var = (x.row(r).array() - mu).square().mean();
    y.row(r) = (x.row(r).array() - mu) / std::sqrt(var + 1e-5);
  }
  y = y.array().rowwise() * value(m, n + ".gamma", 1).row(0).array();
  return y.rowwise() + value(m, n + ".beta", 1).row(0);
}
// E of the rows, flattened [B, N·D].
Mat flat_E(const Backbone& m, const int32_t* ids, int64_t B) {
  const int64_t N = m.config().num_fields, D = m.config().embedding_dim;
  Mat table = value(m, "embedding", m.config().vocab_size), E(B, N * D);
  for (int64_t r = 0; r < B; ++r)
    for (int64_t i = 0; i < N; ++i) E.block(r, i * D, 1, D) = table.row(ids[r * N + i]);
  return E;
}
Mat fm_part(const Backbone& m, const std::string& linear, const int32_t* ids, int64_t B) {
  const int64_t N = m.config().num_fields, D = m.config().embedding_dim;
  Mat E = flat_E(m, ids, B), w = value(m, linear + ".w", m.config().vocab_size), y(B, 1);
  for (int64_t r = 0; r < B; ++r) {
    double s = 0;
    for (int64_t i = 0; i < N; ++i) {
      s += w(ids[r * N + i], 0);
      for (int64_t j = i + 1; j < N; ++j) s += (E.block(r, i * D, 1, D).array() * E.block(r, j * D, 1, D).array()).sum();
    }
    y(r, 0) = s;
  }
  return y;
}

void expect_logits(Backbone& m, const Mat& ref) {
  Var y = forward(m, kIds, 4);
  for (int64_t r = 0; r < 4; ++r) EXPECT_NEAR(y.value()[r], ref(r, 0), 1e-4 * (1 + std::abs(ref(r, 0)))) << "row " << r;
  clear_tape();
}

TEST(BackboneValue, DeepFmEigenComposition) {
  Rng rng(3);
  auto m = make_backbone("DeepFM", tiny_config(), rng);
  randomise(*m, 4);
  Mat h = relu(dense(*m, "mlp.1", relu(dense(*m, "mlp.0", flat_E(*m, kIds, 4)))));
  expect_logits(*m, fm_part(*m, "fm.linear", kIds, 4) + dense(*m, "mlp.out", h));
}

TEST(BackboneValue, FinalMlpEigenComposition) {
  Rng rng(5);
  auto m = make_backbone("FinalMLP", tiny_config(), rng);
  randomise(*m, 6);
  Mat E = flat_E(*m, kIds, 4);
  auto gate = [&](const std::string& k) {
    Mat g = 2.0 * sigmoid(dense(*m, k + ".gate.out", relu(dense(*m, k + ".gate.0", value(*m, k + ".ctx", 1)))));
    return Mat(E.array().rowwise() * g.row(0).array());
  };
  Mat x = relu(dense(*m, "mlp1.1", relu(dense(*m, "mlp1.0", gate("fs1")))));  // [4, 4]
  Mat y = relu(dense(*m, "mlp2.0", gate("fs2")));                             // [4, 6]
  Mat out = dense(*m, "fusion.wx", x) + dense(*m, "fusion.wy", y);
  Mat wxy = value(*m, "fusion.wxy", 1);  // [H=2, 2, 3] flattened
  for (int64_t r = 0; r < 4; ++r)
    for (int64_t k = 0; k < 2; ++k)
      for (int64_t a = 0; a < 2; ++a)
        for (int64_t c = 0; c < 3; ++c) out(r, 0) += x(r, k * 2 + a) * wxy(0, (k * 2 + a) * 3 + c) * y(r, k * 3 + c);
  expect_logits(*m, out);
}

TEST(BackboneValue, WuKongEigenComposition) {
  Rng rng(7);
  auto m = make_backbone("WuKong", tiny_config(), rng);
  randomise(*m, 8);
  for (Var p : m->parameters())  // LayerNorm gains near 1, so the layers do not cancel out
    if (p.name().find("gamma") != std::string::npos) p.value().vec().array() += 1.0f;
  const int64_t N = 3, D = 4, k = 2;
  Mat X = flat_E(*m, kIds, 4);
  for (int l = 0; l < 2; ++l) {
    const std::string L = "layer" + std::to_string(l);
    Mat P = value(*m, L + ".fmb.P", N), F(4, N * k);
    for (int64_t r = 0; r < 4; ++r) {
      Mat Xr(N, D);
      for (int64_t i = 0; i < N; ++i) Xr.row(i) = X.block(r, i * D, 1, D);
      Mat Fr = Xr * Xr.transpose() * P;  // [N, k]
      for (int64_t i = 0; i < N; ++i) F.block(r, i * k, 1, k) = Fr.row(i);
    }
    Mat fmb = relu(dense(*m, L + ".fmb.mlp.out", relu(dense(*m, L + ".fmb.mlp.0", layer_norm(*m, L + ".fmb.norm", F)))));
    Mat cat(4, 6);
    cat << fmb, dense(*m, L + ".lcb", X);
    X = layer_norm(*m, L + ".norm", dense(*m, L + ".transform", cat) + X);
  }
  expect_logits(*m, dense(*m, "mlp.out", relu(dense(*m, "mlp.0", X))));
}

TEST(BackboneValue, Dcnv2EigenComposition) {
  Rng rng(9);
  auto m = make_backbone("DCNv2", tiny_config(), rng);
  randomise(*m, 10);
  Mat x0 = flat_E(*m, kIds, 4), x = x0;
  for (int l = 0; l < 2; ++l) x = (x0.array() * dense(*m, "cross." + std::to_string(l), x).array()).matrix() + x;
  Mat d = relu(dense(*m, "dnn.0", x0));  // [4, 5]
  Mat cat(4, 12 + 5);
  cat << x, d;
  expect_logits(*m, dense(*m, "fc", cat));
  EXPECT_EQ(m->hidden_dim(), 17);
}

TEST(BackboneValue, XDeepFmEigenComposition) {
  Rng rng(11);
  auto m = make_backbone("xDeepFM", tiny_config(), rng);
  randomise(*m, 12);
  const int64_t N = 3, D = 4;
  Mat E = flat_E(*m, kIds, 4), w = value(*m, "lr.w", 9), pooled(4, 3 + 2);
  for (int64_t r = 0; r < 4; ++r) {
    Mat X0(N, D);
    for (int64_t i = 0; i < N; ++i) X0.row(i) = E.block(r, i * D, 1, D);
    // Z[o] = Σ_{i,m} W[o, i·M + m] X0[i] ⊙ X[m] + b[o], the definition, pair by pair.
    Mat X = X0;
    int64_t col = 0;
    for (int k = 0; k < 2; ++k) {
      const std::string L = "cin." + std::to_string(k);
      Mat Wk = W(*m, L);
      Mat Z(Wk.rows(), D);
      for (int64_t o = 0; o < Wk.rows(); ++o) {
        Z.row(o).setConstant(b(*m, L)(o));
        for (int64_t i = 0; i < N; ++i)
          for (int64_t j = 0; j < X.rows(); ++j) Z.row(o) += Wk(o, i * X.rows() + j) * X0.row(i).cwiseProduct(X.row(j));
      }
      X = Z;
      for (int64_t o = 0; o < Z.rows(); ++o) pooled(r, col++) = Z.row(o).sum();
    }
  }
  Mat ref = dense(*m, "cin.fc", pooled) + dense(*m, "dnn.out", relu(dense(*m, "dnn.0", E)));
  for (int64_t r = 0; r < 4; ++r)
    for (int64_t i = 0; i < N; ++i) ref(r, 0) += w(kIds[r * N + i], 0);
  expect_logits(*m, ref);
}

TEST(BackboneValue, AutoIntEigenComposition) {
  Rng rng(13);
  auto m = make_backbone("AutoInt", tiny_config(), rng);
  randomise(*m, 14);
  const int64_t N = 3, D = 4, A = 6, H = 2, dh = 3;
  Mat E = flat_E(*m, kIds, 4), out(4, N * A);
  for (int64_t r = 0; r < 4; ++r) {
    Mat X(N, D);
    for (int64_t i = 0; i < N; ++i) X.row(i) = E.block(r, i * D, 1, D);
    for (int l = 0; l < 2; ++l) {
      const std::string L = "attention" + std::to_string(l);
      Mat Q = X * W(*m, L + ".Wq").transpose(), K = X * W(*m, L + ".Wk").transpose(), V = X * W(*m, L + ".Wv").transpose();
      Mat O(N, A);
      for (int64_t h = 0; h < H; ++h) {
        Mat S = Q.middleCols(h * dh, dh) * K.middleCols(h * dh, dh).transpose();  // [N, N], unscaled
        for (int64_t i = 0; i < N; ++i) {
          S.row(i) = (S.row(i).array() - S.row(i).maxCoeff()).exp().matrix();
          S.row(i) /= S.row(i).sum();
        }
        O.middleCols(h * dh, dh) = S * V.middleCols(h * dh, dh);
      }
      X = relu(O + (l == 0 ? Mat(X * W(*m, L + ".Wres").transpose()) : X));
    }
    for (int64_t i = 0; i < N; ++i) out.block(r, i * A, 1, A) = X.row(i);
  }
  expect_logits(*m, dense(*m, "fc", out));
  EXPECT_EQ(m->hidden_dim(), N * A);
}

}  // namespace
}  // namespace llactr
