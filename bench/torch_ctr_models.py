"""PyTorch definitions of the CTR backbones, as docs/BACKBONES.md describes the C++ ones.

Not part of the build. Shared by bench/torch_backbones.py (training throughput) and
bench/torch_ml100k_train.py (an independent training run on ML-100K). Every model takes the
per-field vocabulary sizes (OOV id 0 included) and the embedding size D, and maps global ids
x: [B, N] (field offsets already added) to one logit per row: [B].
"""
import torch
import torch.nn as nn


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
    def __init__(self, vocab, d):
        super().__init__()
        self.n, self.d = len(vocab), d
        self.emb = nn.Embedding(sum(vocab), d)
        self.w = nn.Embedding(sum(vocab), 1)
        self.bias = nn.Parameter(torch.zeros(1))

    def first_order(self, x):
        return self.w(x).sum(dim=(1, 2))


def fm_term(E):  # [B, N, D] -> [B, D]
    return 0.5 * (E.sum(1).pow(2) - E.pow(2).sum(1))


class LR(Base):
    def forward(self, x):
        return self.bias + self.first_order(x)


class FM(Base):
    def forward(self, x):
        E = self.emb(x)
        return self.bias + self.first_order(x) + fm_term(E).sum(1)


class DeepFM(Base):
    def __init__(self, vocab, d):
        super().__init__(vocab, d)
        self.dnn = mlp([self.n * d, 300, 300, 128], out=1)

    def forward(self, x):
        E = self.emb(x)
        return self.first_order(x) + fm_term(E).sum(1) + self.dnn(E.flatten(1)).squeeze(1)


class FwFM(Base):
    def __init__(self, vocab, d):
        super().__init__(vocab, d)
        self.i, self.j = pairs(self.n)
        self.lin = nn.Linear(self.n * d, 1, bias=False)
        self.r = nn.Linear(len(self.i), 1)

    def forward(self, x):
        E = self.emb(x)
        inner = (E[:, self.i] * E[:, self.j]).sum(2)  # [B, P]
        return self.lin(E.flatten(1)).squeeze(1) + self.r(inner).squeeze(1)


class FmFM(Base):
    def __init__(self, vocab, d):
        super().__init__(vocab, d)
        self.i, self.j = pairs(self.n)
        self.M = nn.Parameter(torch.empty(len(self.i), d, d))
        nn.init.xavier_normal_(self.M)

    def forward(self, x):
        E = self.emb(x)
        left = torch.einsum("bpd,pde->bpe", E[:, self.i], self.M)
        return self.first_order(x) + (left * E[:, self.j]).sum((1, 2))


class FinalMLP(Base):
    def __init__(self, vocab, d, heads=2):
        super().__init__(vocab, d)
        nd = self.n * d
        self.c1 = nn.Parameter(torch.zeros(1, d))
        self.c2 = nn.Parameter(torch.zeros(1, d))
        self.g1 = mlp([d, 64], out=nd)
        self.g2 = mlp([d, 64], out=nd)
        self.m1 = mlp([nd, 64, 64, 64])
        self.m2 = mlp([nd, 64, 64, 64])
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

    def __init__(self, n, d, k=8, fmb_units=(32, 32), fmb_dim=40, lcb_dim=40, dropout=0.2):
        super().__init__()
        self.P = nn.Parameter(torch.randn(n, k))
        self.fm_norm = nn.LayerNorm(n * k)
        self.fmb = mlp([n * k] + list(fmb_units), out=fmb_dim)
        self.lcb = nn.Sequential(nn.Linear(n * d, lcb_dim), nn.Dropout(dropout))
        self.transform = nn.Linear(fmb_dim + lcb_dim, n * d)
        self.norm = nn.LayerNorm(n * d)

    def forward(self, X):  # [B, N, D]
        flat = X.flatten(1)
        F = torch.bmm(X, torch.matmul(X.transpose(1, 2), self.P)).flatten(1)  # X (Xᵀ P): [B, N·k]
        fmb = torch.relu(self.fmb(self.fm_norm(F)))
        lcb = self.lcb(flat)
        return self.norm(self.transform(torch.cat([fmb, lcb], 1)) + flat).view_as(X)


class WuKong(Base):
    def __init__(self, vocab, d, layers=3):
        super().__init__(vocab, d)
        self.layers = nn.ModuleList([WuKongLayer(self.n, d) for _ in range(layers)])
        self.head = mlp([self.n * d, 32, 32], out=1)

    def forward(self, x):
        X = self.emb(x)
        for layer in self.layers:
            X = layer(X)
        return self.head(X.flatten(1)).squeeze(1)


MODELS = {m.__name__: m for m in (LR, FM, DeepFM, FwFM, FmFM, FinalMLP, WuKong)}


def init(model):
    """The trainer's initialisation: Linear weights Xavier normal with zero bias, embeddings N(0, 1e-4)."""
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_normal_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        if isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=1e-4)
