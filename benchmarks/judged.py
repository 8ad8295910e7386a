"""What judging photos by eye gives the attribute heads: clouds, snow, fog, sunset and
night trained from their folders alone, or with training/manifests/judged.csv; and the lake,
grass, rocks and beach heads that only the judgements can train, against what search had
for those words.

    .venv/bin/python benchmarks/judged.py [--tagger efficientnet-lite2]

Needs scikit-learn and the feature caches (training/extract.py); trains in memory with
training/train_heads.py's own functions, writes nothing. Every figure is an AP on photos
the head never trained on, judged by eye: coco-dev (benchmarks/coco_scene_truth.json,
judged before any of this), the held-out fifth, and each source group's judged photos
with the group left out of training (Mini Places; 15-Scene; the gathered sources, each
in turn, pooled). "everyday > 0.5": the share of held-out people-train photos the head
calls sure (INRIA's outdoor photos often do show clouds).
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

from photofinder.heads import load_heads  # noqa: E402
from photofinder.terms import RELATION_WEIGHTS  # noqa: E402

LAKESIDE, SANDBAR, SEASHORE = 975, 977, 978   # ImageNet classes «озеро», «пляж» reach
# the ImageNet classes «камни» reaches as a related word (0.8): cliff, promontory, megalith,
# stone wall, breakwater
ROCKY = [972, 976, 649, 825, 460]
RELATED = RELATION_WEIGHTS["related"]   # what search weighs a related word's label by
VARIANTS = (("folders only", False, False), ("+ judged, unjudged = negative", True, False),
            ("+ judged, unjudged = unknown (shipped)", True, True))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default="efficientnet-lite2")
    args = ap.parse_args()
    missing = training_data_missing(th.JUDGED)
    if missing is not None:
        return missing
    from sklearn.metrics import average_precision_score as ap_score

    hand = th.judged_labels()
    seed, c = 0, 0.03
    split = th.training_split(args.tagger, seed)   # the split and PCA the shipped heads had
    scenes, people, held, keep, folders = split.scenes, split.people, split.held, split.keep, split.folders
    z, people_held, pca = split.z_scenes, split.people_held, split.pca
    z_people = pca.transform(people["features"].astype(np.float32))
    coco = th.features(args.tagger, "coco")
    z_coco = pca.transform(coco["features"].astype(np.float32))
    whole = np.concatenate([th.features(args.tagger, n)["whole"] for n in ("scenes", "gathered")
                            if (th.CACHE / f"{args.tagger}-{n}.npz").is_file()]).astype(np.float32)
    files = scenes["files"].astype(str)
    people_files = people["files"].astype(str)
    truth = json.loads((REPO / "benchmarks" / "coco_scene_truth.json").read_text(encoding="utf-8"))["words"]
    coco_names = [Path(f).name for f in coco["files"].astype(str)]
    sources = np.array([f.split("/")[0] for f in folders])
    group = np.where(np.isin(sources, ["miniplaces", "15scene"]), sources, "gathered")
    judged = np.array([f in hand for f in files])
    rows = {row["key"]: row for row in th.scene_labels()}
    rows.setdefault("beach", {"key": "beach", "sources": []})   # measured, not shipped

    def train(key: str, use_judged: bool, unknown: bool, without: np.ndarray | None = None):
        h = hand if use_judged else {}
        y = th.attribute_targets(files, folders, rows[key], h, unknown)
        y_day = th.attribute_targets(people_files[~people_held], th.folder_of(people_files[~people_held]),
                                     rows[key], h, unlabelled_unknown=False)
        train_rows = ~held & keep & (~without if without is not None else True)
        return th.train_attribute(z, y, train_rows, z_people[~people_held], y_day, c, seed)

    def left_out(key: str, score_of) -> tuple[list[str], float]:
        """AP on each source group's judged photos, the group left out of training."""
        truth_y = th.attribute_targets(files, folders, rows[key], hand, unlabelled_unknown=False)
        cells, ys, ss = [], [], []
        for g in ("miniplaces", "15scene", "gathered"):
            members = sorted(set(sources[group == g].tolist())) if g == "gathered" else [g]
            for m in members:   # the gathered sources one at a time, pooled
                out = sources == m
                rows_ = out & judged & (truth_y >= 0)
                ys.append(truth_y[rows_] == 1)
                ss.append(score_of(out)[rows_])
            y_g, s_g = np.concatenate(ys[-len(members):]), np.concatenate(ss[-len(members):])
            cells.append(f"{ap_score(y_g, s_g):.3f} ({int(y_g.sum())}/{len(y_g)})" if y_g.any() else "–")
        return cells, ap_score(np.concatenate(ys), np.concatenate(ss))

    print(f"{len(hand)} photos judged by eye; tagger {args.tagger}")
    print("\n| attribute | training | coco-dev | held-out fifth | Mini Places left out | "
          "15-Scene left out | gathered, each left out | everyday > 0.5 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    words = {"clouds": "облака", "snow": "снег", "sunset": "закат"}
    for key in ("clouds", "snow", "fog", "sunset", "night"):
        y_eval = th.attribute_targets(files, folders, rows[key], hand)
        test = held & keep & (y_eval >= 0)
        for name, use_judged, unknown in VARIANTS:
            w, b = train(key, use_judged, unknown)
            coco_ap = (f"{ap_score([n in truth[words[key]] for n in coco_names], z_coco @ w + b):.3f}"
                       if words.get(key) in truth else "–")

            def score_of(out: np.ndarray, key: str = key, use_judged: bool = use_judged,
                         unknown: bool = unknown) -> np.ndarray:
                w2, b2 = train(key, use_judged, unknown, without=out)
                return z @ w2 + b2

            cells, _ = left_out(key, score_of)
            everyday = (1 / (1 + np.exp(-(z_people[people_held] @ w + b))) > 0.5).mean()
            print(f"| {key} | {name} | {coco_ap} | {ap_score(y_eval[test] == 1, (z @ w + b)[test]):.3f} | "
                  f"{' | '.join(cells)} | {everyday:.1%} |")

    print("\nwords with no folder of their own: the judged head against what search had "
          "(AP on each group's judged photos, the group left out; pooled last)")
    shipped = load_heads(args.tagger)   # the place probabilities search has today
    place = shipped.scenes(shipped.project(scenes["features"]))
    coast = place[:, shipped.tag_keys.index("coast")]
    grassy = np.max([place[:, shipped.tag_keys.index(k)] for k in ("open_country", "golf_course", "yard")], 0)
    rocky = np.maximum(whole[:, ROCKY].max(1),
                       np.max([place[:, shipped.tag_keys.index(k)] for k in ("canyon", "badlands")], 0))
    for key, others in (("lake", {"ImageNet lakeside": whole[:, LAKESIDE]}),
                        ("beach", {"ImageNet seashore": whole[:, SEASHORE],
                                   "coast head": coast,
                                   "max(seashore, sandbar, coast)": np.maximum.reduce(
                                       [whole[:, SEASHORE], whole[:, SANDBAR], coast])}),
                        # «трава» before its label: a related word of the field, golf course, yard
                        ("grass", {"0.8 max(field, golf course, yard)": RELATED * grassy}),
                        # «камни» before its label: related to cliffs, canyons, badlands...
                        ("rocks", {"0.8 max(cliff, promontory, ..., canyon, badlands)": RELATED * rocky})):
        def head_score(out: np.ndarray, key: str = key) -> np.ndarray:
            w, b = train(key, True, True, without=out)
            return z @ w + b

        candidates = {"judged head": head_score, **{n: (lambda out, s=s: s) for n, s in others.items()}}
        if key == "lake":   # what «озеро» does: its own label, or lakeside as a synonym (0.9)
            candidates["max(head, 0.9 lakeside)"] = lambda out: np.maximum(
                1 / (1 + np.exp(-head_score(out))), RELATION_WEIGHTS["synonym"] * whole[:, LAKESIDE])
        if key in ("grass", "rocks"):   # what the word does now: its label, or the related ones
            before = next(iter(others.values()))
            candidates["max(head, related)"] = lambda out, before=before: np.maximum(
                1 / (1 + np.exp(-head_score(out))), before)
        for name, score_of in candidates.items():
            cells, pooled = left_out(key, score_of)
            print(f"  {key:6} {name:40} {'  '.join(cells)}  pooled {pooled:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
