"""The photo paths of an index: one byte buffer on disk, decoded a path at a time.

A path is stored as the bytes the file system gave (UTF-8 with surrogateescape): a
name that is not UTF-8 (`moved\\xff.jpg`, a folder `nonutf\\xff`) round-trips exactly
as Python's os functions spell it, so the next run finds the same file under the same
path, and no save fails on it.
"""

from __future__ import annotations

import operator
import zlib
from collections.abc import Iterable, Iterator, MutableSequence

import numpy as np

from .errors import IndexFormatError

# The buffer's CRC-32 is kept per block of this many bytes: a search that shows twenty
# paths checks the few blocks they lie in, not the 70 MB of a million paths.
BLOCK = 1 << 16


def encode_paths(paths: Iterable[str]) -> bytes:
    """Paths joined by NUL (no path holds one), as the file system's bytes."""
    return "\0".join(paths).encode("utf-8", "surrogateescape")


def decode_paths(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def block_crcs(packed: np.ndarray) -> np.ndarray:
    """CRC-32 of each BLOCK bytes of the buffer (what PathList checks)."""
    return np.array([zlib.crc32(packed[a:a + BLOCK]) for a in range(0, len(packed), BLOCK)],
                    np.uint32)


class PathList(MutableSequence[str]):
    """The photo paths of a loaded index, decoded one at a time as they are asked for.

    A search shows twenty photos of a million: decoding and splitting all their paths
    took 0.45 s of its start. Paths are validated as a count at load (the other columns
    must agree). Loaded from disk, each block of the buffer is checked against its stored
    CRC (`crc`, one per BLOCK bytes) before a path in it is decoded: IndexFormatError,
    never a wrong path. The first change (the indexer's) turns it into a plain list;
    iterating decodes them all at once."""

    def __init__(self, packed: np.ndarray, n: int, crc: np.ndarray | None = None,
                 where: str = "") -> None:
        ends = np.flatnonzero(packed == 0)   # the NUL between two paths
        if (len(ends) != n - 1) if n else packed.size:
            raise ValueError(f"размеры не сходятся: путей {len(ends) + 1 if packed.size else 0}, фото {n}")
        self._packed = packed
        # path i is packed[bounds[i] + 1 : bounds[i + 1]]
        self._bounds = np.concatenate([[-1], ends, [len(packed)]]) if n else np.full(1, -1)
        self._list: list[str] | None = None
        if crc is not None and crc.shape != ((len(packed) + BLOCK - 1) // BLOCK,):
            raise ValueError("контрольные суммы путей")
        self.crc, self._where = crc, where
        self._checked = np.zeros(0 if crc is None else len(crc), bool)

    def _check(self, a: int, b: int) -> None:
        """Bytes [a, b) of the buffer are as saved."""
        if self.crc is None:
            return
        for block in range(a // BLOCK, max(a, b - 1) // BLOCK + 1):
            if block < len(self.crc) and not self._checked[block]:
                if zlib.crc32(self._packed[block * BLOCK:(block + 1) * BLOCK]) != int(self.crc[block]):
                    raise IndexFormatError(
                        f"индекс в {self._where} повреждён (контрольная сумма путей не сходится): "
                        "выполните `photofinder index --rebuild`")
                self._checked[block] = True

    @property
    def packed(self) -> np.ndarray | None:
        """The buffer as loaded, while nothing has changed (saving reuses it)."""
        return self._packed if self._list is None else None

    def _all(self) -> list[str]:
        if self._list is None:
            self._check(0, len(self._packed))
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
        a, b = int(self._bounds[i]) + 1, int(self._bounds[i + 1])
        self._check(a, b)
        return decode_paths(self._packed[a:b].tobytes())

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


def pack_paths(paths: MutableSequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The photo paths as one buffer, NUL-separated, and its block CRCs: index.json stays
    small (the desktop app and every search read it first), and a search decodes only
    the paths it shows (PathList)."""
    if isinstance(paths, PathList) and paths.packed is not None and paths.crc is not None:
        return paths.packed, paths.crc
    packed = paths.packed if isinstance(paths, PathList) and paths.packed is not None \
        else np.frombuffer(encode_paths(paths), np.uint8)
    return packed, block_crcs(packed)
