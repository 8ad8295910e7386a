"""The child score: how sure photofinder is that a photo shows a child, from the faces
the face step found in it (face_pass). NumPy only.

Each face's 128-d descriptor (faces.DlibFaceFinder) goes through a calibrated logistic
regression (face_scores.FaceScore), `data/children.npz` (`weight` [128], `bias`), made by
training/train_children.py from face photos labelled child / adult by their authors
(training/manifests/children.csv) and adults of faces-dev; the photo's score is its
most child-like face's. It is stored as the tag `child` («ребёнок») next to the
person score, so «ребёнок», «дети», «мальчик», «девочка», «малыш» rank photos by it
and the explanation says «ребенок 0.83». A photo with no child's face found (a child seen
from behind or too small, an index without the face step) has no child tag; the
words for children also reach every label «человек» reaches (aliases.json: the person
score, not the other faces' tags, as a related word: terms.FALLBACK_WEIGHT), so such
photos still come, after the children found.

The tags are made again from the stored faces, with the man and woman tags (gender.py),
whenever the faces or the tags changed in a run, or the index's `children` stamp is not
this file's and the woman score's (an index made before them, or with others, catches
up without tagging again: catch_up.catch_up_face_tags).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .config import data_path
from .face_scores import FaceScore, load_face_score
from .sparse import Tags
from .vocabulary import CHILD_KEY

__all__ = ["CHILD_KEY", "CHILD_FLOOR", "ChildScore", "load_child_score", "with_label_scores"]

CHILDREN_FORMAT = 1
CHILDREN_FILE = "children.npz"
# like the person score's floor (tagging.PERSON_FLOOR): a weak score is still a tag
CHILD_FLOOR = 0.02
ChildScore = FaceScore  # the probability that a face is a child's


def load_child_score(path: Path | None = None) -> ChildScore:
    """The shipped child score; ModelUnavailableError (exit 5) in one line when the
    file is missing or damaged."""
    return load_face_score(path or data_path(CHILDREN_FILE), CHILDREN_FORMAT,
                           "дети не размечаются")


def with_label_scores(tags: Tags, column: int, scores: np.ndarray,
                      floor: float = CHILD_FLOOR) -> Tags:
    """The tags with the child column's scores replaced (Tags.with_column) at the child
    tag's floor."""
    return tags.with_column(column, scores, floor)
