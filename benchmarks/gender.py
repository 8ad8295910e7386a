"""Words for a woman and a man on real everyday photos: «женщина», «девушка», «мужчина»,
«парень» over ../shared/data/coco-dev, with and without the man and woman tags
(gender.py).

    .venv/bin/python benchmarks/gender.py [--tagger efficientnet-lite2]

The index is coco.py's (build/eval-coco-<tagger>, made or brought up to date with the
real CLI). Truth: benchmarks/coco_gender_truth.json, judged by eye over the 89 photos
with a person: "Y" a woman (a man) clearly visible is relevant, "N" is not, "?" (too
small, from behind, only hands) is left out of the ranking; the 71 photos with no person
are not relevant. "without" is the same index with the man and woman tags taken out in
memory: what search did before them (every person alike).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from evaluation import REPO, coco_engine, coco_parser, mean, score_queries

sys.path.insert(0, str(REPO))

from photofinder.children import with_label_scores  # noqa: E402
from photofinder.gender import MAN_KEY, WOMAN_KEY  # noqa: E402
from photofinder.search import SearchEngine  # noqa: E402

TRUTH = Path(__file__).with_name("coco_gender_truth.json")
WORDS = {"woman": ["женщина", "женщины", "девушка", "девушки", "дама", "мама"],
         "man": ["мужчина", "мужчины", "парень", "мужик", "папа"]}


def main() -> int:
    args = coco_parser(__doc__.splitlines()[0]).parse_args()
    engine = coco_engine(args)
    if engine is None:
        return 0
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    queries = [{"query": w, "kind": who} for who, words in WORDS.items() for w in words]

    def relevant(q: dict, path: str) -> bool:
        return truth[q["kind"]].get(Path(path).name) == "Y"

    def ignored(q: dict, path: str) -> bool:
        return truth[q["kind"]].get(Path(path).name) == "?"

    idx = engine.index
    for who in WORDS:
        marks = list(truth[who].values())
        column = idx.labels.index(who) if who in idx.labels else -1
        tagged = 0 if column < 0 else int((idx.tags.column_scores(column) >= 0.5).sum())
        print(f"{who}: {marks.count('Y')} photos by eye, {marks.count('N')} without, "
              f"{marks.count('?')} unsure; photos tagged at 0.5 or more: {tagged}")
    with_rows = score_queries(engine, queries, relevant, ignored)
    for key in (MAN_KEY, WOMAN_KEY):
        if key in idx.labels:
            idx.tags = with_label_scores(idx.tags, idx.labels.index(key),
                                         np.zeros(len(idx), np.float32))
    without = SearchEngine(idx, engine.vocabulary, engine.vectors)
    without_rows = score_queries(without, queries, relevant, ignored)
    print("\n| query | relevant | AP without | AP with | first relevant without / with |")
    print("| --- | --- | --- | --- | --- |")
    for a, b in zip(without_rows, with_rows):
        print(f"| {a['query']} | {a['relevant']} | {a['ap']:.3f} | {b['ap']:.3f} | "
              f"{a['first']} / {b['first']} |")
    print(f"| **all** | | **{mean(r['ap'] for r in without_rows):.3f}** | "
          f"**{mean(r['ap'] for r in with_rows):.3f}** | MRR {mean(r['rr'] for r in without_rows):.3f}"
          f" / {mean(r['rr'] for r in with_rows):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
