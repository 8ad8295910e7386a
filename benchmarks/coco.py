"""Search quality on real cluttered photos: ../shared/data/coco-dev (160 COCO photos).

    .venv/bin/python benchmarks/coco.py [--tagger efficientnet-lite2] [--no-regions]
                                        [--queries benchmarks/coco_activity_queries.json]

Indexes coco-dev with the real CLI (build/eval-coco-<tagger>[-whole]) and runs the
Russian queries of benchmarks/coco_queries.json (written from what a Russian speaker
means, over COCO's 80 categories, separately from the vocabulary): names, synonyms,
word forms, broader words, phrases, people, and pairs ("кошка на кровати": a photo is
relevant when it holds both). Prints MAP / MRR / P@10 / R@10 per kind, the person
score's precision and recall at the strong-result threshold, and the misses.
--queries: another set over the same categories (coco_activity_queries.json: sports
and who plays them, "теннис", "лыжник", "наездник").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from evaluation import (
    REPO,
    SHARED,
    coco_engine,
    coco_parser,
    mean,
    print_misses,
    print_table,
    score_queries,
)

sys.path.insert(0, str(REPO))

from photofinder.search import MIN_SCORE  # noqa: E402

COCO = SHARED / "coco-dev"
# COCO categories that no ImageNet-1k class shows (checked against its 1000 classes):
# a query for only these can find nothing but words people wrote
NO_IMAGENET_CLASS = {"fire hydrant", "giraffe", "suitcase", "frisbee", "snowboard", "kite",
                     "baseball bat", "baseball glove", "skateboard", "surfboard", "fork",
                     "scissors", "toothbrush", "carrot", "donut", "cake"}


def main() -> int:
    ap = coco_parser(__doc__.splitlines()[0])
    ap.add_argument("--queries", type=Path, default=REPO / "benchmarks" / "coco_queries.json")
    args = ap.parse_args()
    engine = coco_engine(args)
    if engine is None:
        return 0
    labels = json.loads((COCO / "labels.json").read_text(encoding="utf-8"))
    categories = {p: set(labels[Path(p).name]) for p in engine.index.paths}

    def relevant(q: dict, path: str) -> bool:
        cats = categories[path]
        if "all_of" in q:
            return all(cats & set(group) for group in q["all_of"])
        return bool(cats & set(q["categories"]))

    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    rows = score_queries(engine, queries, relevant)
    print(f"\ncoco-dev, {len(engine.index)} photos, tagger {engine.index.tagger.get('name')}, "
          f"regions {engine.index.tagger.get('regions')}; {len(rows)} queries")
    print_table(rows)

    # the person score alone: precision and recall of "человек" as the user sees it
    person_row = next((r for r in rows if r["query"] == "человек"), None)
    if person_row is not None:  # another --queries file may not ask for people
        result = engine.search("человек", top=len(engine.index))
        people = {p for p, cats in categories.items() if "person" in cats}
        strong = {h.path for h in result.hits if not h.weak and h.score >= MIN_SCORE}
        shown = {h.path for h in result.hits}
        print(f"\n«человек»: AP {person_row['ap']:.3f}; strong results {len(strong)}: precision "
              f"{len(strong & people) / max(1, len(strong)):.2f}, recall {len(strong & people) / len(people):.2f}; "
              f"with the weak ones {len(shown)}: recall {len(shown & people) / len(people):.2f} "
              f"({len(people)} of {len(categories)} photos hold a person)")
    by_query = {q["query"]: q for q in queries}

    def nameable(r: dict) -> bool:
        q = by_query[r["query"]]
        groups = q["all_of"] if "all_of" in q else [q["categories"]]
        return all(set(g) - NO_IMAGENET_CLASS for g in groups)

    named = [r for r in rows if nameable(r)]
    others = [r for r in rows if not nameable(r)]
    print(f"\nthe {len(named)} queries with an ImageNet class for what they ask: MAP "
          f"{mean(r['ap'] for r in named):.3f}, MRR {mean(r['rr'] for r in named):.3f}; the other "
          f"{len(others)} (giraffe, fork, cake, surfboard...), found only by the COCO detector "
          f"(nothing with --no-objects): MAP {mean(r['ap'] for r in others):.3f}, "
          f"MRR {mean(r['rr'] for r in others):.3f}")
    multi = [r for r in rows if r["kind"] == "multi"]
    if multi:
        print(f"pairs of words: MAP {mean(r['ap'] for r in multi):.3f} over {len(multi)} queries")
    print_misses(rows, 0.2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
