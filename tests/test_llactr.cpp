// LLaCTR's FRE and FIE terms against hand computations, their gradients, the field mapping by
// name, the released-code FIE mode, frozen adapters, and FIE's effect on every backbone.
#include <gtest/gtest.h>

#include <cmath>

#include "ctr_synthetic.h"
#include "gradcheck_util.h"
#include "llactr/ctr/backbone.h"
#include "llactr/ctr/interactions.h"
#include "llactr/methods/llactr/llactr.h"
#include "llactr/tensor/ops.h"

namespace llactr {
namespace {

using methods::FieMode;
using methods::LlactrEnhancer;
using methods::LlactrOptions;

data::Schema schema_of(std::vector<std::string> names) {
  data::Schema s;
  for (auto& n : names) s.fields.push_back({n, n + ": a field."});
  return s;
}

// K random field vectors of size d, named F0..F{K-1}.
struct RandomFields {
  std::vector<std::string> names;
  std::vector<float> H;
  int d;
};
RandomFields random_fields(int K, int d, uint64_t seed) {
  RandomFields f{{}, {}, d};
  Rng rng(seed);
  for (int k = 0; k < K; ++k) f.names.push_back("F" + std::to_string(k));
  for (int i = 0; i < K * d; ++i) f.H.push_back(rng.normal());
  return f;
}

LlactrEnhancer make_enhancer(const RandomFields& f, int D, LlactrOptions o = {}, const std::string& backbone = "FM",
                             uint64_t seed = 1) {
  Rng rng(seed);
  return LlactrEnhancer(schema_of(f.names), f.names, f.H, f.d, backbone, D, o, rng);
}

TEST(LlactrFieldMapping, RowsFollowTheSchemaByName) {
  // Embeddings listed as C, A, B plus an extra field the schema lacks.
  std::vector<std::string> names{"C", "A", "Extra", "B"};
  std::vector<float> H{3, 0, 1, 0, 9, 9, 0, 2};  // C=(3,0) A=(1,0) Extra=(9,9) B=(0,2)
  Rng rng(1);
  LlactrEnhancer e(schema_of({"A", "B", "C"}), names, H, 2, "FM", 4, {}, rng);
  const Tensor& h = e.field_embeddings();
  ASSERT_EQ(h.shape(), (Shape{3, 2}));
  EXPECT_EQ(std::vector<float>(h.data(), h.data() + 6), (std::vector<float>{1, 0, 0, 2, 3, 0}));
  // Pairs (A,B), (A,C), (B,C): cosines 0, 1, 0.
  const Tensor& s = e.similarities();
  ASSERT_EQ(s.shape(), (Shape{3}));
  EXPECT_FLOAT_EQ(s[0], 0.0f);
  EXPECT_FLOAT_EQ(s[1], 1.0f);
  EXPECT_FLOAT_EQ(s[2], 0.0f);
}

TEST(LlactrFieldMapping, PairCosinesMatchHandValues) {
  // (1,0), (0,1), (1,1), (−1,2): pairs in row-major upper-triangle order.
  std::vector<float> H{1, 0, 0, 1, 1, 1, -1, 2};
  Rng rng(1);
  LlactrEnhancer e(schema_of({"a", "b", "c", "d"}), {"a", "b", "c", "d"}, H, 2, "FM", 4, {}, rng);
  const double r2 = std::sqrt(2.0), r5 = std::sqrt(5.0), r10 = std::sqrt(10.0);
  const double want[6] = {0, 1 / r2, -1 / r5, 1 / r2, 2 / r5, 1 / r10};
  for (int p = 0; p < 6; ++p) EXPECT_NEAR(e.similarities()[p], want[p], 1e-6) << "pair " << p;
}

TEST(MalformedFieldEmbeddings, MissingFieldIsAClearError) {
  Rng rng(1);
  try {
    LlactrEnhancer e(schema_of({"UserID", "Genre"}), {"UserID", "Title"}, {1, 0, 0, 1}, 2, "FM", 4, {}, rng);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& err) {
    EXPECT_NE(std::string(err.what()).find("'Genre'"), std::string::npos) << err.what();
    EXPECT_NE(std::string(err.what()).find("UserID, Title"), std::string::npos) << err.what();
  }
}

TEST(MalformedFieldEmbeddings, WrongSizeAndWrongEmbeddingShapeAreErrors) {
  Rng rng(1);
  EXPECT_THROW(LlactrEnhancer(schema_of({"a", "b"}), {"a", "b"}, {1, 0, 0}, 2, "FM", 4, {}, rng), std::invalid_argument);
  EXPECT_THROW(LlactrEnhancer(schema_of({"a", "b"}), {"a", "b"}, {1, 0, 0, 0}, 2, "FM", 4, {}, rng),
               std::invalid_argument);  // b is all zeros: no cosine
  auto f = random_fields(3, 5, 2);
  LlactrEnhancer e = make_enhancer(f, 4);
  EXPECT_THROW(e.fre_loss(random_param({2, 4, 4}, 3)), std::invalid_argument);  // 4 fields, H has 3
  EXPECT_THROW(methods::parse_fie_mode("constant"), std::invalid_argument);
}

TEST(LlactrFre, LossIsTheBatchMeanOfPerFieldKl) {
  const int B = 5, K = 3, D = 4, d = 6;
  auto f = random_fields(K, d, 11);
  LlactrEnhancer e = make_enhancer(f, D);
  Var E = random_param({B, K, D}, 12);
  // Independent: g_k = W h_k + b, KL(softmax(g_k) ‖ softmax(e_bk)) summed over b, k, divided by B.
  const Tensor &W = e.adapters()[0].value(), &bias = e.adapters()[1].value(), &H = e.field_embeddings();
  double want = 0;
  for (int k = 0; k < K; ++k) {
    std::vector<double> g(D), t(D);
    double zt = 0;
    for (int i = 0; i < D; ++i) {
      g[i] = bias[i];
      for (int j = 0; j < d; ++j) g[i] += double(W[i * d + j]) * H[k * d + j];
      zt += std::exp(g[i]);
    }
    for (int i = 0; i < D; ++i) t[i] = std::exp(g[i]) / zt;
    for (int b = 0; b < B; ++b) {
      double zp = 0;
      for (int i = 0; i < D; ++i) zp += std::exp(double(E.value()[(b * K + k) * D + i]));
      for (int i = 0; i < D; ++i) {
        double p = std::exp(double(E.value()[(b * K + k) * D + i])) / zp;
        want += t[i] * std::log(t[i] / p) / B;
      }
    }
  }
  EXPECT_NEAR(e.fre_loss(E).value().item(), want, 1e-5 * std::max(1.0, want));
  EXPECT_GT(want, 0.0);
}

TEST(LlactrFre, GradientsOfEmbeddingsAndProjection) {
  auto f = random_fields(3, 5, 21);
  LlactrEnhancer e = make_enhancer(f, 4);
  Var E = random_param({4, 3, 4}, 22);
  std::vector<Var> ad = e.adapters();
  testing::expect_grads_match([&](const std::vector<Var>&) { return e.fre_loss(E); }, {E, ad[0], ad[1]});
}

TEST(LlactrFie, LogitIsTheAdaptedSimilarityWeightedInnerProducts) {
  const int B = 3, K = 4, D = 5, C = 6;
  auto f = random_fields(K, 7, 31);
  LlactrEnhancer e = make_enhancer(f, D);
  Var E = random_param({B, K, D}, 32);
  const Tensor &A = e.adapters()[2].value(), &c = e.adapters()[3].value(), &s = e.similarities();
  std::vector<double> st(C);
  for (int p = 0; p < C; ++p) {
    st[p] = c[p];
    for (int q = 0; q < C; ++q) st[p] += double(A[p * C + q]) * s[q];
  }
  Var y = e.fie_logit(E);
  ASSERT_EQ(y.shape(), (Shape{B}));
  for (int b = 0; b < B; ++b) {
    double want = 0;
    int p = 0;
    for (int i = 0; i < K; ++i)
      for (int j = i + 1; j < K; ++j, ++p)
        for (int t = 0; t < D; ++t) want += st[p] * E.value()[(b * K + i) * D + t] * E.value()[(b * K + j) * D + t];
    EXPECT_NEAR(y.value()[b], want, 1e-5) << "row " << b;
  }
}

TEST(LlactrFie, GradientsOfEmbeddingsAndAdapter) {
  auto f = random_fields(4, 5, 41);
  LlactrEnhancer e = make_enhancer(f, 3);
  Var E = random_param({3, 4, 3}, 42);
  std::vector<Var> ad = e.adapters();
  testing::expect_grads_match([&](const std::vector<Var>&) { return e.fie_logit(E); }, {E, ad[2], ad[3]});
}

// The released mode asks the backbone's row (released_fie_constant), which FinalMLP's and WuKong's
// rows set, as the released code treats those two; a row outside the library can set it too.
TEST(LlactrFie, ReleasedModeAddsAConstantForTheRowsThatSaySo) {
  std::vector<std::string> constant_rows;
  for (const BackboneEntry& row : backbone_table())
    if (row.released_fie_constant) constant_rows.push_back(row.name);
  EXPECT_EQ(constant_rows, (std::vector<std::string>{"FinalMLP", "WuKong"}));
  const BackboneRegistration toy({"ConstantFieToy", {}, backbone_entry("FM").make, false, false, {}, true});
  auto f = random_fields(4, 5, 51);
  Var E = random_param({3, 4, 3}, 52);
  LlactrOptions released;
  released.fie_mode = FieMode::Released;
  EXPECT_THROW(make_enhancer(f, 3, released, "NoSuchBackbone"), std::invalid_argument);
  for (std::string bb : {"FinalMLP", "WuKong", "ConstantFieToy"}) {
    LlactrEnhancer e = make_enhancer(f, 3, released, bb);
    const float want = e.adapted_similarities().value().vec().sum();
    Var y = e.fie_logit(E);
    for (int b = 0; b < 3; ++b) EXPECT_FLOAT_EQ(y.value()[b], want) << bb;
  }
  for (std::string bb : {"FM", "DeepFM", "FwFM", "FmFM"}) {
    LlactrEnhancer r = make_enhancer(f, 3, released, bb), p = make_enhancer(f, 3, {}, bb);
    Var yr = r.fie_logit(E), yp = p.fie_logit(E);
    for (int b = 0; b < 3; ++b) EXPECT_EQ(yr.value()[b], yp.value()[b]) << bb;
  }
}

TEST(LlactrEnhancerHooks, LambdasScaleTheTermsAndZeroTurnsThemOff) {
  auto f = random_fields(3, 4, 61);
  Var E = random_param({2, 3, 4}, 62);
  LlactrOptions o;
  o.lambda_fre = 0.3f;
  o.lambda_fie = 0.7f;
  LlactrEnhancer e = make_enhancer(f, 4, o);
  data::Batch batch;
  EXPECT_FLOAT_EQ(e.extra_loss(E, Var(), Var(), batch).value().item(), 0.3f * e.fre_loss(E).value().item());
  EXPECT_FLOAT_EQ(e.extra_logit(E, batch).value()[1], 0.7f * e.fie_logit(E).value()[1]);
  o.lambda_fre = o.lambda_fie = 0;
  LlactrEnhancer off = make_enhancer(f, 4, o);
  EXPECT_FALSE(off.extra_loss(E, Var(), Var(), batch));
  EXPECT_FALSE(off.extra_logit(E, batch));
  clear_tape();
}

// ---- with the backbones and the trainer, on the synthetic dataset (fields User, Item, Context)

const data::Dataset& dataset() {
  static const data::Dataset d = testing::synthetic_ctr(3000);
  return d;
}

BackboneConfig small_config(float embedding_std) {
  BackboneConfig c;
  c.num_fields = dataset().schema.num_fields();
  c.vocab_size = dataset().encoder.total_vocab();
  c.embedding_dim = 8;
  c.embedding_std = embedding_std;
  c.options.set("deepfm-mlp", "16");
  c.options.set("finalmlp-mlp1", "16");
  c.options.set("finalmlp-mlp2", "16");
  c.options.set("finalmlp-fs-hidden", "8");
  c.options.set("wukong-layers", "1");
  c.options.set("wukong-fmb-units", "8");
  c.options.set("wukong-mlp", "8");
  return c;
}

RandomFields synthetic_fields(uint64_t seed) {
  RandomFields f = random_fields(3, 6, seed);
  f.names = {"User", "Item", "Context"};
  return f;
}

LlactrEnhancer synthetic_enhancer(const std::string& backbone, LlactrOptions o, Rng& rng) {
  RandomFields f = synthetic_fields(71);
  return LlactrEnhancer(dataset().schema, f.names, f.H, f.d, backbone, 8, o, rng);
}

// Pairs of test rows whose predicted order differs between a and b.
int swapped_pairs(const std::vector<float>& a, const std::vector<float>& b) {
  int n = 0;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = i + 1; j < a.size(); ++j) n += (a[i] < a[j]) != (b[i] < b[j]);
  return n;
}

TEST(LlactrFie, ChangesTheRankingOnEveryBackbone) {
  const data::Split& test = dataset().test;
  for (std::string name : {"FM", "DeepFM", "FwFM", "FmFM", "FinalMLP", "WuKong"}) {
    // Embeddings large enough (std 0.5) for ⟨e_i, e_j⟩ to differ visibly between rows.
    Rng rng(3);
    auto model = make_backbone(name, small_config(0.5f), rng);
    LlactrOptions o;
    o.lambda_fie = 1.0f;
    LlactrEnhancer fie = synthetic_enhancer(name, o, rng);
    std::vector<float> base = predict(*model, test, 512), with = predict(*model, test, 512, &fie);
    const int swaps = swapped_pairs(base, with);
    EXPECT_GT(swaps, int(test.size())) << name;  // far more than ties could explain
    if (name == "FinalMLP" || name == "WuKong") {
      // The released constant shifts every logit equally: the order is kept exactly.
      o.fie_mode = FieMode::Released;
      LlactrEnhancer released = synthetic_enhancer(name, o, rng);
      EXPECT_EQ(swapped_pairs(base, predict(*model, test, 512, &released)), 0) << name;
    }
  }
}

TrainConfig quick_train() {
  TrainConfig t;
  t.lr = 2e-2f;
  t.batch_size = 256;
  t.max_epochs = 3;
  t.patience = 3;
  t.verbose = false;
  return t;
}

std::vector<Tensor> values(const std::vector<Var>& vs) {
  std::vector<Tensor> out;
  for (const Var& v : vs) out.push_back(v.value());
  return out;
}

bool identical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::equal(a.data(), a.data() + a.numel(), b.data());
}

TEST(LlactrAdapters, FrozenStayBitIdenticalAndTrainableOnesMove) {
  for (bool frozen : {true, false}) {
    Rng rng(2024);
    auto model = make_backbone("DeepFM", small_config(1e-4f), rng);
    LlactrOptions o;
    o.frozen_adapters = frozen;
    LlactrEnhancer e = synthetic_enhancer("DeepFM", o, rng);
    EXPECT_EQ(e.parameters().size(), frozen ? 0u : 4u);
    const std::vector<Tensor> before = values(e.adapters());
    const Tensor table_before = model->parameter("embedding").value();
    TrainResult r = train(*model, dataset().train, dataset().valid, quick_train(), &e);
    EXPECT_GT(r.best_valid_auc, 0.6);
    EXPECT_FALSE(identical(table_before, model->parameter("embedding").value()));
    const std::vector<Tensor> after = values(e.adapters());
    for (size_t i = 0; i < before.size(); ++i)
      EXPECT_EQ(identical(before[i], after[i]), frozen) << (frozen ? "frozen" : "trainable") << " adapter " << i;
  }
}

TEST(LlactrAdapters, FreGradientPullsEmbeddingsTowardTheFieldDistributions) {
  // One FRE-only step on the embeddings lowers L_FRE: the gradient points the right way.
  auto f = random_fields(3, 4, 81);
  LlactrEnhancer e = make_enhancer(f, 5);
  Var E = random_param({6, 3, 5}, 82);
  Var l0 = e.fre_loss(E);
  backward(l0);
  Tensor step = E.grad();
  for (int64_t i = 0; i < E.numel(); ++i) E.value()[i] -= 0.5f * step[i];
  NoGrad ng;
  EXPECT_LT(e.fre_loss(E).value().item(), l0.value().item());
}

}  // namespace
}  // namespace llactr
