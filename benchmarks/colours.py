"""Colour words with a thing («белая собака», «красная машина») and black-and-white photos.

    .venv/bin/python benchmarks/colours.py [--tagger efficientnet-lite2] [--no-objects]

The truth: benchmarks/colour_truth.json, the colour of each dog and car of
imagenet-samples (118 dogs, 18 cars, one object per photo) and of each cat, dog and bus
of coco-dev (cluttered real photos), as I saw them on contact sheets before the colour
tags existed (null: not judged; such a photo is left out of that query's ranking). A
query is asked for every colour of a thing that some photo shows (imagenet-samples: at
least 3 photos): relevant are the photos of the thing in that colour, and every other
photo of the set is in the ranking. The indexes are quality.py's and coco.py's
(build/eval-imagenet-<tagger>, build/eval-coco-<tagger>); the words go through the real
SearchEngine. Prints AP, the first relevant rank and P@10 per query, MAP and MRR per set;
then «черно-белое фото» on coco-dev, whose black-and-white photos I picked out by eye.
"""

from __future__ import annotations

import json
from pathlib import Path

from evaluation import (
    REPO,
    SHARED,
    build_index,
    coco_index,
    coco_parser,
    engine_for,
    mean,
    score_queries,
)

TRUTH = REPO / "benchmarks" / "colour_truth.json"
NOUNS = {"dog": "собака", "car": "машина", "cat": "кошка", "bus": "автобус"}
# the colour words as a user types them beside the noun (its gender)
FEMININE = {"red": "красная", "orange": "рыжая", "yellow": "желтая", "green": "зеленая",
            "light_blue": "голубая", "blue": "синяя", "purple": "фиолетовая",
            "pink": "розовая", "brown": "коричневая", "white": "белая", "grey": "серая",
            "black": "черная"}
MASCULINE = {"red": "красный", "orange": "оранжевый", "yellow": "желтый", "green": "зеленый",
             "light_blue": "голубой", "blue": "синий", "purple": "фиолетовый",
             "pink": "розовый", "brown": "коричневый", "white": "белый", "grey": "серый",
             "black": "черный"}
MIN_RELEVANT = {"imagenet-samples": 3, "coco-dev": 1}


def queries_for(judged: dict[str, dict], least: int) -> list[dict]:
    """Every (colour, thing) query with at least `least` photos judged that colour."""
    queries = []
    for thing, verdicts in judged.items():
        words = MASCULINE if thing == "bus" else FEMININE
        for colour, word in words.items():
            if sum(colour in (c or ()) for c in verdicts.values()) >= least:
                queries.append({"query": f"{word} {NOUNS[thing]}", "thing": thing,
                                "colour": colour})
    return queries


def report(name: str, index_dir: Path, judged: dict[str, dict]) -> None:
    engine = engine_for(index_dir)

    def verdict(q: dict, path: str) -> list[str] | None | bool:
        """The photo's judged colours; None: not judged; False: not the thing at all."""
        return judged[q["thing"]].get(Path(path).name, False)

    rows = score_queries(engine, queries_for(judged, MIN_RELEVANT[name]),
                         lambda q, p: q["colour"] in (verdict(q, p) or ()),
                         lambda q, p: verdict(q, p) is None)
    print(f"\ncolour + thing on {len(engine.index)} {name} photos "
          f"(tagger {engine.index.tagger.get('name')}), judged by eye")
    print("| query | relevant | AP | first relevant at | P@10 | shown (weak) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['query']} | {r['relevant']} | {r['ap']:.2f} | {r['first'] or '-'} | "
              f"{r['p10']:.1f} | {r['found']} ({r['weak']}) |")
    print(f"\n{name}: MAP over {len(rows)} queries {mean(r['ap'] for r in rows):.3f}; "
          f"MRR {mean(r['rr'] for r in rows):.3f}")


def main() -> int:
    args = coco_parser(__doc__.splitlines()[0]).parse_args()
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    imagenet = SHARED / "imagenet-samples"
    if imagenet.is_dir():
        extra = ["--tagger", args.tagger] + (["--no-objects"] if args.no_objects else [])
        name = f"imagenet-{args.tagger}" + ("-noobjects" if args.no_objects else "")
        report("imagenet-samples", build_index(imagenet, name, extra), truth["imagenet-samples"])
    else:
        print(f"skipped: no photos in {imagenet}")
    coco = coco_index(args)
    if coco is not None:
        report("coco-dev", coco, truth["coco-dev"])
        black_and_white(coco, truth["black_and_white"]["coco-dev"])
    return 0


def black_and_white(index_dir: Path, judged: dict[str, list[str]]) -> None:
    """«черно-белое фото» over coco-dev: its black-and-white photos, judged by eye."""
    engine = engine_for(index_dir)
    photos, unsure = set(judged["photos"]), set(judged["unsure"])
    for query in ("черно-белое фото", "черно-белые фотографии"):
        [row] = score_queries(engine, [{"query": query}], lambda q, p: Path(p).name in photos,
                              lambda q, p: Path(p).name in unsure)
        strong = [h for h in engine.search(query, top=len(engine.index)).hits if not h.weak]
        right = sum(Path(h.path).name in photos for h in strong)
        print(f"\n«{query}» on coco-dev ({len(photos)} black-and-white photos of "
              f"{len(engine.index)}, judged by eye): AP {row['ap']:.3f}, strong results "
              f"{len(strong)}, of them black and white {right}")


if __name__ == "__main__":
    raise SystemExit(main())
