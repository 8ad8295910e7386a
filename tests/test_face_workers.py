"""The face pass in worker processes (face_pass._Looking): on real LFW photos of faces-dev,
through a real index made by the CLI, the same faces as in one process, a stop that
keeps what was looked at, and a pool whose workers cannot load the model handing its
photos back to this process."""

from __future__ import annotations

import multiprocessing
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from photofinder import face_pass
from photofinder import index as index_store
from photofinder.face_pass import find_faces
from photofinder.faces import load_face_finder

from .conftest import TAGGER, far_away, run_here

PHOTOS = 16  # faces-dev photos in the index
FAR = 4      # of them, the ones whose person is far away
FACES_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces-dev" / "photos"


@pytest.fixture(autouse=True)
def workers_from_a_few(monkeypatch):
    """Workers from 8 photos, not face_pass.WORKERS_FROM (32): the pool is the same with
    16 photos, and the suite is 30 s shorter than with 40."""
    monkeypatch.setattr(face_pass, "WORKERS_FROM", 8)


@pytest.fixture(scope="module")
def tagged(tmp_path_factory) -> Path:
    """An index of 16 faces-dev photos, tagged, not looked at for faces."""
    photos = sorted(FACES_DEV.glob("*.jpg"))[:PHOTOS] if FACES_DEV.is_dir() else []
    if len(photos) < PHOTOS:
        pytest.skip(f"no faces-dev photos at {FACES_DEV} (only on the developers' machines)")
    folder = tmp_path_factory.mktemp("faces")
    for photo in photos[:-FAR]:
        shutil.copy(photo, folder / photo.name)
    for photo in photos[-FAR:]:  # faces only the detector's person boxes lead to
        far_away(photo, 150)[0].save(folder / f"far_{photo.name}", quality=92)
    index_dir = tmp_path_factory.mktemp("faces_index")
    run_here("index", str(folder), "--index", str(index_dir), "--tagger", TAGGER, "--no-faces",
             check=True)
    return index_dir


@pytest.fixture(scope="module")
def alone(tagged):
    """The faces one process finds; the object detector finds the people again (the index
    was made without its faces)."""
    idx = index_store.load(tagged)
    return idx, find_faces(idx, load_face_finder, workers=1, detect_people=True)


def _faces(table) -> tuple[np.ndarray, ...]:
    return table.rows, table.boxes, table.vectors, table.groups


def test_workers_find_the_faces_one_process_finds(tagged, alone):
    # each worker finds the people with its own detector
    alone, counts = alone
    pooled = index_store.load(tagged)
    assert find_faces(pooled, load_face_finder, workers=2, detect_people=True) == counts
    assert len(alone.faces.rows) >= PHOTOS - 1  # a face in nearly every LFW photo
    far = [i for i, p in enumerate(alone.paths) if Path(p).name.startswith("far_")]
    assert len(set(alone.faces.rows.tolist()) & set(far)) >= FAR - 1  # found in the people
    for a, b in zip(_faces(alone.faces), _faces(pooled.faces)):
        np.testing.assert_array_equal(a, b)
    assert pooled.faces.finder == alone.faces.finder == "dlib-hog-resnet-v1"
    assert not multiprocessing.active_children()  # the workers are gone


def test_a_stop_keeps_the_photos_looked_at_and_leaves_the_rest_for_the_next_run(tagged):
    idx = index_store.load(tagged)
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        if done == 5:
            stop.set()

    looked, found = find_faces(idx, load_face_finder, workers=2, stop=stop, on_progress=progress)
    assert looked == 5 and found >= 5
    assert len(idx.faces.unchecked(len(idx))) == len(idx) - 5
    assert not multiprocessing.active_children()
    again = find_faces(idx, load_face_finder, workers=2)  # the next run: the others
    assert again[0] == len(idx) - 5 and not len(idx.faces.unchecked(len(idx)))


def test_workers_that_cannot_load_the_model_hand_the_photos_back(tagged, alone, tmp_path,
                                                                 monkeypatch):
    """A worker whose dlib will not import (a broken install seen only there) breaks the
    pool; every photo is then looked at in this process, none lost or looked at twice."""
    broken = tmp_path / "broken"
    (broken / "dlib").mkdir(parents=True)
    (broken / "dlib" / "__init__.py").write_text("raise ImportError('a broken dlib')\n")
    alone, _ = alone    # which imported the real dlib here first
    pooled = index_store.load(tagged)
    # a spawned worker starts with this process's sys.path, and imports dlib afresh
    monkeypatch.syspath_prepend(str(broken))
    assert find_faces(pooled, load_face_finder, workers=2, detect_people=True)[0] == len(pooled)
    for a, b in zip(_faces(alone.faces), _faces(pooled.faces)):
        np.testing.assert_array_equal(a, b)
