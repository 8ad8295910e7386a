"""Faces too small for a look at the whole photo, found in the people the object detector
saw (faces.DlibFaceFinder, face_pass): real LFW photos of faces-dev shrunk into a large
scene, the real dlib finder, the real detector and a real index made by the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photofinder import index as index_store
from photofinder.faces import MIN_PERSON_FACE
from photofinder.people import GROUP_DISTANCE
from photofinder.photos import box_in_photo, open_photo

from .conftest import TAGGER, far_away, run_cli, run_here

FACES_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces-dev" / "photos"
PERSON = "Al_Gore"


def _portrait(k: int) -> Path:
    path = FACES_DEV / f"{PERSON}__{k}.jpg"
    if not path.is_file():
        pytest.skip(f"no faces-dev photos at {FACES_DEV} (only on the developers' machines)")
    return path


def _far_away(k: int, side: int) -> tuple[Image.Image, tuple[float, float, float, float]]:
    return far_away(_portrait(k), side)


@pytest.fixture(scope="module")
def finder():
    from photofinder.faces import faces_available, load_face_finder

    if not faces_available():
        pytest.skip("dlib-bin / face-recognition-models are not installed")
    return load_face_finder()


def test_a_small_face_is_found_in_its_person_and_is_that_person(finder):
    scene, person = _far_away(2, 150)   # the face about 60 px: 1/27 of the scene
    assert finder.find(scene) == []      # the whole photo at 640 px: the face is 24 px
    faces = finder.find(scene, [person])
    assert len(faces) == 1
    (face,) = faces
    left, top, right, bottom = face.box
    assert person[0] < left < right < person[2] and person[1] < top < bottom < person[3]
    # the same person as in a photo of its own, as close as two photos of one person are
    alone = finder.find(open_photo(_portrait(1)))
    assert min(np.linalg.norm(face.embedding - f.embedding) for f in alone) < GROUP_DISTANCE


def test_a_face_too_small_to_tell_apart_is_not_kept(finder):
    # shrunk to 90 px the face is about 36 px of the photo: enlarged it would be a blur
    # that the child score takes for a child's
    scene, person = _far_away(2, 90)
    assert 0.4 * 90 < MIN_PERSON_FACE
    assert finder.find(scene, [person]) == []


def test_a_face_the_whole_photo_shows_is_not_found_twice(finder):
    photo = open_photo(_portrait(1))
    whole = finder.find(photo)
    assert len(whole) == 1
    both = finder.find(photo, [(0.0, 0.0, 1.0, 1.0), (0.2, 0.1, 0.8, 0.9)])
    assert [f.box for f in both] == [f.box for f in whole]


def test_a_panoramas_boxes_are_where_its_middle_is():
    # a model sees a 4000 x 500 panorama's middle 2000 x 500 (photos.MAX_ASPECT)
    assert box_in_photo((0.0, 0.0, 1.0, 1.0), 4000, 500) == (0.25, 0.0, 0.75, 1.0)
    assert box_in_photo((0.5, 0.2, 0.75, 0.6), 4000, 500) == (0.5, 0.2, 0.625, 0.6)
    assert box_in_photo((0.1, 0.2, 0.3, 0.4), 400, 300) == (0.1, 0.2, 0.3, 0.4)


@pytest.fixture(scope="module")
def far_and_near(tmp_path_factory, finder) -> Path:
    """A folder: one photo of the person far away in a large scene, one close."""
    folder = tmp_path_factory.mktemp("small_faces")
    _far_away(2, 150)[0].save(folder / "far.jpg", quality=92)
    open_photo(_portrait(1)).save(folder / "near.jpg", quality=92)
    return folder


def _face_of(idx, name: str) -> tuple[np.ndarray, np.ndarray]:
    row = [Path(p).name for p in idx.paths].index(name)
    mine = idx.faces.rows == row
    return idx.faces.boxes[mine], idx.faces.groups[mine]


def test_indexing_finds_the_far_face_and_groups_it_with_the_near_one(far_and_near, tmp_path,
                                                                    monkeypatch):
    from photofinder import face_pass
    from photofinder.cli import main

    # the tagging's detector found the people: the faces step does not run it again
    asked = []
    real = face_pass._load_detector
    monkeypatch.setattr(face_pass, "_load_detector", lambda wanted: asked.append(wanted)
                        or real(wanted))
    index_dir = tmp_path / "index"
    assert main(["index", str(far_and_near), "--index", str(index_dir), "--tagger", TAGGER]) == 0
    assert asked == [False]
    idx = index_store.load(index_dir)
    far_boxes, far_groups = _face_of(idx, "far.jpg")
    near_boxes, near_groups = _face_of(idx, "near.jpg")
    assert len(far_boxes) == 1 and len(near_boxes) == 1
    assert far_groups[0] == near_groups[0]          # one person, found twice


def test_small_faces_turned_off_stay_off_and_come_back_when_asked(far_and_near, tmp_path):
    index_dir = tmp_path / "index"
    run_here("index", str(far_and_near), "--index", str(index_dir), "--tagger", TAGGER,
             "--no-small-faces", check=True)
    idx = index_store.load(index_dir)
    assert len(_face_of(idx, "far.jpg")[0]) == 0 and len(_face_of(idx, "near.jpg")[0]) == 1
    assert idx.faces.small is False                  # the index's own setting now
    # faces forgotten, looked for again with small faces on: the photos were tagged in an
    # earlier run, so the detector finds the person in the faces step itself
    run_cli("people", "forget", "--index", str(index_dir), check=True)
    run_cli("index", "--index", str(index_dir), "--faces", "--small-faces", check=True)
    idx = index_store.load(index_dir)
    assert len(_face_of(idx, "far.jpg")[0]) == 1
    assert idx.faces.small is True
