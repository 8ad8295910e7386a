"""Children words on real everyday photos: «ребёнок», «дети», «мальчик», «девочка»,
«малыш» over ../shared/data/coco-dev, with and without the child score (children.py).

    .venv/bin/python benchmarks/children.py [--tagger efficientnet-lite2]

The index is coco.py's (build/eval-coco-<tagger>, made or brought up to date with the
real CLI). A photo is relevant when it shows a child: benchmarks/coco_children_truth.json,
judged by eye over the 89 photos with a person (8 children; 3 unsure ones count as
not). "without" is the same index with the child tags taken out in memory: what
search did before them. Also prints how many photos have a child tag, and every face's
child score is what the training script printed for coco-dev.
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
    without = engine
    if column >= 0:
        idx.tags = with_label_scores(idx.tags, column, np.zeros(len(idx), np.float32))
        without = SearchEngine(idx, engine.vocabulary, engine.vectors)
    without_rows = score_queries(without, queries, relevant)
    print("\n| query | AP without | AP with | first child without / with |")
    print("| --- | --- | --- | --- |")
    for a, b in zip(without_rows, with_rows):
        print(f"| {a['query']} | {a['ap']:.3f} | {b['ap']:.3f} | {a['first']} / {b['first']} |")
    print(f"| **all** | **{mean(r['ap'] for r in without_rows):.3f}** | "
          f"**{mean(r['ap'] for r in with_rows):.3f}** | MRR {mean(r['rr'] for r in without_rows):.3f}"
          f" / {mean(r['rr'] for r in with_rows):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
