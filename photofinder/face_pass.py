"""The faces step of `photofinder index`: every photo not looked at for faces yet (new,
changed, or indexed before faces existed) is looked at once, where the person score
says someone may be in it, then the new faces are grouped into people.

The gate pays: on coco-dev (160 everyday photos, 89 with people) every face the
detector found was in a photo with a person score of at least FACE_GATE, which leaves
out a fifth of the photos (benchmarks/faces.py). An index without the people head
(ResNet50 without heads) has no person score: every photo is looked at. Videos are
not looked at.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .errors import PhotoError
from .faces import DETECT_SIDE, FaceFinder
from .index import Index
from .vocabulary import PERSON_KEY

FACE_GATE = 0.1
# Photos decoded in JPEG draft mode down to this shorter side: a 4:3 photo keeps a
# longer side of at least DETECT_SIDE, all the detector looks at.
DECODE_SIDE = DETECT_SIDE * 3 // 4


def person_scores(idx: Index) -> np.ndarray | None:
    """The person score of every photo (0 where it had none), None without a people head."""
    if PERSON_KEY not in idx.labels:
        return None
    column = idx.labels.index(PERSON_KEY)
    post = idx.postings
    a, b = int(post.ptr[column]), int(post.ptr[column + 1])
    scores = np.zeros(len(idx), np.float32)
    scores[post.row[a:b]] = post.score[a:b]
    return scores


def rows_to_look_at(idx: Index) -> tuple[np.ndarray, np.ndarray]:
    """(photo rows to run the detector on, rows only to mark as looked at: the gate
    says nobody is there)."""
    unchecked = idx.faces.unchecked(len(idx))
    scores = person_scores(idx)
    maybe = np.ones(len(unchecked), bool)
    if scores is not None:
        maybe &= scores[unchecked] >= FACE_GATE
    video = getattr(idx, "video", None)
    if video is not None and len(video) == len(idx):
        maybe &= ~np.asarray(video, bool)[unchecked]  # a video's frames: not looked at
    return unchecked[maybe], unchecked[~maybe]


def find_faces(idx: Index, finder: Callable[[], FaceFinder], *,
               on_progress: Callable[[int, int], None] | None = None,
               on_skip: Callable[[Path, str], None] | None = None,
               checkpoint: Callable[[], None] | None = None, checkpoint_every: int = 500,
               stop: threading.Event | None = None) -> tuple[int, int]:
    """Looks for faces in the photos not looked at yet and groups them; returns
    (photos looked at, faces found). `finder` is called only when some photo needs it.
    Stopped early, the photos done so far keep their faces; the rest wait for the next run."""
    from .photos import open_photo

    todo, nobody = rows_to_look_at(idx)
    table = idx.faces
    table.mark_checked(nobody)
    if on_progress:
        on_progress(0, len(todo))
    found = done = 0
    model = finder() if len(todo) else None
    for done, row in enumerate(todo, 1):
        if stop is not None and stop.is_set():
            done -= 1
            break
        path = Path(idx.paths[int(row)])
        try:
            faces = model.find(open_photo(path, min_side=DECODE_SIDE))  # type: ignore[union-attr]
        except PhotoError as exc:  # gone or damaged since it was tagged: next run again
            if on_skip:
                on_skip(path, str(exc))
            continue
        table.add(int(row), np.array([f.box for f in faces], np.float32).reshape(-1, 4),
                  np.array([f.embedding for f in faces], np.float32).reshape(-1, 128))
        found += len(faces)
        if on_progress:
            on_progress(done, len(todo))
        if checkpoint is not None and done % checkpoint_every == 0:
            table.group()
            checkpoint()
    if model is not None:
        table.finder = model.name
    table.group()
    return done, found
