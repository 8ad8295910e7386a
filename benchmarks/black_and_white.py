"""Black-and-white photos: what they are tagged, and what a search finds among them.

    .venv/bin/python benchmarks/black_and_white.py [--tagger efficientnet-lite2]
    PHOTOFINDER_MODELS=/tmp/before .venv/bin/python benchmarks/black_and_white.py   # other heads

A user's scanned album is black and white; so were all of 15-Scene's training photos
(forest, street, city centre, store, industrial, suburb…: the labels it alone teaches),
and a head can learn "grey -> one of those labels" instead of the places. The 160 real
colour photos of ../shared/data/coco-dev (never trained on) go through the real tagger
and heads as they are and turned black and white:
1. per place label, the mean probability in colour and in black and white (the labels
   that rise most), and the share of photos whose top place is a label only 15-Scene
   teaches: with no shortcut, turning a photo grey moves neither much;
2. the scene words judged by eye (benchmarks/coco_scene_truth.json) searched on the
   colour index and on a black-and-white copy of it (build/coco-dev-bw/, indexed by the
   CLI like coco.py's): mean AP and MRR of each.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from evaluation import REPO, SHARED, coco_engine, coco_parser, mean, score_queries
from PIL import ImageOps

from photofinder.heads import load_heads
from photofinder.photos import fit_for_model, open_photo
from photofinder.tagger import load_tagger

TRUTH = REPO / "benchmarks" / "coco_scene_truth.json"


def place_probabilities(tagger, heads, files: list[Path], grey: bool) -> np.ndarray:
    """[N, places] the place softmax of every photo (whole photo)."""
    pooled = []
    for start in range(0, len(files), 16):
        batch = []
        for path in files[start:start + 16]:
            img = open_photo(path, min_side=tagger.preprocess.size)
            if grey:
                img = ImageOps.grayscale(img).convert("RGB")
            batch.append(fit_for_model(img, tagger.preprocess))
        pooled.append(tagger.analyze(np.stack(batch)).pooled[:, 0])
    p = heads.scenes(heads.project(np.concatenate(pooled)))
    return p[:, :len(heads.scene_keys)]


def only_15scene_labels() -> set[str]:
    rows = json.loads((REPO / "photofinder" / "data" / "scenes.json").read_text(encoding="utf-8"))
    return {r["key"] for r in rows if r["sources"] and all(s.startswith("15scene/") for s in r["sources"])}


def main() -> int:
    args = coco_parser(__doc__.splitlines()[0]).parse_args()
    coco = SHARED / "coco-dev"
    if not (coco / "labels.json").is_file():
        print(f"skipped: no coco-dev at {coco}")
        return 0
    files = sorted(coco.glob("*.jpg"))
    tagger, heads = load_tagger(args.tagger), load_heads(args.tagger)
    colour = place_probabilities(tagger, heads, files, grey=False)
    grey = place_probabilities(tagger, heads, files, grey=True)
    keys = list(heads.scene_keys)
    only = only_15scene_labels()
    print(f"\n{len(files)} coco-dev photos, tagger {args.tagger}: place probability, colour -> "
          "black and white (mean over the photos; the labels that rise most)")
    rise = grey.mean(axis=0) - colour.mean(axis=0)
    for j in np.argsort(-rise)[:8]:
        mark = " (15-Scene alone)" if keys[j] in only else ""
        print(f"  {keys[j]:18} {colour[:, j].mean():.3f} -> {grey[:, j].mean():.3f}{mark}")
    top_c, top_g = colour.argmax(axis=1), grey.argmax(axis=1)
    in_only = np.array([k in only for k in keys])
    print(f"top place a label only 15-Scene teaches: colour {in_only[top_c].mean():.1%}, "
          f"black and white {in_only[top_g].mean():.1%}; top place changed by the greying: "
          f"{(top_c != top_g).mean():.1%}")

    truth = json.loads(TRUTH.read_text(encoding="utf-8"))["words"]
    queries = [{"query": w, "kind": "scene", "photos": set(p)} for w, p in truth.items()]
    figures = {}
    for bw in (False, True):
        args.black_and_white = bw
        engine = coco_engine(args)
        rows = score_queries(engine, queries, lambda q, path: Path(path).name in q["photos"])
        figures[bw] = rows
    print(f"\nscene words judged by eye ({len(queries)} words): "
          + "; ".join(f"{'black and white' if bw else 'colour'} MAP {mean(r['ap'] for r in rows):.3f}, "
                      f"MRR {mean(r['rr'] for r in rows):.3f}" for bw, rows in figures.items()))
    print("  words that lose most in black and white: " + ", ".join(
        f"{a['query']} {a['ap']:.2f} -> {b['ap']:.2f}" for a, b in
        sorted(zip(figures[False], figures[True]), key=lambda ab: ab[1]["ap"] - ab[0]["ap"])[:5]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
