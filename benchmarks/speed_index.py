"""Indexing speed on camera-size JPEGs: photofinder vs a seed-style loop vs the model alone.

    .venv/bin/python benchmarks/speed_index.py [--n 64] [--weights resnet50.pth]
                                               [--tagger resnet50] [--skip-int8]

Makes N 4000x3000 JPEGs (quality 90) by upscaling real photos from
../shared/data/imagenet-samples into a temp folder outside the repo (kept between runs),
then measures, in this one run, photos per second of:

- seed loop: open, full decode, torchvision Resize/CenterCrop/ToTensor/Normalize,
  the model on a batch of one (no channels_last), the same weights;
- decode only: photofinder's draft-mode decode on 1 thread, 2 threads, 2 processes;
- pure model: the tagger on ready uint8 batches (the limit: no decoding at all);
- photofinder: `update_index` end to end (decode threads + batched inference), with the
  model loaded beforehand, in fp32 and int8;
- re-index of an unchanged folder: the CLI, from process start, over the N photos and
  over 10,000 files (hard links, with an index written for them), and a move.

Without --weights, a ResNet50 state dict with random weights is saved to the temp folder:
its cost is the same as IMAGENET1K_V2's (tags are meaningless, speed is not).
Every figure is measured in this run on this machine: compare ratios, not absolutes
(the machine is shared). Skips when the sample photos are absent.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SAMPLES = REPO.parent / "shared" / "data" / "imagenet-samples"
WORK = Path(tempfile.gettempdir()) / "photofinder-bench"

from photofinder import index as index_store  # noqa: E402
from photofinder.index import Index  # noqa: E402
from photofinder.indexer import content_hash, update_index  # noqa: E402
from photofinder.photos import model_input  # noqa: E402
from photofinder.tagger import load_tagger  # noqa: E402
from photofinder.vectors import load_vectors  # noqa: E402
from photofinder.vocabulary import load_vocabulary  # noqa: E402


def _make_camera_jpeg(args: tuple[Path, Path]) -> None:
    from PIL import Image

    src, dst = args
    with Image.open(src) as img:
        img = img.convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC)
        img.save(dst, "JPEG", quality=90)


def camera_photos(n: int) -> Path:
    folder = WORK / f"camera-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(SAMPLES.glob("*.JPEG"))[:: max(1, 1000 // n)][:n]
    jobs = [(s, folder / f"IMG_{i:04d}.jpg") for i, s in enumerate(sources)
            if not (folder / f"IMG_{i:04d}.jpg").is_file()]
    if jobs:
        print(f"making {len(jobs)} camera JPEGs (4000x3000, q90) in {folder}…", flush=True)
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(_make_camera_jpeg, jobs))
    return folder


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def seed_loop(paths: list[Path], weights: Path) -> float:
    """What a first version does: full decode, torchvision transforms, batch of one."""
    import torch
    from PIL import Image
    from torchvision import transforms
    from torchvision.models import resnet50

    model = resnet50(weights=None)
    model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    model.eval()
    tf = transforms.Compose([transforms.Resize(232), transforms.CenterCrop(224), transforms.ToTensor(),
                             transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
    started = time.perf_counter()
    with torch.no_grad():
        for p in paths:
            x = tf(Image.open(p).convert("RGB")).unsqueeze(0)
            model(x).softmax(dim=1)
    return rate(len(paths), time.perf_counter() - started)


def decode_rate(paths: list[Path], prep, workers: int, processes: bool = False) -> float:
    pool_type = ProcessPoolExecutor if processes else ThreadPoolExecutor
    with pool_type(workers) as pool:
        list(pool.map(model_input, paths[:2], [prep] * 2))  # start the workers first
        started = time.perf_counter()
        list(pool.map(model_input, paths, [prep] * len(paths)))
        return rate(len(paths), time.perf_counter() - started)


def pure_model(tagger, pixels: np.ndarray, batch: int) -> float:
    tagger.predict(pixels[:batch])  # warm-up
    started = time.perf_counter()
    for i in range(0, len(pixels), batch):
        tagger.predict(pixels[i:i + batch])
    return rate(len(pixels), time.perf_counter() - started)


def pipeline(tagger, folder: Path, index_dir: Path, batch: int,
             workers: int | None) -> tuple[float, float]:
    """Photos/s of the tagging phase (first decode to last tag: the steady state), and
    of the whole update_index call (plus walking, hashing, the vocabulary's word
    vectors for a new index, saving: fixed costs that small N exaggerates)."""
    shutil.rmtree(index_dir, ignore_errors=True)
    vectors = load_vectors("navec")  # loaded before timing, like the model
    marks: list[float] = []

    def on_progress(done: int, total: int) -> None:
        if done == 0 or done == total:
            marks.append(time.perf_counter())

    started = time.perf_counter()
    report = update_index([folder], index_dir, lambda: tagger, lambda: vectors, load_vocabulary(),
                          batch_size=batch, decode_workers=workers, on_progress=on_progress)
    seconds = time.perf_counter() - started
    assert report.added == report.found, report
    return rate(report.added, marks[-1] - marks[0]), rate(report.added, seconds)


def cli_index(folder: Path, index_dir: Path, tagger_args: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "photofinder", "index", str(folder),
                           "--index", str(index_dir), *tagger_args],
                          capture_output=True, text=True, cwd=REPO, check=True)
    summary = next(line for line in proc.stdout.splitlines() if line.startswith("индекс"))
    return time.perf_counter() - started, summary


def ten_thousand(camera_index: Path, tagger_args: list[str]) -> tuple[float, str, float, str]:
    """10,000 hard links to small sample photos, an index written for them with
    generated tags (the re-run only checks size + mtime), then a CLI re-run and a move."""
    folder = WORK / "ten-thousand"
    sources = sorted(SAMPLES.glob("*.JPEG"))
    if not (folder / "999" / "IMG_09999.jpg").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"making 10,000 hard links in {folder}…", flush=True)
        for i in range(10_000):
            sub = folder / f"{i // 10:03d}"
            sub.mkdir(parents=True, exist_ok=True)
            os.link(sources[i % len(sources)], sub / f"IMG_{i:05d}.jpg")
    paths = sorted(str(p) for p in folder.rglob("*.jpg"))
    stats = [os.stat(p) for p in paths]
    real = index_store.load(camera_index)
    n = len(paths)
    rng = np.random.default_rng(0)
    idx = Index(tagger=real.tagger, vectors=real.vectors, vocabulary=real.vocabulary,
                paths=paths, sizes=np.array([s.st_size for s in stats], np.int64),
                mtimes=np.array([s.st_mtime_ns for s in stats], np.int64),
                classes=rng.integers(0, 1000, (n, 5)).astype(np.int16),
                probs=np.full((n, 5), 0.2, np.float32), terms=real.terms,
                term_keys=real.term_keys, term_vectors=real.term_vectors,
                hashes=np.array([content_hash(Path(p)) for p in paths], np.uint64))
    index_dir = WORK / "ten-thousand-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    index_store.save(idx, index_dir)
    rerun_s, summary = cli_index(folder, index_dir, tagger_args)
    # a whole subfolder renamed: 10 photos moved, found by content, not tagged again
    os.rename(folder / "000", folder / "000-moved")
    try:
        move_s, move_summary = cli_index(folder, index_dir, tagger_args)
    finally:
        os.rename(folder / "000-moved", folder / "000")
    return rerun_s, summary, move_s, move_summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=64, help="camera JPEGs to make and index")
    ap.add_argument("--weights", type=Path, help="ResNet50 state dict (default: random weights)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--skip-int8", action="store_true")
    ap.add_argument("--skip-seed", action="store_true")
    args = ap.parse_args()
    if not (SAMPLES / "labels.json").is_file():
        print(f"skipped: no sample photos at {SAMPLES}")
        return 0
    import torch

    WORK.mkdir(parents=True, exist_ok=True)
    weights = args.weights
    if weights is None:
        from torchvision.models import resnet50

        weights = WORK / "resnet50-random.pth"
        if not weights.is_file():
            torch.manual_seed(0)
            torch.save(resnet50(weights=None).state_dict(), weights)
        print(f"weights: random ResNet50 ({weights}): speed only, the tags mean nothing")
    folder = camera_photos(args.n)
    paths = sorted(folder.glob("*.jpg"))
    tagger_args = ["--tagger", "resnet50", "--weights", str(weights)]
    print(f"{len(paths)} camera JPEGs 4000x3000 q90, {os.cpu_count()} cores, "
          f"torch {torch.__version__}, {torch.get_num_threads()} torch threads, batch {args.batch}")

    rows: list[tuple[str, float]] = []

    def show(name: str, value: float) -> None:
        rows.append((name, value))
        print(f"  {name:48} {value:7.2f} photos/s", flush=True)

    started = time.perf_counter()
    fp32 = load_tagger("resnet50", weights)
    load_s = time.perf_counter() - started
    prep = fp32.preprocess
    show("decode only, draft mode, 1 thread", decode_rate(paths, prep, 1))
    show("decode only, draft mode, 2 threads", decode_rate(paths, prep, 2))
    show("decode only, draft mode, 2 processes", decode_rate(paths, prep, 2, processes=True))
    if not args.skip_seed:
        show("seed loop (full decode, transforms, batch 1)", seed_loop(paths, weights))
    pixels = np.stack([model_input(p, prep) for p in paths])
    show("pure model fp32 (ready tensors, the limit)", pure_model(fp32, pixels, args.batch))
    ix = WORK / "index-bench"
    for label, workers in (("1 decode thread", 1), ("2 decode threads", 2), ("default threads", None)):
        tagging, whole = pipeline(fp32, folder, ix, args.batch, workers)
        show(f"photofinder fp32, {label}", tagging)
        show("  same, whole update_index call", whole)
    quantize_s = 0.0
    if not args.skip_int8:
        started = time.perf_counter()
        int8 = load_tagger("resnet50", weights, precision="int8")
        quantize_s = time.perf_counter() - started
        show("pure model int8 (ready tensors)", pure_model(int8, pixels, args.batch))
        tagging, whole = pipeline(int8, folder, ix, args.batch, None)
        show("photofinder int8, default threads", tagging)
        show("  same, whole update_index call", whole)
    figures = dict(rows)

    print("\nre-index, from process start (CLI):")
    first_s, _ = cli_index(folder, ix, tagger_args)  # the index from the last pipeline run
    rerun_s, summary = cli_index(folder, ix, tagger_args)
    print(f"  unchanged {len(paths)} camera photos: {rerun_s:.2f} s  ({summary})")
    rerun10k_s, summary10k, move_s, move_summary = ten_thousand(ix, tagger_args)
    print(f"  unchanged 10,000 photos: {rerun10k_s:.2f} s  ({summary10k})")
    print(f"  10 photos moved among 10,000: {move_s:.2f} s  ({move_summary})")

    print("\nratios (this run):")
    e2e = figures["photofinder fp32, default threads"]
    pure = figures["pure model fp32 (ready tensors, the limit)"]
    if "seed loop (full decode, transforms, batch 1)" in figures:
        seed = figures["seed loop (full decode, transforms, batch 1)"]
        print(f"  photofinder fp32 / seed loop       {e2e / seed:5.2f}x   (target >= 2.5x)")
    print(f"  photofinder fp32 / pure model fp32 {e2e / pure:5.0%}    (target >= 80%)")
    if not args.skip_int8:
        e2e8 = figures["photofinder int8, default threads"]
        pure8 = figures["pure model int8 (ready tensors)"]
        print(f"  photofinder int8 / photofinder fp32 {e2e8 / e2e:4.2f}x   (target >= 1.7x)")
        print(f"  pure int8 / pure fp32              {pure8 / pure:5.2f}x")
        print(f"  photofinder int8 / pure model int8 {e2e8 / pure8:5.0%}")
    print(f"\nmodel load {load_s:.1f} s, int8 quantization {quantize_s:.1f} s (once per run)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_cli = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: this process {peak:.0f} MB, largest CLI re-index {peak_cli:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
