"""Photos like a photo, and groups of near-identical photos: NumPy only.

Both use what the index stores for every photo: the compact features of the tagger's
whole-photo pooled vector (heads.Heads.project, 256 float16) and a 64-bit difference
hash of the pixels (photos.difference_hash).

- Similar: cosine of the features, best first.
- Duplicates: pairs whose difference hashes differ in at most DUPLICATE_BITS bits AND
  whose features agree the more, the more bits differ: cosine >= DUPLICATE_COSINE +
  COSINE_PER_BIT x bits, AND, where both photos' sizes can be read (the caller's
  `upright_size`: a file's header), whose shapes agree within MAX_ASPECT_CHANGE. Joined
  into groups.

Why both, weighed this way (benchmarks/duplicates.py, coco-dev): a resized or
recompressed copy keeps the hash (0-4 bits of 64) while its features can move a lot —
a copy smaller than the model's input (a half-size copy of a 640 px photo) is blurred
back up to it, and the projection subtracts the features' mean, so what is left of a
plain photo is mostly that blur (cosine down to 0.38). A 2-4 % crop moves the hash
(up to 12 bits) but not the features (>= 0.74). Two different photos never had a hash
within 6 bits, and those within 7-12 bits had features apart (cosine <= 0.53), so the
line between passes between both kinds of copy and every pair of different photos.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import PhotofinderError
from .index import Index

DUPLICATE_BITS = 12       # hashes further apart are never duplicates
DUPLICATE_COSINE = 0.30   # the cosine asked of a pair with equal hashes ...
COSINE_PER_BIT = 0.03     # ... and how much more for every bit they differ in
BLOCK_PAIRS = 1 << 23     # hash pairs compared at once: ~64 MB of uint64, whatever N
# A copy keeps the photo's shape: resized, recompressed or re-saved it is the same, and a
# 2-4 % crop of each edge changes it by 4.3 % at most. Different photos that the 64-bit
# hash and the features let through mostly differ in shape: on 543 everyday photos
# (Pexels, Unsplash) 12 of the 14 such pairs (a landscape and a portrait of forest rays;
# a storm over a field and a desert dune), and a cicada on a cactus and a cup among
# imagenet-samples (benchmarks/duplicates.py).
MAX_ASPECT_CHANGE = 1.10
UprightSize = Callable[[str], "tuple[int, int] | None"]


@dataclass(frozen=True)
class Similar:
    row: int
    path: str
    score: float

    def to_json(self) -> dict:
        return {"path": self.path, "score": round(self.score, 4)}


def unit_features(index: Index) -> np.ndarray:
    """float32 [N, D] unit rows (zero rows stay zero). PhotofinderError without features."""
    if index.features.shape[1] == 0:
        raise PhotofinderError(
            "в индексе нет признаков фото (его модель без голов или индекс старого формата): "
            "выполните `photofinder index`, чтобы разметить фото заново")
    features = index.features.astype(np.float32)
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    return np.divide(features, norms, out=np.zeros_like(features), where=norms > 0)


def similar_to(index: Index, vector: np.ndarray, top: int = 20,
               exclude: int | None = None) -> list[Similar]:
    """Photos ranked by the cosine of their features with `vector` (projected features).
    Reads the (memory-mapped) features a block at a time: a million photos' features
    are 512 MB as float16, twice that as float32."""
    if index.features.shape[1] == 0:
        unit_features(index)  # raises the one-line error
    vector = np.asarray(vector, np.float32)
    norm = float(np.linalg.norm(vector))
    if norm == 0:
        return []
    vector = vector / norm
    scores = np.zeros(len(index), np.float32)
    for start in range(0, len(index), 65536):
        block = np.asarray(index.features[start:start + 65536], np.float32)
        norms = np.linalg.norm(block, axis=1)
        scores[start:start + len(block)] = np.divide(block @ vector, norms,
                                                     out=np.zeros(len(block), np.float32),
                                                     where=norms > 0)
    if exclude is not None:
        scores[exclude] = -np.inf
    top = min(top, len(scores))
    best = np.argpartition(-scores, top - 1)[:top] if top < len(scores) else np.arange(len(scores))
    best = best[np.argsort(-scores[best], kind="stable")]
    return [Similar(int(i), index.paths[i], float(scores[i])) for i in best if np.isfinite(scores[i])]


def _popcount(x: np.ndarray) -> np.ndarray:
    """Set bits of each uint64 (uint8)."""
    if hasattr(np, "bitwise_count"):  # NumPy >= 2.0: one pass, no temporaries
        return np.bitwise_count(x)
    return _BYTE_BITS[x.view(np.uint8).reshape(*x.shape, 8)].sum(axis=-1, dtype=np.uint8)


_BYTE_BITS = np.array([bin(b).count("1") for b in range(256)], np.uint8)


def is_duplicate(cosine: np.ndarray | float, bits: np.ndarray | int) -> np.ndarray:
    """The pair rule, on the cosine of two photos' features and their hashes' distance."""
    bits = np.asarray(bits)
    return (bits <= DUPLICATE_BITS) & (np.asarray(cosine) >= DUPLICATE_COSINE + COSINE_PER_BIT * bits)


def _cosines(features: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cosine of features[rows[k]] and features[cols[k]] (0 where either is zero), reading
    only those rows of the (memory-mapped, float16) features."""
    a = np.asarray(features[rows], np.float32)
    b = np.asarray(features[cols], np.float32)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.divide(np.einsum("ij,ij->i", a, b), norms, out=np.zeros(len(rows), np.float32),
                     where=norms > 0)


def duplicate_pairs(index: Index, upright_size: UprightSize | None = None
                    ) -> list[tuple[int, int]]:
    """Row pairs (i < j) that look like copies of one photo.

    Candidates come from the hashes (within DUPLICATE_BITS: under 0.1 % of the pairs of
    different photos in coco-dev), and only their features are read, so no N x N
    product is made and memory stays at BLOCK_PAIRS hashes. A row with an unknown
    hash (0) is never paired. With `upright_size` (photos.upright_size: a header read
    per photo of a pair found, nothing more), a pair of different shapes is not one."""
    if index.features.shape[1] == 0:
        unit_features(index)  # raises the one-line error
    all_hashes = np.asarray(index.dhash, np.uint64)
    known = np.flatnonzero(all_hashes != 0)
    hashes, n = all_hashes[known], len(known)
    step = max(1, BLOCK_PAIRS // max(1, n))
    pairs: list[tuple[int, int]] = []
    for start in range(0, n, step):
        # this block against itself and every later row: each pair once
        close = _popcount(hashes[start:start + step, None] ^ hashes[None, start:]) <= DUPLICATE_BITS
        rows, cols = np.nonzero(close)
        keep = cols > rows
        rows, cols = known[rows[keep] + start], known[cols[keep] + start]
        if len(rows):
            same = is_duplicate(_cosines(index.features, rows, cols),
                                _popcount(all_hashes[rows] ^ all_hashes[cols]))
            pairs.extend(zip(rows[same].tolist(), cols[same].tolist()))
    if upright_size is None:
        return pairs
    shapes: dict[int, float | None] = {}

    def shape(row: int) -> float | None:
        if row not in shapes:
            size = upright_size(index.paths[row])
            shapes[row] = size[0] / size[1] if size and size[0] > 0 and size[1] > 0 else None
        return shapes[row]

    return [(i, j) for i, j in pairs if not _other_shapes(shape(i), shape(j))]


def _other_shapes(a: float | None, b: float | None) -> bool:
    """Whether two photos' width/height ratios (None: unknown) say they are no copies."""
    return a is not None and b is not None and max(a, b) / min(a, b) > MAX_ASPECT_CHANGE


def duplicate_groups(index: Index, upright_size: UprightSize | None = None
                     ) -> list[list[str]]:
    """Groups of near-identical photos (paths), biggest first; each group sorted.
    upright_size: as duplicate_pairs."""
    parent = list(range(len(index)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in duplicate_pairs(index, upright_size):
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[str]] = {}
    for i in range(len(index)):
        groups.setdefault(root(i), []).append(index.paths[i])
    found = [sorted(g) for g in groups.values() if len(g) > 1]
    return sorted(found, key=lambda g: (-len(g), g[0]))
