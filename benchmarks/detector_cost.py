"""What the COCO detector costs `photofinder index`: the real CLI on the same photos with
and without `--no-objects`, alternating, a fresh index each time, in one run.

    .venv/bin/python benchmarks/detector_cost.py [--n 80] [--rounds 3] [--faces]

The photos are the first N of ../shared/data/coco-dev (real 640 px phone-size photos),
linked into a temp folder outside the repo. Faces are left out unless --faces (they
cost the same either way). Prints each run's wall time, photos/s of the best run of
each, and the ratio with / without; compare ratios, not absolutes (shared machines).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COCO = REPO.parent / "shared" / "data" / "coco-dev"


def index_once(photos: Path, index: Path, objects: bool, faces: bool) -> float:
    shutil.rmtree(index, ignore_errors=True)
    args = [sys.executable, "-m", "photofinder", "index", str(photos), "--index", str(index)]
    args += [] if objects else ["--no-objects"]
    args += [] if faces else ["--no-faces"]
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, cwd=REPO,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--faces", action="store_true")
    args = parser.parse_args()
    files = sorted(COCO.glob("*.jpg"))[: args.n]
    if not files:
        print(f"skipped: no photos in {COCO}")
        return 0
    with tempfile.TemporaryDirectory(prefix="photofinder-detcost-") as tmp:
        photos = Path(tmp) / "photos"
        photos.mkdir()
        for f in files:
            os.symlink(f, photos / f.name)
        runs: dict[bool, list[float]] = {True: [], False: []}
        for r in range(args.rounds):
            for objects in ((True, False) if r % 2 == 0 else (False, True)):
                wall = index_once(photos, Path(tmp) / "index", objects, args.faces)
                runs[objects].append(wall)
                print(f"round {r + 1}: {'with' if objects else 'without'} the detector "
                      f"{wall:.1f} s")
    best = {k: min(v) for k, v in runs.items()}
    n = len(files)
    print(f"{n} coco-dev photos, best of {args.rounds}: with the detector {n / best[True]:.2f} "
          f"photos/s, without {n / best[False]:.2f} photos/s; time ratio with/without "
          f"{best[True] / best[False]:.2f} (each round's ratio: "
          + ", ".join(f"{a / b:.2f}" for a, b in zip(runs[True], runs[False])) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
