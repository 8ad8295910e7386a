"""What is on disk now, for an index update: the photos under the folders, their
content hashes (asked only for possible moves), and why a stored photo the walk did
not find is not there: gone, or in a folder that is unavailable right now.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .index import Index
from .photos import content_hash, find_photos, stamp
from .plan import Found

# The index stores mtimes as int64 nanoseconds: 1677-09-21 to 2262-04-11. A file dated
# outside (`touch -d 2300-01-01`, a camera with a broken clock, a FAT entry read as 1601)
# gets the nearest end instead: still a stable stamp, so a re-run sees it unchanged.
MTIME_MIN, MTIME_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


def clamp_mtime(mtime_ns: int) -> int:
    return min(max(mtime_ns, MTIME_MIN), MTIME_MAX)


def scan(folders: list[str], videos: bool = True, passed_over: Counter[str] | None = None,
         twins: list[Path] | None = None) -> tuple[list[Found], list[tuple[str, str]]]:
    """Every photo (and video) under the folders with its size and mtime, and those that
    could not even be stat()ed (with a reason); photos.find_photos says the rest."""
    found, unreadable = [], []
    for path in find_photos([Path(f) for f in folders], videos, passed_over, twins):
        try:
            st = stamp(path)
        except OSError as exc:
            unreadable.append((str(path.absolute()), f"нет доступа: {exc.strerror or exc}"))
            continue
        found.append(Found(str(path.absolute()), st.size, clamp_mtime(st.mtime_ns)))
    return found, unreadable


class Whereabouts:
    """Why a stored photo the walk did not find is not there (plan.make_plan's
    `unavailable_folder`). An unplugged drive leaves an empty mount point, or a link to
    it that leads nowhere; an unreadable folder is passed over by the walk. Its photos
    are kept: a photo is gone only when the nearest folder above it that is there
    holds photos now (the user deleted some of them), so a readable folder always
    shows its deletions."""

    def __init__(self, found: list[Found]) -> None:
        self._found = found
        self._with_photos: set[str] | None = None   # made on first use: most runs never ask

    def unavailable_folder(self, path: str) -> str | None:
        """The folder that makes `path` unavailable now, or None: the photo is gone."""
        if self._with_photos is None:
            self._with_photos = set()
            for photo in self._found:
                folder = os.path.dirname(photo.path)
                while folder not in self._with_photos and os.path.dirname(folder) != folder:
                    self._with_photos.add(folder)
                    folder = os.path.dirname(folder)
        folder = os.path.dirname(path)
        while not os.path.isdir(folder):
            if os.path.islink(folder):
                return folder   # a link to a drive that is not there
            parent = os.path.dirname(folder)
            if parent == folder:
                return None
            folder = parent
        # no photo under it now, where there were: an empty mount point, an unreadable
        # folder (or every photo of it deleted: `index --forget-missing` says so)
        return None if folder in self._with_photos else folder


def hash_or_zero(path: str) -> int:
    try:
        return content_hash(Path(path))
    except OSError:
        return 0  # unreadable now: the decoder will say why, and the photo is tagged as new


def _hashes(paths: list[str], workers: int = 4) -> dict[str, int]:
    if len(paths) < 64:
        return {p: hash_or_zero(p) for p in paths}
    with ThreadPoolExecutor(max_workers=workers) as pool:  # mostly I/O waits
        return dict(zip(paths, pool.map(hash_or_zero, paths, chunksize=64)))


class HashCache:
    """Content hashes for make_plan's move detection: the new and changed paths are
    hashed in parallel, once, and only if the plan asks (some row could be a donor)."""

    def __init__(self, idx: Index, found: list[Found], workers: int | None) -> None:
        row_of = {p: i for i, p in enumerate(idx.paths)}
        self._todo = [f.path for f in found
                      if (r := row_of.get(f.path)) is None
                      or idx.sizes[r] != f.size or idx.mtimes[r] != f.mtime_ns]
        self._workers = max(2, workers or 4)
        self.known: dict[str, int] = {}

    def __call__(self, path: str) -> int:
        if not self.known and self._todo:
            self.known.update(_hashes(self._todo, self._workers))
        return self.known.get(path) or hash_or_zero(path)
