"""The photo paths of an index: one byte buffer on disk, decoded a path at a time.

A path is stored as the bytes the file system gave (UTF-8 with surrogateescape): a
name that is not UTF-8 (`moved\\xff.jpg`, a folder `nonutf\\xff`) round-trips exactly
as Python's os functions spell it, so the next run finds the same file under the same
path, and no save fails on it.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, MutableSequence

import numpy as np


def encode_paths(paths: Iterable[str]) -> bytes:
    """Paths joined by NUL (no path holds one), as the file system's bytes."""
    return "\0".join(paths).encode("utf-8", "surrogateescape")


def decode_paths(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


class PathList(MutableSequence[str]):
    """The photo paths of a loaded index, decoded one at a time as they are asked for.

    A search shows twenty photos of a million: decoding and splitting all their paths
    took 0.45 s of its start. Paths are validated as a count at load (the other columns
    must agree). The first change (the indexer's) turns it into a plain list; iterating
    decodes them all at once."""

    def __init__(self, packed: np.ndarray, n: int) -> None:
        ends = np.flatnonzero(packed == 0)   # the NUL between two paths
        if (len(ends) != n - 1) if n else packed.size:
            raise ValueError(f"размеры не сходятся: путей {len(ends) + 1 if packed.size else 0}, фото {n}")
        self._packed = packed
        # path i is packed[bounds[i] + 1 : bounds[i + 1]]
        self._bounds = np.concatenate([[-1], ends, [len(packed)]]) if n else np.full(1, -1)
        self._list: list[str] | None = None

    @property
    def packed(self) -> np.ndarray | None:
        """The buffer as loaded, while nothing has changed (saving reuses it)."""
        return self._packed if self._list is None else None

    def _all(self) -> list[str]:
        if self._list is None:
            text = decode_paths(self._packed.tobytes())
            # the buffer stays: a reader on another thread (the desktop app's) may be
            # between its check of _list and its use of the buffer
            self._list = text.split("\0") if len(self._bounds) > 1 else []
        return self._list

    def __len__(self) -> int:
        return len(self._bounds) - 1 if self._list is None else len(self._list)

    def __getitem__(self, i):  # type: ignore[override]
        if self._list is not None:
            return self._list[i]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = operator.index(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("номер фото вне индекса")
        return decode_paths(self._packed[self._bounds[i] + 1:self._bounds[i + 1]].tobytes())

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __setitem__(self, i, value) -> None:  # type: ignore[override]
        self._all()[i] = value

    def __delitem__(self, i) -> None:  # type: ignore[override]
        del self._all()[i]

    def insert(self, i: int, value: str) -> None:
        self._all().insert(i, value)

    def append(self, value: str) -> None:
        self._all().append(value)

    def extend(self, values: Iterable[str]) -> None:
        self._all().extend(values)

    def index(self, value, *args) -> int:  # type: ignore[override]
        return self._all().index(value, *args)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, PathList)):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"PathList({len(self)} paths)"


def pack_paths(paths: MutableSequence[str]) -> np.ndarray:
    """The photo paths as one buffer, NUL-separated: index.json stays small (the desktop
    app and every search read it first), and a search decodes only the paths it shows
    (PathList)."""
    if isinstance(paths, PathList) and paths.packed is not None:
        return paths.packed
    return np.frombuffer(encode_paths(paths), np.uint8)
