#!/usr/bin/env python3
"""PyTorch-on-CPU reference for the CTR training throughput in docs/PERFORMANCE.md.

Not part of the build: it measures what the same six backbones cost in PyTorch with the same
hyperparameters on the same threads, so the C++ trainer's samples/s has a reference.

Workload: ml-1m-u2999's shapes (8 fields with the train vocabulary sizes printed by
`./llactr data stats --dataset ml1m --data-dir ../shared/data/ml-1m-u2999`), batch 4096, D = 32,
Adam lr 1e-3 (dense embedding gradients, as torch does by default), gradient clipping at 10,
embeddings N(0, 1e-4), Linear weights Xavier normal. Ids are drawn uniformly from each field's
vocabulary: throughput depends on shapes, not on which ids.

Models: bench/torch_ctr_models.py, as docs/BACKBONES.md defines them. Run (Debian's python3-torch) with the
thread-wait settings ./run_experiment sets for itself (without them torch ran at half speed here):
    OMP_WAIT_POLICY=passive OPENBLAS_THREAD_TIMEOUT=4 /usr/bin/python3 bench/torch_backbones.py --threads 2 --steps 40
Prints one line per model: samples/s of training steps (forward, backward, clip, Adam).
"""
import argparse
import time

import torch
import torch.nn as nn

from torch_ctr_models import MODELS, init

VOCAB = [2761, 3, 8, 22, 3526, 3526, 302, 140625]  # ml-1m-u2999, per field, incl. OOV id 0
N, D, B = len(VOCAB), 32, 4096


def batches(steps, seed):
    g = torch.Generator().manual_seed(seed)
    offsets = torch.tensor([sum(VOCAB[:k]) for k in range(N)])
    out = []
    for _ in range(steps):
        ids = torch.stack([torch.randint(0, v, (B,), generator=g) for v in VOCAB], 1) + offsets
        out.append((ids, torch.randint(0, 2, (B,), generator=g).float()))
    return out


def measure(cls, steps):
    torch.manual_seed(2024)
    model = cls(VOCAB, D)
    init(model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    data = batches(steps + 5, 1)
    for i, (x, y) in enumerate(data):
        if i == 5:  # warm-up steps excluded
            start = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
    return steps * B / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--models", default="FM,DeepFM,FwFM,FmFM,FinalMLP,WuKong")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {a.threads} threads, batch {B}, D {D}, {a.steps} timed steps")
    for name in a.models.split(","):
        print(f"{name:10s} {measure(MODELS[name], a.steps):12,.0f} samples/s", flush=True)


if __name__ == "__main__":
    main()
