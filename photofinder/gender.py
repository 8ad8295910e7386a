"""The woman score: how sure photofinder is that a face the face step found is a
woman's, from its 128-d descriptor (face_scores.FaceScore, `data/gender.npz`, made by
training/train_gender.py from face photos labelled by their authors and faces-dev's
named people). NumPy only.

A photo's «женщина» is its most woman-like adult face, p(woman) x (1 - p(child)), and
its «мужчина» its most man-like adult face, (1 - p(woman)) x (1 - p(child)): a photo of
a woman and a man is both, and a child is neither. They are stored as the tags `woman`
and `man` next to the person and child scores, so «женщина», «девушка», «мужчина»,
«парень» rank the photos with such a face first; the words also reach every label
«человек» reaches (aliases.json), as a related word does (terms.FALLBACK_WEIGHT), so a
person seen from behind or too small for a face still comes, after them. Made again from the stored faces with
the child tags (catch_up.catch_up_face_tags), never by tagging again.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .config import data_path
from .face_scores import FaceScore, load_face_score, photo_max
from .vocabulary import MAN_KEY, WOMAN_KEY

__all__ = ["GENDER_FILE", "GENDER_FORMAT", "MAN_KEY", "WOMAN_KEY", "adult_scores",
           "load_gender_score"]

GENDER_FORMAT = 1
GENDER_FILE = "gender.npz"


def load_gender_score(path: Path | None = None) -> FaceScore:
    """The shipped woman score; ModelUnavailableError (exit 5) in one line when the file
    is missing or damaged."""
    return load_face_score(path or data_path(GENDER_FILE), GENDER_FORMAT,
                           "мужчины и женщины не размечаются")


def adult_scores(woman: FaceScore, child: FaceScore, vectors: np.ndarray, rows: np.ndarray,
                 n: int) -> tuple[np.ndarray, np.ndarray]:
    """[n] each photo's most man-like and most woman-like adult face (0 without faces)."""
    p_woman, adult = woman.faces(vectors), 1.0 - child.faces(vectors)
    return photo_max((1.0 - p_woman) * adult, rows, n), photo_max(p_woman * adult, rows, n)
