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
3. Scenes: one logistic regression per label of photofinder/data/scenes.json on the
   projected features, one against the rest. A photo of a label that may show this one
   too (a harbour may show a coast, any outdoor photo clouds) is not used as its
   negative: see MAY_ALSO_SHOW. Calibrated (Platt) on cross-validated scores.
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
from photofinder.heads import FEATURE_DIM, HEADS_FORMAT, heads_file  # noqa: E402

HOLDOUT = 0.2
# Training-only folders: contrast for a label without a label of their own.
NEGATIVE_ONLY = {"amos_daynight/day"}
INDOOR = {"kitchen", "bedroom", "living_room", "dining_room", "office", "store",
          "supermarket", "bookstore", "candy_store", "clothing_store", "laundromat",
          "restaurant", "food_court", "coffee_shop", "aquarium"}
SKY = {"clouds", "storm_clouds", "sunset", "night", "fog"}
# Labels whose photos may show each other: near-synonyms in the data, never negatives
# for each other (the vocabulary reaches them through the same words anyway).
OVERLAPS = [
    {"coast", "harbor", "lighthouse", "iceberg"},
    {"mountain", "valley", "canyon", "volcano", "ski_slope", "badlands"},
    {"forest", "rainforest", "bamboo_forest", "forest_road", "swamp"},
    {"street", "city_center", "tall_building", "suburb", "slum", "outdoor_market"},
    {"highway", "snowy_road", "forest_road", "street"},
    {"store", "supermarket", "bookstore", "candy_store", "clothing_store"},
    {"restaurant", "food_court", "coffee_shop", "dining_room"},
    {"living_room", "dining_room", "bedroom"},
    {"church", "abbey", "monastery"},
    {"park", "botanical_garden", "yard", "courtyard", "flowers"},
    {"open_country", "corn_field", "golf_course"},
    {"river", "waterfall", "dam", "swamp"},
    {"baseball_field", "football_stadium", "running_track"},
    {"clouds", "storm_clouds", "sunset"},
]


def may_also_show(label: str, outdoor: set[str]) -> set[str]:
    """Labels (and "day") whose photos are not negatives for `label`."""
    keep = set().union(*(g for g in OVERLAPS if label in g)) - {label}
    if label in ("clouds", "storm_clouds"):
        keep |= outdoor | {"day"}  # an outdoor photo may well have clouds in its sky
    return keep


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


def precision_recall_ap(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    from sklearn.metrics import average_precision_score

    predicted = p >= 0.5
    tp = int((predicted & (y == 1)).sum())
    precision = tp / max(1, int(predicted.sum()))
    recall = tp / max(1, int((y == 1).sum()))
    return precision, recall, float(average_precision_score(y, p)) if y.any() else float("nan")


def scene_labels() -> list[dict]:
    return json.loads(data_path("scenes.json").read_text(encoding="utf-8"))


def train_scenes(z: np.ndarray, folders: np.ndarray, train: np.ndarray, labels: list[dict],
                 c: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One calibrated one-vs-rest head per label; returns weight [D, S] and bias [S]."""
    label_of_folder = {src: row["key"] for row in labels for src in row["sources"]}
    label_of_folder.update({f: "day" for f in NEGATIVE_ONLY})
    photo_label = np.array([label_of_folder.get(f, "") for f in folders])
    outdoor = {row["key"] for row in labels} - INDOOR - SKY
    weights, biases = [], []
    for row in labels:
        key = row["key"]
        excluded = may_also_show(key, outdoor)
        use = train & ~np.isin(photo_label, sorted(excluded)) & (photo_label != "")
        y = (photo_label[use] == key).astype(int)
        w, b = fit_logistic(z[use], y, None, c, seed)
        weights.append(w)
        biases.append(b)
    return np.stack(weights, axis=1), np.array(biases, np.float32)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default="efficientnet-lite2")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--c", type=float, default=0.1, help="inverse regularisation of the heads")
    ap.add_argument("--no-loso", action="store_true", help="skip the leave-one-source-out figure")
    ap.add_argument("--out", type=Path, help="default: photofinder/data/heads/<tagger>.npz")
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
    scene_w, scene_b = train_scenes(z_scenes, scene_folders, ~scene_held, labels, args.c, args.seed)
    p = 1.0 / (1.0 + np.exp(-(z_scenes[scene_held] @ scene_w + scene_b)))
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
                                      args.c / 10, args.seed)
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
            shared = [j for j, row in enumerate(labels)
                      if any(s.startswith(source + "/") for s in row["sources"])
                      and any(not s.startswith(source + "/") for s in row["sources"])]
            if not shared:
                continue
            w, b = train_scenes(z_scenes, scene_folders, ~test, labels, args.c, args.seed)
            pt = 1.0 / (1.0 + np.exp(-(z_scenes[test] @ w + b)))
            per = []
            for j in shared:
                y = np.isin(scene_folders[test], labels[j]["sources"]).astype(int)
                per.append(average_precision_score(y, pt[:, j]))
            names = ", ".join(labels[j]["key"] for j in shared)
            print(f"  {source:16} macro AP {np.mean(per):.2f} over {len(shared)} labels ({names})")

    out = args.out or heads_file(args.tagger)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, format=np.array(HEADS_FORMAT), tagger=np.array(args.tagger),
             input_size=np.array(size),
             pca_mean=pca.mean_.astype(np.float32),
             pca_components=pca.components_.astype(np.float32),
             scene_keys=np.array([row["key"] for row in labels]),
             scene_weight=scene_w.astype(np.float32), scene_bias=scene_b,
             person_weight=person_w, person_bias=np.array(person_b, np.float32))
    print(f"\nwrote {out} ({out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
