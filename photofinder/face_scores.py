"""A score of the faces the face step found (face_pass), made from their 128-d dlib
descriptors by a calibrated logistic regression shipped in the package: the child score
(children.py) and the woman score (gender.py). NumPy only.

Each file is an .npz of `format`, `weight` [128] and `bias` (no pickle), made by
training/train_children.py or train_gender.py; its digest is the stamp an index records,
so tags made by another file are made again from the stored faces.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .errors import ModelUnavailableError

__all__ = ["DESCRIPTOR_SIZE", "FaceScore", "load_face_score", "photo_max"]

DESCRIPTOR_SIZE = 128


@dataclass(frozen=True)
class FaceScore:
    weight: np.ndarray   # float32 [128]
    bias: float
    digest: str          # the file's

    @property
    def stamp(self) -> str:
        """What an index records: tags made by another file or rule are made again."""
        return self.digest

    def faces(self, vectors: np.ndarray) -> np.ndarray:
        """[F, 128] face descriptors -> [F] the probability of each face."""
        z = vectors.astype(np.float32) @ self.weight + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))

    def photos(self, vectors: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
        """[n] each photo's highest face probability (0 without faces)."""
        return photo_max(self.faces(vectors), rows, n)


def photo_max(per_face: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """[n] the largest of each photo's face values (`rows`: each face's photo), 0 where
    it has no face."""
    scores = np.zeros(n, np.float32)
    if len(rows):
        np.maximum.at(scores, np.asarray(rows, np.int64), per_face.astype(np.float32))
    return scores


def load_face_score(path: Path, version: int, missing: str) -> FaceScore:
    """A shipped face score; ModelUnavailableError (exit 5) in one line when the file is
    missing (`missing` says what goes untagged) or damaged."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _load(path, version, missing, stamp)


@cache
def _load(path: Path, version: int, missing: str, mtime: int) -> FaceScore:
    try:
        raw = path.read_bytes()
    except OSError:
        raise ModelUnavailableError(
            f"нет файла {path}: {missing}; переустановите photofinder") from None
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            if int(npz["format"]) != version:
                raise ValueError("format")
            weight, bias = npz["weight"].astype(np.float32), npz["bias"]
        if weight.shape != (DESCRIPTOR_SIZE,) or bias.shape != ():
            raise ValueError("shapes")
        if not (np.isfinite(weight).all() and np.isfinite(bias)):
            raise ValueError("not finite")
    except Exception as exc:  # noqa: BLE001 - a damaged file of any kind: one line
        raise ModelUnavailableError(
            f"файл {path} повреждён ({type(exc).__name__}): переустановите photofinder") from None
    return FaceScore(weight, float(bias), hashlib.sha256(raw).hexdigest()[:12])
