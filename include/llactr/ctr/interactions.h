// Fused second-order feature interactions of the factorization-machine family, each one op
// with a hand-written backward. Built from generic ops they would take O(N²) graph nodes or an [B, N, N] tensor;
// fused, each is one pass over E and the result is the interaction VECTOR h [B, D], whose sum
// over D is the interaction logit (so the same op also gives the backbone's hidden h).
//
// Pairs (i, j), i < j, are numbered p = 0, 1, .. in row-major order of the upper triangle:
// (0,1), (0,2), .., (0,N-1), (1,2), .. — the order of torch.triu(ones(N, N), 1) masks.
#pragma once
#include <cstdint>

#include "llactr/tensor/autograd.h"

namespace llactr {

inline int64_t num_pairs(int64_t N) { return N * (N - 1) / 2; }

// FM bi-interaction: h_b = ½[(Σ_i e_bi)² − Σ_i e_bi²] = Σ_{i<j} e_bi ⊙ e_bj, in O(N·D).
// E: [B, N, D] -> [B, D]
Var fm_interaction(const Var& E);

// The same h by the definition, one pair at a time: O(N²·D) forward and backward. Kept as the
// teaching counterpart of fm_interaction (bench/bench_interactions.cpp times the two).
// E: [B, N, D] -> [B, D]
Var fm_interaction_pairwise(const Var& E);

// Field-weighted: h_b = Σ_{p=(i,j)} r_p · e_bi ⊙ e_bj.   E: [B, N, D], r: [P] -> [B, D]
Var field_weighted_interaction(const Var& E, const Var& r);

// Field-matrixed: h_b = Σ_{p=(i,j)} (e_biᵀ M_p) ⊙ e_bj.   E: [B, N, D], M: [P, D, D] -> [B, D]
Var field_matrixed_interaction(const Var& E, const Var& M);

// The factorization machine block's interaction (factorization_machine_block.h): the N×N
// dot-product matrix X Xᵀ projected to rank k, computed per row as X (Xᵀ P) without forming X Xᵀ. One op instead of transpose + a [B·D, N]·[N, k] product +
// a batched product: the two products are tiny (N·D·k multiply-adds each) and skinny, which the
// GEMM engines do badly, and the transpose is a copy of E.
// X: [B, N, D], or its flat view [B, N·D] (N is P's rows), P: [N, k] -> vec(X Xᵀ P) per row: [B, N·k]
Var fmb_interaction(const Var& X, const Var& P);

// The bilinear term of a two-stream fusion (bilinear_fusion.h): the streams' outputs x, y are
// split into H heads and out_b = Σ_h x_bhᵀ W_h y_bh. One op instead of per-head slices (copies), a [B, a]·[a, c]
// product, a product and a row sum, each with its own backward: the heads are tiny (a = c = 32).
// x: [B, H·a], y: [B, H·c], W: [H, a, c] -> [B]
Var bilinear_heads(const Var& x, const Var& y, const Var& W);

}  // namespace llactr
