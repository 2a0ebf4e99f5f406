#!/usr/bin/env python3
"""Runs the released LLaCTR code (istarryn/LLaCTR, ctr/), unmodified, on our chronological split.

Not part of the build. It copies ctr/ out of a git checkout of the released code (`fetch` gives one in
/work/.mirror/istarryn+LLaCTR/repo), writes our split as the train/valid/test.csv files its ml1m
FeatureEncoder reads (the eight ML-1M fields; ML-100K gets the same eight, or nine with --zipcode), writes a
config folder with the released `<Model>_ml1m` entries of ctr/config_01/model_config.yaml (only
dataset_id, model_root, data paths and seed changed), stubs its optional `nni` import, and runs
`run_expid.py --gpu -1 --adding_mode 0 --weight_decay WD` per model and seed on CPU.

    /usr/bin/python3 tests/reference/released_llactr.py --dataset ml100k --data-dir ../shared/data/ml-100k \
        --work build/released/ml100k --models FM,DeepFM --seeds 3 --weight-decay 0.01

Prints one line per run (model, seed, valid and test AUC / logloss) and appends them to WORK/results.tsv.
The split: rating > 3 -> 1, < 3 -> 0, 3 dropped; a stable sort by timestamp; int(0.8 n) / int(0.1 n) / rest
(the released data/ml1m/process.py, and our src/data/split.cpp).
"""
import argparse
import csv
import os
import re
import subprocess
import sys

import yaml

FIELDS = ["UserID", "Gender", "Age", "Occupation", "MovieID", "Title", "Genres", "Timestamp"]
GENDER = {"F": "female", "M": "male"}
AGE_1M = {"1": "Under 18", "18": "18-24", "25": "25-34", "35": "35-44", "45": "45-49", "50": "50-55", "56": "56+"}
OCC_1M = ["other or not specified", "academic/educator", "artist", "clerical/admin", "college/grad student",
          "customer service", "doctor/health care", "executive/managerial", "farmer", "homemaker", "K-12 student",
          "lawyer", "programmer", "retired", "sales/marketing", "scientist", "self-employed", "technician/engineer",
          "tradesman/craftsman", "unemployed", "writer"]
GENRES_100K = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
               "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]


def read_lines(path):
    with open(path, encoding="latin-1") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def rows_ml1m(d):
    users = {}
    for line in read_lines(os.path.join(d, "users.dat")):
        uid, g, age, occ, _ = line.split("::")
        users[uid] = (GENDER[g], AGE_1M[age], OCC_1M[int(occ)])
    movies = {}
    for line in read_lines(os.path.join(d, "movies.dat")):
        mid, title, genres = re.match(r"(\d+)::(.*?)::(.*)", line).groups()
        movies[mid] = (title, genres)
    for line in read_lines(os.path.join(d, "ratings.dat")):
        uid, mid, rating, ts = line.split("::")
        yield (uid, *users[uid], mid, *movies[mid], ts), int(rating)


def rows_ml100k(d):
    users = {}
    for line in read_lines(os.path.join(d, "u.user")):
        uid, age, g, occ, zipcode = line.split("|")
        users[uid] = (GENDER[g], age, occ, zipcode)
    movies = {}
    for line in read_lines(os.path.join(d, "u.item")):
        c = line.split("|")
        movies[c[0]] = (c[1], "|".join(g for g, flag in zip(GENRES_100K, c[5:24]) if flag == "1"))
    for line in read_lines(os.path.join(d, "u.data")):
        uid, mid, rating, ts = line.split("\t")
        gender, age, occ, zipcode = users[uid]
        yield (uid, gender, age, occ, mid, *movies[mid], ts, zipcode), int(rating)


def write_split(dataset, data_dir, out, zipcode):
    reader = rows_ml1m if dataset == "ml1m" else rows_ml100k
    data = [(r, 1 if y > 3 else 0) for r, y in reader(data_dir) if y != 3]
    data.sort(key=lambda t: int(t[0][7]))  # by Timestamp; stable
    n = len(data)
    n_train, n_valid = int(0.8 * n), int(0.1 * n)
    parts = {"train": data[:n_train], "valid": data[n_train:n_train + n_valid], "test": data[n_train + n_valid:]}
    os.makedirs(out, exist_ok=True)
    for name, part in parts.items():
        with open(os.path.join(out, name + ".csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(FIELDS[:7] + ["Rating", "Timestamp"] + (["ZipCode"] if zipcode else []))
            for r, y in part:
                w.writerow(list(r[:7]) + [y, r[7]] + ([r[8]] if zipcode else []))
    return {k: len(v) for k, v in parts.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--released", default="/work/.mirror/istarryn+LLaCTR/repo", help="git dir of istarryn/LLaCTR")
    ap.add_argument("--dataset", choices=["ml100k", "ml1m"], required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--models", default="FM,DeepFM,FwFM,FmFM,FinalMLP,WuKong")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--weight-decay", default="0.01")
    ap.add_argument("--threads", default="1")
    ap.add_argument("--zipcode", action="store_true", help="ML-100K: keep ZipCode as a ninth field")
    a = ap.parse_args()

    work = os.path.abspath(a.work)
    if not os.path.exists(os.path.join(work, "ctr", "run_expid.py")):
        os.makedirs(work, exist_ok=True)
        subprocess.run(f"git --git-dir={a.released} archive HEAD ctr | tar -x -C {work}", shell=True, check=True)
    stub = os.path.join(work, "stub")
    os.makedirs(stub, exist_ok=True)
    with open(os.path.join(stub, "nni.py"), "w") as f:  # run_expid.py and BaseModel import nni for tuning only
        f.write("def get_next_parameter():\n    return {}\n"
                "def report_intermediate_result(x):\n    pass\ndef report_final_result(x):\n    pass\n")
    with open(os.path.join(stub, "tqdm.py"), "w") as f:  # a progress bar (verbose: 1), when tqdm is not installed
        f.write("def tqdm(iterable, disable=False):\n    return iterable\n")
    if a.zipcode and a.dataset != "ml100k":
        ap.error("--zipcode is for ml100k (ML-1M has no zip code in the released data)")
    name = a.dataset + ("_zip" if a.zipcode else "")
    data_root = os.path.join(work, "data", name)
    if not os.path.exists(os.path.join(data_root, "test.csv")):
        print("split:", write_split(a.dataset, a.data_dir, data_root, a.zipcode), flush=True)

    released_cfg = os.path.join(work, "ctr", "config_01")
    with open(os.path.join(released_cfg, "model_config.yaml")) as f:
        models = yaml.load(f, Loader=yaml.FullLoader)
    with open(os.path.join(released_cfg, "dataset_config.yaml")) as f:
        ds = yaml.load(f, Loader=yaml.FullLoader)["ml1m"]
    # The dataset id must start with "ml1m_": run_expid.py picks the FeatureEncoder by its prefix.
    dataset_id = "ml1m_" + name
    if a.zipcode:
        ds["feature_cols"] = ds["feature_cols"] + [dict(ds["feature_cols"][-1], name="ZipCode")]
    ds.update(data_root=data_root + "/", train_data=data_root + "/train.csv", valid_data=data_root + "/valid.csv",
              test_data=data_root + "/test.csv")
    results = os.path.join(work, "results.tsv")
    for s in range(a.seeds):
        seed = a.seed + s
        for m in a.models.split(","):
            expid = f"{m}_{name}_s{seed}"
            cfg = dict(models[m + "_ml1m"])
            cfg.update(dataset_id=dataset_id, model_root=os.path.join(work, "checkpoint", m, str(seed)) + "/", seed=seed)
            cfg_dir = os.path.join(work, "config_" + expid)
            os.makedirs(cfg_dir, exist_ok=True)
            with open(os.path.join(cfg_dir, "model_config.yaml"), "w") as f:
                yaml.safe_dump({expid: cfg}, f)
            with open(os.path.join(cfg_dir, "dataset_config.yaml"), "w") as f:
                yaml.safe_dump({dataset_id: ds}, f)
            env = dict(os.environ, PYTHONPATH=stub, OMP_NUM_THREADS=a.threads, MKL_NUM_THREADS=a.threads)
            cmd = [sys.executable, "run_expid.py", "--config", cfg_dir, "--expid", expid, "--gpu", "-1",
                   "--adding_mode", "0", "--weight_decay", a.weight_decay,
                   "--nlp_fields", str(len(ds["feature_cols"]))]
            log = os.path.join(work, expid + ".log")
            with open(log, "w") as f:
                subprocess.run(cmd, cwd=os.path.join(work, "ctr"), env=env, stdout=f, stderr=subprocess.STDOUT, check=True)
            csvfile = os.path.join(work, "ctr", f"config_{expid}.csv")
            last = open(csvfile).read().strip().splitlines()[-1]
            v = re.search(r"\[val\] logloss: ([0-9.]+) - AUC: ([0-9.]+)", last)
            t = re.search(r"\[test\] logloss: ([0-9.]+) - AUC: ([0-9.]+)", last)
            row = f"{name}\t{m}\t{seed}\t{a.weight_decay}\t{v.group(2)}\t{v.group(1)}\t{t.group(2)}\t{t.group(1)}"
            print(row, flush=True)
            with open(results, "a") as f:
                f.write(row + "\n")


if __name__ == "__main__":
    main()
