#!/usr/bin/python3
"""What an ELEC vector cache holds about the knowledge-clicks categories (measurement only; numpy).

    bench/elec_vectors.py stats CACHE.npy TEXTS
    bench/elec_vectors.py transform zscore|whiten CACHE.npy TEXTS OUT.npy

CACHE.npy: an ELEC vector cache (`--elec-dir`), rows in the order train, valid, test.
TEXTS: the same rows' item texts, one per line, each ending in "(category)." as in the
plumbing check's data (`llactr prompt` of the rows, or the ItemName column); the first line
count of TEXTS's train part is given by --train (default 38569, the 1,000-user benchmark).

stats prints: a ridge probe's category accuracy on the test rows, trained on the train rows;
the share of v's variance that lies between category means; and the purity of k-means clusters
(k = 16, 64) with respect to the categories. transform writes a copy of the cache, z-scored per
dimension or whitened (PCA), scaled to the original mean norm, to be copied over the cache file.
"""
import argparse
import re

import numpy as np


def categories(path):
    cats = [re.search(r"\(([^()]*)\)\.?\s*$", line).group(1) for line in open(path)]
    names = sorted(set(cats))
    return np.array([names.index(c) for c in cats]), len(names)


def kmeans_purity(X, y, k, seed=0, iters=50):
    rng = np.random.default_rng(seed)
    C = X[rng.choice(len(X), k, replace=False)].copy()
    for _ in range(iters):
        lab = ((X[:, None, :] - C[None]) ** 2).sum(-1).argmin(1)
        for j in range(k):
            if (lab == j).any():
                C[j] = X[lab == j].mean(0)
    return sum(np.bincount(y[lab == j]).max() for j in range(k) if (lab == j).any()) / len(X)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["stats", "transform"])
    ap.add_argument("rest", nargs="+")
    ap.add_argument("--train", type=int, default=38569)
    a = ap.parse_args()
    if a.mode == "stats":
        cache, texts = a.rest
    else:
        kind, cache, texts, out = a.rest
    v = np.load(cache).astype(np.float64)
    y, n_cat = categories(texts)
    assert len(y) == len(v), f"{len(y)} texts for {len(v)} vectors"
    ntr = a.train
    X = v - v[:ntr].mean(0)
    if a.mode == "stats":
        n_test = len(v) - ntr - (len(v) - ntr) // 2  # valid and test split the rest, test the later half
        Y = np.eye(n_cat)[y]
        W = np.linalg.solve(X[:ntr].T @ X[:ntr] + 1e-1 * np.eye(X.shape[1]), X[:ntr].T @ Y[:ntr])
        print(f"ridge probe accuracy on the last {n_test} rows: {((X[-n_test:] @ W).argmax(1) == y[-n_test:]).mean():.3f}")
        means = np.stack([X[:ntr][y[:ntr] == k].mean(0) for k in range(n_cat)])
        share = (means[y[:ntr]] ** 2).sum(1).mean() / (X[:ntr] ** 2).sum(1).mean()
        print(f"between-category share of the variance: {share:.3f}")
        for k in (16, 64):
            print(f"k-means purity, k = {k}: {kmeans_purity(X[:ntr], y[:ntr], k):.3f}")
    else:
        if kind == "zscore":
            t = X / v[:ntr].std(0)
        else:
            w, U = np.linalg.eigh(X[:ntr].T @ X[:ntr] / ntr)
            t = X @ U @ np.diag(1 / np.sqrt(w + 1e-6 * w.max())) @ U.T
        t *= np.linalg.norm(v, axis=1).mean() / np.linalg.norm(t, axis=1).mean()
        np.save(out, t.astype(np.float32))


if __name__ == "__main__":
    main()
