// Interaction layers of the CTR backbones, forward and forward+backward, on the grid
// B ∈ {256, 4096} × N ∈ {8, 13, 39} fields × D ∈ {16, 32, 64}.
//
// Each layer is one row of kLayers: a make_* function that builds the layer and its input
// E [B, N, D] for a grid point and states, beside the code, what one forward and one backward
// cost (FLOPs, and the bytes that must be read or written at least once). The counters
// (bench_common.h) are items/s (rows of the batch), GFLOP/s, GB/s, and the fractions of the
// GEMM roofline and of the STREAM-triad bandwidth measured in this same process.
// "fwd" runs under NoGrad (inference); "fwdbwd" runs the forward and a backward seeded with ones.
// docs/BENCHMARKS.md says how to add a layer; `llactr bench-report` turns the JSON into tables.
//
// BENCH_QUICK_FILTER: GemmRoofline|StreamTriad|/FM(Pairwise)?/fwd/B:4096/N:(8|13|39)/D:32/|/B:4096/N:13/D:32/
#include <benchmark/benchmark.h>

#include <functional>
#include <string>

#include "bench_common.h"
#include "llactr/ctr/bilinear_fusion.h"
#include "llactr/ctr/cin.h"
#include "llactr/ctr/cross_net.h"
#include "llactr/ctr/factorization_machine_block.h"
#include "llactr/ctr/feature_selection.h"
#include "llactr/ctr/interactions.h"
#include "llactr/ctr/linear_compression_block.h"
#include "llactr/ctr/self_attention.h"
#include "llactr/nn/mlp.h"
#include "llactr/tensor/ops.h"

using namespace llactr;
using bench::Cost;

namespace {

struct Grid {
  double B, N, D;                           // as doubles: the cost formulas below multiply them
  double P() const { return N * (N - 1) / 2; }  // field pairs
  Shape E() const { return {int64_t(B), int64_t(N), int64_t(D)}; }
};

// A layer ready to time: forward() recomputes the output from the same inputs every call.
struct LayerRun {
  std::function<Var()> forward;
  Cost fwd, bwd;  // one forward, one backward (whole batch)
};

constexpr float kF = sizeof(float);

Var input_E(const Grid& g) { return parameter(bench::random_tensor(g.E(), 3, 0.5f), "E"); }

// ---- the layers. Bytes count E read (and dE read+written in the backward), outputs, weights.

LayerRun make_fm(const Grid& g, Rng&) {
  Var E = input_E(g);
  // s = Σ_i e_i, Σ_i e_i²: 3 flops per element; backward: s again, then dh ⊙ (s − e_i): 4.
  return {[=] { return fm_interaction(E); }, {3 * g.B * g.N * g.D, kF * g.B * (g.N * g.D + g.D)},
          {4 * g.B * g.N * g.D, kF * g.B * (3 * g.N * g.D + g.D)}};
}

LayerRun make_fm_pairwise(const Grid& g, Rng&) {
  Var E = input_E(g);
  // Per pair and element: a multiply-add; backward two.
  return {[=] { return fm_interaction_pairwise(E); }, {2 * g.B * g.P() * g.D, kF * g.B * (g.N * g.D + g.D)},
          {4 * g.B * g.P() * g.D, kF * g.B * (3 * g.N * g.D + g.D)}};
}

LayerRun make_fwfm(const Grid& g, Rng& rng) {
  Var E = input_E(g);
  Tensor r({int64_t(g.P())});
  for (int64_t p = 0; p < r.numel(); ++p) r[p] = rng.normal();
  Var rv = parameter(std::move(r), "r");
  // r_p · e_i ⊙ e_j accumulated: 3 flops per pair and element; backward: 6 for dE, 3 for dr.
  return {[=] { return field_weighted_interaction(E, rv); }, {3 * g.B * g.P() * g.D, kF * (g.B * (g.N * g.D + g.D) + g.P())},
          {9 * g.B * g.P() * g.D, kF * (g.B * (3 * g.N * g.D + g.D) + 2 * g.P())}};
}

// LLaCTR's feature-interaction term Σ_{i<j} s_ij ⟨e_i, e_j⟩ per row: FwFM's kernel, summed over D.
LayerRun make_fie(const Grid& g, Rng& rng) {
  LayerRun run = make_fwfm(g, rng);
  auto fwfm = run.forward;
  run.forward = [fwfm] { return sum(fwfm(), 1); };  // [B]
  run.fwd.flops += g.B * g.D;
  run.bwd.flops += g.B * g.D;
  return run;
}

LayerRun make_fmfm(const Grid& g, Rng& rng) {
  Var E = input_E(g);
  Tensor m({int64_t(g.P()), int64_t(g.D), int64_t(g.D)});
  for (int64_t i = 0; i < m.numel(); ++i) m[i] = rng.normal(0.0f, 0.1f);
  Var M = parameter(std::move(m), "M");
  const double Mbytes = kF * g.P() * g.D * g.D;
  // Per pair: u = e_i M_p (2D² flops), h += u ⊙ e_j (2D); backward: u again, dE_j (2D),
  // (dh ⊙ e_j) M_pᵀ (2D² + D), dM_p += e_iᵀ (dh ⊙ e_j) (2D² + D).
  return {[=] { return field_matrixed_interaction(E, M); },
          {g.B * g.P() * (2 * g.D * g.D + 2 * g.D), kF * g.B * (g.N * g.D + g.D) + Mbytes},
          {g.B * g.P() * (6 * g.D * g.D + 4 * g.D), kF * g.B * (3 * g.N * g.D + g.D) + 2 * Mbytes}};
}

// DeepFM's MLP: vec(E) -> 300 -> 300 -> 128 -> 1, ReLU.
LayerRun make_mlp(const Grid& g, Rng& rng) {
  Var E = input_E(g);
  MlpOptions o;
  o.hidden = {300, 300, 128};
  o.output_dim = 1;
  Mlp mlp(int64_t(g.N * g.D), o, rng, "mlp");
  const double macs = g.N * g.D * 300 + 300 * 300 + 300 * 128 + 128;  // per row = weights
  const double acts = g.N * g.D + 300 + 300 + 128 + 1;                 // per row
  // Forward 2 flops per MAC; backward two GEMMs per layer (dx and dW): 4.
  return {[=] { return mlp.forward(reshape(E, {int64_t(g.B), -1}), false, nullptr); },
          {2 * g.B * macs, kF * (macs + g.B * acts)}, {4 * g.B * macs, kF * (2 * macs + 2 * g.B * acts)}};
}

// FinalMLP's feature selection: two gates g_k = 2σ(MLP_k(c_k)) [1, N·D] and x̃_k = vec(E) ⊙ g_k.
LayerRun make_finalmlp_gates(const Grid& g, Rng& rng) {
  Var E = input_E(g);
  FeatureSelection fs(int64_t(g.N), int64_t(g.D), {64}, rng);
  const double F = g.N * g.D, gate = 2 * 2 * (g.D * 64 + 64 * F);  // the two gate MLPs, once per batch
  // Forward: two products per element; backward: dE += g_k ⊙ dx̃_k and dg_k += E ⊙ dx̃_k, per stream.
  return {[=] {
            auto [x1, x2] = fs.forward(reshape(E, {int64_t(g.B), -1}), ForwardContext{});
            return add(x1, x2);  // one output to seed; adds B·F flops and bytes, counted below
          },
          {gate + 3 * g.B * F, kF * 2 * g.B * F}, {2 * gate + 9 * g.B * F, kF * 4 * g.B * F}};
}

// FinalMLP's bilinear fusion of the two 64-wide stream outputs, 2 heads. Independent of N and D.
LayerRun make_finalmlp_fusion(const Grid& g, Rng& rng) {
  Var x = parameter(bench::random_tensor({int64_t(g.B), 64}, 4), "x");
  Var y = parameter(bench::random_tensor({int64_t(g.B), 64}, 5), "y");
  BilinearFusion fusion(64, 64, 2, rng);
  // Per row: w_xᵀx, w_yᵀy (4·64) and per head x_hᵀ W_h (2·32·32) then · y_h (2·32).
  const double per_row = 4 * 64 + 2 * (2 * 32 * 32 + 2 * 32);
  return {[=] { return fusion.forward(x, y); }, {g.B * per_row, kF * g.B * (128 + 1)},
          {2 * g.B * per_row, kF * g.B * (3 * 128 + 1)}};
}

LayerRun make_wukong_fmb(const Grid& g, Rng& rng) {
  Var E = input_E(g);
  // WuKong's defaults: k = 8, MLP [32, 32] -> 40
  FactorizationMachineBlock fmb(int64_t(g.N), 8, {32, 32}, 40, LinearInit::XavierNormal, rng, "fmb");
  const double k = 8, nk = g.N * k, mlp = nk * 32 + 32 * 32 + 32 * 40;
  // Xᵀ P and X (Xᵀ P): 2·N·D·k each; LayerNorm ≈ 8 per element; MLP 2 per MAC. Backward ≈ 2×.
  const double per_row = 4 * g.N * g.D * k + 8 * nk + 2 * mlp;
  return {[=] { return fmb.forward(reshape(E, {int64_t(g.B), -1}), ForwardContext{}); }, {g.B * per_row, kF * (g.B * (g.N * g.D + 40) + mlp)},
          {2 * g.B * per_row, kF * (g.B * (3 * g.N * g.D + 40) + 2 * mlp)}};
}

LayerRun make_wukong_lcb(const Grid& g, Rng& rng) {
  Var E = input_E(g);
  LinearCompressionBlock lcb(int64_t(g.N * g.D), 40, 0.2f, LinearInit::XavierNormal, rng, "lcb");  // WuKong's defaults
  const double W = g.N * g.D * 40;  // weights = MACs per row
  return {[=] { return lcb.forward(reshape(E, {int64_t(g.B), -1}), ForwardContext{}); }, {2 * g.B * W, kF * (g.B * (g.N * g.D + 40) + W)},
          {4 * g.B * W, kF * (g.B * (3 * g.N * g.D + 40) + 2 * W)}};
}

// DCNv2's cross network, 3 layers of x0 ⊙ (W x + b) + x on F = N·D.
LayerRun make_dcnv2_cross(const Grid& g, Rng& rng) {
  Var E = input_E(g);
  const double F = g.N * g.D;
  CrossNetwork net(int64_t(F), 3, rng, "cross");
  // Per layer and row: W x (2F² flops), + b, ⊙ x0, + x (3F). Backward: dx and dW GEMMs (4F²) + 5F.
  return {[=] { return net.forward(reshape(E, {int64_t(g.B), -1})); },
          {3 * g.B * (2 * F * F + 3 * F), kF * (3 * F * F + 2 * g.B * F)},
          {3 * g.B * (4 * F * F + 5 * F), kF * (6 * F * F + 4 * g.B * F)}};
}

// xDeepFM's CIN, layers [16, 16, 16], sum-pooled.
LayerRun make_cin(const Grid& g, Rng& rng) {
  Var E = input_E(g);
  CompressedInteractionNet cin(int64_t(g.N), {16, 16, 16}, rng, "cin");
  double fwd = 0, bwd = 0, weights = 0, M = g.N;
  for (int k = 0; k < 3; ++k, M = 16) {
    const double H = 16;
    fwd += 2 * g.N * H * M * g.D + 2 * g.N * H * g.D + H * g.D;  // Wf·Xk, field sum, pooling
    bwd += 6 * g.N * H * M * g.D + 3 * g.N * H * g.D + H * g.D;  // recompute, dXk, dW; dA, dX0
    weights += H * g.N * M;
  }
  return {[=] { return cin.forward(E); }, {g.B * fwd, kF * (g.B * (g.N * g.D + 48) + weights)},
          {g.B * bwd, kF * (g.B * (3 * g.N * g.D + 48) + 2 * weights)}};
}

// One AutoInt interacting layer, 2 heads, attention width A = D (so the residual is the identity).
LayerRun make_autoint_mhsa(const Grid& g, Rng& rng) {
  Var E = input_E(g);
  MultiHeadSelfAttention att(int64_t(g.D), int64_t(g.D), 2, rng, "att");
  const double N = g.N, A = g.D, H = 2;
  // Q, K, V (3 · 2·N·D·A), scores and P·V (2 · 2·N²·A), softmax (≈ 5 per score), residual + ReLU.
  const double per_row = 6 * N * g.D * A + 4 * N * N * A + 5 * N * N * H + 2 * N * A;
  const double W = 3 * g.D * A;
  return {[=] { return att.forward(E); }, {g.B * per_row, kF * (2 * g.B * N * g.D + W)},
          {2 * g.B * per_row, kF * (4 * g.B * N * g.D + 2 * W)}};
}

struct LayerCase {
  const char* name;
  LayerRun (*make)(const Grid&, Rng&);
};

const LayerCase kLayers[] = {
    {"FM", make_fm},
    {"FMPairwise", make_fm_pairwise},
    {"FwFM", make_fwfm},
    {"FIE", make_fie},
    {"FmFM", make_fmfm},
    {"MLP", make_mlp},
    {"FinalMLPGates", make_finalmlp_gates},
    {"FinalMLPFusion", make_finalmlp_fusion},
    {"WuKongFMB", make_wukong_fmb},
    {"WuKongLCB", make_wukong_lcb},
    {"DCNv2Cross", make_dcnv2_cross},
    {"CIN", make_cin},
    {"AutoIntMHSA", make_autoint_mhsa},
};

void run_layer(benchmark::State& state, const LayerCase& layer, bool with_backward) {
  const Grid g{double(state.range(0)), double(state.range(1)), double(state.range(2))};
  Rng rng(42);
  LayerRun run = layer.make(g, rng);
  // One untimed pass first: it sizes the seed and allocates the inputs' gradients (page faults,
  // not the layer's cost).
  Var first = run.forward();
  Tensor seed(first.shape(), 1.0f);
  if (with_backward) backward(first, seed);
  clear_tape();
  bench::LoopClock clock;
  for (auto _ : state) {
    if (with_backward) {
      backward(run.forward(), seed);
    } else {
      NoGrad inference;
      benchmark::DoNotOptimize(run.forward().value().data());
    }
  }
  bench::report(state, with_backward ? run.fwd + run.bwd : run.fwd, g.B, clock.seconds());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RegisterBenchmark("GemmRoofline", bench::BM_GemmRoofline)->Iterations(1)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("StreamTriad", bench::BM_StreamTriad)->UseRealTime()->Unit(benchmark::kMillisecond);
  for (const LayerCase& layer : kLayers)
    for (bool with_backward : {false, true})
      benchmark::RegisterBenchmark((std::string("Interaction/") + layer.name + (with_backward ? "/fwdbwd" : "/fwd")).c_str(),
                                   run_layer, layer, with_backward)
          ->ArgNames({"B", "N", "D"})
          ->ArgsProduct({{256, 4096}, {8, 13, 39}, {16, 32, 64}})
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
