#!/usr/bin/env python3
"""An independent PyTorch training of the backbones on ML-100K, to check the C++ baseline table.

Not part of the build. It re-implements, in PyTorch, the whole path of
`./run_experiment --config experiments/ml100k_base.cfg`: the ML-100K join (the nine fields of
src/data/movielens_reader.cpp), the LLaCTR labels (rating > 3 -> 1, rating 3 dropped, < 3 -> 0), the
chronological 8:1:1 split, a vocabulary of the train values with OOV id 0 per field, and the trainer
(Adam, batch 4096, D 32, gradient clipping at 10, LR x0.1 on every epoch without a better valid AUC,
floor 1e-6, early stopping with patience 2, best weights restored). Models: bench/torch_ctr_models.py.
Nothing is shared with the C++ code but the recipe, so agreement in AUC is evidence that both are right.

    /usr/bin/python3 bench/torch_ml100k_train.py --data-dir data/ml-100k --seeds 3
    /usr/bin/python3 bench/torch_ml100k_train.py --models LR,WuKong --drop-fields Timestamp
"""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn

from torch_ctr_models import MODELS, init

FIELDS = ["UserID", "Age", "Gender", "Occupation", "ZipCode", "MovieID", "Title", "Genres", "Timestamp"]
GENRES = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
          "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]


def read_ml100k(folder):
    """Rows of the nine field texts, labels and timestamps, in u.data's order."""
    def lines(name):
        with open(os.path.join(folder, name), encoding="latin-1") as f:
            return [line.rstrip("\n") for line in f if line.strip()]

    users = {}
    for line in lines("u.user"):  # user id | age | gender | occupation | zip code
        uid, age, gender, occupation, zipcode = line.split("|")
        users[uid] = (age, gender, occupation, zipcode)
    movies = {}
    for line in lines("u.item"):  # movie id | title | release | video release | URL | 19 genre flags
        c = line.split("|")
        movies[c[0]] = (c[1], "|".join(g for g, flag in zip(GENRES, c[5:24]) if flag == "1"))
    rows, labels, times = [], [], []
    for line in lines("u.data"):  # user id, item id, rating, timestamp
        uid, mid, rating, ts = line.split("\t")
        if int(rating) == 3:
            continue
        rows.append((uid, *users[uid], mid, *movies[mid], ts))
        labels.append(1.0 if int(rating) > 3 else 0.0)
        times.append(int(ts))
    return rows, np.array(labels, dtype=np.float32), np.array(times)


def encode(rows, labels, times, keep):
    """Chronological 8:1:1 split (stable), then ids: per field, train values -> 1.., anything else -> 0."""
    order = np.argsort(times, kind="stable")
    n_train, n_valid = int(0.8 * len(order)), int(0.1 * len(order))
    parts = order[:n_train], order[n_train:n_train + n_valid], order[n_train + n_valid:]
    cols = [FIELDS.index(f) for f in keep]
    vocab, ids = [], np.zeros((len(rows), len(cols)), dtype=np.int64)
    offset = 0
    for k, c in enumerate(cols):
        seen = {}
        for r in parts[0]:
            seen.setdefault(rows[r][c], len(seen) + 1)
        for r in range(len(rows)):
            ids[r, k] = offset + seen.get(rows[r][c], 0)
        vocab.append(len(seen) + 1)
        offset += len(seen) + 1
    return vocab, [(torch.from_numpy(ids[p]), torch.from_numpy(labels[p])) for p in parts]


def auc(y, p):
    """Area under the ROC curve with tied scores given their average rank."""
    _, inv, cnt = np.unique(p, return_inverse=True, return_counts=True)
    rank = (np.cumsum(cnt) - (cnt - 1) / 2.0)[inv]
    pos = y > 0.5
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return (rank[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def predict(model, x, batch=4096):
    model.eval()
    with torch.no_grad():
        return torch.cat([torch.sigmoid(model(x[i:i + batch])) for i in range(0, len(x), batch)]).double().numpy()


def logloss(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def train(name, vocab, data, seed, lr, a):
    (xt, yt), (xv, yv), (xs, ys) = data
    torch.manual_seed(seed)
    model = MODELS[name](vocab, a.embedding_dim)
    init(model)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=a.weight_decay)
    loss_fn = nn.BCEWithLogitsLoss()
    g = torch.Generator().manual_seed(seed)
    best_auc, best_epoch, best_state, bad = -1.0, 0, None, 0
    for epoch in range(1, a.epochs + 1):
        model.train()
        perm = torch.randperm(len(xt), generator=g)
        for i in range(0, len(xt), a.batch_size):
            idx = perm[i:i + a.batch_size]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            if not torch.isfinite(loss):
                raise SystemExit(f"{name}: non-finite loss at epoch {epoch}")
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
        valid_auc = auc(yv.numpy(), predict(model, xv))
        if best_state is None or valid_auc >= best_auc + 1e-6:
            best_auc, best_epoch, bad = valid_auc, epoch, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            for group in opt.param_groups:
                group["lr"] = max(group["lr"] * 0.1, 1e-6)
        if bad >= a.patience:
            break
    model.load_state_dict(best_state)
    p = predict(model, xs)
    return best_auc, auc(ys.numpy(), p), logloss(ys.numpy(), p), best_epoch, epoch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="data/ml-100k")
    ap.add_argument("--models", default="LR,FM,DeepFM,FwFM,FmFM,FinalMLP,WuKong")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--wukong-lr", type=float, default=1e-4, help="as WuKong.lr in experiments/ml100k_base.cfg")
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--batch-size", type=int, default=4096)
    ap.add_argument("--embedding-dim", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--patience", type=int, default=2)
    ap.add_argument("--drop-fields", default="", help="comma-separated fields to leave out, e.g. Timestamp")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dropped = [f for f in a.drop_fields.split(",") if f]
    unknown = [f for f in dropped if f not in FIELDS]
    if unknown:
        raise SystemExit(f"unknown field(s) {unknown}; fields are {FIELDS}")
    keep = [f for f in FIELDS if f not in dropped]
    if not os.path.exists(os.path.join(a.data_dir, "u.data")):
        raise SystemExit(f"{a.data_dir}/u.data not found: run `make data` or pass --data-dir")
    vocab, data = encode(*read_ml100k(a.data_dir), keep)
    print(f"torch {torch.__version__}, {a.threads} threads; {len(data[0][0])} train / {len(data[1][0])} valid / "
          f"{len(data[2][0])} test rows, fields {','.join(keep)}, {sum(vocab)} ids")
    print("| Backbone | seeds | valid AUC | test AUC | test Logloss | best epoch / epochs |")
    print("|---|---|---|---|---|---|")
    for name in a.models.split(","):
        lr = a.wukong_lr if name == "WuKong" else a.lr
        runs = [train(name, vocab, data, a.seed + s, lr, a) for s in range(a.seeds)]
        v, t, l = (np.mean([r[i] for r in runs]) for i in range(3))
        epochs = ", ".join(f"{r[3]} / {r[4]}" for r in runs)
        print(f"| {name} | {a.seeds} | {v:.4f} | {t:.4f} | {l:.4f} | {epochs} |", flush=True)


if __name__ == "__main__":
    main()
