#!/usr/bin/python3
"""Data-parallel speed-up on R nodes, modelled (docs/DISTRIBUTED.md, "Scaling, modelled").

    bench/scaling_model.py [--deepfm-us-per-sample X] [--tokens-per-s-per-gflop Y] ...

One step of synchronous data parallelism over a fixed global batch (strong scaling) costs
    compute(R) + communication(R),  compute(R) = compute(1) / R   (no overlap; a lower bound on speed-up)
Ring allreduce of S bytes over R nodes: 2 (R - 1) / R * S / bandwidth + 2 (R - 1) * latency.
Ring allgather(v) where each rank contributes s bytes: (R - 1) * s / bandwidth + (R - 1) * latency.
Each rank's gradient slice is the same size in a dense allreduce; the lazy embedding exchange sends
each rank's touched rows (ids + D floats) to every other rank.
"""
import argparse


def ring_allreduce(S, R, bw, lat):
    return 0.0 if R == 1 else 2 * (R - 1) / R * S / bw + 2 * (R - 1) * lat


def ring_allgather(s, R, bw, lat):
    return 0.0 if R == 1 else (R - 1) * s / bw + (R - 1) * lat


def main():
    ap = argparse.ArgumentParser()
    # DeepFM on a Criteo-sized log (FuxiCTR's Criteo_x4: 39 fields, ~0.9M features after min count 10)
    ap.add_argument("--deepfm-us-per-sample", type=float, required=True,
                    help="measured training time per sample on one node (both cores), microseconds")
    ap.add_argument("--deepfm-batch", type=int, default=4096)
    ap.add_argument("--criteo-features", type=float, default=0.91e6)
    ap.add_argument("--fields", type=int, default=39)
    ap.add_argument("--dim", type=int, default=16)
    ap.add_argument("--mlp-params", type=float, default=0.57e6, help="DeepFM's MLP 400x3 on 39x16 inputs")
    ap.add_argument("--unique-share", type=float, default=0.3,
                    help="unique ids per batch / (batch x fields), measured on the data")
    # ClickPrompt with a 0.5B-parameter LM
    ap.add_argument("--lm-params", type=float, default=0.494e9)
    ap.add_argument("--lora-params", type=float, default=0.54e6, help="r 8 on q and v, 24 layers of d 896")
    ap.add_argument("--node-gflops", type=float, required=True,
                    help="achieved training GFLOP/s of one node (measured share of the GEMM roofline x roofline)")
    ap.add_argument("--tokens-per-batch", type=int, default=16 * 128)
    ap.add_argument("--nodes", default="1,8,32,128")
    a = ap.parse_args()
    nets = [("10 Gbit/s, 30 µs", 10e9 / 8, 30e-6), ("100 Gbit/s, 5 µs", 100e9 / 8, 5e-6)]
    Rs = [int(x) for x in a.nodes.split(",")]

    print("## DeepFM, Criteo-sized, global batch %d (strong scaling)\n" % a.deepfm_batch)
    t1 = a.deepfm_batch * a.deepfm_us_per_sample * 1e-6
    dense_bytes = 4 * (a.criteo_features * a.dim + a.criteo_features + a.mlp_params)  # tables + first order + MLP
    print("| nodes | network | dense allreduce: step ms / speed-up | lazy rows (allgatherv) + MLP allreduce: step ms / speed-up |")
    print("|---|---|---|---|")
    for name, bw, lat in nets:
        for R in Rs:
            comp = t1 / R
            dense = comp + ring_allreduce(dense_bytes, R, bw, lat)
            rows = a.unique_share * a.deepfm_batch / R * a.fields  # touched rows of one rank (upper bound)
            lazy = comp + ring_allgather(rows * (4 + 4 * (a.dim + 1)), R, bw, lat) + ring_allreduce(4 * a.mlp_params, R, bw, lat)
            print(f"| {R} | {name} | {dense*1e3:.1f} / {t1/dense:.2f}x | {lazy*1e3:.1f} / {t1/lazy:.2f}x |")
    print(f"\n(one node: {t1*1e3:.1f} ms a step; dense gradient {dense_bytes/1e6:.0f} MB)\n")

    print("## ClickPrompt fine-tuning, %.1fB-parameter LM, %d tokens a step\n" % (a.lm_params / 1e9, a.tokens_per_batch))
    print("| nodes | network | LoRA: step s / speed-up | full: step s / speed-up |")
    print("|---|---|---|---|")
    t1 = 6 * a.lm_params * a.tokens_per_batch / (a.node_gflops * 1e9)  # forward + backward: 6 N flops a token
    for name, bw, lat in nets:
        for R in Rs:
            comp = t1 / R
            lora = comp + ring_allreduce(4 * a.lora_params, R, bw, lat)
            full = comp + ring_allreduce(4 * a.lm_params, R, bw, lat)
            print(f"| {R} | {name} | {lora:.2f} / {t1/lora:.1f}x | {full:.2f} / {t1/full:.1f}x |")
    print(f"\n(one node: {t1:.1f} s a step at {a.node_gflops:.0f} GFLOP/s)")


if __name__ == "__main__":
    main()
