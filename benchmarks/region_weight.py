"""How much one region's vote counts (tagging.REGION_WEIGHT), on all three photo sets.

    .venv/bin/python benchmarks/region_weight.py

A class's region evidence is 1 - prod over the 13 regions of (1 - w x p). w = 1 is a
plain noisy-OR; "best region" is the old rule (the largest region probability). Each
set's forward passes (the default tagger, regions on) are made once and cached in
build/region-passes/; every variant then tags the cached passes through the real
tagging.rows_for, and the real SearchEngine answers each set's queries:

- coco-dev (160 cluttered photos, benchmarks/coco_queries.json, as benchmarks/coco.py),
- imagenet-samples (1000 photos, benchmarks/queries.json, as benchmarks/quality.py),
- the held-out scene photos (benchmarks/scene_queries.json, as benchmarks/scenes.py).

Prints MAP / MRR per set. The figures equal what those three scripts print for an
index the CLI made with the same rule (checked for the best region, w = 1 and w = 0.5).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from evaluation import REPO, SHARED, mean, score_queries
from scenes import held_out_folder

sys.path.insert(0, str(REPO))

from photofinder.heads import load_heads  # noqa: E402
from photofinder.index import Index  # noqa: E402
from photofinder.photos import fit_for_model, open_photo, sky_fraction  # noqa: E402
from photofinder.search import SearchEngine  # noqa: E402
from photofinder.tagger import Analysis, load_tagger  # noqa: E402
from photofinder.tagging import REGION_WEIGHT, Columns, Decoded, rows_for  # noqa: E402
from photofinder.vectors import load_vectors  # noqa: E402
from photofinder.vocabulary import load_vocabulary  # noqa: E402

CACHE = REPO / "build" / "region-passes"
Relevant = Callable[[dict, str], bool]


def photo_sets() -> dict[str, tuple[list[Path], list[dict], Relevant]]:
    """name -> (photos, queries, relevant(query, path)) for every set that is here."""
    sets: dict[str, tuple[list[Path], list[dict], Relevant]] = {}
    coco = SHARED / "coco-dev"
    if (coco / "labels.json").is_file():
        cats = {n: set(c) for n, c in json.loads((coco / "labels.json").read_text(encoding="utf-8")).items()}

        def in_coco(q: dict, path: str) -> bool:
            c = cats[Path(path).name]
            groups = q["all_of"] if "all_of" in q else [q["categories"]]
            return all(c & set(g) for g in groups)

        sets["coco-dev"] = (sorted(coco / n for n in cats),
                            json.loads((REPO / "benchmarks" / "coco_queries.json").read_text(encoding="utf-8")),
                            in_coco)
    imagenet = SHARED / "imagenet-samples"
    if (imagenet / "labels.json").is_file():
        labels = json.loads((imagenet / "labels.json").read_text(encoding="utf-8"))
        sets["imagenet-samples"] = (
            sorted(imagenet / n for n in labels),
            json.loads((REPO / "benchmarks" / "queries.json").read_text(encoding="utf-8")),
            lambda q, path: labels[Path(path).name]["class_index"] in set(q["relevant"]))
    if (SHARED / "scenes-train").is_dir():
        queries = json.loads((REPO / "benchmarks" / "scene_queries.json").read_text(encoding="utf-8"))
        sets["held-out scenes"] = (
            sorted(held_out_folder(0).iterdir()), [q for q in queries if q["relevant"]],
            lambda q, path: "/".join(Path(path).name.split("__")[:2]) in q["relevant"])
    return sets


def passes(name: str, paths: list[Path], tagger) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The whole photo's pooled vector, every region's probabilities and the photo's
    sky fraction (photos.sky_fraction), cached."""
    cache = CACHE / f"{tagger.name}-{name.replace(' ', '-')}.npz"
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as npz:
            if list(npz["paths"]) == [str(p) for p in paths] and "sky" in npz:
                return npz["pooled"], npz["probs"], npz["sky"]
    pooled, probs, sky = [], [], []
    for start in range(0, len(paths), 16):
        chunk = paths[start:start + 16]
        pixels = [fit_for_model(open_photo(p, min_side=tagger.preprocess.size), tagger.preprocess)
                  for p in chunk]
        analysis = tagger.analyze(np.stack(pixels))
        pooled.append(analysis.pooled[:, :1])
        probs.append(analysis.probs)
        sky += [sky_fraction(p) for p in pixels]
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(cache, paths=np.array([str(p) for p in paths]), pooled=np.concatenate(pooled),
             probs=np.concatenate(probs), sky=np.array(sky))
    return np.concatenate(pooled), np.concatenate(probs), np.array(sky)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default="efficientnet-lite2")
    ap.add_argument("--weights", type=float, nargs="+", default=[0.3, 0.4, 0.5, 0.6, 0.7, 1.0])
    args = ap.parse_args()
    sets = photo_sets()
    if not sets:
        print(f"skipped: none of coco-dev, imagenet-samples, scenes-train at {SHARED}")
        return 0
    tagger = load_tagger(args.tagger, regions=True)
    heads = load_heads(tagger.name)
    vocabulary, vectors = load_vocabulary(), load_vectors("navec")
    cached = {name: passes(name, paths, tagger) for name, (paths, _, _) in sets.items()}

    def figures(weight: float | None) -> list[str]:
        out = []
        for name, (paths, queries, relevant) in sets.items():
            pooled, probs, sky = cached[name]
            if weight is None:   # the best region: one row, counted whole
                probs = np.concatenate([probs[:, :1], probs[:, 1:].max(axis=1, keepdims=True)], axis=1)
            idx = Index(tagger={"name": tagger.name, "weights": ""}, vectors="", vocabulary="")
            columns = Columns(idx, vocabulary, heads)
            for start in range(0, len(paths), 64):
                n = len(paths[start:start + 64])
                idx.append(rows_for(Analysis(pooled[start:start + n], probs[start:start + n]),
                                    [Decoded(np.zeros(1), 1, 0, 1, sky=float(f))
                                     for f in sky[start:start + n]], columns, heads,
                                    [str(p) for p in paths[start:start + n]],
                                    [0] * n, [0] * n, [0] * n, 1.0 if weight is None else weight))
            rows = score_queries(SearchEngine(idx, vocabulary, vectors), queries, relevant)
            out.append(f"{mean(r['ap'] for r in rows):.3f} / {mean(r['rr'] for r in rows):.3f}")
        return out

    print(f"{tagger.name}, regions on; MAP / MRR\n")
    print("| region evidence | " + " | ".join(f"{n} ({len(sets[n][0])})" for n in sets) + " |")
    print("| --- |" + " --- |" * len(sets))
    for weight in [None, *args.weights]:
        label = ("best region (the old rule)" if weight is None else
                 f"noisy-OR, w = {weight:g}" + (" (the default)" if weight == REGION_WEIGHT else ""))
        print(f"| {label} | " + " | ".join(figures(weight)) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
