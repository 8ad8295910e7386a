"""What an index update will do, decided before anything is tagged: a pure value.

`make_plan` compares what the index holds with what is on disk now and sorts every
photo into one kind:

- unchanged: same path, size and mtime, tagged by the current pipeline: kept as is;
- new: a path the index does not have, whose content it has not seen: tagged;
- copy / moved: a new path whose content (size + content hash) an index row has: the
  row's tags are reused, nothing is tagged. The first new path for a row whose own
  file is gone is a move (the row moves with it); any other is a copy (a photo copied
  into a backup folder is not tagged twice);
- touched: same path and content, only the mtime changed: the row is kept, restamped;
- changed: same path, other content: tagged again, the old row replaced; when the new
  content is another indexed photo's (a file overwritten by a copy), that photo's tags
  are taken instead of tagging (`changed_known`);
- stale: an unchanged photo (its content the same, whatever its mtime) tagged by an
  older pipeline (another model, or before scenes and regions existed): tagged again,
  and searchable as it was meanwhile;
- gone: the file is no longer in its folder, and the folder is there and holds
  photos: the row is removed;
- unavailable: the photo's folder is missing, empty where it had photos, unreadable,
  or reached through a link that leads nowhere (an unplugged drive, an unmounted
  share): the row is kept as it is. Only `forget` (`index --forget-missing`) removes
  such rows.

The indexer carries a plan out and the summary is computed from the plan and what
happened, so "удалено 3" is always the number of rows removed. Tests assert on plans.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Found:
    """A photo on disk now."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Plan:
    scanned: tuple[str, ...]                      # folders that were walked
    roots: tuple[str, ...]                        # the index's folders after the update
    unchanged: tuple[int, ...] = ()
    new: tuple[Found, ...] = ()
    copies: tuple[tuple[int, Found], ...] = ()    # (row whose tags it takes, photo)
    moved: tuple[tuple[int, Found], ...] = ()     # (row that moves, its new place)
    touched: tuple[tuple[int, Found], ...] = ()   # (row, photo with a new mtime)
    changed: tuple[tuple[int, Found], ...] = ()   # (row to replace, photo to tag)
    changed_known: tuple[tuple[int, int, Found], ...] = ()  # (row to replace, donor, photo)
    stale: tuple[tuple[int, Found], ...] = ()     # (row to replace, photo to tag)
    gone: tuple[int, ...] = ()
    unavailable: dict[str, tuple[int, ...]] = field(default_factory=dict)  # folder -> rows kept
    unreadable: tuple[tuple[str, str], ...] = ()  # (path, reason): could not even be stat()ed

    @property
    def to_tag(self) -> list[tuple[str, Found]]:
        """(kind, photo) for every photo the model must see, kind "new", "changed" or
        "stale". The rows they replace are found by path when tagged: row numbers
        change as the plan's removals are carried out."""
        return ([("new", f) for f in self.new] + [("changed", f) for _, f in self.changed]
                + [("stale", f) for _, f in self.stale])

    @property
    def found(self) -> int:
        return (len(self.unchanged) + len(self.new) + len(self.copies) + len(self.moved)
                + len(self.touched) + len(self.changed) + len(self.changed_known)
                + len(self.stale) + len(self.unreadable))

    @property
    def kept_unavailable(self) -> int:
        return sum(len(rows) for rows in self.unavailable.values())


def _under(path: str, folders: Iterable[str]) -> bool:
    return any(path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def outermost(folders: Iterable[str]) -> list[str]:
    """The folders with those inside another one dropped, in order: /a covers /a/b."""
    result: list[str] = []
    for folder in sorted(set(folders), key=len):
        if not _under(folder, result) and folder not in result:
            result.append(folder)
    return sorted(result)


def make_plan(paths: list[str], sizes: np.ndarray, mtimes: np.ndarray, hashes: np.ndarray,
              stale: np.ndarray, *, stored_roots: list[str], scan: list[str],
              missing: list[str], found: list[Found], unreadable: list[tuple[str, str]],
              hash_of: Callable[[str], int],
              unavailable_folder: Callable[[str], str | None] = lambda path: None,
              forget: bool = False) -> Plan:
    """Sorts the index's rows and the photos found under `scan` into the kinds above.

    paths..stale: the index's columns. stored_roots: its folders; scan: the folders
    that were walked (all present); missing: stored folders that are not there now.
    found: what the walk found; hash_of(path): a content hash, asked only for photos
    that may be a move or a copy (new and changed ones), 0 when it cannot be read.
    unavailable_folder(path): for a stored photo under `scan` the walk did not find,
    the folder that is unavailable now (scanning.Whereabouts), or None: it is gone.
    forget: rows of unavailable folders are gone too, and missing folders are dropped.
    """
    row_of = {p: i for i, p in enumerate(paths)}
    # a photo that is there but cannot be stat()ed now keeps its row as it is
    seen: set[int] = {row_of[p] for p, _ in unreadable if p in row_of}
    unchanged, touched, changed, stale_rows = [], [], [], []
    candidates: list[tuple[int | None, Found]] = []   # new or changed: may be moves
    for photo in found:
        row = row_of.get(photo.path)
        if row is None:
            candidates.append((None, photo))
            continue
        seen.add(row)
        if sizes[row] == photo.size and mtimes[row] == photo.mtime_ns:
            (stale_rows if stale[row] else unchanged).append((row, photo))
        else:
            candidates.append((row, photo))
    # a stored folder that is missing now (an unplugged drive) keeps its photos, also
    # when it lies inside a folder that was walked (`index ~` with ~/nas unmounted)
    gone: list[int] = []
    away: dict[str, list[int]] = {folder: [] for folder in missing}
    for row, p in enumerate(paths):
        if row in seen:
            continue
        folder = next((m for m in missing if _under(p, [m])), None)
        if folder is None:
            if not _under(p, scan):
                continue   # another stored folder, not walked this time
            folder = unavailable_folder(p)
        if folder is None or forget:
            gone.append(row)
        else:
            away.setdefault(folder, []).append(row)
    unavailable = {} if forget else {folder: tuple(rows) for folder, rows in away.items()}
    # Content hashes: a candidate whose content a row has takes that row's tags. Rows
    # whose file is gone come first: such a match is a move.
    donors: dict[tuple[int, int], int] = {}
    for row in [*gone, *range(len(paths))] if candidates else ():
        if hashes[row] and not stale[row]:
            donors.setdefault((int(hashes[row]), int(sizes[row])), row)
    gone_set, really_gone = set(gone), set(gone)
    moved_rows: set[int] = set()
    new, copies, moved, changed_known = [], [], [], []
    for row, photo in candidates:
        # a row's own content is compared even where no row can donate: after a new model
        # every row is stale, and a library copied without its file times was otherwise
        # «изменённых» all through, its unreadable photos' rows dropped as edited ones
        own = row is not None and bool(hashes[row])
        h = hash_of(photo.path) if donors or own else 0
        donor = donors.get((h, photo.size)) if h else None
        if row is not None:
            if h and int(hashes[row]) == h and int(sizes[row]) == photo.size:
                # only the mtime changed: restamped, or tagged again as the stale row it is
                (stale_rows if stale[row] else touched).append((row, photo))
            elif donor is not None:
                changed_known.append((row, donor, photo))  # another photo's content: reuse
            else:
                changed.append((row, photo))
        elif donor is None:
            new.append(photo)
        elif donor in really_gone and donor not in moved_rows:
            moved_rows.add(donor)
            moved.append((donor, photo))
        else:
            copies.append((donor, photo))
    return Plan(
        scanned=tuple(scan),
        roots=tuple(outermost([r for r in [*stored_roots, *scan] if not (forget and r in missing)])),
        unchanged=tuple(r for r, _ in unchanged), new=tuple(new), copies=tuple(copies),
        moved=tuple(moved), touched=tuple(touched), changed=tuple(changed),
        changed_known=tuple(changed_known),
        stale=tuple(stale_rows), gone=tuple(sorted(gone_set - moved_rows)),
        unavailable=unavailable, unreadable=tuple(unreadable))
