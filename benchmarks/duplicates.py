"""Does `photofinder duplicates` group a photo with what a phone or a messenger makes of
it, and keep different photos apart?

    .venv/bin/python benchmarks/duplicates.py [--n 176] [--tagger efficientnet-lite2]

Originals: every coco-dev photo (640 px everyday scenes), then the imagenet-samples
photos with a long side of 1000 px or more (where JPEG draft mode decodes the
original and its copies at different scales). Copies of each, made from the upright
photo and saved without EXIF, as WhatsApp, Telegram, a phone's editor or a
"medium size" export makes them:

    q60       same size, JPEG quality 60
    half      half size, quality 70
    wa1600    long side at most 1600 px, quality 75 (WhatsApp)
    tg1280    long side at most 1280 px, quality 80 (Telegram)
    small80   0.8 of the size, quality 75
    small60   0.6 of the size, quality 80
    crop      2-4 % cut off the edges, quality 80
    cropsmall a 2-4 % crop at 0.7 of the size, quality 75

All of them are written to a temporary folder (never into the repository), indexed
with the real CLI, and every pair is scored: a pair is a duplicate when both come
from the same original; every pair of photos of different originals is a negative.
Prints precision and recall of the default pair rule (photofinder.similar) and of
the rule before it (cosine >= 0.85 and hash within 12 bits), recall per kind of
copy, how far the features of a copy moved, and the groups the default forms.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "data"

from photofinder import index as index_store  # noqa: E402
from photofinder.photos import upright_size  # noqa: E402
from photofinder.similar import (  # noqa: E402
    MAX_ASPECT_CHANGE,
    _popcount,
    duplicate_groups,
    duplicate_pairs,
    is_duplicate,
    unit_features,
)

Copy = Callable[[Image.Image], Image.Image]


def _scale(img: Image.Image, factor: float) -> Image.Image:
    size = (max(1, round(img.width * factor)), max(1, round(img.height * factor)))
    return img.resize(size, Image.Resampling.LANCZOS)


def _long_side(img: Image.Image, side: int) -> Image.Image:
    return _scale(img, side / max(img.size)) if max(img.size) > side else img


def _crop(img: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = img.size
    return img.crop((round(w * left), round(h * top), w - round(w * right), h - round(h * bottom)))


# kind: (how the pixels change, JPEG quality)
COPIES: dict[str, tuple[Copy, int]] = {
    "q60": (lambda im: im, 60),
    "half": (lambda im: _scale(im, 0.5), 70),
    "wa1600": (lambda im: _long_side(im, 1600), 75),
    "tg1280": (lambda im: _long_side(im, 1280), 80),
    "small80": (lambda im: _scale(im, 0.8), 75),
    "small60": (lambda im: _scale(im, 0.6), 80),
    "crop": (lambda im: _crop(im, 0.04, 0.03, 0.02, 0.02), 80),
    "cropsmall": (lambda im: _scale(_crop(im, 0.02, 0.02, 0.02, 0.04), 0.7), 75),
}
BEFORE = (0.85, 12)  # the rule this one replaced: cosine >= 0.85 and hash within 12 bits


def originals(n: int) -> list[Path]:
    coco = sorted((SHARED / "coco-dev").glob("*.jpg"))
    big = []
    for path in sorted((SHARED / "imagenet-samples").glob("*.JPEG")):
        with Image.open(path) as img:
            if max(img.size) >= 1000:
                big.append(path)
    return (coco + big)[:n]


def make_set(sources: list[Path], folder: Path) -> None:
    """Each original as it is (o_NNN_orig.jpg: the file itself) and its copies."""
    for i, src in enumerate(sources):
        (folder / f"o{i:03d}_orig{src.suffix.lower()}").write_bytes(src.read_bytes())
        with Image.open(src) as img:
            upright = (ImageOps.exif_transpose(img) or img).convert("RGB")
        for kind, (make, quality) in COPIES.items():
            make(upright).save(folder / f"o{i:03d}_{kind}.jpg", quality=quality)  # no EXIF


def _table_row(name: str, found: np.ndarray, same: np.ndarray, with_original: np.ndarray) -> str:
    tp = int((found & same).sum())
    false = int((found & ~same).sum())
    return (f"| {name} | {tp / max(1, tp + false):.4f} | {tp / same.sum():.4f} | "
            f"{(found & with_original).sum() / with_original.sum():.4f} | {false} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="at most this many originals")
    ap.add_argument("--tagger", default="efficientnet-lite2")
    args = ap.parse_args()
    sources = originals(args.n)
    if not sources:
        print(f"skipped: no photos under {SHARED}")
        return 0
    with tempfile.TemporaryDirectory(prefix="photofinder-duplicates-") as tmp:
        photos, index_dir = Path(tmp) / "photos", Path(tmp) / "index"
        photos.mkdir()
        make_set(sources, photos)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "photofinder", "index", str(photos), "--index",
                        str(index_dir), "--tagger", args.tagger], check=True, cwd=REPO)
        print(f"indexed in {time.perf_counter() - started:.0f} s", flush=True)
        idx = index_store.load(index_dir)
        started = time.perf_counter()
        groups = duplicate_groups(idx, upright_size)
        grouping_s = time.perf_counter() - started
        names = [Path(p).name for p in idx.paths]
        features = unit_features(idx)
        sizes = [upright_size(p) for p in idx.paths]   # while the photos are there

    source = np.array([int(name[1:4]) for name in names])
    kind = np.array([name[5:].rsplit(".", 1)[0] for name in names])
    i, j = np.triu_indices(len(names), k=1)
    cosine = np.einsum("ij,ij->i", features[i], features[j])
    bits = _popcount(idx.dhash[i] ^ idx.dhash[j])
    same = source[i] == source[j]
    with_original = same & ((kind[i] == "orig") | (kind[j] == "orig"))
    print(f"{len(names)} photos: {len(sources)} originals ({len(sources) - sum(kind == 'orig')} "
          f"unreadable) and {len(COPIES)} copies of each; {int(same.sum())} duplicate pairs "
          f"({int(with_original.sum())} with the original), {int((~same).sum())} pairs of "
          f"different photos")

    print("\n| rule | precision | recall | recall with the original | false pairs |")
    print("| --- | --- | --- | --- | --- |")
    ratio = np.array([w / h if (w, h) != (0, 0) else np.nan for w, h in
                      (size or (0, 0) for size in sizes)])
    shape_change = np.maximum(ratio[i], ratio[j]) / np.minimum(ratio[i], ratio[j])
    found = is_duplicate(cosine, bits) & ~(shape_change > MAX_ASPECT_CHANGE)
    print(_table_row("default (photofinder.similar: with the shape)", found, same, with_original))
    print(_table_row("the same without the shape (before round thirty-two)",
                     is_duplicate(cosine, bits), same, with_original))
    print(_table_row(f"before: cosine >= {BEFORE[0]} and bits <= {BEFORE[1]}",
                     (cosine >= BEFORE[0]) & (bits <= BEFORE[1]), same, with_original))
    for c in (0.85, 0.7, 0.5):
        print(_table_row(f"cosine >= {c} alone", cosine >= c, same, with_original))
    for b in (4, 6, 8):
        print(_table_row(f"bits <= {b} alone", bits <= b, same, with_original))

    print("\nper kind of copy, against its original: recall of the default | cosine min / "
          "median | hash bits max")
    for name in COPIES:
        pairs = with_original & ((kind[i] == name) | (kind[j] == name))
        print(f"  {name:9} {(found & pairs).sum() / pairs.sum():.3f} | "
              f"{cosine[pairs].min():.2f} / {np.median(cosine[pairs]):.2f} | {bits[pairs].max()}")
    different = ~same
    print(f"shape of a copy against its original: at most {shape_change[with_original].max():.3f} "
          f"times (the rule's bound: {MAX_ASPECT_CHANGE})")
    print(f"different photos: cosine max {cosine[different].max():.2f}; hash bits min "
          f"{bits[different].min()}; within 12 bits {int((different & (bits <= 12)).sum())}, "
          f"their cosine max {cosine[different & (bits <= 12)].max(initial=-1):.2f}")

    pure = [g for g in groups if len({int(Path(p).name[1:4]) for p in g}) == 1]
    whole = sum(len(g) == 1 + len(COPIES) for g in pure)
    print(f"\ngroups formed by the default: {len(groups)} ({grouping_s:.2f} s), of them holding "
          f"one original's photos only: {len(pure)}, holding the original and all its "
          f"{len(COPIES)} copies: {whole} of {len(sources)}; photos in groups: "
          f"{sum(map(len, groups))} of {len(names)}")
    everyday_pairs(args.tagger)
    return 0


def everyday_pairs(tagger: str) -> None:
    """Different photos only: the 543 everyday test photos as published (Pexels and
    Unsplash by many photographers, artful compositions, every one a photo of its own;
    the index everyday_kinds.py --full makes). Every pair found is a false one."""
    index_dir = REPO / "build" / f"eval-everyday-full-{tagger}"
    if not (index_dir / "index.json").is_file():
        print(f"\neveryday photos: skipped, no index at {index_dir} "
              f"(benchmarks/everyday_kinds.py --full makes it)")
        return
    idx = index_store.load(index_dir)
    for label, sizes in (("without the shape", None), ("with the shape (default)", upright_size)):
        groups = duplicate_groups(idx, sizes)
        pairs = len(duplicate_pairs(idx, sizes))
        print(f"everyday photos, {len(idx)} all different, {label}: {pairs} false pairs, "
              f"{sum(map(len, groups))} photos in {len(groups)} groups")


if __name__ == "__main__":
    raise SystemExit(main())
