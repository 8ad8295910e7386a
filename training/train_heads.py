"""Trains the heads shipped in photofinder/data/heads/<tagger>.npz: scenes and people.

    make train-heads                        # = the command below for both offline taggers
    .venv/bin/python training/train_heads.py --tagger efficientnet-lite2 [--seed 0]

From ../shared/data/scenes-train (9,706 labelled scene photos) and people-train (2,192
photos labelled person / no person), with features of the real tagger
(training/extract.py, cached in build/features/). Deterministic for a seed:

1. A fixed 20 % of every source folder (every scene label of every source, every
   person / no-person group of every source) is held out and never trained on.
2. PCA to 256 dimensions on the training photos' pooled features: the compact features
   the index stores for every photo (similar photos, duplicates, later heads).
3. Scenes: a multinomial logistic regression over the labels of
   photofinder/data/scenes.json (plus training-only contrasts: "day" for "night") on
   the projected features, calibrated by a temperature fitted on cross-validated scores.
4. People: a logistic regression on the projected features, every (source, label)
   group weighted equally (people-train's sources are entangled with its labels).
   The face detector, the ImageNet classes that imply a person and the strongest
   region were measured as extra evidence and add nothing on coco-dev
   (benchmarks/people.py, README).
5. Prints per-label precision, recall and AP on the held-out photos, the person AP
   on held-out people-train and on coco-dev, and a leave-one-source-out figure: each
   scene source in turn left out of training and tested on.

Needs scikit-learn (`pip install -e '.[train]'`); the package itself never imports it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CACHE = REPO / "build" / "features"

from photofinder.config import data_path  # noqa: E402
from photofinder.heads import FEATURE_DIM, HEADS_FORMAT  # noqa: E402

HOLDOUT = 0.2
# Training-only folders: contrast for a label without a label of their own.
NEGATIVE_ONLY = {"amos_daynight/day"}
def features(tagger: str, name: str) -> dict[str, np.ndarray]:
    path = CACHE / f"{tagger}-{name}.npz"
    if not path.is_file():
        subprocess.run([sys.executable, str(REPO / "training" / "extract.py"), "--tagger", tagger,
                        "--set", name], check=True)
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def holdout_mask(groups: np.ndarray, seed: int) -> np.ndarray:
    """True for the held-out photos: a fixed HOLDOUT share of every group."""
    rng = np.random.default_rng(seed)
    held = np.zeros(len(groups), bool)
    for g in sorted(set(groups.tolist())):
        rows = np.flatnonzero(groups == g)
        rows = rows[rng.permutation(len(rows))]
        held[rows[: max(1, round(len(rows) * HOLDOUT))]] = True
    return held


def fit_logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None, c: float,
                 seed: int, standardise: bool = False) -> tuple[np.ndarray, float]:
    """A calibrated logistic regression folded into one (w, b) on raw x: fit, then
    Platt-scale on 5-fold cross-validated scores. Not standardised by default: on PCA
    features the L2 penalty then prefers the strong components, which carry over to
    other cameras better than the faint ones (coco-dev person AP 0.94 vs 0.91)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    mean = x.mean(axis=0) if standardise else np.zeros(x.shape[1])
    scale = x.std(axis=0) + 1e-6 if standardise else np.ones(x.shape[1])
    z = (x - mean) / scale
    model = LogisticRegression(C=c, max_iter=5000)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    fit_params = {"sample_weight": weight} if weight is not None else {}
    scores = cross_val_predict(model, z, y, cv=folds, method="decision_function", params=fit_params)
    platt = LogisticRegression(C=1e4, max_iter=5000).fit(scores[:, None], y, **fit_params)
    a, c0 = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    model.fit(z, y, **fit_params)
    w = model.coef_[0] / scale
    b = float(model.intercept_[0] - (mean / scale) @ model.coef_[0])
    return (a * w).astype(np.float32), a * b + c0


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def precision_recall_ap(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    from sklearn.metrics import average_precision_score

    predicted = p >= 0.5
    tp = int((predicted & (y == 1)).sum())
    precision = tp / max(1, int(predicted.sum()))
    recall = tp / max(1, int((y == 1).sum()))
    return precision, recall, float(average_precision_score(y, p)) if y.any() else float("nan")


def scene_labels() -> list[dict]:
    """The scene labels the head learns: scenes.json's rows with training folders (the
    sky, `sources: []`, comes from the pixels: photos.sky_fraction)."""
    rows = json.loads(data_path("scenes.json").read_text(encoding="utf-8"))
    return [row for row in rows if row["sources"]]


def scene_targets(folders: np.ndarray, labels: list[dict]) -> tuple[np.ndarray, list[str]]:
    """The class of every photo (an index into the keys) and the keys: every label of
    scenes.json, then the training-only contrasts (NEGATIVE_ONLY, e.g. "day")."""
    keys = [row["key"] for row in labels] + sorted({"day" for _ in NEGATIVE_ONLY})
    label_of_folder = {src: row["key"] for row in labels for src in row["sources"]}
    label_of_folder.update({f: "day" for f in NEGATIVE_ONLY})
    return np.array([keys.index(label_of_folder[f]) for f in folders]), keys


def labels_shared_with_others(source: str, labels: list[dict]) -> list[int]:
    """The labels a source has that another source has too: the ones a head trained
    without that source can still be tested on."""
    return [j for j, row in enumerate(labels)
            if any(s.startswith(source + "/") for s in row["sources"])
            and any(not s.startswith(source + "/") for s in row["sources"])]


def train_scenes(z: np.ndarray, folders: np.ndarray, train: np.ndarray, labels: list[dict],
                 c: float, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """One multinomial (softmax) logistic regression over every scene label, calibrated
    by a temperature fitted on cross-validated scores. Returns weight [D, K], bias [K]
    and the K keys (the last ones training-only: their probability is not stored).

    Softmax, not one-vs-rest: a training photo has exactly one label, and the shared
    normalisation ranks confusable labels (coast / harbor, church / abbey) better: on
    held-out photos macro AP 0.73 against 0.65 one-vs-rest (benchmarks/scenes.py)."""
    from scipy.optimize import minimize_scalar
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    y, keys = scene_targets(folders, labels)
    present = np.unique(y[train])            # all, except when a source is left out
    target = np.searchsorted(present, y[train])
    model = LogisticRegression(C=c, max_iter=5000)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    scores = cross_val_predict(model, z[train], target, cv=folds, method="decision_function")

    def nll(t: float) -> float:
        logits = scores / t
        logits = logits - logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return -float(log_p[np.arange(len(target)), target].mean())

    temperature = float(minimize_scalar(nll, bounds=(0.05, 20), method="bounded").x)
    model.fit(z[train], target)
    weight = np.zeros((z.shape[1], len(keys)), np.float32)
    bias = np.full(len(keys), -1e4, np.float32)  # a label with no training photo: never
    weight[:, present] = model.coef_.T / temperature
    bias[present] = model.intercept_ / temperature
    return weight, bias, keys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default="efficientnet-lite2")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--c", type=float, default=0.03, help="inverse regularisation of the scene head")
    ap.add_argument("--person-c", type=float, default=0.01, help="... and of the people head")
    ap.add_argument("--no-loso", action="store_true", help="skip the leave-one-source-out figure")
    ap.add_argument("--out", type=Path, help="default: photofinder/data/heads/<tagger>.npz for "
                    "the offline taggers, models/heads/<tagger>.npz for ResNet50")
    args = ap.parse_args()
    try:
        from sklearn.decomposition import PCA
    except ImportError:
        print("нужен scikit-learn: .venv/bin/pip install -e '.[train]'", file=sys.stderr)
        return 1
    scenes, people = features(args.tagger, "scenes"), features(args.tagger, "people")
    labels = scene_labels()
    scene_folders = np.array(["/".join(f.split("/")[1:3]) for f in scenes["files"]])
    scene_held = holdout_mask(scene_folders, args.seed)
    people_groups = np.array([f"{s}/{lab}" for s, lab in zip(people["sources"], people["labels"])])
    people_held = holdout_mask(people_groups, args.seed)
    size = int(scenes["size"])
    assert int(people["size"]) == size, "features of different input sizes"

    x_scenes = scenes["features"].astype(np.float32)
    x_people = people["features"].astype(np.float32)
    pca = PCA(FEATURE_DIM, random_state=args.seed).fit(
        np.concatenate([x_scenes[~scene_held], x_people[~people_held]]))
    z_scenes, z_people = pca.transform(x_scenes), pca.transform(x_people)
    print(f"{args.tagger} (input {size} px): PCA {x_scenes.shape[1]} -> {FEATURE_DIM} keeps "
          f"{pca.explained_variance_ratio_.sum():.1%} of the variance")

    # --- scenes ------------------------------------------------------------------
    scene_w, scene_b, scene_keys = train_scenes(z_scenes, scene_folders, ~scene_held, labels,
                                                args.c, args.seed)
    p = softmax(z_scenes[scene_held] @ scene_w + scene_b)
    print(f"\nscenes: {len(labels)} labels, {int((~scene_held).sum())} training photos, "
          f"{int(scene_held.sum())} held out")
    print(f"{'label':18} {'held-out':>8} {'P':>5} {'R':>5} {'AP':>5}")
    aps = []
    for j, row in enumerate(labels):
        y = np.isin(scene_folders[scene_held], row["sources"]).astype(int)
        pr, rc, a = precision_recall_ap(y, p[:, j])
        aps.append(a)
        print(f"{row['key']:18} {int(y.sum()):8} {pr:5.2f} {rc:5.2f} {a:5.2f}")
    print(f"{'macro':18} {'':8} {'':5} {'':5} {np.nanmean(aps):5.2f}")

    # --- people ------------------------------------------------------------------
    y_people = (people["labels"] == "person").astype(int)
    counts = defaultdict(int)
    for g in people_groups[~people_held]:
        counts[g] += 1
    weight = np.array([1.0 / counts[g] for g in people_groups[~people_held]])
    weight *= len(weight) / weight.sum()
    person_w, person_b = fit_logistic(z_people[~people_held], y_people[~people_held], weight,
                                      args.person_c, args.seed)
    from sklearn.metrics import average_precision_score

    def person_p(z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(z @ person_w + person_b)))

    print("\npeople (held-out people-train, per source; coco-dev is never trained on):")
    for source in sorted(set(people["sources"].tolist())):
        rows = people_held & (people["sources"] == source)
        y = y_people[rows]
        if 0 < y.sum() < len(y):
            print(f"  {source:22} AP {average_precision_score(y, person_p(z_people[rows])):.3f} "
                  f"({len(y)} photos)")
    if (REPO.parent / "shared" / "data" / "coco-dev" / "labels.json").is_file():
        coco = features(args.tagger, "coco")
        y = (coco["labels"] == "person").astype(int)
        pc = person_p(pca.transform(coco["features"].astype(np.float32)))
        pr, rc, a = precision_recall_ap(y, pc)
        print(f"  coco-dev               AP {a:.3f}, precision {pr:.2f} / recall {rc:.2f} at 0.5 "
              f"({len(y)} photos, {int(y.sum())} with people)")

    # --- leave one source out ------------------------------------------------------
    if not args.no_loso:
        print("\nscenes, leave one source out (train without it, test on it; labels that "
              "another source also has):")
        sources = np.array([f.split("/")[0] for f in scene_folders])
        for source in sorted(set(sources.tolist())):
            test = sources == source
            shared = labels_shared_with_others(source, labels)
            if not shared:
                continue
            w, b, _ = train_scenes(z_scenes, scene_folders, ~test, labels, args.c, args.seed)
            pt = softmax(z_scenes[test] @ w + b)
            per = []
            for j in shared:
                y = np.isin(scene_folders[test], labels[j]["sources"]).astype(int)
                per.append(average_precision_score(y, pt[:, j]))
            names = ", ".join(labels[j]["key"] for j in shared)
            print(f"  {source:16} macro AP {np.mean(per):.2f} over {len(shared)} labels ({names})")

    if args.out is None:  # shipped for the offline taggers; a user's own under models/
        from photofinder.config import data_path, models_dir

        shipped = args.tagger.startswith("efficientnet-lite")
        args.out = (data_path("heads") if shipped else models_dir() / "heads") / f"{args.tagger}.npz"
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, format=np.array(HEADS_FORMAT), tagger=np.array(args.tagger),
             input_size=np.array(size),
             pca_mean=pca.mean_.astype(np.float32),
             pca_components=pca.components_.astype(np.float32),
             scene_keys=np.array(scene_keys),
             scene_weight=scene_w.astype(np.float32), scene_bias=scene_b,
             person_weight=person_w, person_bias=np.array(person_b, np.float32))
    print(f"\nwrote {out} ({out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
