"""Photos like a photo, and groups of near-identical photos: NumPy only.

Both use what the index stores for every photo: the compact features of the tagger's
whole-photo pooled vector (heads.Heads.project, 256 float16) and a 64-bit difference
hash of the pixels (photos.difference_hash).

- Similar: cosine of the features, best first.
- Duplicates: pairs whose features are nearly the same direction (cosine >=
  DUPLICATE_COSINE) AND whose difference hashes differ in at most DUPLICATE_BITS bits,
  joined into groups. Resized, recompressed and re-saved copies and burst shots pass
  both; two different photos of the same kind of scene pass neither (measured with
  benchmarks/duplicates.py: the thresholds give precision >= 0.99 there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import PhotofinderError
from .index import Index

DUPLICATE_COSINE = 0.85
DUPLICATE_BITS = 12
BLOCK = 2048          # rows compared at once: memory stays at BLOCK x N floats


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
    """Set bits of each uint64."""
    return np.unpackbits(x.view(np.uint8).reshape(*x.shape, 8), axis=-1).sum(axis=-1)


def duplicate_pairs(index: Index, cosine: float = DUPLICATE_COSINE,
                    bits: int = DUPLICATE_BITS) -> list[tuple[int, int]]:
    """Row pairs (i < j) that look like copies of one photo."""
    features = unit_features(index)
    hashes = index.dhash.astype(np.uint64)
    pairs: list[tuple[int, int]] = []
    n = len(features)
    for start in range(0, n, BLOCK):
        block = features[start:start + BLOCK] @ features.T          # [b, n]
        rows, cols = np.nonzero(block >= cosine)
        keep = cols > rows + start                                   # each pair once
        rows, cols = rows[keep] + start, cols[keep]
        if len(rows):
            close = _popcount(hashes[rows] ^ hashes[cols]) <= bits
            known = (hashes[rows] != 0) & (hashes[cols] != 0)
            pairs.extend(zip(rows[close & known].tolist(), cols[close & known].tolist()))
    return pairs


def duplicate_groups(index: Index, cosine: float = DUPLICATE_COSINE,
                     bits: int = DUPLICATE_BITS) -> list[list[str]]:
    """Groups of near-identical photos (paths), biggest first; each group sorted."""
    parent = list(range(len(index)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in duplicate_pairs(index, cosine, bits):
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[str]] = {}
    for i in range(len(index)):
        groups.setdefault(root(i), []).append(index.paths[i])
    found = [sorted(g) for g in groups.values() if len(g) > 1]
    return sorted(found, key=lambda g: (-len(g), g[0]))
