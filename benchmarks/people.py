"""Precision of the people detector on real photos.

    .venv/bin/python benchmarks/people.py [--photos DIR]

Runs photofinder.people.FaceDetector over every photo of DIR (default
../shared/data/imagenet-samples) and compares the photos it tags as showing a person
with benchmarks/people_labels.json (judged by eye). Prints precision at several
thresholds; a detection on a photo that is not in the labels is listed for a person to
judge (precision is then reported as a range).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photofinder.people import MIN_NEIGHBOURS, FaceDetector  # noqa: E402
from photofinder.photos import PHOTO_EXTENSIONS, open_photo  # noqa: E402

DEFAULT_PHOTOS = REPO.parent / "shared" / "data" / "imagenet-samples"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    args = parser.parse_args()
    if not args.photos.is_dir():
        print(f"skipped: no photos at {args.photos}")
        return 0
    labels = json.loads((REPO / "benchmarks" / "people_labels.json").read_text(encoding="utf-8"))
    detector = FaceDetector()
    photos = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in PHOTO_EXTENSIONS)
    strength: dict[str, int] = {}
    started = time.perf_counter()
    for path in photos:
        strength[path.name] = detector.strongest_face(open_photo(path, min_side=640))
    seconds = time.perf_counter() - started
    print(f"{len(photos)} photos, {seconds:.1f} s ({1000 * seconds / len(photos):.0f} ms per photo "
          "with decoding)")
    print("| neighbours ≥ | photos tagged | show a person | precision |")
    print("| --- | --- | --- | --- |")
    for threshold in (5, 10, MIN_NEIGHBOURS, 20):
        tagged = [name for name, n in strength.items() if n >= threshold]
        known = [name for name in tagged if name in labels]
        right = sum(labels[name] for name in known)
        unknown = len(tagged) - len(known)
        precision = f"{right / len(tagged):.2f}" if not unknown else \
            f"{right / len(tagged):.2f}–{(right + unknown) / len(tagged):.2f} ({unknown} unjudged)"
        mark = " (default)" if threshold == MIN_NEIGHBOURS else ""
        print(f"| {threshold}{mark} | {len(tagged)} | {right} | {precision} |")
    unjudged = sorted(name for name, n in strength.items() if n >= 5 and name not in labels)
    if unjudged:
        print("not yet judged by eye:", ", ".join(unjudged))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
