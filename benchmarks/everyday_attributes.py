"""The attribute heads on everyday photos from a source they never trained on, and what
the everyday photos judged by eye give them.

    .venv/bin/python benchmarks/everyday_attributes.py [--tagger efficientnet-lite2] [--weight 4]

The everyday folders judged by eye for every attribute (training/extract.py's EVERYDAY,
COCO train2017's Flickr photos, which the heads train on, and EVERYDAY_TEST, Pexels and
Unsplash photos by many photographers, which they never do) are left out one source at a
time: the source's photos are scored by heads trained here without it, three ways: with
no everyday photo at all, with the other everyday sources' photos, and with those weighing
`--weight` photos each. This is what decided that the Pexels and Unsplash photos are a
test (benchmarks/everyday_photos.py) and not training photos.
Everything else is trained on as train_heads.py does (the held-out fifth left out).
Prints, per attribute that at least 5 everyday photos show, the AP over every everyday
photo (each scored once, by heads that never saw its source) and over COCO's alone (the
photos most like a user's), and for the words benchmarks/coco_scene_truth.json judged the
AP on coco-dev (never trained on) without and with every everyday photo. Ranking only:
the heads' Platt step is monotonic, so it is skipped. Needs scikit-learn and the feature
caches (training/extract.py); writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from evaluation import REPO, training_data_missing

sys.path.insert(0, str(REPO / "training"))

import train_heads as th  # noqa: E402
from extract import EVERYDAY, EVERYDAY_TEST  # noqa: E402

# the attribute's word in benchmarks/coco_scene_truth.json, where coco-dev was judged for it
COCO_WORDS = {"clouds": "облака", "snow": "снег", "sunset": "закат", "grass": "трава",
              "rocks": "камни", "palm_trees": "пальма"}
COCO = "coco_train2017/everyday"
VARIANTS = ("none", "others", "weighted")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default="efficientnet-lite2")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--c", type=float, default=0.03, help="inverse regularisation (train_heads.py's --c)")
    ap.add_argument("--weight", type=float, default=4.0,
                    help="an everyday photo's weight in the last variant (every other photo: 1)")
    args = ap.parse_args()
    missing = training_data_missing(th.JUDGED)
    if missing is not None:
        return missing
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score as ap_score

    hand = th.judged_labels()
    c = args.c
    split = th.training_split(args.tagger, args.seed)   # the split and PCA the shipped heads had
    # the judged everyday photos no head trains on (extract.py --set everyday) join them here
    test = th.features(args.tagger, "everyday")
    test_files = test["files"].astype(str)
    z = np.concatenate([split.z_scenes, split.pca.transform(test["features"].astype(np.float32))
                        if len(test_files) else np.zeros((0, split.z_scenes.shape[1]))])
    held = np.concatenate([split.held, np.zeros(len(test_files), bool)])
    keep = np.concatenate([split.keep, np.ones(len(test_files), bool)])
    folders = np.concatenate([split.folders, th.folder_of(test_files)])
    files = np.concatenate([split.scenes["files"].astype(str), test_files])
    people_files = split.people["files"].astype(str)[~split.people_held]
    z_day = split.z_people[~split.people_held]
    kinds = (*EVERYDAY, *EVERYDAY_TEST)
    everyday = np.isin(folders, kinds) & np.array([f in hand for f in files])
    sources = [folder for folder in kinds if (everyday & (folders == folder)).any()]
    if len(sources) < 2:
        print(f"skipped: judged everyday photos of {len(sources)} source(s)")
        return 0
    coco = th.features(args.tagger, "coco")
    z_coco = split.pca.transform(coco["features"].astype(np.float32))
    truth = json.loads((REPO / "benchmarks" / "coco_scene_truth.json").read_text(encoding="utf-8"))["words"]
    coco_names = [Path(f).name for f in coco["files"].astype(str)]
    seen = th.seen_labels()
    base = ~held & keep & ~np.isin(folders, kinds)

    def fit(x: np.ndarray, y: np.ndarray, extra: int, weight: float) -> tuple[np.ndarray, float]:
        """The last `extra` rows (everyday photos) weigh `weight` each, the rest 1."""
        w = np.ones(len(y))
        w[len(y) - extra:] = weight
        model = LogisticRegression(C=c, max_iter=5000).fit(x, y, sample_weight=w)
        return model.coef_[0], float(model.intercept_[0])

    counts = ", ".join(f"{s.split('/')[0]} {int((everyday & (folders == s)).sum())}" for s in sources)
    print(f"{int(everyday.sum())} everyday photos judged by eye from {len(sources)} sources "
          f"({counts}), each left out in turn; tagger {args.tagger}, C {c}")
    print(f"\n| attribute | everyday photos showing it (COCO's) | no everyday photo | the other "
          f"sources' | the same, weighing {args.weight:g} each | COCO's: none → others → "
          f"weighing {args.weight:g} | coco-dev: none → all |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    totals: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for row in [r for r in th.scene_labels() if r.get("attribute")]:
        y = th.attribute_targets(files, folders, row, hand, seen=seen)
        y_day = th.attribute_targets(people_files, th.folder_of(people_files), row, hand,
                                     unlabelled_unknown=False)
        scored = everyday & (y >= 0)
        if (y[scored] == 1).sum() < 5:
            continue
        x_fixed = np.concatenate([z[base & (y >= 0)], z_day[y_day >= 0]])
        y_fixed = np.concatenate([y[base & (y >= 0)], y_day[y_day >= 0]])
        scores = {name: np.zeros(len(files)) for name in VARIANTS}
        for source in sources:
            others = scored & (folders != source)
            test = scored & (folders == source)
            for name in VARIANTS:
                extra = others if name != "none" else np.zeros(len(files), bool)
                w, b = fit(np.concatenate([x_fixed, z[extra]]), np.concatenate([y_fixed, y[extra]]),
                           int(extra.sum()), args.weight if name == "weighted" else 1.0)
                scores[name][test] = z[test] @ w + b
        positive = y == 1
        aps = {name: ap_score(positive[scored], s[scored]) for name, s in scores.items()}
        for name, value in aps.items():
            totals[name].append(value)
        in_coco = scored & (folders == COCO)
        coco_cell = (" → ".join(f"{ap_score(positive[in_coco], scores[n][in_coco]):.2f}" for n in VARIANTS)
                     if positive[in_coco].any() else "–")
        dev_cell = "–"
        word = COCO_WORDS.get(row["key"])
        if word in truth:
            relevant = [n in truth[word] for n in coco_names]
            cells = []
            for extra in (np.zeros(len(files), bool), scored):
                w, b = fit(np.concatenate([x_fixed, z[extra]]), np.concatenate([y_fixed, y[extra]]),
                           int(extra.sum()), 1.0)
                cells.append(f"{ap_score(relevant, z_coco @ w + b):.2f}")
            dev_cell = f"{' → '.join(cells)} ({sum(relevant)})"
        print(f"| {row['key']} | {int(positive[scored].sum())} of {int(scored.sum())} "
              f"({int(positive[in_coco].sum())}) | {aps['none']:.3f} | {aps['others']:.3f} | "
              f"{aps['weighted']:.3f} | {coco_cell} | {dev_cell} |")
    print(f"| mean over {len(totals['none'])} | | "
          + " | ".join(f"{np.mean(v):.3f}" for v in totals.values()) + " | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
