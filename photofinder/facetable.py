"""The faces of an index as columns (face i), and what people do with them: name,
rename, merge, take a face out of a person, forget everything. Pure NumPy.

Embeddings are stored as float16 (256 bytes a face): the distances between dlib's
vectors (norm ~1.4, same-person limit 0.6) change by under 0.001, far below the
grouping threshold's margin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import UsageError
from .people import UNGROUPED, assign_groups

# A face someone took out of a person: never grouped again automatically.
TAKEN_OUT = -2
EMBEDDING_SIZE = 128


@dataclass
class FaceTable:
    """Every face found in the indexed photos."""

    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))      # photo row
    boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    vectors: np.ndarray = field(
        default_factory=lambda: np.zeros((0, EMBEDDING_SIZE), np.float16))
    groups: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    names: dict[int, str] = field(default_factory=dict)   # group id -> name as typed
    # photo rows already looked at for faces (with or without any found): an index made
    # before faces, or with --no-faces, gets them on a later run for the rest only
    checked: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    # `people forget` turned faces off for this index: `index` looks for none until
    # `index --faces`
    off: bool = False
    finder: str = ""   # the face finder that made the vectors (faces.FaceFinder.name)
    # the people the object detector found are looked at again for faces too small for
    # the whole photo (faces.DlibFaceFinder); `index --no-small-faces` turns it off
    small: bool = True

    def __len__(self) -> int:
        return len(self.rows)

    # --- stored with the index (index.py): arrays and a few JSON fields --------------
    ARRAYS = ("face_rows", "face_boxes", "face_vectors", "face_groups", "face_checked")

    def arrays(self) -> dict[str, np.ndarray]:
        return {"face_rows": self.rows.astype(np.int32), "face_boxes": self.boxes.astype(np.float32),
                "face_vectors": self.vectors.astype(np.float16),
                "face_groups": self.groups.astype(np.int32),
                "face_checked": self.checked.astype(np.int32)}

    def meta(self) -> dict:
        return {"names": {str(g): n for g, n in sorted(self.names.items())},
                "finder": self.finder, "off": self.off, "small": self.small}

    @classmethod
    def stored(cls, arrays: dict[str, np.ndarray], meta: object, photo_count: int) -> FaceTable:
        """The table from what `arrays` and `meta` wrote; raises ValueError when the
        parts do not fit together (the index is damaged)."""
        if not arrays or not isinstance(meta, dict):
            return cls()
        rows = np.asarray(arrays["face_rows"], np.int32)
        boxes = np.asarray(arrays["face_boxes"], np.float32).reshape(-1, 4)
        vectors = np.asarray(arrays["face_vectors"], np.float16).reshape(-1, EMBEDDING_SIZE)
        groups = np.asarray(arrays["face_groups"], np.int32)
        checked = np.asarray(arrays["face_checked"], np.int32)
        n = len(rows)
        if not (len(boxes) == len(vectors) == len(groups) == n) or \
                (n and (rows.min() < 0 or rows.max() >= photo_count)) or \
                (len(checked) and (checked.min() < 0 or checked.max() >= photo_count)):
            raise ValueError("face arrays do not fit the photos")
        names = meta.get("names") or {}
        if not isinstance(names, dict):
            raise ValueError("face names are not a mapping")
        return cls(rows=rows, boxes=boxes, vectors=vectors, groups=groups,
                   names={int(g): str(name) for g, name in names.items()},
                   finder=str(meta.get("finder", "")), checked=checked,
                   off=bool(meta.get("off", False)), small=bool(meta.get("small", True)))

    # --- kept in step with the photo rows -------------------------------------------
    def select_photos(self, kept: np.ndarray, photo_count: int) -> None:
        """The index kept photo rows `kept` (in that order) of `photo_count`: faces of
        dropped photos go, the rest are renumbered."""
        new_row = np.full(photo_count, -1, np.int64)
        new_row[np.asarray(kept, np.int64)] = np.arange(len(kept))
        mapped = new_row[self.rows] if len(self.rows) else np.zeros(0, np.int64)
        keep = mapped >= 0
        self._keep(keep)
        self.rows = mapped[keep].astype(np.int32)
        checked = new_row[self.checked] if len(self.checked) else np.zeros(0, np.int64)
        self.checked = checked[checked >= 0].astype(np.int32)

    def unchecked(self, photo_count: int) -> np.ndarray:
        """Photo rows not looked at for faces yet."""
        seen = np.zeros(photo_count, bool)
        seen[self.checked] = True
        return np.flatnonzero(~seen)

    def mark_checked(self, rows: list[int] | np.ndarray) -> None:
        self.checked = np.union1d(self.checked, np.asarray(rows, np.int32)).astype(np.int32)

    def add(self, row: int, boxes: np.ndarray, vectors: np.ndarray) -> None:
        """A photo's faces (ungrouped until `group`); the photo counts as checked."""
        self.mark_checked([row])
        n = len(boxes)
        if not n:
            return
        self.rows = np.concatenate([self.rows, np.full(n, row, np.int32)])
        self.boxes = np.concatenate([self.boxes, np.asarray(boxes, np.float32).reshape(n, 4)])
        self.vectors = np.concatenate([self.vectors, np.asarray(vectors, np.float16)])
        self.groups = np.concatenate([self.groups, np.full(n, UNGROUPED, np.int32)])

    def group(self) -> None:
        """Groups every ungrouped face (people.assign_groups); names stay with their
        groups, taken-out faces stay out."""
        pending = self.groups == UNGROUPED
        if not pending.any():
            return
        active = self.groups != TAKEN_OUT
        groups = assign_groups(self.vectors[active].astype(np.float32), self.groups[active])
        self.groups[active] = groups

    def _keep(self, keep: np.ndarray) -> None:
        self.rows, self.boxes = self.rows[keep], self.boxes[keep]
        self.vectors, self.groups = self.vectors[keep], self.groups[keep]
        alive = set(np.unique(self.groups).tolist())
        self.names = {g: n for g, n in self.names.items() if g in alive}

    # --- what people see -------------------------------------------------------------
    def people(self) -> list[int]:
        """Group ids: named people first (by name), then by number of photos."""
        ids = [int(g) for g in np.unique(self.groups) if g >= 0]
        photos = {g: self.photo_count(g) for g in ids}
        return sorted(ids, key=lambda g: (g not in self.names, self.names.get(g, "").lower(),
                                          -photos[g], g))

    def photo_count(self, person: int) -> int:
        return len(np.unique(self.rows[self.groups == person]))

    def photos_of(self, person: int) -> np.ndarray:
        """Photo rows of a person, biggest face first."""
        faces = np.flatnonzero(self.groups == person)
        order = np.argsort(-self.areas()[faces], kind="stable")
        rows = self.rows[faces][order]
        _, first = np.unique(rows, return_index=True)
        return rows[np.sort(first)]

    def areas(self) -> np.ndarray:
        b = self.boxes
        return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])

    def faces_in(self, row: int) -> np.ndarray:
        """Face ids in a photo, biggest first."""
        faces = np.flatnonzero(self.rows == row)
        return faces[np.argsort(-self.areas()[faces], kind="stable")]

    def person_named(self, name: str) -> list[int]:
        key = name.casefold()
        return [g for g, n in self.names.items() if n.casefold() == key]

    # --- what people do --------------------------------------------------------------
    def check_person(self, person: int) -> None:
        if person < 0 or not (self.groups == person).any():
            raise UsageError(f"нет человека с номером {person}: список — photofinder people")

    def name(self, person: int, name: str) -> None:
        """Names (or renames) a person. A name already given to another person merges
        the two: one name is one person."""
        self.check_person(person)
        name = " ".join(name.split())
        if not name:
            raise UsageError("имя пустое: напишите имя человека")
        for other in self.person_named(name):
            if other != person:
                self.merge(other, person)
        self.names[person] = name

    def merge(self, source: int, target: int) -> None:
        """Moves every face of `source` to `target`; target keeps its name (or takes
        source's, when it had none)."""
        self.check_person(source)
        self.check_person(target)
        if source == target:
            return
        self.groups[self.groups == source] = target
        name = self.names.pop(source, None)
        if name is not None and target not in self.names:
            self.names[target] = name

    def take_out(self, face: int) -> int:
        """Takes one face out of its person (a wrong match); returns the person."""
        person = int(self.groups[face])
        if person < 0:
            raise UsageError("это лицо не относится ни к одному человеку")
        self.groups[face] = TAKEN_OUT
        if not (self.groups == person).any():
            self.names.pop(person, None)
        return person

    def forget(self) -> None:
        """Deletes every face, vector, group and name."""
        self.rows = self.rows[:0]
        self.boxes = self.boxes[:0]
        self.vectors = self.vectors[:0]
        self.groups = self.groups[:0]
        self.checked = self.checked[:0]
        self.names = {}
        self.off = True
