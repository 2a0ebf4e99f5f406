#!/usr/bin/env python3
"""PyTorch-on-CPU reference for the CTR training throughput in docs/PERFORMANCE.md.

Not part of the build: it measures what the same six backbones cost in PyTorch with the same
hyperparameters on the same threads, so the C++ trainer's samples/s has a reference.

Workload: ml-1m-u2999's shapes (8 fields with the train vocabulary sizes printed by
`./llactr data stats --format ml1m --dir ../shared/data/ml-1m-u2999`), batch 4096, D = 32,
Adam lr 1e-3 (dense embedding gradients, as torch does by default), gradient clipping at 10,
embeddings N(0, 1e-4), Linear weights Xavier normal. Ids are drawn uniformly from each field's
vocabulary: throughput depends on shapes, not on which ids.

Models follow docs/BACKBONES.md (the C++ definitions). Run (Debian's python3-torch) with the
thread-wait settings ./run_experiment sets for itself (without them torch ran at half speed here):
    OMP_WAIT_POLICY=passive OPENBLAS_THREAD_TIMEOUT=4 /usr/bin/python3 bench/torch_backbones.py --threads 2 --steps 40
Prints one line per model: samples/s of training steps (forward, backward, clip, Adam).
"""
import argparse
import time

import torch
import torch.nn as nn

VOCAB = [2761, 3, 8, 22, 3526, 3526, 302, 140625]  # ml-1m-u2999, per field, incl. OOV id 0
N, D, B = len(VOCAB), 32, 4096


def mlp(sizes, out=None, dropout=0.0):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
        if dropout:
            layers.append(nn.Dropout(dropout))
    if out is not None:
        layers.append(nn.Linear(sizes[-1], out))
    return nn.Sequential(*layers)


def pairs(n):
    i, j = torch.triu_indices(n, n, 1)
    return i, j


class Base(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(sum(VOCAB), D)
        self.w = nn.Embedding(sum(VOCAB), 1)
        self.bias = nn.Parameter(torch.zeros(1))

    def first_order(self, x):
        return self.w(x).sum(dim=(1, 2))


def fm_term(E):  # [B, N, D] -> [B, D]
    return 0.5 * (E.sum(1).pow(2) - E.pow(2).sum(1))


class FM(Base):
    def forward(self, x):
        E = self.emb(x)
        return self.bias + self.first_order(x) + fm_term(E).sum(1)


class DeepFM(Base):
    def __init__(self):
        super().__init__()
        self.dnn = mlp([N * D, 300, 300, 128], out=1)

    def forward(self, x):
        E = self.emb(x)
        return self.first_order(x) + fm_term(E).sum(1) + self.dnn(E.flatten(1)).squeeze(1)


class FwFM(Base):
    def __init__(self):
        super().__init__()
        self.i, self.j = pairs(N)
        self.lin = nn.Linear(N * D, 1, bias=False)
        self.r = nn.Linear(len(self.i), 1)

    def forward(self, x):
        E = self.emb(x)
        inner = (E[:, self.i] * E[:, self.j]).sum(2)  # [B, P]
        return self.lin(E.flatten(1)).squeeze(1) + self.r(inner).squeeze(1)


class FmFM(Base):
    def __init__(self):
        super().__init__()
        self.i, self.j = pairs(N)
        self.M = nn.Parameter(torch.empty(len(self.i), D, D))
        nn.init.xavier_normal_(self.M)

    def forward(self, x):
        E = self.emb(x)
        left = torch.einsum("bpd,pde->bpe", E[:, self.i], self.M)
        return self.first_order(x) + (left * E[:, self.j]).sum((1, 2))


class FinalMLP(Base):
    def __init__(self, heads=2):
        super().__init__()
        self.c1 = nn.Parameter(torch.zeros(1, D))
        self.c2 = nn.Parameter(torch.zeros(1, D))
        self.g1 = mlp([D, 64], out=N * D)
        self.g2 = mlp([D, 64], out=N * D)
        self.m1 = mlp([N * D, 64, 64, 64])
        self.m2 = mlp([N * D, 64, 64, 64])
        self.h = heads
        self.wx = nn.Linear(64, 1)
        self.wy = nn.Linear(64, 1, bias=False)
        self.wxy = nn.Parameter(torch.empty(heads * (64 // heads) * (64 // heads), 1))
        nn.init.xavier_normal_(self.wxy)

    def forward(self, x):
        e = self.emb(x).flatten(1)
        a = self.m1(e * 2 * torch.sigmoid(self.g1(self.c1)))
        b = self.m2(e * 2 * torch.sigmoid(self.g2(self.c2)))
        ah = a.view(-1, self.h, 64 // self.h)
        bh = b.view(-1, self.h, 64 // self.h)
        W = self.wxy.view(self.h, 64 // self.h, 64 // self.h)
        bil = torch.einsum("bhi,hij,bhj->b", ah, W, bh)
        return self.wx(a).squeeze(1) + self.wy(b).squeeze(1) + bil


class WuKongLayer(nn.Module):
    """As src/ctr/model_wukong.cpp: FMB = ReLU(MLP(LayerNorm(vec X (Xᵀ P)))), LCB = Dropout(Linear(vec X)),
    X' = LayerNorm(Linear([fmb, lcb]) + vec X)."""

    def __init__(self, k=8, fmb_units=(32, 32), fmb_dim=40, lcb_dim=40):
        super().__init__()
        self.P = nn.Parameter(torch.randn(N, k))
        self.fm_norm = nn.LayerNorm(N * k)
        self.fmb = mlp([N * k] + list(fmb_units), out=fmb_dim)
        self.lcb = nn.Sequential(nn.Linear(N * D, lcb_dim), nn.Dropout(0.2))
        self.transform = nn.Linear(fmb_dim + lcb_dim, N * D)
        self.norm = nn.LayerNorm(N * D)

    def forward(self, X):  # [B, N, D]
        flat = X.flatten(1)
        F = torch.bmm(X, torch.matmul(X.transpose(1, 2), self.P)).flatten(1)  # X (Xᵀ P): [B, N·k]
        fmb = torch.relu(self.fmb(self.fm_norm(F)))
        lcb = self.lcb(flat)
        return self.norm(self.transform(torch.cat([fmb, lcb], 1)) + flat).view_as(X)


class WuKong(Base):
    def __init__(self, layers=3):
        super().__init__()
        self.layers = nn.ModuleList([WuKongLayer(N) for _ in range(layers)])
        self.head = mlp([N * D, 32, 32], out=1)

    def forward(self, x):
        X = self.emb(x)
        for layer in self.layers:
            X = layer(X)
        return self.head(X.flatten(1)).squeeze(1)


def init(model):
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_normal_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        if isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=1e-4)


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
    model = cls()
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
        print(f"{name:10s} {measure(globals()[name], a.steps):12,.0f} samples/s", flush=True)


if __name__ == "__main__":
    main()
