"""Decoding photos for the model: everything the index needs from a photo's file in
one read and one decode, on a small thread pool (Pillow releases the GIL while
decoding), a batch at a time: on a CPU between the model's passes, so a pass has every
core to itself; on a GPU one batch ahead of the passes. Memory stays flat on huge
folders either way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .errors import PhotoError
from .photos import (
    Preprocess,
    cloud_fraction,
    difference_hash,
    fit_for_model,
    read_photo_and_hash,
    sky_cells,
    sky_fraction,
)
from .places import gps_from_xmp
from .screenshots import said_by_name
from .tagging import Decoded


def gps_in_sidecar(path: Path) -> tuple[float, float] | None:
    """GPS from the photo's XMP sidecar (IMG_1.jpg.xmp or IMG_1.xmp), for a photo whose
    own file has none: a RAW, or a photo geotagged later in digiKam or darktable."""
    for sidecar in (path.with_name(path.name + ".xmp"), path.with_suffix(".xmp")):
        try:
            if sidecar.is_file() and sidecar.stat().st_size < 4 * 2**20:
                found = gps_from_xmp(sidecar.read_bytes())
                if found:
                    return found
        except OSError:
            continue
    return None


def decode(path: Path, prep: Preprocess, sky: bool = True,
           detector: Preprocess | None = None) -> Decoded | PhotoError:
    """Everything the index needs from a photo's file, pixels and metadata: one read,
    one decode. sky=False: a model without heads, which cannot use the sky fraction.
    detector: the object detector's input too, from the same decode (at its size)."""
    try:
        side = max(prep.size, detector.size) if detector is not None else prep.size
        photo, file_hash = read_photo_and_hash(path, min_side=side)
        gps = photo.gps or gps_in_sidecar(path)
        if photo.video:  # its frames, each a model input; dHash of the thumbnail's frame
            frames = np.stack([fit_for_model(f, prep) for f in photo.frames])
            skies = [sky_cells(f) if sky else None for f in frames]
            return Decoded(frames, difference_hash(photo.image), photo.taken, file_hash,
                           photo.texts, 0.0,
                           tuple(sky_fraction(f, c) if c else 0.0 for f, c in zip(frames, skies)),
                           frame_clouds=tuple(cloud_fraction(f, c) if c else 0.0
                                              for f, c in zip(frames, skies)),
                           duration=photo.duration, video=True, gps=gps,
                           detector_pixels=None if detector is None else np.stack(
                               [fit_for_model(f, detector) for f in photo.frames]))
        pixels = fit_for_model(photo.image, prep)
        cells = sky_cells(pixels) if sky else None
        return Decoded(pixels, difference_hash(photo.image), photo.taken, file_hash,
                       photo.texts, sky_fraction(pixels, cells) if cells else 0.0,
                       clouds=cloud_fraction(pixels, cells) if cells else 0.0, gps=gps,
                       detector_pixels=None if detector is None
                       else fit_for_model(photo.image, detector),
                       screenshot=photo.screenshot or said_by_name(path))
    except PhotoError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - one odd file must never stop a long run
        return PhotoError(f"не удалось прочитать: {type(exc).__name__}: {str(exc)[:100]}")


def decoded_in_chunks(paths: list[Path], prep: Preprocess, workers: int, sizes: Iterator[int],
                      ahead: bool, sky: bool = True, detector: Preprocess | None = None
                      ) -> Iterator[tuple[Path, Decoded | PhotoError]]:
    """Decodes `next(sizes)` photos at a time on `workers` threads and yields them in
    order. ahead=False (a model on the CPU): the next chunk starts only once this one
    is taken, so the model's pass never shares the cores with a decode thread, which
    would hold one of its two threads back at every layer. Paired trials on 2 cores,
    8 rounds, against decoding ahead: Lite2 whole 1.02-1.13x, ResNet50 whole
    0.92-1.31x, the default (Lite2 with regions) 0.97-1.14x, medians 1.05x, 1.03x,
    1.02x. ahead=True (a GPU): the next chunk decodes while this one is taken and the
    GPU computes. At most two chunks are in memory either way."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode") as pool:
        def submit(start: int) -> tuple[list[Path], list[Future]]:
            chunk = paths[start:start + max(1, next(sizes))]
            return chunk, [pool.submit(decode, p, prep, sky, detector) for p in chunk]

        start = 0
        pending = submit(0) if paths else None
        while pending is not None:
            chunk, futures = pending
            start += len(chunk)
            following = submit(start) if ahead and start < len(paths) else None
            for path, future in zip(chunk, futures):
                yield path, future.result()
            if not ahead:
                following = submit(start) if start < len(paths) else None
            pending = following


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """NumPy's BLAS on one thread while photos are tagged. The heads' products are a
    few photos by 1280 numbers, too small to gain from threads, but after each one
    OpenBLAS's idle worker spins on a core for a while, the core the decode threads and
    the model's next pass need. On 2 cores, 64 camera JPEGs (speed_index.py's
    whole-photo profile): Lite2 waited 1.0-1.1 s for decodes, 0.7 s with this; paired
    trials of update_index: the default pipeline 1.30x, ResNet50 whole 1.12x."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def decode_threads(workers: int | None = None) -> int:
    """Decode threads beside the model's intra-op threads (see benchmarks/speed_index.py)."""
    if workers is not None:
        return max(1, workers)
    return max(2, min(8, os.cpu_count() or 2))
