"""Where the photos of an update are tagged: here (`LocalSource`, the model in this
process) or on a Ray cluster (cluster.py). The indexer's driver walks, plans,
checkpoints and saves the same way for both; a source only turns photos into rows.

A source gives back `Tagged` batches as they are done: the rows of the photos it could
read (everything the index stores per photo but the words, which the driver makes from
the path and the keywords the file holds) and the photos it could not read, with why.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from .decoding import decode_threads, decoded_in_chunks
from .errors import PhotoError
from .heads import Heads
from .index import Rows
from .photos import MissingDecoderError
from .plan import Found
from .tagging import Columns, Decoded, person_boxes, rows_for

FIRST_BATCH = 4   # photos in the first batch (see LocalSource.tag)


@dataclass
class Tagged:
    """One batch's outcome: rows (None when no photo of it could be read), the texts
    (keywords, titles) in each row's file and where it was taken (GPS, or None), and
    the photos left out: (path, reason, the package that would decode it or "").
    people: each row's person boxes (tagging.person_boxes) for the faces step; None
    without an object detector."""

    rows: Rows | None = None
    texts: list[tuple[str, ...]] = field(default_factory=list)
    gps: list[tuple[float, float] | None] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    people: list[np.ndarray] | None = None

    @property
    def photos(self) -> int:
        return (len(self.rows.paths) if self.rows is not None else 0) + len(self.skipped)


class TagSource(Protocol):
    """Tags photos and gives back their rows, in batches, in any order."""

    name: str
    identity: dict[str, str]
    batch_size: int          # photos per model pass that run fastest on its device

    def tag(self, photos: list[Found], columns: Columns, heads: Heads | None, batch_size: int,
            stop: threading.Event | None) -> Iterator[Tagged]:
        """Every photo comes back once, tagged or skipped, unless `stop` is set first."""
        ...

    def close(self) -> None:
        ...


def rows_of_batch(tagger, columns: Columns, heads: Heads | None,
                  batch: list[tuple[Found, Decoded]], detector=None) -> Tagged:
    """One pass of the model (and of the object detector, if any) over decoded photos,
    and their rows."""
    photos, decoded = [f for f, _ in batch], [d for _, d in batch]
    analysis = tagger.analyze(np.concatenate([d.images for d in decoded]))  # a video: its frames
    objects = (None if detector is None else
               detector.detect(np.concatenate([d.detector_images for d in decoded])))
    rows = rows_for(analysis, decoded, columns, heads, [f.path for f in photos],
                    [f.size for f in photos], [f.mtime_ns for f in photos],
                    [d.file_hash for d in decoded], objects=objects)
    people = None
    if objects is not None:  # a video's frames: no faces are looked for in them
        first = np.cumsum([0] + [len(d.images) for d in decoded])
        people = [person_boxes([] if d.video else objects[k]) for d, k in zip(decoded, first)]
    return Tagged(rows, [tuple(d.texts) for d in decoded], [d.gps for d in decoded],
                  people=people)


class LocalSource:
    """The model in this process: decodes on a few threads, a batch at a time, and
    runs the model over each batch (decoding.py says why on a CPU never both at once)."""

    def __init__(self, tagger, decode_workers: int | None = None, detector=None) -> None:
        self.tagger = tagger
        self.detector = detector   # detector.Detector, or None: no object labels
        self.workers = decode_threads(decode_workers)

    @property
    def name(self) -> str:
        return self.tagger.name

    @property
    def identity(self) -> dict[str, str]:
        return self.tagger.identity

    @property
    def batch_size(self) -> int:
        return self.tagger.batch_size

    def tag(self, photos: list[Found], columns: Columns, heads: Heads | None, batch_size: int,
            stop: threading.Event | None) -> Iterator[Tagged]:
        found = {f.path: f for f in photos}
        # the first batch is small: the model starts after a few decodes instead of
        # waiting for a whole batch of them with both cores half idle
        limit = min(batch_size, FIRST_BATCH)
        decoded = decoded_in_chunks([Path(f.path) for f in photos], self.tagger.preprocess,
                                    self.workers,
                                    itertools.chain([limit], itertools.repeat(batch_size)),
                                    ahead=not self.tagger.on_cpu, sky=heads is not None,
                                    detector=None if self.detector is None
                                    else self.detector.preprocess)
        batch: list[tuple[Found, Decoded]] = []
        for path, result in decoded:
            if stop is not None and stop.is_set():
                break
            if isinstance(result, PhotoError):
                package = result.package if isinstance(result, MissingDecoderError) else ""
                yield Tagged(skipped=[(str(path), str(result), package)])
                continue
            batch.append((found[str(path)], result))
            if len(batch) >= limit:
                yield rows_of_batch(self.tagger, columns, heads, batch, self.detector)
                batch, limit = [], batch_size
        if batch:  # decoded already: tagged even when stopping
            yield rows_of_batch(self.tagger, columns, heads, batch, self.detector)

    def close(self) -> None:
        pass
