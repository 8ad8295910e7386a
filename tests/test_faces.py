"""Faces: the real dlib finder on real LFW photos (faces-dev), and the grouping rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from photofinder.people import (
    GROUP_DISTANCE,
    UNGROUPED,
    assign_groups,
    match_faces,
    near_person,
)

FACES_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces-dev" / "photos"
PEOPLE = ("Al_Gore", "Pete_Sampras", "Sophia_Loren")


def _unit(rng: np.random.Generator, n: int = 128) -> np.ndarray:
    v = rng.normal(size=n)
    return (v / np.linalg.norm(v)).astype(np.float32)


def _around(rng: np.random.Generator, centre: np.ndarray, count: int, spread: float) -> np.ndarray:
    """`count` points at about `spread` from `centre` (and about spread*sqrt2 apart)."""
    return np.stack([centre + spread * _unit(rng) for _ in range(count)])


# --- grouping rules (synthetic vectors: one module, its rules) ---

def test_close_faces_group_and_far_faces_do_not():
    rng = np.random.default_rng(1)
    a, b = _unit(rng), _unit(rng)          # ~1.41 apart: two people
    faces = np.concatenate([_around(rng, a, 4, 0.2), _around(rng, b, 3, 0.2)])
    groups = assign_groups(faces, np.full(7, UNGROUPED))
    assert len(set(groups[:4])) == 1 and len(set(groups[4:])) == 1
    assert groups[0] != groups[4]


def test_a_new_face_joins_an_existing_person_and_ids_are_kept():
    rng = np.random.default_rng(2)
    a, b = _unit(rng), _unit(rng)
    old = np.concatenate([_around(rng, a, 3, 0.2), _around(rng, b, 2, 0.2)])
    before = np.array([7, 7, 7, 3, 3])
    new = np.concatenate([_around(rng, a, 1, 0.2), _around(rng, _unit(rng), 1, 0.2)])
    groups = assign_groups(np.concatenate([old, new]), np.concatenate([before, [UNGROUPED] * 2]))
    assert list(groups[:5]) == list(before)
    assert groups[5] == 7                 # joined the person it is close to
    assert groups[6] not in (3, 7) and groups[6] > 7   # a stranger: a new id, above all


def test_two_existing_people_are_never_merged_automatically():
    rng = np.random.default_rng(3)
    a = _unit(rng)
    faces = np.concatenate([_around(rng, a, 2, 0.15), _around(rng, a, 2, 0.15),
                            _around(rng, a, 1, 0.15)])
    groups = assign_groups(faces, np.array([1, 1, 2, 2, UNGROUPED]))
    assert list(groups[:4]) == [1, 1, 2, 2]
    assert groups[4] in (1, 2)


def test_a_face_between_two_people_is_a_weak_match_not_a_member():
    rng = np.random.default_rng(4)
    a = _unit(rng)
    person = _around(rng, a, 3, 0.2)
    # ~0.55 from each of the person's faces: past GROUP_DISTANCE, within MATCH_DISTANCE
    between = a + 0.5 * _unit(rng)
    faces = np.concatenate([person, between[None]])
    groups = assign_groups(faces, np.full(4, UNGROUPED))
    assert groups[3] != groups[0]
    similarity, member, near = match_faces(faces, groups, int(groups[0]))
    assert list(member) == [True, True, True, False]
    assert list(near) == [False, False, False, True]
    assert similarity[0] > similarity[3]


# --- the real finder on real photos ---

@pytest.fixture(scope="module")
def finder():
    from photofinder.faces import faces_available, load_face_finder

    if not faces_available():
        pytest.skip("dlib-bin / face-recognition-models are not installed")
    return load_face_finder()


@pytest.fixture(scope="module")
def found(finder):
    if not FACES_DEV.is_dir():
        pytest.skip(f"no faces-dev photos at {FACES_DEV}")
    from photofinder.photos import open_photo

    result = {}
    for person in PEOPLE:
        for k in (1, 2, 3):
            faces = finder.find(open_photo(FACES_DEV / f"{person}__{k}.jpg"))
            # LFW centres the labelled face: take the face nearest the centre
            result[(person, k)] = min(faces, key=lambda f: abs((f.box[0] + f.box[2]) / 2 - 0.5)
                                      + abs((f.box[1] + f.box[3]) / 2 - 0.5))
    return result


def test_the_finder_finds_the_centred_face_with_a_box_in_fractions(found):
    face = found[("Al_Gore", 1)]
    left, top, right, bottom = face.box
    assert 0.2 < left < 0.5 < right < 0.8 and 0.2 < top < 0.5 < bottom < 0.85
    assert face.embedding.shape == (128,) and face.embedding.dtype == np.float32


def test_real_faces_group_by_person_and_never_mix(found):
    keys = list(found)
    faces = np.stack([found[k].embedding for k in keys])
    groups = assign_groups(faces, np.full(len(keys), UNGROUPED))
    for i, (person_i, _) in enumerate(keys):
        for j, (person_j, _) in enumerate(keys):
            if person_i != person_j:
                assert groups[i] != groups[j], f"{keys[i]} and {keys[j]} share a group"
    # every person's three photos are at least near each other
    for person in PEOPLE:
        own = np.stack([found[(person, k)].embedding for k in (1, 2, 3)])
        assert near_person(own[:1], own[1:])[0]
    assert len(set(groups)) <= len(keys) - 2  # some photos of one person did group
    distances = [np.linalg.norm(found[(p, 1)].embedding - found[(q, 1)].embedding)
                 for p in PEOPLE for q in PEOPLE if p < q]
    assert min(distances) > GROUP_DISTANCE


def test_a_photo_without_a_face_has_none(finder):
    from PIL import Image

    sky = Image.new("RGB", (400, 300), (120, 170, 230))
    assert finder.find(sky) == []
    assert finder.find(Image.new("RGB", (8, 8))) == []


# --- the face table: naming, merging, taking out, forgetting (synthetic vectors) ---

def _table_of_two_people():
    from photofinder.facetable import FaceTable

    rng = np.random.default_rng(5)
    a, b = _unit(rng), _unit(rng)
    table = FaceTable()
    for row, vec in enumerate(_around(rng, a, 3, 0.2)):
        table.add(row, np.array([[0.1, 0.1, 0.3, 0.4]]), vec[None])
    for row, vec in enumerate(_around(rng, b, 2, 0.2), start=3):
        table.add(row, np.array([[0.5, 0.1, 0.9, 0.9]]), vec[None])
    table.mark_checked([5])  # a photo with no face
    table.group()
    return table


def test_naming_renaming_and_merging_people():
    from photofinder.errors import UsageError

    table = _table_of_two_people()
    ana, boris = int(table.groups[0]), int(table.groups[3])
    assert ana != boris and table.photo_count(ana) == 3
    table.name(ana, "  Маша ")
    assert table.names[ana] == "Маша" and table.person_named("МАША") == [ana]
    table.name(ana, "Мария")
    assert table.person_named("маша") == [] and table.person_named("мария") == [ana]
    table.name(boris, "мария")  # one name is one person: the two merge
    assert len(set(table.groups.tolist())) == 1 and table.photo_count(boris) == 5
    with pytest.raises(UsageError, match="нет человека"):
        table.name(99, "Петя")
    with pytest.raises(UsageError, match="пустое"):
        table.name(boris, "  ")


def test_a_face_taken_out_stays_out_and_dropped_photos_renumber():
    table = _table_of_two_people()
    ana = int(table.groups[0])
    table.names[ana] = "Маша"
    assert table.take_out(1) == ana
    table.group()
    assert table.groups[1] < 0 and table.photo_count(ana) == 2
    # photo 0 deleted from the index: its face goes, later rows move up by one
    table.select_photos(np.array([1, 2, 3, 4, 5]), 6)
    assert list(table.rows) == [0, 1, 2, 3] and table.photo_count(ana) == 1
    assert list(table.checked) == [0, 1, 2, 3, 4]
    assert list(table.unchecked(7)) == [5, 6]
    table.forget()
    assert len(table) == 0 and not table.names and len(table.checked) == 0
