"""«ясное небо» and its synonyms on photos judged by eye, before and after the clear-sky tag.

    .venv/bin/python benchmarks/clear_sky.py [--tagger efficientnet-lite2]

The clear sky (photofinder/derived.py) is the sky seen — the sky tag, a sunset, a starry
sky — times one minus the clouds. Before it, «ясное небо», «голубое небо» and «чистое
небо» were synonyms of the sky tag («небо»), which every sky photo has, cloudy or not.
Truth: training/manifests/judged.csv's sky column, "K" a clear sky against "C" clouds
and "N" no sky ("?" and unjudged photos left out), on two sets no head trained on:
the held-out fifth of scenes-train (scenes.py's index, seed 0) and the everyday test
photos of ../gathered (everyday_photos.py's index; skipped without them). "before" is
the same index and search with the clear-sky tags taken out and the old vocabulary
(those words the sky's synonyms again), in memory.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from evaluation import REPO, average_precision, build_index, engine_for

sys.path.insert(0, str(REPO / "training"))

from extract import EVERYDAY_TEST, GATHERED  # noqa: E402
from scenes import SCENES, held_out_folder  # noqa: E402
from train_heads import judged_labels  # noqa: E402

from photofinder.config import data_path  # noqa: E402
from photofinder.derived import CLEAR_SKY_KEY  # noqa: E402
from photofinder.search import SearchEngine  # noqa: E402
from photofinder.vectors import load_vectors  # noqa: E402
from photofinder.vocabulary import parse_vocabulary  # noqa: E402

WORDS = ["ясное небо", "голубое небо", "чистое небо", "солнечно"]
# the sky label as it was before the clear sky had a label of its own
SKY_BEFORE = ["голубое небо", "ясное небо", "чистое небо", "небосвод"]


def vocabulary_before():
    scenes = [row for row in json.loads(data_path("scenes.json").read_text(encoding="utf-8"))
              if "scene:" + row["key"] != CLEAR_SKY_KEY]
    next(row for row in scenes if row["key"] == "sky")["synonyms"] = SKY_BEFORE
    return parse_vocabulary(data_path("vocabulary.json").read_bytes(), "before",
                            data_path("aliases.json").read_bytes(),
                            json.dumps(scenes, ensure_ascii=False).encode("utf-8"),
                            data_path("objects.json").read_bytes())


def truth(files: list[str]) -> np.ndarray:
    """1 clear sky, 0 clouds or no sky, -1 unknown (unsure or not judged)."""
    hand = judged_labels()
    code = [hand[f]["sky"] if f in hand else "" for f in files]
    return np.array([1 if "K" in c else 0 if c in ("C", "N") else -1 for c in code])


def ap_of(engine: SearchEngine, word: str, t: np.ndarray) -> float:
    ranked = [t[h.row] == 1 for h in engine.search(word, top=len(t)).hits if t[h.row] != -1]
    return average_precision(ranked, int((t == 1).sum()))


def report(name: str, index_dir: Path, files: list[str]) -> None:
    after = engine_for(index_dir)
    idx = after.index
    t = truth(files)
    before_idx = engine_for(index_dir).index   # a second copy, changed in memory only
    if CLEAR_SKY_KEY in before_idx.labels:
        before_idx.tags = before_idx.tags.with_column(before_idx.labels.index(CLEAR_SKY_KEY),
                                                      np.zeros(len(before_idx), np.float32), 0.0)
    before = SearchEngine(before_idx, vocabulary_before(), load_vectors(before_idx.vectors))
    print(f"\n{name}: {len(idx)} photos, {int((t != -1).sum())} judged for the sky, "
          f"{int((t == 1).sum())} of them a clear sky")
    print("| word | AP before | AP after |")
    print("| --- | --- | --- |")
    for word in WORDS:
        print(f"| {word} | {ap_of(before, word, t):.3f} | {ap_of(after, word, t):.3f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default="efficientnet-lite2")
    args = ap.parse_args()
    if not SCENES.is_dir():
        print(f"skipped: no scenes-train at {SCENES}")
        return 0
    held_out = build_index(held_out_folder(0), f"scenes-{args.tagger}-0", ["--tagger", args.tagger])
    paths = engine_for(held_out).index.paths
    # the held-out folder's links are named <set>__<folder>__<file>
    report("held-out scenes-train (seed 0)", held_out,
           ["scenes-train/" + Path(p).name.replace("__", "/") for p in paths])
    folders = [GATHERED / f for f in EVERYDAY_TEST if (GATHERED / f).is_dir()]
    if not folders:
        print(f"\neveryday test photos: skipped, none in {GATHERED}")
        return 0
    everyday = build_index(folders, f"everyday-{args.tagger}", ["--tagger", args.tagger])
    report("everyday test photos (Pexels, Unsplash)", everyday,
           ["/".join(("gathered", *Path(p).parts[-3:])) for p in engine_for(everyday).index.paths])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
