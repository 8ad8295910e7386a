"""«толпа», «группа людей», «много людей»: photos of a group of people, before and after the group tag.

Also «семья», «друзья», «коллеги» (since round thirty-five the group tag's synonyms, with
every person after it): the same truth, three people or more, is a proxy for them (a
family may be two). Their "before" column is that of the group words; as aliases of
«человек» they scored 0.382 and 0.345 (the vocabulary of round thirty-four).

    .venv/bin/python benchmarks/groups.py [--tagger efficientnet-lite2]

Before round thirty-three these words were aliases of «человек»: one person on a
sofa ranked with a team or a crowd. The group tag (photofinder/tagging.py
group_probability) is the chance that three or more of the object detector's person
boxes, each at least tagging.GROUP_MIN_HEIGHT of the photo tall, are people.

Truth: benchmarks/group_truth.json, judged by eye before the tag was searched — three
people or more who are noticeable ("yes"), too small or too far to say ("unsure", left
out of the ranking), one or two (no). Two sets no head or rule trained on: coco-dev's
160 photos (benchmarks/coco.py's index) and the 543 everyday test photos at their
published size (benchmarks/everyday_photos.py --full's index; skipped without them).

Prints, per set: the AP of each word through the real index and SearchEngine, and "before",
the ranking these words had as aliases of «человек» (the same index searched for
«человек» with the group tags taken out, in memory); the strong results and how many
show a group; then the AP of the tag's score for other heights a box must have (the real
detector run again on the photos).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from evaluation import REPO, SHARED, average_precision, build_index, engine_for

sys.path.insert(0, str(REPO / "training"))

from extract import EVERYDAY_TEST  # noqa: E402

from photofinder import index as index_store  # noqa: E402
from photofinder import tagging  # noqa: E402
from photofinder.detector import load_detector  # noqa: E402
from photofinder.photos import fit_for_model, open_photo  # noqa: E402
from photofinder.search import SearchEngine  # noqa: E402
from photofinder.vectors import load_vectors  # noqa: E402
from photofinder.vocabulary import GROUP_KEY, load_vocabulary  # noqa: E402

TRUTH = REPO / "benchmarks" / "group_truth.json"
WORDS = ["толпа", "группа людей", "много людей", "групповое фото", "друзья", "семья", "коллеги"]
BEFORE = "человек"   # what the words were aliases of
HEIGHTS = (0.0, 0.05, 0.1, 0.15)   # GROUP_MIN_HEIGHT tried
GATHERED_FULL = REPO.parent / "gathered-full"


def ap_of(engine, query: str, truth: np.ndarray) -> tuple[float, int, int]:
    """(AP, strong results, relevant among them) of a query on photos judged 1/0 (-1 left out)."""
    result = engine.search(query, top=len(truth))
    ranked = [truth[h.row] == 1 for h in result.hits if truth[h.row] != -1]
    strong = [truth[h.row] for h in result.hits[:len(result.hits) - len(result.weak)]
              if truth[h.row] != -1]
    return average_precision(ranked, int((truth == 1).sum())), len(strong), sum(strong)


def floors(paths: list[str], truth: np.ndarray) -> tuple[dict[float, float], float]:
    """The AP of the group score itself for each height in HEIGHTS (the detector run on
    the photos here: the index keeps no boxes), and the milliseconds the score takes a
    photo."""
    detector = load_detector()
    boxes = []
    for path in paths:
        pixels = fit_for_model(open_photo(Path(path), detector.preprocess.size), detector.preprocess)
        boxes.append(detector.detect(pixels[None])[0])
    started = time.perf_counter()
    for b in boxes:
        tagging.group_probability(b)
    cost = 1000 * (time.perf_counter() - started) / max(1, len(boxes))
    keep = truth != -1
    aps = {}
    shipped = tagging.GROUP_MIN_HEIGHT
    try:
        for height in HEIGHTS:
            tagging.GROUP_MIN_HEIGHT = height
            score = np.array([tagging.group_probability(b) for b in boxes])
            order = np.argsort(-score[keep], kind="stable")
            aps[height] = average_precision(list(truth[keep][order] == 1), int((truth == 1).sum()))
    finally:
        tagging.GROUP_MIN_HEIGHT = shipped
    return aps, cost


def report(name: str, index_dir: Path, judged: list[str], truth_of: dict) -> None:
    engine = engine_for(index_dir)
    yes, unsure = set(truth_of["yes"]), set(truth_of["unsure"]) | set(truth_of.get("also_unsure", ()))
    truth = np.array([1 if j in yes else -1 if j in unsure else 0 for j in judged])
    print(f"\n{name}: {len(truth)} photos, {int((truth == 1).sum())} of a group, "
          f"{int((truth == -1).sum())} unsure (left out)")
    print("| query | AP before (as «человек») | AP | strong results | of them a group | recall |")
    print("| --- | --- | --- | --- | --- | --- |")
    idx = index_store.load(index_dir)   # a second copy, changed in memory only
    if GROUP_KEY in idx.labels:
        idx.tags = idx.tags.with_column(idx.labels.index(GROUP_KEY),
                                        np.zeros(len(idx), np.float32), 1.0)
    without = SearchEngine(idx, load_vocabulary(), load_vectors(idx.vectors))
    before, _, _ = ap_of(without, BEFORE, truth)
    n = int((truth == 1).sum())
    for word in WORDS:
        ap, strong, right = ap_of(engine, word, truth)
        print(f"| {word} | {before:.3f} | {ap:.3f} | {strong} | {right} | {right / n:.2f} |")
    heights, cost = floors(list(engine.index.paths), truth)
    print("the group score's AP by the height a person box must have (shipped: "
          f"{tagging.GROUP_MIN_HEIGHT}): "
          + ", ".join(f"{h}: {a:.3f}" for h, a in heights.items())
          + f"; the score takes {cost:.4f} ms a photo")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default="efficientnet-lite2")
    args = ap.parse_args()
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    coco = SHARED / "coco-dev"
    if not (coco / "labels.json").is_file():
        print(f"skipped: no coco-dev at {coco}")
        return 0
    index_dir = build_index(coco, f"coco-{args.tagger}", ["--tagger", args.tagger])
    report("coco-dev", index_dir, [Path(p).name for p in engine_for(index_dir).index.paths],
           truth["coco-dev"])
    folders = [GATHERED_FULL / f for f in EVERYDAY_TEST if (GATHERED_FULL / f).is_dir()]
    if not folders:
        print(f"\neveryday photos: skipped, none in {GATHERED_FULL}")
        return 0
    index_dir = build_index(folders, f"everyday-full-{args.tagger}", ["--tagger", args.tagger])
    judged = ["/".join(("gathered", *Path(p).parts[-3:])) for p in engine_for(index_dir).index.paths]
    # a photo judged unsure for «человек» is unsure for a group too
    photos = json.loads((REPO / "benchmarks" / "everyday_truth.json").read_text(encoding="utf-8"))["photos"]
    everyday = dict(truth["everyday"], also_unsure=[j for j in judged if "человек" in photos[j]["unsure"]])
    report("everyday photos (Pexels, Unsplash; published size)", index_dir, judged, everyday)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
