"""Search quality on a labelled photo set: AP, reciprocal rank and precision@10 per query.

    .venv/bin/python benchmarks/quality.py [--photos DIR] [--tagger efficientnet-lite2]

DIR holds photos and a labels.json {file: {"class_index": i, ...}} (default:
../shared/data/imagenet-samples, 1000 photos, one per ImageNet class). The queries
and their ground truth (the classes a Russian speaker means) are benchmarks/queries.json.
The index is built once into build/eval-<tagger> and reused (re-runs only check it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photofinder import index as index_store  # noqa: E402
from photofinder.search import MIN_SCORE, SearchEngine  # noqa: E402
from photofinder.vectors import load_vectors  # noqa: E402
from photofinder.vocabulary import load_vocabulary  # noqa: E402

DEFAULT_PHOTOS = REPO.parent / "shared" / "data" / "imagenet-samples"
SEED_QUERIES = ["лыжи", "кошка", "овца", "река", "ноутбук", "пес", "цапля", "жираф"]


def average_precision(ranked_relevant: list[bool], n_relevant: int) -> float:
    hits, total = 0, 0.0
    for rank, rel in enumerate(ranked_relevant, 1):
        if rel:
            hits += 1
            total += hits / rank
    return total / n_relevant if n_relevant else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--tagger", default="efficientnet-lite2")
    parser.add_argument("--queries", type=Path, default=REPO / "benchmarks" / "queries.json")
    parser.add_argument("--verbose", action="store_true", help="every query, not only misses")
    args = parser.parse_args()
    labels_file = args.photos / "labels.json"
    if not labels_file.is_file():
        print(f"skipped: no labelled photos at {args.photos} (labels.json missing)")
        return 0
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    index_dir = REPO / "build" / f"eval-{args.tagger}"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "photofinder", "index", str(args.photos), "--index",
                    str(index_dir), "--tagger", args.tagger, "--people"], check=True, cwd=REPO)
    print(f"index: {time.perf_counter() - started:.1f} s")

    idx = index_store.load(index_dir)
    class_of_row = [labels[Path(p).name]["class_index"] for p in idx.paths]
    engine = SearchEngine(idx, load_vocabulary(), load_vectors(idx.vectors))
    queries = json.loads(args.queries.read_text(encoding="utf-8"))

    rows = []
    below_min = 0
    for q in queries:
        t0 = time.perf_counter()
        result = engine.search(q["query"], top=len(idx), min_score=MIN_SCORE)
        ms = (time.perf_counter() - t0) * 1000
        below_min += sum(h.score < MIN_SCORE for h in result.hits)
        relevant = set(q["relevant"])
        ranked = [class_of_row[h.row] in relevant for h in result.hits]
        row = {"query": q["query"], "kind": q["kind"], "relevant": len(relevant),
               "found": len(result.hits), "ms": ms}
        if relevant:
            first = next((i for i, r in enumerate(ranked, 1) if r), None)
            row.update(ap=average_precision(ranked, len(relevant)),
                       rr=1.0 / first if first else 0.0, first=first,
                       p10=sum(ranked[:10]) / min(10, len(relevant)))
        else:
            row.update(empty_ok=not result.hits)
        rows.append(row)

    scored = [r for r in rows if "ap" in r]
    empty = [r for r in rows if "empty_ok" in r]
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in scored:
        by_kind[r["kind"]].append(r)

    def mean(xs):
        xs = list(xs)
        return sum(xs) / len(xs) if xs else float("nan")

    print(f"\n{'kind':10} {'queries':>7} {'MAP':>6} {'MRR':>6} {'P@10':>6}")
    for kind, rs in sorted(by_kind.items()):
        print(f"{kind:10} {len(rs):7} {mean(r['ap'] for r in rs):6.3f} "
              f"{mean(r['rr'] for r in rs):6.3f} {mean(r['p10'] for r in rs):6.3f}")
    print(f"{'all':10} {len(scored):7} {mean(r['ap'] for r in scored):6.3f} "
          f"{mean(r['rr'] for r in scored):6.3f} {mean(r['p10'] for r in scored):6.3f}")
    print(f"no-match queries answered «ничего не найдено»: {sum(r['empty_ok'] for r in empty)}/{len(empty)}")
    print(f"results below the minimum score {MIN_SCORE}: {below_min}")
    lat = sorted(r["ms"] for r in rows)
    print(f"query latency: p50 {lat[len(lat) // 2]:.1f} ms, p95 {lat[int(len(lat) * 0.95)]:.1f} ms "
          f"({len(idx)} photos)")

    print("\nseed table (first relevant rank; '-' = none expected, — = nothing shown):")
    print("| query | relevant | first relevant at | AP | P@10 |")
    print("| --- | --- | --- | --- | --- |")
    by_query = {r["query"]: r for r in rows}
    for q in SEED_QUERIES:
        r = by_query.get(q)
        if r is None:
            continue
        if "ap" in r:
            print(f"| {q} | {r['relevant']} | {r['first']} | {r['ap']:.2f} | {r['p10']:.2f} |")
        else:
            print(f"| {q} | 0 (no such class) | {'ничего не найдено' if r['empty_ok'] else 'NOISE'} | — | — |")

    misses = [r for r in scored if r["rr"] < 1.0 or r["ap"] < 0.5]
    shown = scored if args.verbose else misses
    print(f"\n{'all queries' if args.verbose else 'queries with first relevant below rank 1 or AP < 0.5'}:")
    for r in shown:
        print(f"  {r['query']:28} {r['kind']:9} rel={r['relevant']:3} found={r['found']:4} "
              f"first={r['first']} AP={r['ap']:.2f} P@10={r['p10']:.2f}")
    for r in empty:
        if not r["empty_ok"]:
            print(f"  {r['query']:28} no-match  found={r['found']} (should be empty)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
