"""What `photofinder people` does: list the people an index knows, name them, rename,
merge, take a photo's face out of a person, forget every face. Each change loads the
index, edits its face table and saves it (atomic, under the indexer's lock)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from . import index as index_store
from .errors import UsageError
from .index import Index

SAMPLES = 3  # sample photos listed per person


def people_of(idx: Index) -> list[dict]:
    """Every person (a group of faces): id, name or None, photo count, sample photos."""
    faces = idx.faces
    listed = []
    for person in faces.people():
        rows = faces.photos_of(person)
        listed.append({"id": person, "name": faces.names.get(person),
                       "photos": len(rows),
                       "samples": [idx.paths[int(r)] for r in rows[:SAMPLES]]})
    return listed


def _row_of(idx: Index, photo: str) -> int:
    wanted = {os.path.abspath(photo), os.path.realpath(photo)}
    for row, path in enumerate(idx.paths):
        if path in wanted:
            return row
    raise UsageError(f"фото нет в индексе: {photo}")


def face_of(idx: Index, target: str, face: int | None = None) -> tuple[int, int]:
    """(person, face id) of a TARGET: a person's id, or a photo path (then its biggest
    face, or its face number `face`, counting from 1 biggest first)."""
    faces = idx.faces
    if target.isdigit() and not Path(target).exists():
        if face is not None:
            raise UsageError("--face относится к фото, а не к номеру человека")
        person = int(target)
        faces.check_person(person)
        return person, int(faces.photos_of(person)[0])
    row = _row_of(idx, target)
    found = faces.faces_in(row)
    if not len(found):
        if row not in set(faces.checked.tolist()):
            raise UsageError(f"на фото ещё не искали лица: запустите photofinder index ({target})")
        raise UsageError(f"на фото не найдено лиц: {target}")
    k = 1 if face is None else face
    if not 1 <= k <= len(found):
        raise UsageError(f"на фото {len(found)} лиц(а), --face от 1 до {len(found)}")
    chosen = int(found[k - 1])
    person = int(faces.groups[chosen])
    if person < 0:
        raise UsageError("это лицо убрано из людей (people remove); его нельзя назвать")
    return person, chosen


def edit(index_dir: Path, change: Callable[[Index], str]) -> str:
    """Loads the index, applies `change` (which says what it did), saves; the indexer's
    lock keeps a running `index` from writing over the change."""
    from .indexer import index_lock

    with index_lock(index_dir):
        idx = index_store.load(index_dir)
        said = change(idx)
        index_store.save(idx, index_dir)
    return said


def name_person(index_dir: Path, target: str, name: str, face: int | None = None) -> str:
    def change(idx: Index) -> str:
        person, _ = face_of(idx, target, face)
        idx.faces.name(person, name)  # a person of the same name merges into this one
        return (f"человек {person}: {idx.faces.names[person]} "
                f"({idx.faces.photo_count(person)} фото)")
    return edit(index_dir, change)


def merge_people(index_dir: Path, source: int, target: int) -> str:
    def change(idx: Index) -> str:
        idx.faces.merge(source, target)
        name = idx.faces.names.get(target)
        return (f"человек {source} объединён с {target}"
                + (f" ({name})" if name else "") + f": {idx.faces.photo_count(target)} фото")
    return edit(index_dir, change)


def remove_face(index_dir: Path, photo: str, face: int | None = None) -> str:
    def change(idx: Index) -> str:
        person, chosen = face_of(idx, photo, face)
        idx.faces.take_out(chosen)
        name = idx.faces.names.get(person)
        return f"лицо на {photo} убрано из человека {person}" + (f" ({name})" if name else "")
    return edit(index_dir, change)


def forget_faces(index_dir: Path) -> str:
    def change(idx: Index) -> str:
        count = len(idx.faces)
        idx.faces.forget()
        return (f"удалено лиц: {count}, имена и группы тоже; index больше не ищет лица "
                "(включить снова: photofinder index --faces)")
    return edit(index_dir, change)
