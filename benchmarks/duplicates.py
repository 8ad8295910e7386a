"""How well `photofinder duplicates` tells copies from different photos.

    .venv/bin/python benchmarks/duplicates.py [--n 120]

Takes N real photos (coco-dev first, then imagenet-samples), makes copies of each the
way they arise on a laptop — resized to half, recompressed at JPEG quality 50, re-saved
as PNG, and burst-like near shots (a 4 % crop, a 1.5 degree turn, 12 % brighter) — in
build/duplicates/, indexes them with the real pipeline, and scores every pair: a pair
is a duplicate when both come from the same original. Prints precision and recall of
the pair rule (feature cosine >= c and difference-hash distance <= b bits) over a grid,
and of the default (photofinder.similar), with the groups it forms.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "data"

from photofinder import index as index_store  # noqa: E402
from photofinder.similar import (  # noqa: E402
    DUPLICATE_BITS,
    DUPLICATE_COSINE,
    _popcount,
    duplicate_groups,
    unit_features,
)

VARIANTS = {
    "half": lambda im: im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS),
    "q50": lambda im: im,
    "png": lambda im: im,
    "crop": lambda im: im.crop((int(im.width * .04), int(im.height * .04), im.width, im.height)),
    "turn": lambda im: im.rotate(1.5, resample=Image.Resampling.BICUBIC, expand=False),
    "bright": lambda im: ImageEnhance.Brightness(im).enhance(1.12),
}


def originals(n: int) -> list[Path]:
    found = sorted((SHARED / "coco-dev").glob("*.jpg")) + sorted((SHARED / "imagenet-samples").glob("*.JPEG"))
    return found[:n]


def make_set(n: int) -> Path:
    folder = REPO / "build" / f"duplicates-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    for i, src in enumerate(originals(n)):
        with Image.open(src) as img:
            img = img.convert("RGB")
            base = folder / f"{i:04d}"
            if not (base.with_name(f"{i:04d}_orig.jpg")).exists():
                img.save(base.with_name(f"{i:04d}_orig.jpg"), quality=92)
                for name, make in VARIANTS.items():
                    out = make(img)
                    if name == "png":
                        out.save(base.with_name(f"{i:04d}_{name}.png"))
                    else:
                        out.save(base.with_name(f"{i:04d}_{name}.jpg"), quality=50 if name == "q50" else 90)
    return folder


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--tagger", default="efficientnet-lite2")
    args = ap.parse_args()
    if not originals(1):
        print(f"skipped: no photos under {SHARED}")
        return 0
    from evaluation import build_index

    folder = make_set(args.n)
    idx = index_store.load(build_index(folder, f"duplicates-{args.n}-{args.tagger}",
                                       ["--tagger", args.tagger]))
    source = np.array([int(Path(p).name[:4]) for p in idx.paths])
    kind = [Path(p).stem[5:] for p in idx.paths]
    features = unit_features(idx)
    cos = features @ features.T
    i, j = np.triu_indices(len(idx), k=1)
    bits = _popcount(idx.dhash[i] ^ idx.dhash[j])
    same = source[i] == source[j]
    print(f"{len(idx)} photos from {args.n} originals ({len(VARIANTS)} copies each): "
          f"{int(same.sum())} duplicate pairs, {int((~same).sum())} pairs of different photos")
    print("\n| cosine >= | bits <= | precision | recall | false pairs |")
    print("| --- | --- | --- | --- | --- |")
    for c in (0.80, 0.85, 0.90, 0.95):
        for b in (8, 12, 16, 64):
            found = (cos[i, j] >= c) & (bits <= b)
            tp = int((found & same).sum())
            precision = tp / max(1, int(found.sum()))
            mark = " (default)" if (c, b) == (DUPLICATE_COSINE, DUPLICATE_BITS) else ""
            print(f"| {c:.2f}{mark} | {b} | {precision:.4f} | {tp / same.sum():.3f} | "
                  f"{int((found & ~same).sum())} |")
    found = (cos[i, j] >= DUPLICATE_COSINE) & (bits <= DUPLICATE_BITS)
    print("\nrecall of the default per kind of copy:")
    kinds_i, kinds_j = np.array([kind[a] for a in i]), np.array([kind[b] for b in j])
    for name in VARIANTS:
        pairs = same & (((kinds_i == "orig") & (kinds_j == name)) | ((kinds_j == "orig") & (kinds_i == name)))
        print(f"  {name:7} {(found & pairs).sum() / max(1, pairs.sum()):.2f}")
    groups = duplicate_groups(idx)
    pure = sum(len({int(Path(p).name[:4]) for p in g}) == 1 for g in groups)
    print(f"\ngroups formed by the default: {len(groups)}, of them holding one original's "
          f"copies only: {pure}; photos in groups: {sum(map(len, groups))} of {len(idx)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
