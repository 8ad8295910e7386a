"""The person score: its precision and recall on real cluttered photos, and what other
kinds of evidence add to it.

    .venv/bin/python benchmarks/people.py [--tagger efficientnet-lite2]   (needs '.[train]')

On ../shared/data/coco-dev (160 photos, 89 with a person; never trained on) it measures:
the shipped people head (photofinder/data/heads), OpenCV's frontal-face cascade alone,
OpenCV's HOG full-body detector alone (run here, with its time per photo), and the head
combined with each kind of evidence by a logistic regression trained on people-train
(the same held-out split as training/train_heads.py): the face detector's strength,
the mass of ImageNet classes that imply a person (clothing, hats, ballplayer, groom,
scuba diver...), and the strongest region. Features come from training/extract.py's
cache (the real tagger and decode), computed on first use. Then the object detector's
best "person" box (photofinder/detector.py, run here on every photo; --skip-detector
leaves it out): alone, the larger of it and the head, and their noisy-OR, which is what
the index stores (tagging.person_probability); and per people-train source how many of
its people and of its photos without any the detector's score of 0.5 finds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "training"))
COCO = REPO.parent / "shared" / "data" / "coco-dev"

from photofinder.heads import load_heads  # noqa: E402
from photofinder.vocabulary import load_vocabulary  # noqa: E402


def precision_recall(y: np.ndarray, p: np.ndarray, cut: float) -> tuple[float, float]:
    chosen = p >= cut
    return float(y[chosen].mean()) if chosen.any() else 0.0, float(y[chosen].sum() / y.sum())


def hog_strength(paths: list[Path]) -> tuple[np.ndarray, float]:
    """OpenCV's default HOG people detector: the best detection's weight per photo."""
    import cv2

    from photofinder.photos import open_photo

    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    best = []
    started = time.perf_counter()
    for path in paths:
        img = open_photo(path, min_side=480)
        img.thumbnail((640, 640))
        gray = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2GRAY)
        _, weights = hog.detectMultiScale(gray, winStride=(8, 8), padding=(8, 8), scale=1.05)
        best.append(float(np.max(weights)) if len(weights) else 0.0)
    return np.array(best), (time.perf_counter() - started) / len(paths)


def detector_person(files: list[str]) -> np.ndarray:
    """The detector's best "person" score of each photo (0 without one), decoded as the
    indexer decodes it."""
    from photofinder.decoding import decode
    from photofinder.detector import load_detector
    from photofinder.tagging import person_probability

    detector = load_detector()
    best = []
    for f in files:
        decoded = decode(REPO.parent / "shared" / "data" / f, detector.preprocess, sky=False,
                         detector=detector.preprocess)
        found = detector.detect(decoded.detector_images)[0]
        best.append(person_probability(0.0, found))  # with no head: the box's score
    return np.array(best)


def detector_section(people: dict, coco: dict, head_p: np.ndarray, yc: np.ndarray,
                     y: np.ndarray) -> None:
    from sklearn.metrics import average_precision_score

    from photofinder.detector import Detection
    from photofinder.tagging import person_probability

    def stored(head: float, score: float) -> float:  # the shipped rule on one photo
        return person_probability(head, [Detection(0, score, (0.0, 0.0, 1.0, 1.0))])

    seen = detector_person([str(f) for f in coco["files"]])
    print("\n| coco-dev, the detector's person box | AP | precision / recall at 0.5 |")
    print("| --- | --- | --- |")
    for name, score in (("people head alone", head_p), ("detector alone", seen),
                        ("the larger of the two", np.maximum(head_p, seen)),
                        ("**noisy-OR (stored: tagging.person_probability)**",
                         np.array([stored(h, d) for h, d in zip(head_p, seen)]))):
        p, r = precision_recall(yc, score, 0.5)
        print(f"| {name} | {average_precision_score(yc, score):.3f} | {p:.2f} / {r:.2f} |")
    seen = detector_person([str(f) for f in people["files"]])
    print("\n| people-train source | photos | people found at 0.5 | photos without, said person |")
    print("| --- | --- | --- | --- |")
    for source in sorted(set(people["sources"].tolist())):
        at = people["sources"] == source
        yes, no = seen[at & (y == 1)], seen[at & (y == 0)]
        print(f"| {source} | {at.sum()} | {(yes >= 0.5).mean() if len(yes) else float('nan'):.2f} | "
              f"{(no >= 0.5).mean() if len(no) else float('nan'):.2f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default="efficientnet-lite2")
    ap.add_argument("--skip-hog", action="store_true")
    ap.add_argument("--skip-detector", action="store_true")
    args = ap.parse_args()
    if not (COCO / "labels.json").is_file():
        print(f"skipped: no coco-dev at {COCO}")
        return 0
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import average_precision_score
    except ImportError:
        print("needs scikit-learn: .venv/bin/pip install -e '.[train]'")
        return 1
    from train_heads import features, holdout_mask

    heads = load_heads(args.tagger)
    people, coco = features(args.tagger, "people"), features(args.tagger, "coco")
    y, yc = (people["labels"] == "person").astype(int), (coco["labels"] == "person").astype(int)
    groups = np.array([f"{s}/{lab}" for s, lab in zip(people["sources"], people["labels"])])
    train = ~holdout_mask(groups, 0)
    counts = Counter(groups[train])
    weight = np.array([1.0 / counts[g] for g in groups[train]])

    def head_logit(data: dict) -> np.ndarray:
        return heads.project(data["features"].astype(np.float32)) @ heads.person_weight + heads.person_bias

    head_p = 1 / (1 + np.exp(-head_logit(coco)))
    print(f"coco-dev: {len(yc)} photos, {yc.sum()} with a person; tagger {args.tagger}\n")
    print("| evidence | AP | precision / recall at its cut |")
    print("| --- | --- | --- |")
    p, r = precision_recall(yc, head_p, 0.5)
    print(f"| **people head (shipped), p >= 0.5** | **{average_precision_score(yc, head_p):.3f}** | "
          f"**{p:.2f} / {r:.2f}** |")
    p, r = precision_recall(yc, head_p, 0.1)
    print(f"| same, with the weak ones (p >= 0.1) | | {p:.2f} / {r:.2f} |")
    faces = coco["faces"].astype(float)
    p, r = precision_recall(yc, faces, 15)
    print(f"| frontal-face cascade alone (>= 15 neighbours) | {average_precision_score(yc, faces):.3f} | "
          f"{p:.2f} / {r:.2f} |")
    if not args.skip_hog:
        files = sorted(f"{f}" for f in coco["files"])
        strength, seconds = hog_strength([REPO.parent / "shared" / "data" / f for f in files])
        p, r = precision_recall(yc, strength, 0.5)
        print(f"| HOG full-body detector alone (weight >= 0.5; {seconds * 1000:.0f} ms a photo) | "
              f"{average_precision_score(yc, strength):.3f} | {p:.2f} / {r:.2f} |")

    # the head and one more kind of evidence, combined on people-train
    vocabulary = load_vocabulary()
    implies = np.zeros(1000, np.float32)
    implies[[c.index for c in vocabulary.labels[:1000]
             if c.broader and c.broader[-1] in ("одежда", "головной убор", "люди")]] = 1

    def extra(data: dict, name: str) -> np.ndarray:
        if name == "face detector":
            s = data["faces"].astype(np.float32)
            return np.stack([(s > 0).astype(np.float32), np.log1p(s)], 1)
        if name == "classes implying a person":
            return np.log1p(20 * np.clip(data["whole"].astype(np.float32) @ implies, 0, 1))[:, None]
        regions = heads.project(data["region_features"].astype(np.float32))
        return (regions @ heads.person_weight + heads.person_bias).max(axis=1)[:, None]

    for name in ("face detector", "classes implying a person", "strongest region"):
        x = np.column_stack([head_logit(people), extra(people, name)])
        xc = np.column_stack([head_logit(coco), extra(coco, name)])
        model = LogisticRegression(max_iter=2000).fit(x[train], y[train], sample_weight=weight)
        print(f"| people head + {name} | {average_precision_score(yc, model.decision_function(xc)):.3f} | |")

    if not args.skip_detector:
        detector_section(people, coco, head_p, yc, y)

    imagenet_cache = REPO / "build" / "features" / f"{args.tagger}-imagenet.npz"
    if imagenet_cache.is_file():
        data = dict(np.load(imagenet_cache))
        pi = 1 / (1 + np.exp(-head_logit(data)))
        print(f"\nimagenet-samples (one object a photo, few people): person >= 0.5 on "
              f"{(pi >= 0.5).mean():.1%} of the 1000 photos")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
