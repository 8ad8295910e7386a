"""Bringing a stored index up to date from what it stores, with no photo tagged again.

An index made before a feature, or with other weights for it, catches up on its next
`index` run: the places from the GPS it stored (reading the headers of photos stored
before places were read at all), and the child, man and woman tags from the faces it
stored. The derived tags (derived.py) are made from the stored tags the same way.
Each step records a stamp in the index, so a run with nothing new does none of it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .children import CHILD_FLOOR, CHILD_KEY, load_child_score
from .decoders.pillow import gps_in_file
from .decoding import gps_in_sidecar
from .errors import ModelUnavailableError
from .faces import DlibFaceFinder
from .gender import MAN_KEY, WOMAN_KEY, adult_scores, load_gender_score
from .index import Index
from .places import Locator, places_stamp
from .query import Lemmatizer
from .words import WRITTEN_STAMP, words_at_path

Note = Callable[[str], None]               # a line for the user
Progress = Callable[[int, int], None]      # (done, to do)


def catch_up_places(idx: Index, gps_unread: set[str], stored_before: bool,
                    lemmatizer: Callable[[], Lemmatizer], note: Note | None,
                    progress: Progress | None, stop: threading.Event | None) -> None:
    """An index made before places, or with another place table: reads the GPS of the
    photos it never read it for (their headers only: nothing is tagged again) and makes
    every photo's place words anew. Photos tagged in this run already have both."""
    stamp = places_stamp()
    if stamp is None or idx.places == stamp:
        return
    if not stored_before:  # a new index: every photo got its place while tagged
        idx.places = stamp
        return
    unread = [row for row in np.flatnonzero(np.isnan(idx.gps[:, 0])).tolist()
              if idx.paths[row] in gps_unread] if gps_unread else []
    if len(unread):
        if note:
            note(f"места по GPS: читаю метаданные фото, сделанных до мест: {len(unread)}")
        for done, row in enumerate(unread):
            if stop is not None and stop.is_set():
                return  # the stamp stays old: the next run reads the rest
            gps = gps_in_file(Path(idx.paths[row])) or gps_in_sidecar(Path(idx.paths[row]))
            if gps is not None:
                idx.gps[row] = gps
            if progress and done % 200 == 0:
                progress(done, len(unread))
        if progress:
            progress(len(unread), len(unread))
    located = np.flatnonzero(~np.isnan(idx.gps[:, 0]))
    locator = Locator(lemmatizer())
    replacements = {}
    for row in located.tolist():
        kept = [k for k in idx.words_of(row) if not k.startswith("place:")]
        replacements[row] = kept + locator.words(idx.gps[row])
    idx.set_words(replacements)
    idx.places = stamp
    if note and len(unread):
        note(f"места по GPS: найдены у {len(located)} фото")


def catch_up_written_words(idx: Index, stored_before: bool,
                           lemmatizer: Callable[[], Lemmatizer], note: Note | None) -> None:
    """An index whose folder and file words were made by other rules (before their
    phrases: words.WRITTEN_STAMP) makes them again from every photo's path; its keywords
    and places stay as they are (a keyword's phrases come when its file is read again).
    Photos tagged in this run have them already."""
    if idx.written == WRITTEN_STAMP:
        return
    if stored_before and len(idx):
        words = lemmatizer()
        idx.set_words({row: words_at_path(idx.words_of(row), idx.paths[row], idx.roots, words)
                       for row in range(len(idx))})
        if note:
            note(f"слова папок и имён файлов составлены заново: {len(idx)} фото")
    idx.written = WRITTEN_STAMP


def catch_up_face_tags(idx: Index, changed: bool, note: Note | None) -> None:
    """Makes every photo's child, man and woman tags (children.py, gender.py) from its
    stored faces, when this run changed tags or faces, or the index's tags were made by
    other face scores or by none (an index from before them): no photo is tagged or
    looked at again for them."""
    try:
        child = load_child_score()
    except ModelUnavailableError as exc:
        if note:
            note(str(exc))
        return
    try:  # a missing woman score costs the man and woman tags, not the child's
        woman = load_gender_score()
    except ModelUnavailableError as exc:
        if note:
            note(str(exc))
        woman = None
    stamp = child.stamp if woman is None else f"{child.stamp}+{woman.stamp}"
    if not changed and idx.children == stamp:
        return
    faces = idx.faces
    dlib = faces.finder in ("", DlibFaceFinder.name)  # the descriptors they were trained on
    vectors = faces.vectors if dlib else faces.vectors[:0]
    rows = faces.rows if dlib else faces.rows[:0]
    scores = {CHILD_KEY: child.photos(vectors, rows, len(idx))}
    if woman is not None:
        scores[MAN_KEY], scores[WOMAN_KEY] = adult_scores(woman, child, vectors, rows, len(idx))
    # the child tag's floor for all three: a weak score is still a tag
    idx.tags = idx.tags.with_columns({idx.label_column(k): v for k, v in scores.items()},
                                     CHILD_FLOOR)
    idx.children = stamp
