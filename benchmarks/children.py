"""Children words on real everyday photos: «ребёнок», «дети», «мальчик», «девочка»,
«малыш» over ../shared/data/coco-dev, with and without the child score (children.py).

    .venv/bin/python benchmarks/children.py [--tagger efficientnet-lite2]

The index is coco.py's (build/eval-coco-<tagger>, made or brought up to date with the
real CLI). A photo is relevant when it shows a child: benchmarks/coco_children_truth.json,
judged by eye over the 89 photos with a person (8 children; 3 unsure ones count as
not). "without" is the same index with the child tags taken out in memory: what
search did before them; "with the child tags" keeps them but the fallback to every person
whole (held to a related word's worth since round thirty-five: person_fallback.py, as in
every column); "with the adults' faces too" is what search does (adult_faces.py: on a photo whose
faces found all look like adults', the fallback counts half and makes no strong match).
Also prints how many photos have a child tag, and how many strong results «дети» gives;
every face's child score is what the training script printed for coco-dev.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from evaluation import REPO, coco_engine, coco_parser, mean, score_queries

sys.path.insert(0, str(REPO))

from photofinder.children import CHILD_KEY, with_label_scores  # noqa: E402
from photofinder.search import SearchEngine  # noqa: E402

TRUTH = Path(__file__).with_name("coco_children_truth.json")
WORDS = ["ребёнок", "дети", "детей", "мальчик", "девочка", "малыш", "малыши", "дети играют"]


def main() -> int:
    args = coco_parser(__doc__.splitlines()[0]).parse_args()
    engine = coco_engine(args)
    if engine is None:
        return 0
    children = set(json.loads(TRUTH.read_text(encoding="utf-8"))["children"])
    queries = [{"query": w, "kind": "children"} for w in WORDS]

    def relevant(_q: dict, path: str) -> bool:
        return Path(path).name in children

    idx = engine.index
    column = idx.labels.index(CHILD_KEY) if CHILD_KEY in idx.labels else -1
    tagged = 0 if column < 0 else int((idx.tags.label == column).sum())
    print(f"photos with a child tag: {tagged} of {len(idx)}; children by eye: {len(children)}")
    with_rows = score_queries(engine, queries, relevant)
    strong_with = engine.search("дети", top=1).strong_total
    # the same tags with every person's fallback whole (adult_faces.py off: no photo
    # counts as the adults' alone), as rounds twenty-five to thirty-three searched
    whole = SearchEngine(idx, engine.vocabulary, engine.vectors)
    whole.adult_faces.set_rows(np.zeros(0, np.int64))
    whole_rows = score_queries(whole, queries, relevant)
    strong_whole = whole.search("дети", top=1).strong_total
    without = SearchEngine(idx, engine.vocabulary, engine.vectors)
    if column >= 0:
        idx.tags = with_label_scores(idx.tags, column, np.zeros(len(idx), np.float32))
        without = SearchEngine(idx, engine.vocabulary, engine.vectors)
    without.adult_faces.set_rows(np.zeros(0, np.int64))
    without_rows = score_queries(without, queries, relevant)
    print("\n| query | AP without | AP with the child tags | AP with the adults' faces too "
          "| first child |")
    print("| --- | --- | --- | --- | --- |")
    for a, b, c in zip(without_rows, whole_rows, with_rows):
        print(f"| {a['query']} | {a['ap']:.3f} | {b['ap']:.3f} | {c['ap']:.3f} | "
              f"{a['first']} / {b['first']} / {c['first']} |")
    print(f"| **all** | **{mean(r['ap'] for r in without_rows):.3f}** | "
          f"**{mean(r['ap'] for r in whole_rows):.3f}** | "
          f"**{mean(r['ap'] for r in with_rows):.3f}** | MRR "
          + " / ".join(f"{mean(r['rr'] for r in rows):.3f}"
                       for rows in (without_rows, whole_rows, with_rows)) + " |")
    print(f"\n«дети»: {strong_whole} strong results with every person's fallback whole, "
          f"{strong_with} with the adults' faces lowered (adult_faces.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
