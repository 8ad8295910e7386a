"""What checkpoints cost on a first run over a big folder: bytes written and seconds.

    .venv/bin/python benchmarks/checkpoints.py [--photos 100000] [--every 500] [--rate 6.5]

Appends synthetic rows (no images: tags, features and paths of the size real ones have)
to an index APPEND_EVERY (64) at a time and saves a checkpoint every `--every` photos
as the indexer does (indexer.Tagging -> index.save), in a temp folder outside the repo. Prints
the bytes written and the seconds spent saving, against the time tagging those photos
takes at `--rate` photos/s (benchmarks/speed_index.py measures it on this machine).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photofinder import index as index_store  # noqa: E402
from photofinder.index import Index, Rows, Tags  # noqa: E402
from photofinder.indexer import APPEND_EVERY, _without  # noqa: E402
from photofinder.vocabulary import load_vocabulary  # noqa: E402

TAGS_PER_PHOTO = 40      # measured on coco-dev with regions + scenes + person (README)
FEATURES = 256


def batch_rows(start: int, count: int, rng: np.random.Generator) -> Rows:
    labels = rng.integers(0, 1069, (count, TAGS_PER_PHOTO))
    scores = rng.uniform(0.01, 1.0, (count, TAGS_PER_PHOTO)).astype(np.float32)
    return Rows(paths=[f"/home/user/Pictures/{2010 + i % 15}/Отпуск {i // 500:04d}/IMG_{i:07d}.JPG"
                       for i in range(start, start + count)],
                sizes=rng.integers(2_000_000, 6_000_000, count),
                mtimes=rng.integers(10**18, 2 * 10**18, count),
                hashes=rng.integers(1, 2**63, count).astype(np.uint64),
                tags=Tags.from_dense(labels, scores),
                features=rng.standard_normal((count, FEATURES)).astype(np.float16),
                dhash=rng.integers(1, 2**63, count).astype(np.uint64),
                taken=rng.integers(10**9, 2 * 10**9, count))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=100_000)
    ap.add_argument("--every", type=int, default=500)
    ap.add_argument("--rate", type=float, default=6.5, help="tagging photos/s on this machine")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="photofinder-checkpoints-"))
    rng = np.random.default_rng(0)
    vocabulary = load_vocabulary()
    idx = Index(tagger={"name": "efficientnet-lite2", "weights": "w", "regions": "on"},
                vectors="navec", vocabulary=vocabulary.digest,
                labels=[c.key for c in vocabulary.labels],
                terms=vocabulary.terms, term_keys=vocabulary.terms,
                term_vectors=np.zeros((len(vocabulary.terms), 300), np.float32))
    written = saves = 0
    save_seconds = append_seconds = 0.0
    since = 0
    try:
        for start in range(0, args.photos, APPEND_EVERY):
            rows = batch_rows(start, min(APPEND_EVERY, args.photos - start), rng)
            started = time.perf_counter()
            idx.append(rows)  # what the indexer does every 64 photos: arrays grow by copying
            append_seconds += time.perf_counter() - started
            since += APPEND_EVERY
            if since >= args.every:
                started = time.perf_counter()
                # as indexer.Tagging: the rows still superseded are left out of a checkpoint
                written += index_store.save(_without(idx, np.zeros(len(idx), bool)), folder)
                save_seconds += time.perf_counter() - started
                saves += 1
                since = 0
        started = time.perf_counter()
        written += index_store.save(idx, folder)
        final_s = time.perf_counter() - started
        save_seconds += final_s
        saves += 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    tagging = args.photos / args.rate
    print(f"{args.photos:,} photos, a checkpoint every {args.every}: {saves} saves, "
          f"{written / 1e9:.2f} GB written, {save_seconds:.1f} s saving "
          f"(the last save {final_s:.2f} s, {written / saves / 1e6:.0f} MB a save on average)")
    print(f"appending the rows batch by batch: {append_seconds:.1f} s")
    print(f"tagging them at {args.rate} photos/s takes {tagging / 3600:.1f} h: checkpoints are "
          f"{save_seconds / tagging:.2%} of it, appends {append_seconds / tagging:.2%} "
          f"(target <= 5%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
