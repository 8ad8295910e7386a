"""Which regions, at which input size, and how to combine them: measured on coco-dev.

    .venv/bin/python benchmarks/regions.py [--tagger efficientnet-lite2]

For every variant, the 160 cluttered coco-dev photos are tagged in memory through the
real pipeline (decode, the tagger's pass, heads, tags: tagging.rows_for) and searched
with the Russian queries of benchmarks/coco_queries.json. Variants:

- the whole photo only, at the model's own input size (`--no-regions`);
- the whole photo and 13 regions pooled from one pass's feature map (tagger.REGION_WINDOWS),
  at several input sizes, a class's region evidence combined by a noisy-OR in which each
  region's vote counts half (tagging.REGION_WEIGHT, the default), a plain noisy-OR,
  the best region (max) or the mean;
- crops: the whole photo and its four corners (60 % of each side), a pass each.

Prints MAP / MRR and the model's milliseconds per photo (2 threads) for each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from evaluation import REPO, SHARED, mean, score_queries

sys.path.insert(0, str(REPO))

from photofinder.config import INPUT_SIDES  # noqa: E402
from photofinder.heads import load_heads  # noqa: E402
from photofinder.index import Index  # noqa: E402
from photofinder.photos import fit_for_model, open_photo, sky_fraction  # noqa: E402
from photofinder.search import SearchEngine  # noqa: E402
from photofinder.tagger import Analysis, load_tagger  # noqa: E402
from photofinder.tagging import REGION_WEIGHT, Columns, Decoded, rows_for  # noqa: E402
from photofinder.vectors import load_vectors  # noqa: E402
from photofinder.vocabulary import load_vocabulary  # noqa: E402

COCO = SHARED / "coco-dev"


def combine(analysis: Analysis, how: str) -> tuple[Analysis, float]:
    """The analysis and region weight that make tagging.combine_tags combine a class's
    region evidence `how`: its own half-vote noisy-OR ("default"), a plain noisy-OR,
    the best region ("max") or the regions' mean (one row, counted whole)."""
    whole, regions = analysis.probs[:, :1], analysis.probs[:, 1:]
    if how == "default" or regions.shape[1] == 0:
        return analysis, REGION_WEIGHT
    if how == "noisy-or":
        return analysis, 1.0
    combined = regions.max(axis=1, keepdims=True) if how == "max" else regions.mean(axis=1, keepdims=True)
    return Analysis(analysis.pooled, np.concatenate([whole, combined], axis=1)), 1.0


def tag_all(tagger, paths: list[Path], how: str, crops: bool = False) -> tuple[Index, float]:
    vocabulary = load_vocabulary()
    heads = load_heads(tagger.name)
    idx = Index(tagger={"name": tagger.name, "weights": ""}, vectors="", vocabulary="")
    columns = Columns(idx, vocabulary, heads)
    model_s = 0.0
    for start in range(0, len(paths), 16):
        chunk = paths[start:start + 16]
        images = [open_photo(p, min_side=tagger.preprocess.size) for p in chunk]
        pixels = [fit_for_model(img, tagger.preprocess) for img in images]
        started = time.perf_counter()
        analysis = tagger.analyze(np.stack(pixels))
        if crops:  # four corner crops, a pass each
            corner = []
            for img in images:
                w, h = img.size
                cw, ch = int(w * 0.6), int(h * 0.6)
                corner += [fit_for_model(img.crop(box), tagger.preprocess) for box in
                           [(0, 0, cw, ch), (w - cw, 0, w, ch), (0, h - ch, cw, h), (w - cw, h - ch, w, h)]]
            extra = tagger.analyze(np.stack(corner)).probs[:, 0].reshape(len(images), 4, -1)
            analysis = Analysis(analysis.pooled, np.concatenate([analysis.probs, extra], axis=1))
        model_s += time.perf_counter() - started
        decoded = [Decoded(p, 1, 0, 1, sky=sky_fraction(p)) for p in pixels]
        combined, weight = combine(analysis, how)
        idx.append(rows_for(combined, decoded, columns, heads, [str(p) for p in chunk],
                            [0] * len(chunk), [0] * len(chunk), [0] * len(chunk), weight))
    return idx, 1000 * model_s / len(paths)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default="efficientnet-lite2")
    args = ap.parse_args()
    if not (COCO / "labels.json").is_file():
        print(f"skipped: no coco-dev at {COCO}")
        return 0
    labels = json.loads((COCO / "labels.json").read_text(encoding="utf-8"))
    paths = sorted(COCO / name for name in labels)
    queries = json.loads((REPO / "benchmarks" / "coco_queries.json").read_text(encoding="utf-8"))
    vocabulary, vectors = load_vocabulary(), load_vectors("navec")

    def relevant(q: dict, path: str) -> bool:
        cats = set(labels[Path(path).name])
        return all(cats & set(g) for g in q["all_of"]) if "all_of" in q else bool(cats & set(q["categories"]))

    whole_size, regions_size = INPUT_SIDES[args.tagger]
    variants = [("whole photo", whole_size, False, "max", False),
                ("whole photo", regions_size, False, "max", False),
                ("+ 4 corner crops, best (5 passes)", whole_size, False, "max", True)]
    for size in (whole_size, regions_size, round(regions_size * 1.2)):
        variants.append(("+ 13 regions, half-vote noisy-OR", size, True, "default", False))
    variants += [("+ 13 regions, noisy-OR", regions_size, True, "noisy-or", False),
                 ("+ 13 regions, best region (max)", regions_size, True, "max", False),
                 ("+ 13 regions, mean", regions_size, True, "mean", False)]
    print(f"coco-dev: {len(paths)} photos, {len(queries)} queries, {args.tagger}\n")
    print("| variant | input | MAP | MRR | model ms/photo |")
    print("| --- | --- | --- | --- | --- |")
    for name, size, regions, how, crops in variants:
        tagger = load_tagger(args.tagger, regions=regions, size=size)
        idx, ms = tag_all(tagger, paths, how, crops)
        engine = SearchEngine(idx, vocabulary, vectors)
        rows = score_queries(engine, queries, relevant)
        default = " (default)" if (regions, size, how) == (True, regions_size, "default") else ""
        print(f"| {name}{default} | {size} px | {mean(r['ap'] for r in rows):.3f} | "
              f"{mean(r['rr'] for r in rows):.3f} | {ms:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
