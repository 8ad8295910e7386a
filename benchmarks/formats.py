"""What a HEIC, a camera RAW and a phone video cost to index, against a camera JPEG.

    .venv/bin/python benchmarks/formats.py [--rounds 5] [--seconds 60] [--jpegs 16]

Makes, in a temp folder outside the repo (kept between runs), from one coco-dev photo
upscaled to 4000x3000 (12 Mpx, a phone's or a small camera's photo):
- the photo as a JPEG (quality 90), as a HEIC (pillow-heif, quality 80) and as a DNG
  (16-bit RGGB Bayer mosaic, no embedded preview: LibRaw's half-size demosaic, the slow
  path; a camera RAW with its JPEG preview costs about a JPEG's decode);
- a `--seconds` long 1920x1080 30 fps H.264 clip with a keyframe every second (as phones
  write them), panning across the photo.
Measures, in --rounds rounds that each measure everything once (best round kept: the
machine is shared):
- decode: the indexer's per-file work (indexer.decode: file hash, EXIF date, decoding
  at the model's input size, the model's input, dHash, sky), per kind; a video: its
  keyframes sought over the clip (decoders.video.frames_for), each made a model input;
- the model: the default tagger's pass (EfficientNet-Lite2 with regions) per image at
  its own batch size;
- one photo = JPEG decode + one image through the model; one video = its decode + its
  frames through the model; the ratio is the issue's target (<= 3 photos);
- JPEG decode, paired: this code (the decoder streams the file) against the previous
  code's way (the file read whole into memory first, then decoded from it), alternating
  on --jpegs different camera JPEGs, median of the rounds' ratios.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
WORK = Path(tempfile.gettempdir()) / "photofinder-bench-formats"
SOURCE = "000000318080.jpg"  # a bear in the grass (coco-dev)

from photofinder.decoders import frames_for  # noqa: E402
from photofinder.decoders.pillow import decode_image  # noqa: E402
from photofinder.decoding import decode  # noqa: E402
from photofinder.photos import hash_bytes, read_photo_and_hash  # noqa: E402
from tests.rolls import COCO_DEV, write_dng, write_heic  # noqa: E402


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def make_files(seconds: int, jpegs: int) -> dict[str, Path]:
    WORK.mkdir(exist_ok=True)
    src = Image.open(COCO_DEV / SOURCE).convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC)
    files = {"jpeg": WORK / "photo.jpg", "heic": WORK / "photo.heic", "dng": WORK / "photo.dng",
             "video": WORK / f"clip_{seconds}s_1080p.mp4"}
    if not files["jpeg"].exists():
        src.save(files["jpeg"], quality=90)
    if not files["heic"].exists():
        write_heic(src, files["heic"])
    if not files["dng"].exists():
        write_dng(src, files["dng"])
    if not files["video"].exists():
        write_clip(src, files["video"], seconds)
    names = sorted(p for p in COCO_DEV.glob("*.jpg"))[:jpegs]
    for i, name in enumerate(names):
        dst = WORK / f"camera_{i:02d}.jpg"
        if not dst.exists():
            Image.open(name).convert("RGB").resize((4000, 3000)).save(dst, quality=90)
    return files


def write_clip(src: Image.Image, dst: Path, seconds: int, fps: int = 30) -> None:
    import av

    wide = src.resize((2400, 1800))
    with av.open(str(dst), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 1920, 1080, "yuv420p"
        stream.options = {"g": str(fps), "preset": "veryfast", "crf": "23"}
        frames = seconds * fps
        for i in range(frames):
            left = int((2400 - 1920) * i / frames)
            view = wide.crop((left, 300, left + 1920, 1380))
            for packet in stream.encode(av.VideoFrame.from_image(view)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def old_way(path: Path, min_side: int):
    """The previous read_photo_and_hash: the file read whole, then decoded from memory."""
    with open(path, "rb") as f:
        data = f.read()
    return decode_image(io.BytesIO(data), min_side), hash_bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--jpegs", type=int, default=16)
    args = parser.parse_args()
    if not (COCO_DEV / SOURCE).is_file():
        print(f"no coco-dev photos at {COCO_DEV}: nothing measured")
        return
    files = make_files(args.seconds, args.jpegs)
    from photofinder.tagger import load_tagger

    tagger = load_tagger("efficientnet-lite2", regions=True, threads=None)
    size = tagger.preprocess.size
    batch = np.random.default_rng(0).integers(0, 256, (tagger.batch_size, size, size, 3), np.uint8)
    tagger.analyze(batch)  # warm up
    camera = sorted(WORK.glob("camera_*.jpg"))
    best: dict[str, float] = {}
    ratios = []
    for _ in range(args.rounds):
        for kind, path in files.items():
            seconds = timed(lambda p=path: decode(p, tagger.preprocess))
            best[kind] = min(best.get(kind, float("inf")), seconds)
        model = timed(lambda: tagger.analyze(batch), repeat=2) / len(batch)
        best["model"] = min(best.get("model", float("inf")), model)
        new = old = 0.0
        for path in camera:  # alternating, so a slow moment of the machine hits both
            new += timed(lambda p=path: read_photo_and_hash(p, min_side=size), repeat=1)
            old += timed(lambda p=path: old_way(p, size), repeat=1)
        ratios.append(old / new)
    photo = best["jpeg"] + best["model"]
    frames = frames_for(args.seconds)
    video = best["video"] + frames * best["model"]
    print(f"{os.cpu_count()} cores: {cpu_name()}; best of {args.rounds} rounds")
    print(f"model (Lite2 + regions, batch {len(batch)}): {best['model'] * 1000:.0f} ms an image")
    for kind in files:
        print(f"decode {kind:5s} ({files[kind].stat().st_size / 2**20:.1f} MB): "
              f"{best[kind] * 1000:.0f} ms = {best[kind] / best['jpeg']:.2f} x the JPEG's")
    print(f"one photo (JPEG decode + model): {photo * 1000:.0f} ms")
    print(f"one {args.seconds}-s 1080p video ({frames} frames): {video * 1000:.0f} ms "
          f"= {video / photo:.2f} photos")
    print(f"HEIC photo: {(best['heic'] + best['model']) / photo:.2f} photos; DNG without preview: "
          f"{(best['dng'] + best['model']) / photo:.2f} photos")
    print(f"JPEG decode, previous way / this code: median {statistics.median(ratios):.3f} "
          f"(rounds {', '.join(f'{r:.3f}' for r in ratios)}; > 1: this code faster)")


if __name__ == "__main__":
    main()
