"""The COCO detector alone on coco-dev: per-photo precision and recall of its labels at
several score thresholds, and its time per photo (decode excluded).

    PYTHONPATH=$PWD python benchmarks/detector.py [--data ../shared/data/coco-dev]

`--source tagger` feeds it the tagger's 320 px input scaled up instead of its own
512 px decode (what it would cost to skip the second resize).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from PIL import Image

from photofinder.detector import COCO_CLASSES, load_detector
from photofinder.photos import Preprocess, fit_for_model, open_photo

THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared/data/coco-dev")
    parser.add_argument("--source", choices=("own", "tagger"), default="own")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    truth = json.loads((args.data / "labels.json").read_text())
    detector = load_detector(threads=args.threads)
    side = detector.preprocess.size
    found: dict[str, list] = {}
    seconds = 0.0
    for name in sorted(truth):
        if args.source == "own":
            pixels = fit_for_model(open_photo(args.data / name, side), detector.preprocess)
        else:
            small = fit_for_model(open_photo(args.data / name, 320), Preprocess(320, (0,) * 3, (1,) * 3))
            pixels = np.asarray(Image.fromarray(small).resize((side, side), Image.BILINEAR))
        start = time.perf_counter()
        found[name] = detector.detect(pixels[None])[0]
        seconds += time.perf_counter() - start
    print(f"{len(truth)} photos, {1000 * seconds / len(truth):.0f} ms a photo (model only, "
          f"source {args.source})")
    for t in THRESHOLDS:
        tp = fp = fn = 0
        for name, labels in truth.items():
            said = {COCO_CLASSES[d.cls] for d in found[name] if d.score > t}
            tp += len(said & set(labels))
            fp += len(said - set(labels))
            fn += len(set(labels) - said)
        print(f"score > {t:.1f}: precision {tp / max(1, tp + fp):.3f}, recall {tp / max(1, tp + fn):.3f}")


if __name__ == "__main__":
    main()
