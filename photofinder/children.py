"""The child score: how sure photofinder is that a photo shows a child, from the faces
the face step found in it (face_pass). NumPy only.

Each face's 128-d descriptor (faces.DlibFaceFinder) goes through a calibrated logistic
regression, `data/children.npz` (`weight` [128], `bias`), made by
training/train_children.py from face photos labelled child / adult by their authors
(training/manifests/children.csv) and adults of faces-dev; the photo's score is its
most child-like face's. It is stored as the tag `child` («ребёнок») next to the
person score, so «ребёнок», «дети», «мальчик», «девочка», «малыш» rank photos by it
and the explanation says «ребенок 0.83». A photo with no child's face found (a child seen
from behind or too small, an index without the face step) has no child tag; the
words for children also reach every label «человек» reaches (aliases.json), so such
photos still come, after the children found: the child tag adds to a photo's evidence.

The tags are made again from the stored faces whenever the faces or the tags changed
in a run, or the index's `children` stamp is not this file's and rule's (an index made
before the child score, or with another one, catches up without tagging again).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .config import data_path
from .errors import ModelUnavailableError
from .sparse import Tags
from .vocabulary import CHILD_KEY

__all__ = ["CHILD_KEY", "CHILD_FLOOR", "ChildScore", "load_child_score", "with_label_scores"]

CHILDREN_FORMAT = 1
CHILDREN_FILE = "children.npz"
DESCRIPTOR_SIZE = 128
# like the person score's floor (tagging.PERSON_FLOOR): a weak score is still a tag
CHILD_FLOOR = 0.02


@dataclass(frozen=True)
class ChildScore:
    weight: np.ndarray   # float32 [128]
    bias: float
    digest: str          # the file's

    @property
    def stamp(self) -> str:
        """What an index records (`children`): tags made by another file or rule are
        made again."""
        return self.digest

    def faces(self, vectors: np.ndarray) -> np.ndarray:
        """[F, 128] face descriptors -> [F] probability that each face is a child's."""
        z = vectors.astype(np.float32) @ self.weight + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))

    def photos(self, vectors: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
        """[n] each photo's most child-like face (0 without faces)."""
        scores = np.zeros(n, np.float32)
        if len(rows):
            np.maximum.at(scores, np.asarray(rows, np.int64), self.faces(vectors))
        return scores


def load_child_score(path: Path | None = None) -> ChildScore:
    """The shipped child score; ModelUnavailableError (exit 5) in one line when the
    file is missing or damaged."""
    path = path or data_path(CHILDREN_FILE)
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        version = 0
    return _load(path, version)


@cache
def _load(path: Path, version: int) -> ChildScore:
    try:
        raw = path.read_bytes()
    except OSError:
        raise ModelUnavailableError(
            f"нет файла {path}: дети не размечаются; переустановите photofinder") from None
    try:
        import io

        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            if int(npz["format"]) != CHILDREN_FORMAT:
                raise ValueError("format")
            weight, bias = npz["weight"].astype(np.float32), npz["bias"]
        if weight.shape != (DESCRIPTOR_SIZE,) or bias.shape != ():
            raise ValueError("shapes")
        if not (np.isfinite(weight).all() and np.isfinite(bias)):
            raise ValueError("not finite")
    except Exception as exc:  # noqa: BLE001 - a damaged file of any kind: one line
        raise ModelUnavailableError(
            f"файл {path} повреждён ({type(exc).__name__}): переустановите photofinder") from None
    return ChildScore(weight, float(bias), hashlib.sha256(raw).hexdigest()[:12])


def with_label_scores(tags: Tags, column: int, scores: np.ndarray,
                      floor: float = CHILD_FLOOR) -> Tags:
    """The tags with the child column's scores replaced (Tags.with_column) at the child
    tag's floor."""
    return tags.with_column(column, scores, floor)
