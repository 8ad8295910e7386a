"""Shared by the quality benchmarks: build an index of a labelled folder with the real
CLI, run queries through the real SearchEngine, and score the rankings.

Metrics, per query, over the ranked list the user sees (strong results, then weak):
- AP: average precision (relevant photos never shown count as missed);
- RR: 1 / rank of the first relevant photo (0 if none is shown);
- P@10: relevant photos among the first 10 shown, divided by 10 (precision);
- R@10: the same divided by min(10, relevant photos) (recall of the first page).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO))

from photofinder import index as index_store  # noqa: E402
from photofinder.errors import QueryError  # noqa: E402
from photofinder.search import SearchEngine  # noqa: E402
from photofinder.vectors import load_vectors  # noqa: E402
from photofinder.vocabulary import load_vocabulary  # noqa: E402


def average_precision(ranked_relevant: list[bool], n_relevant: int) -> float:
    hits, total = 0, 0.0
    for rank, rel in enumerate(ranked_relevant, 1):
        if rel:
            hits += 1
            total += hits / rank
    return total / n_relevant if n_relevant else 0.0


def build_index(photos: Path | list[Path], name: str, extra: list[str],
                env: dict[str, str] | None = None) -> Path:
    """`photofinder index PHOTOS... --index build/eval-NAME EXTRA...` (a re-run only checks);
    `env`: variables to set for it (PHOTOFINDER_MODELS: heads trained for a benchmark)."""
    index_dir = REPO / "build" / f"eval-{name}"
    started = time.perf_counter()
    folders = [str(f) for f in (photos if isinstance(photos, list) else [photos])]
    subprocess.run([sys.executable, "-m", "photofinder", "index", *folders, "--index",
                    str(index_dir), *extra], check=True, cwd=REPO,
                   env={**os.environ, **env} if env else None)
    print(f"index {index_dir}: {time.perf_counter() - started:.1f} s", flush=True)
    return index_dir


def training_data_missing(judged: Path) -> int | None:
    """For the benchmarks that train heads in memory (judged.py, everyday_attributes.py):
    the exit code, said, where scikit-learn (1), scenes-train or `judged` (0: skipped) is
    missing; None where all are there."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("нужен scikit-learn: .venv/bin/pip install -e '.[train]'", file=sys.stderr)
        return 1
    if not (SHARED / "scenes-train").is_dir() or not judged.is_file():
        print(f"skipped: no scenes-train at {SHARED} or no {judged}")
        return 0
    return None


def coco_parser(description: str) -> argparse.ArgumentParser:
    """The options of the coco-dev benchmarks: which tagger, regions or not."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--tagger", default="efficientnet-lite2")
    ap.add_argument("--no-regions", action="store_true", help="whole photo only (the fast mode)")
    ap.add_argument("--no-objects", action="store_true", help="without the COCO object detector")
    ap.add_argument("--black-and-white", action="store_true",
                    help="coco-dev's photos turned black and white (an old scanned album)")
    return ap


def black_and_white_copy(photos: Path) -> Path:
    """build/coco-dev-bw/: every photo of `photos` in black and white (same names, the
    labels beside them), made once; a user's scanned album, to search like the colour one."""
    from PIL import Image, ImageOps

    out = REPO / "build" / f"{photos.name}-bw"
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(photos.iterdir()):
        target = out / path.name
        if target.exists():
            continue
        if path.suffix.lower() in (".jpg", ".jpeg"):
            with Image.open(path) as img:
                ImageOps.grayscale(ImageOps.exif_transpose(img)).save(target, quality=92)
        elif path.is_file():
            target.write_bytes(path.read_bytes())
    return out


def coco_index(args: argparse.Namespace) -> Path | None:
    """coco-dev indexed by the CLI with coco_parser's options (one index per tagger and
    mode, shared by coco.py, coco_scenes.py and word_forms.py); None, said, where
    coco-dev is absent."""
    coco = SHARED / "coco-dev"
    if not (coco / "labels.json").is_file():
        print(f"skipped: no coco-dev at {coco}")
        return None
    name = (f"coco-{args.tagger}" + ("-whole" if args.no_regions else "")
            + ("-noobjects" if args.no_objects else "")
            + ("-bw" if getattr(args, "black_and_white", False) else ""))
    if getattr(args, "black_and_white", False):
        coco = black_and_white_copy(coco)
    extra = (["--tagger", args.tagger] + (["--no-regions"] if args.no_regions else [])
             + (["--no-objects"] if args.no_objects else []))
    return build_index(coco, name, extra)


def coco_engine(args: argparse.Namespace) -> SearchEngine | None:
    """The search engine over coco_index's index."""
    index_dir = coco_index(args)
    return engine_for(index_dir) if index_dir is not None else None


def engine_for(index_dir: Path) -> SearchEngine:
    idx = index_store.load(index_dir)
    return SearchEngine(idx, load_vocabulary(), load_vectors(idx.vectors))


def score_queries(engine: SearchEngine, queries: list[dict],
                  relevant: Callable[[dict, str], bool],
                  ignored: Callable[[dict, str], bool] | None = None) -> list[dict]:
    """One row per query with a relevant photo: kind, AP, RR, P@10, R@10, found, weak.
    Photos `ignored` says are unknown for a query (neither relevant nor not) are taken
    out of its ranking."""
    rows = []
    paths = engine.index.paths
    for q in queries:
        skip = [ignored(q, p) for p in paths] if ignored else [False] * len(paths)
        flags = [relevant(q, p) and not out for p, out in zip(paths, skip)]
        n_relevant = sum(flags)
        if not n_relevant:
            continue
        try:
            result = engine.search(q["query"], top=len(paths))
        except QueryError:
            result = None
        ranked = [flags[h.row] for h in result.hits if not skip[h.row]] if result else []
        first = next((i for i, r in enumerate(ranked, 1) if r), None)
        rows.append({"query": q["query"], "kind": q.get("kind", ""), "relevant": n_relevant,
                     "found": len(ranked), "weak": len(result.weak) if result else 0,
                     "ap": average_precision(ranked, n_relevant),
                     "rr": 1.0 / first if first else 0.0, "first": first,
                     "p10": sum(ranked[:10]) / 10, "r10": sum(ranked[:10]) / min(10, n_relevant)})
    return rows


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def print_table(rows: list[dict], title: str = "kind") -> None:
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(r)
    print(f"\n| {title} | queries | MAP | MRR | P@10 | R@10 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for kind, rs in sorted(by_kind.items()):
        print(f"| {kind} | {len(rs)} | {mean(r['ap'] for r in rs):.3f} | "
              f"{mean(r['rr'] for r in rs):.3f} | {mean(r['p10'] for r in rs):.3f} | "
              f"{mean(r['r10'] for r in rs):.3f} |")
    print(f"| **all** | {len(rows)} | **{mean(r['ap'] for r in rows):.3f}** | "
          f"**{mean(r['rr'] for r in rows):.3f}** | {mean(r['p10'] for r in rows):.3f} | "
          f"{mean(r['r10'] for r in rows):.3f} |")


def print_misses(rows: list[dict], limit: float = 0.5) -> None:
    misses = [r for r in rows if r["ap"] < limit]
    print(f"\nqueries with AP < {limit}:")
    for r in sorted(misses, key=lambda r: r["ap"]):
        print(f"  {r['query']:28} {r['kind']:9} rel={r['relevant']:3} found={r['found']:4} "
              f"first={r['first']} AP={r['ap']:.2f}")
