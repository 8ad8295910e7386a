"""Search quality on one clean object per photo: ../shared/data/imagenet-samples.

    .venv/bin/python benchmarks/quality.py [--tagger efficientnet-lite2] [--no-regions]

1000 photos, one per ImageNet class, indexed with the real CLI into build/eval-…; the
queries and their ground truth (the classes a Russian speaker means) are
benchmarks/queries.json, written from WordNet and common sense, separately from the
vocabulary. This set flatters quality (one centred object a photo): real cluttered
photos are benchmarks/coco.py, scenes benchmarks/scenes.py. Prints MAP, MRR, P@10
(precision: relevant among the first 10, over 10) and R@10 (over min(10, relevant))
per kind, the no-match queries, latency and the seed table.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from evaluation import (
    REPO,
    SHARED,
    build_index,
    engine_for,
    print_misses,
    print_table,
    score_queries,
)

DEFAULT_PHOTOS = SHARED / "imagenet-samples"
SEED_QUERIES = ["лыжи", "кошка", "овца", "река", "ноутбук", "пес", "цапля", "жираф"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--tagger", default="efficientnet-lite2")
    parser.add_argument("--no-regions", action="store_true")
    parser.add_argument("--queries", type=Path, default=REPO / "benchmarks" / "queries.json")
    args = parser.parse_args()
    labels_file = args.photos / "labels.json"
    if not labels_file.is_file():
        print(f"skipped: no labelled photos at {args.photos} (labels.json missing)")
        return 0
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    name = f"imagenet-{args.tagger}" + ("-whole" if args.no_regions else "")
    extra = ["--tagger", args.tagger] + (["--no-regions"] if args.no_regions else [])
    engine = engine_for(build_index(args.photos, name, extra))
    class_of = {p: labels[Path(p).name]["class_index"] for p in engine.index.paths}
    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    rows = score_queries(engine, queries, lambda q, path: class_of[path] in set(q["relevant"]))
    print(f"\nimagenet-samples: {len(engine.index)} photos; tagger "
          f"{engine.index.tagger.get('name')}, regions {engine.index.tagger.get('regions')}")
    print_table(rows)

    latencies, empty_ok, empty = [], 0, [q for q in queries if not q["relevant"]]
    for q in queries:
        started = time.perf_counter()
        result = engine.search(q["query"], top=len(engine.index))
        latencies.append((time.perf_counter() - started) * 1000)
        if not q["relevant"]:
            empty_ok += not result.strong
    latencies.sort()
    print(f"\nno-match queries with no strong result: {empty_ok}/{len(empty)}")
    print(f"query latency: p50 {latencies[len(latencies) // 2]:.1f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95)]:.1f} ms ({len(engine.index)} photos)")

    print("\nseed table:\n| query | relevant | first relevant at | AP | P@10 |\n| --- | --- | --- | --- | --- |")
    by_query = {r["query"]: r for r in rows}
    for q in SEED_QUERIES:
        r = by_query.get(q)
        if r is not None:
            print(f"| {q} | {r['relevant']} | {r['first']} | {r['ap']:.2f} | {r['p10']:.2f} |")
        else:
            result = engine.search(q, top=10)
            shown = "ничего не найдено" if not result.hits else f"{len(result.strong)} strong, {len(result.weak)} weak"
            print(f"| {q} | 0 (no such class) | {shown} | — | — |")
    print_misses(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
