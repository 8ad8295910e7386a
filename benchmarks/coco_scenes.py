"""Scene and sky words on real cluttered photos: coco-dev judged by eye.

    .venv/bin/python benchmarks/coco_scenes.py [--tagger efficientnet-lite2] [--no-regions]

The scene head is trained and measured on scenes-train, whose photos are small (many
128 px) and folder-labelled. This checks the same words where users meet them: the 160
real photos of ../shared/data/coco-dev (640 px camera photos), with the photos each
word should find judged by eye from contact sheets before any search result was seen
(benchmarks/coco_scene_truth.json; clear cases only, doubtful photos count as not
relevant, so a figure here is a floor). Uses the index benchmarks/coco.py builds.
Prints AP, the first relevant rank and P@10 per word and the mean over words, and how
many photos a search for a place no coco-dev photo shows (the truth's "absent") calls
matches: each one a false match.
"""

from __future__ import annotations

import json
from pathlib import Path

from evaluation import REPO, coco_engine, coco_parser, mean, score_queries


def main() -> int:
    ap = coco_parser(__doc__.splitlines()[0])
    ap.add_argument("--truth", type=Path, default=REPO / "benchmarks" / "coco_scene_truth.json")
    args = ap.parse_args()
    engine = coco_engine(args)
    if engine is None:
        return 0
    truth = json.loads(args.truth.read_text(encoding="utf-8"))["words"]
    queries = [{"query": word, "kind": "scene", "photos": set(photos)}
               for word, photos in truth.items()]
    rows = score_queries(engine, queries, lambda q, path: Path(path).name in q["photos"])
    print(f"\ncoco-dev scene words judged by eye: {len(engine.index)} photos, tagger "
          f"{engine.index.tagger.get('name')}, regions {engine.index.tagger.get('regions')}")
    print("| word | relevant | AP | first relevant at | P@10 | shown (weak) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['query']} | {r['relevant']} | {r['ap']:.2f} | {r['first'] or '-'} | "
              f"{r['p10']:.1f} | {r['found']} ({r['weak']}) |")
    print(f"\nmean AP over {len(rows)} words: {mean(r['ap'] for r in rows):.3f}; "
          f"MRR {mean(r['rr'] for r in rows):.3f}")
    # places no coco-dev photo shows (looked at): every photo a search for one shows as a
    # match is a false one, and a close-up with no place of its own is where they come from
    absent = json.loads(args.truth.read_text(encoding="utf-8")).get("absent", {})
    for word in absent:
        result = engine.search(word, top=len(engine.index))
        print(f"«{word}» (no coco-dev photo shows one): {result.strong_total} false matches, "
              f"{result.weak_total} weak ones")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
