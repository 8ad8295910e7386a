"""int8 vs fp32: do the quantized models give the same tags on real photos?

    .venv/bin/python benchmarks/int8_agreement.py [--limit N] [--models efficientnet-lite2,...]
                                                  [--weights resnet50.pth]

On the labelled ImageNet sample photos in ../shared/data/imagenet-samples, per model:
top-1 agreement (int8's best tag is fp32's best tag), top-5 agreement (the same five
tags, in any order, averaged as overlap / 5), both models' top-1 accuracy against the
labels, and both models' speed on the same batches. Skips when the photos are absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT.parent / "shared" / "data" / "imagenet-samples"

from photofinder.photos import model_input  # noqa: E402
from photofinder.tagger import load_tagger  # noqa: E402


def predict_all(tagger, pixels: np.ndarray, batch: int = 16) -> tuple[np.ndarray, float]:
    tagger.predict(pixels[:batch])  # warm-up: first-call allocations, oneDNN kernels
    started = time.perf_counter()
    out = [tagger.predict(pixels[i:i + batch]) for i in range(0, len(pixels), batch)]
    return np.concatenate(out), len(pixels) / (time.perf_counter() - started)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=1000, help="how many sample photos")
    ap.add_argument("--models", default="efficientnet-lite0,efficientnet-lite2")
    ap.add_argument("--weights", type=Path, help="ResNet50 state dict: adds resnet50")
    args = ap.parse_args()
    labels_file = SAMPLES / "labels.json"
    if not labels_file.is_file():
        print(f"skipped: no {labels_file}")
        return 0
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    names = sorted(labels)[: args.limit]
    truth = np.array([labels[n]["class_index"] for n in names])
    models = [(m, None) for m in args.models.split(",") if m]
    if args.weights:
        models.append(("resnet50", args.weights))
    print(f"{len(names)} labelled photos from {SAMPLES}")
    print("model              | top-1 agree | top-5 agree | acc fp32 | acc int8 | fp32 ph/s | int8 ph/s | int8/fp32 | quantize s")
    for name, weights in models:
        fp32 = load_tagger(name, weights)
        with ThreadPoolExecutor(2) as pool:
            pixels = np.stack(list(pool.map(model_input, [SAMPLES / n for n in names],
                                            [fp32.preprocess] * len(names))))
        started = time.perf_counter()
        int8 = load_tagger(name, weights, precision="int8")
        quantize_s = time.perf_counter() - started
        p32, speed32 = predict_all(fp32, pixels)
        p8, speed8 = predict_all(int8, pixels)
        top5_32 = np.argsort(-p32, axis=1)[:, :5]
        top5_8 = np.argsort(-p8, axis=1)[:, :5]
        top1 = float(np.mean(top5_32[:, 0] == top5_8[:, 0]))
        top5 = float(np.mean([len(set(a) & set(b)) / 5 for a, b in zip(top5_32, top5_8)]))
        acc32 = float(np.mean(top5_32[:, 0] == truth))
        acc8 = float(np.mean(top5_8[:, 0] == truth))
        print(f"{name:18} | {top1:11.1%} | {top5:11.1%} | {acc32:8.1%} | {acc8:8.1%} | "
              f"{speed32:9.1f} | {speed8:9.1f} | {speed8 / speed32:8.2f}x | {quantize_s:10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
