"""Indexing speed on camera-size JPEGs, measured in one run on this machine.

    .venv/bin/python benchmarks/speed_index.py [--n 64] [--rounds 3] [--weights resnet50.pth]
                                               [--skip-seed] [--skip-threads] [--skip-reindex]
    .venv/bin/python benchmarks/speed_index.py --profile-whole [--rounds 3]

Makes N 4000x3000 JPEGs (quality 90) by upscaling real photos from
../shared/data/imagenet-samples into a temp folder outside the repo (kept between runs),
then measures photos per second of:

- seed loop: open, full decode, torchvision Resize/CenterCrop/ToTensor/Normalize,
  ResNet50 on a batch of one (no channels_last), the same weights;
- decode only: photofinder's decode (draft mode, EXIF, dHash, file hash) on 1 and 2 threads;
- pure model: the tagger's one pass (`analyze`) on ready uint8 batches of the size the
  pipeline uses (`tagger.batch_size`: 4 for Lite2, 8 for ResNet50), for ResNet50 and the
  default EfficientNet-Lite2, whole photo and with regions; for the whole photo also at
  batch 16, issue 12's reference for "% of the pure model";
- photofinder: `update_index` end to end (decode threads, batched passes, heads, tags,
  hashes, saving), the model loaded beforehand: tagging phase and whole call;
- a grid of torch threads x decode threads for the default pipeline and the pure
  models' photos/s at batches of 1 to 16 (how the defaults were chosen), and the share
  of each stage of the default pipeline;
- with --profile-whole, only this: where the whole-photo pipeline's time goes for
  ResNet50 and Lite2 (the model's passes, waiting for decodes, the rest), each round
  beside the pure model at its batch and at batch 16;
- re-index of an unchanged folder (the CLI, from process start): N photos, 10,000
  photos (hard links, with an index written for them) and a move among them.

Without --weights, ResNet50 gets random weights (saved to the temp folder) and random
heads of the real shapes: the cost is that of the real ones, the tags mean nothing.
Every figure comes from this run: compare ratios, not absolutes (machines differ and
are shared). The throughput figures are measured in --rounds rounds, each measuring
every one of them once, and the best of the rounds is kept for each: a shared
machine's speed drifts by a third within minutes, and a slow round measures the
neighbours, not photofinder. Skips when the sample photos are absent.
"""

from __future__ import annotations

import argparse
import os
import platform
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

from photofinder import heads as heads_module  # noqa: E402
from photofinder import index as index_store  # noqa: E402
from photofinder.indexer import ModelChoice, decode, update_index  # noqa: E402
from photofinder.tagger import load_tagger, set_threads  # noqa: E402
from photofinder.vectors import load_vectors  # noqa: E402
from photofinder.vocabulary import load_vocabulary  # noqa: E402


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                flags = Path("/proc/cpuinfo").read_text()
                simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
                return f"{line.split(':', 1)[1].strip()} ({simd})"
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


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


def resnet50_files(weights: Path | None) -> Path:
    """models/ for ResNet50: its weights (random unless given) and random heads of the
    real shapes, so it runs the whole default pipeline at the real cost."""
    import torch
    from torchvision.models import resnet50

    models = WORK / "models"
    (models / "heads").mkdir(parents=True, exist_ok=True)
    target = models / "resnet50-11ad3fa6.pth"
    if weights is not None:
        shutil.copy(weights, target)
    elif not target.is_file():
        torch.manual_seed(0)
        torch.save(resnet50(weights=None).state_dict(), target)
    lite = heads_module.load_heads("efficientnet-lite2")
    rng = np.random.default_rng(0)
    d = lite.pca_components.shape[0]
    np.savez(models / "heads" / "resnet50.npz", format=np.array(heads_module.HEADS_FORMAT),
             tagger=np.array("resnet50"), input_size=np.array(288),
             pca_mean=np.zeros(2048, np.float32),
             pca_components=rng.standard_normal((d, 2048)).astype(np.float32) / 45,
             scene_keys=np.array(lite.scene_keys), scene_weight=lite.scene_weight,
             scene_bias=lite.scene_bias, person_weight=lite.person_weight,
             person_bias=np.array(lite.person_bias, np.float32))
    return models


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


def decode_rate(paths: list[Path], prep, workers: int) -> float:
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(decode, paths[:2], [prep] * 2))  # start the workers first
        started = time.perf_counter()
        list(pool.map(decode, paths, [prep] * len(paths)))
        return rate(len(paths), time.perf_counter() - started)


def pure_model(tagger, pixels: np.ndarray, batch: int | None = None) -> float:
    batch = batch or tagger.batch_size   # the pipeline's own batch
    tagger.analyze(pixels[:batch])  # warm-up
    started = time.perf_counter()
    for i in range(0, len(pixels), batch):
        tagger.analyze(pixels[i:i + batch])
    return rate(len(pixels), time.perf_counter() - started)


def pipeline(tagger, folder: Path, index_dir: Path, workers: int | None = None
             ) -> tuple[float, float]:
    """Photos/s of the tagging phase (first decode to last tag: the steady state), and
    of the whole update_index call (plus walking, the vocabulary's word vectors for a
    new index, saving: fixed costs that small N exaggerates)."""
    shutil.rmtree(index_dir, ignore_errors=True)
    vectors = load_vectors("navec")  # loaded before timing, like the model
    marks: list[float] = []

    def on_progress(done: int, total: int) -> None:
        if done == 0 or done == total:
            marks.append(time.perf_counter())

    started = time.perf_counter()
    report = update_index([folder], index_dir, load_vocabulary(), lambda: vectors,
                          choice=ModelChoice(tagger.name, regions=tagger.regions),
                          load_tagger=lambda model: tagger, decode_workers=workers,
                          on_progress=on_progress)
    seconds = time.perf_counter() - started
    assert report.added == report.found, report
    return rate(report.added, marks[-1] - marks[0]), rate(report.added, seconds)


def stage_costs(tagger, paths: list[Path], pixels: np.ndarray) -> dict[str, float]:
    """Milliseconds of one core per photo for each stage of the default pipeline."""
    from photofinder.index import Index
    from photofinder.tagging import Columns, Decoded, rows_for

    costs: dict[str, float] = {}
    started = time.perf_counter()
    decoded = [decode(p, tagger.preprocess) for p in paths]
    costs["decode (draft mode, EXIF, dHash, file hash)"] = (time.perf_counter() - started) / len(paths)
    torch_threads = set_threads()
    analyses = []
    started = time.perf_counter()
    step = tagger.batch_size
    for i in range(0, len(pixels), step):
        analyses.append(tagger.analyze(pixels[i:i + step]))
    costs["model pass (regions pooled)"] = torch_threads * (time.perf_counter() - started) / len(pixels)
    heads = heads_module.load_heads(tagger.name)
    idx = Index(tagger={}, vectors="", vocabulary="")
    columns = Columns(idx, load_vocabulary(), heads)
    started = time.perf_counter()
    for k, analysis in enumerate(analyses):
        n = len(analysis.probs)
        batch = [d for d in decoded[k * step:k * step + n] if isinstance(d, Decoded)]
        rows_for(analysis, batch, columns, heads, ["p"] * n, [0] * n, [0] * n, [0] * n)
    costs["heads + tags (NumPy)"] = (time.perf_counter() - started) / len(pixels)
    return costs


def whole_photo_profile(tagger, folder: Path, index_dir: Path) -> dict[str, float]:
    """The tagging phase of `pipeline`, split: seconds inside tagger.analyze (the model's
    passes), waiting for the next decoded photo, and the rest (tags, words, appends)."""
    import photofinder.tagsource as indexer_module  # where the indexer decodes and tags

    spent = {"model passes": 0.0, "waiting for decodes": 0.0}
    analyze, chunks = tagger.analyze, indexer_module.decoded_in_chunks

    def timed_analyze(batch: np.ndarray):
        started = time.perf_counter()
        try:
            return analyze(batch)
        finally:
            spent["model passes"] += time.perf_counter() - started

    def timed_chunks(*args, **kwargs):
        photos = chunks(*args, **kwargs)
        while True:
            started = time.perf_counter()
            try:
                item = next(photos)
            except StopIteration:
                return
            finally:
                spent["waiting for decodes"] += time.perf_counter() - started
            yield item

    tagger.analyze, indexer_module.decoded_in_chunks = timed_analyze, timed_chunks
    try:
        rate_tagging, _ = pipeline(tagger, folder, index_dir)
    finally:
        tagger.analyze, indexer_module.decoded_in_chunks = analyze, chunks
    return {"photos/s": rate_tagging, **spent}


def cli_index(folder: Path, index_dir: Path, extra: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "photofinder", "index", str(folder),
                           "--index", str(index_dir), *extra],
                          capture_output=True, text=True, cwd=REPO, check=True)
    summary = next(line for line in proc.stdout.splitlines() if line.startswith("индекс"))
    return time.perf_counter() - started, summary


def ten_thousand(camera_index: Path) -> tuple[float, str, float, str]:
    """10,000 hard links to small sample photos, an index written for them with
    generated tags (the re-run only checks size + mtime), then a CLI re-run and a move."""
    from photofinder.index import Rows, Tags
    from photofinder.photos import content_hash

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
    idx = index_store.load(camera_index)
    idx.select(np.zeros(0, np.int64))
    idx.roots = [str(folder)]
    n = len(paths)
    rng = np.random.default_rng(0)
    idx.append(Rows(paths=paths, sizes=np.array([s.st_size for s in stats], np.int64),
                    mtimes=np.array([s.st_mtime_ns for s in stats], np.int64),
                    hashes=np.array([content_hash(Path(p)) for p in paths], np.uint64),
                    tags=Tags.from_dense(rng.integers(0, 1000, (n, 30)), np.full((n, 30), 0.03)),
                    features=rng.standard_normal((n, idx.features.shape[1])).astype(np.float16),
                    dhash=np.ones(n, np.uint64), taken=np.zeros(n, np.int64)))
    index_dir = WORK / "ten-thousand-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    index_store.save(idx, index_dir)
    rerun_s, summary = cli_index(folder, index_dir, [])
    # a whole subfolder renamed: 10 photos moved, found by content, not tagged again
    os.rename(folder / "000", folder / "000-moved")
    try:
        move_s, move_summary = cli_index(folder, index_dir, [])
    finally:
        os.rename(folder / "000-moved", folder / "000")
    return rerun_s, summary, move_s, move_summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=64, help="camera JPEGs to make and index")
    ap.add_argument("--weights", type=Path, help="ResNet50 state dict (default: random weights)")
    ap.add_argument("--rounds", type=int, default=3, help="measure everything this many times; keep the best")
    ap.add_argument("--skip-seed", action="store_true")
    ap.add_argument("--skip-threads", action="store_true", help="no threads grid, no batch sweep")
    ap.add_argument("--skip-reindex", action="store_true")
    ap.add_argument("--profile-whole", action="store_true",
                    help="only split the whole-photo pipeline's time (ResNet50, Lite2)")
    args = ap.parse_args()
    if not (SAMPLES / "labels.json").is_file():
        print(f"skipped: no sample photos at {SAMPLES}")
        return 0
    import torch

    WORK.mkdir(parents=True, exist_ok=True)
    os.environ["PHOTOFINDER_MODELS"] = str(resnet50_files(args.weights))
    weights = Path(os.environ["PHOTOFINDER_MODELS"]) / "resnet50-11ad3fa6.pth"
    if args.weights is None:
        print("ResNet50: random weights and heads: speed only, its tags mean nothing")
    folder = camera_photos(args.n)
    paths = sorted(folder.glob("*.jpg"))
    print(f"{len(paths)} camera JPEGs 4000x3000 q90; {os.cpu_count()} cores: {cpu_name()}; "
          f"torch {torch.__version__}")

    if args.profile_whole:
        for name in ("resnet50", "efficientnet-lite2"):
            tagger = load_tagger(name, weights if name == "resnet50" else None, regions=False)
            pixels = np.stack([decode(p, tagger.preprocess).pixels for p in paths])
            print(f"{name}, whole photo ({tagger.preprocess.size} px), batch {tagger.batch_size}:")
            for round_number in range(1, args.rounds + 1):
                own, sixteen = pure_model(tagger, pixels), pure_model(tagger, pixels, 16)
                split = whole_photo_profile(tagger, folder, WORK / "index-bench")
                total = len(paths) / split["photos/s"]
                rest = total - split["model passes"] - split["waiting for decodes"]
                print(f"  round {round_number}: pure {own:.2f} (batch 16: {sixteen:.2f}), photofinder "
                      f"{split['photos/s']:.2f} photos/s = {split['photos/s'] / sixteen:.0%} of batch 16, "
                      f"{split['photos/s'] / own:.0%} of its batch; of {total:.2f} s: model passes "
                      f"{split['model passes']:.2f} s ({len(paths) / split['model passes']:.2f} photos/s "
                      f"inside them), waiting for decodes {split['waiting for decodes']:.2f} s, "
                      f"the rest {rest:.2f} s", flush=True)
        return 0

    figures: dict[str, float] = {}
    rounds: list[dict[str, float]] = []

    def show(name: str, value: float) -> None:
        # the best of the rounds: on a shared machine the slow rounds measure the neighbours
        figures[name] = max(figures.get(name, 0.0), value)
        rounds[-1][name] = value
        print(f"  {name:58} {value:7.2f} photos/s", flush=True)

    taggers = {}
    for name in ("resnet50", "efficientnet-lite2"):
        for regions in (False, True):
            tagger = load_tagger(name, weights if name == "resnet50" else None, regions=regions)
            pixels = np.stack([decode(p, tagger.preprocess).pixels for p in paths])
            taggers[name, regions] = tagger, pixels
    ix = WORK / "index-bench"
    # Rounds, each measuring everything once: the machine's speed drifts by a third
    # within minutes here, so a ratio is taken between the best figures of the rounds,
    # each side measured in every round.
    for round_number in range(1, args.rounds + 1):
        print(f"round {round_number} of {args.rounds}:")
        rounds.append({})
        if not args.skip_seed:
            show("seed loop, ResNet50 (full decode, transforms, batch 1)", seed_loop(paths, weights))
        for (name, regions), (tagger, pixels) in taggers.items():
            mode = "regions" if regions else "whole"
            prep = tagger.preprocess
            if name == "resnet50" and not regions:
                show("decode only, 1 thread", decode_rate(paths, prep, 1))
                show("decode only, 2 threads", decode_rate(paths, prep, 2))
            show(f"{name} {mode} ({prep.size} px): pure model", pure_model(tagger, pixels))
            if not regions:  # issue 12's reference: the pure model at batch 16
                show(f"{name} {mode} ({prep.size} px): pure model, batch 16", pure_model(tagger, pixels, 16))
            tagging, whole = pipeline(tagger, folder, ix)
            show(f"{name} {mode}: photofinder, tagging phase", tagging)
            show(f"{name} {mode}: photofinder, whole update_index call", whole)
    if args.rounds > 1:
        print(f"best of {args.rounds} rounds:")
        for name, value in figures.items():
            print(f"  {name:58} {value:7.2f} photos/s")

    if not args.skip_threads:
        print("\nthreads (EfficientNet-Lite2, regions): torch threads x decode threads")
        tagger = load_tagger("efficientnet-lite2", regions=True)
        for torch_threads in (1, 2):
            for workers in (1, 2, 3):
                set_threads(torch_threads)
                tagging, _ = pipeline(tagger, folder, ix, workers)
                print(f"  torch {torch_threads}, decode {workers}: {tagging:6.2f} photos/s", flush=True)
        set_threads()
        print("\npure model, photos/s by batch size (the pipeline's in brackets; median of 3 passes)")
        for (name, regions), (tagger, pixels) in taggers.items():
            sizes = (1, 2, 4, 8, 16)
            passes = {b: [] for b in sizes}
            for k in range(3):  # alternate the order: the machine drifts within a sweep
                for b in (sizes if k % 2 == 0 else sizes[::-1]):
                    passes[b].append(pure_model(tagger, pixels, b))
            line = ", ".join((f"[{b}]" if b == tagger.batch_size else f"{b}") + f": {np.median(v):.2f}"
                             for b, v in passes.items())
            print(f"  {name} {'regions' if regions else 'whole'}: {line}", flush=True)

    tagger = load_tagger("efficientnet-lite2", regions=True)
    pixels = np.stack([decode(p, tagger.preprocess).pixels for p in paths])
    costs = stage_costs(tagger, paths, pixels)
    total = sum(costs.values())
    print("\nstages of the default pipeline (ms of one core per photo, share):")
    for stage, seconds in costs.items():
        print(f"  {stage:48} {seconds * 1000:7.1f} ms  {seconds / total:5.1%}")

    seed_name = "seed loop, ResNet50 (full decode, transforms, batch 1)"

    def ratios(of: dict[str, float]) -> dict[str, float]:
        out = {}
        for name in ("resnet50", "efficientnet-lite2"):
            e2e = of[f"{name} whole: photofinder, tagging phase"]
            pure = f"{name} whole (" + ("224" if name == "resnet50" else "260") + " px): pure model"
            out[f"{name} of pure"] = e2e / of[pure + ", batch 16"]
            out[f"{name} of own batch"] = e2e / of[pure]
            if seed_name in of:
                out[f"{name} x seed"] = e2e / of[seed_name]
        return out

    # Per round, each side measured minutes apart at most; the median of the rounds.
    per_round = [ratios(r) for r in rounds]
    median = {k: float(np.median([r[k] for r in per_round])) for k in per_round[0]}
    best = ratios(figures)
    print(f"\nratios (this run, {cpu_name()}): median of the {len(rounds)} rounds' own ratios "
          f"[each round: ...] (ratio of the best figures)")
    for name in ("resnet50", "efficientnet-lite2"):
        own = ", ".join(f"{r[f'{name} of pure']:.0%}" for r in per_round)
        mine = ", ".join(f"{r[f'{name} of own batch']:.0%}" for r in per_round)
        line = (f"  {name}, whole photo, people on: {median[f'{name} of pure']:4.0%} of the pure model "
                f"at batch 16 [{own}] ({best[f'{name} of pure']:.0%}; target >= 80%); "
                f"{median[f'{name} of own batch']:.0%} [{mine}] of it at the pipeline's batch")
        if f"{name} x seed" in median:
            own = ", ".join(f"{r[f'{name} x seed']:.2f}" for r in per_round)
            line += (f", {median[f'{name} x seed']:4.2f}x the seed loop [{own}] "
                     f"({best[f'{name} x seed']:.2f}x; target >= 2.5x)")
        print(line)
    regions = [r["efficientnet-lite2 regions: photofinder, tagging phase"] for r in rounds]
    default = float(np.median(regions))
    print(f"  default pipeline (Lite2, regions + scenes + people): {default:.2f} photos/s median "
          f"[{', '.join(f'{v:.2f}' for v in regions)}] (target >= 6), "
          f"10,000 photos in {10_000 / default / 60:.0f} min")

    if not args.skip_reindex:
        print("\nre-index, from process start (CLI):")
        tagger = load_tagger("efficientnet-lite2", regions=True)
        pipeline(tagger, folder, ix)
        rerun_s, summary = cli_index(folder, ix, [])
        print(f"  unchanged {len(paths)} camera photos: {rerun_s:.2f} s  ({summary})")
        rerun10k_s, summary10k, move_s, move_summary = ten_thousand(ix)
        print(f"  unchanged 10,000 photos: {rerun10k_s:.2f} s  ({summary10k})")
        print(f"  10 photos moved among 10,000: {move_s:.2f} s  ({move_summary})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_cli = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak memory: this process {peak:.0f} MB, largest CLI run {peak_cli:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
