"""Tagging through Ray against the local pipeline, and the driver at 1M rows.

    .venv/bin/python benchmarks/cluster.py [--photos 48] [--driver-rows 1000000]

On this machine, in one run (needs the cluster extra: pip install -e '.[cluster]'):

1. the first --photos coco-dev photos (../shared/data/coco-dev, copied to a temp folder)
   indexed by the local pipeline, then through a private Ray on 127.0.0.1 with 1 and
   2 actors (one CPU slot each): tagging photos/s (from the first progress call to the
   last, so model loads are left out on both sides), the ratio to local, and the
   driver's own CPU seconds per photo while the actors tag (its Python, Ray's client
   threads, the words, appends and checkpoints);
2. the driver at --driver-rows rows: a synthetic index of that size (speed_search.py's,
   written once into the temp folder) loaded, then 1,024 photos' rows added as a Ray
   run adds them (batches of 16): peak memory, seconds per added photo (appends copy
   the arrays), and one checkpoint (index.save) of that index.

Search at 10M photos: benchmarks/speed_search.py --sizes 10000000.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
COCO_DEV = REPO.parent / "shared" / "data" / "coco-dev"
WORK = Path(tempfile.gettempdir()) / "photofinder-bench"
TAGGER = "efficientnet-lite2"


def run(folder: Path, index_dir: Path, source) -> dict:
    """One update_index; photos/s over the tagging phase and the driver's CPU in it."""
    from photofinder import indexer
    from photofinder.vectors import load_vectors
    from photofinder.vocabulary import load_vocabulary

    marks: dict[str, float] = {}

    def on_progress(done: int, total: int) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        if "start" not in marks:
            marks["start"], marks["cpu0"] = now, cpu
        marks["end"], marks["cpu1"] = now, cpu

    shutil.rmtree(index_dir, ignore_errors=True)
    report = indexer.update_index([folder], index_dir, load_vocabulary(),
                                  lambda: load_vectors("navec"),
                                  choice=indexer.ModelChoice(TAGGER), tag_source=source,
                                  on_progress=on_progress)
    seconds = marks["end"] - marks["start"]
    return {"photos": report.added, "skipped": len(report.skipped), "seconds": seconds,
            "rate": report.added / seconds,
            "driver_cpu_ms": 1000 * (marks["cpu1"] - marks["cpu0"]) / max(1, report.added)}


def tagging(photos: int) -> None:
    import ray

    from photofinder.cluster import RaySource

    folder = WORK / f"cluster-coco-{photos}"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        for photo in sorted(COCO_DEV.glob("*.jpg"))[:photos]:
            shutil.copy(photo, folder / photo.name)
    index_dir = WORK / "cluster-index"
    print(f"{'how':22} | photos/s | x local | driver CPU ms/photo | skipped")

    def line(how: str, r: dict, base: float) -> None:
        print(f"{how:22} | {r['rate']:8.2f} | {r['rate'] / base:7.2f} | "
              f"{r['driver_cpu_ms']:18.1f} | {r['skipped']}", flush=True)

    # the local pipeline before and after the Ray runs (the cores are shared: the load
    # moves), each time after a warm-up run, as every Ray actor's first passes are not
    run(folder, index_dir, None)
    first = run(folder, index_dir, None)
    line("local (model here)", first, first["rate"])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR",
             _node_ip_address="127.0.0.1")
    try:
        remote = {n: run(folder, index_dir, lambda model, n=n: RaySource(model, actors=n))
                  for n in (1, 2)}
    finally:
        ray.shutdown()
    last = run(folder, index_dir, None)
    base = (first["rate"] + last["rate"]) / 2
    for n, r in remote.items():
        line(f"Ray, {n} actor(s)", r, base)
    line("local again", last, base)
    print(f"(x local: against the mean of the two local runs, {base:.2f} photos/s)")


def driver_at(rows: int) -> dict:
    """In its own process: the driver's memory and cost per photo with `rows` rows."""
    import threading

    from speed_search import synthetic_index

    from photofinder import index as index_store
    from photofinder.index import Rows, Tags
    from photofinder.indexer import Events, IndexReport, Tagging
    from photofinder.plan import Found, Plan
    from photofinder.query import Lemmatizer
    from photofinder.tagsource import Tagged
    from photofinder.vocabulary import load_vocabulary

    folder = synthetic_index(rows)
    idx = index_store.load(folder)
    idx.tags  # noqa: B018 - the row-wise tags the indexer edits, built as a run builds them
    added, batch, rng = 1024, 16, np.random.default_rng(0)

    class Remote:  # what Tagging asks of a source; the rows come from `batches` below
        name, batch_size, identity = TAGGER, 4, {}

        def tag(self, photos, columns, heads, batch_size, stop: threading.Event | None):
            return batches

    def rows_of(start: int) -> Tagged:
        paths = [f"/archive/new/{i:07d}.jpg" for i in range(start, start + batch)]
        k = 37
        tags = Tags(np.arange(0, batch * k + 1, k, dtype=np.int64),
                    rng.integers(0, 1000, batch * k).astype(np.int32),
                    rng.random(batch * k).astype(np.float16), np.zeros(batch * k, bool))
        return Tagged(Rows(paths, np.zeros(batch, np.int64), np.zeros(batch, np.int64),
                           np.ones(batch, np.uint64), tags,
                           rng.standard_normal((batch, 256)).astype(np.float16),
                           np.ones(batch, np.uint64), np.zeros(batch, np.int64)),
                      [()] * batch)

    batches = [rows_of(s) for s in range(0, added, batch)]
    work = [("new", Found(p, 0, 0)) for t in batches for p in t.rows.paths]
    lemmatizer = Lemmatizer()
    run_dir = Path(tempfile.mkdtemp(dir=WORK))
    try:
        started = time.perf_counter()
        Tagging(Remote(), idx, run_dir, load_vocabulary(), lambda: lemmatizer,
                IndexReport(plan=Plan((), ())), Events(), None, 10**9).run(work, None)
        per_photo = (time.perf_counter() - started) / added
        started = time.perf_counter()
        index_store.save(idx, run_dir)
        checkpoint = time.perf_counter() - started
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return {"rows": len(idx), "per_photo_ms": 1000 * per_photo, "checkpoint_s": checkpoint,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=48)
    ap.add_argument("--driver-rows", type=int, default=1_000_000)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: driver_at(N), JSON
    args = ap.parse_args()
    if args.one:
        print(json.dumps(driver_at(args.one)))
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"CPU: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    tagging(args.photos)
    proc = subprocess.run([sys.executable, __file__, "--one", str(args.driver_rows)],
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(REPO / "benchmarks")})
    d = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"\ndriver with {d['rows']:,} rows: peak {d['peak_mb']:.0f} MB, "
          f"{d['per_photo_ms']:.2f} ms per added photo (words, appends), "
          f"one checkpoint {d['checkpoint_s']:.1f} s")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
