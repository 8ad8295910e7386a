"""The update plan (plan.make_plan) is a pure value: every kind of photo, asserted."""

from __future__ import annotations

import numpy as np

from photofinder.plan import Found, make_plan, outermost

A, B = "/photos/a", "/photos/b"


def _plan(rows: list[tuple[str, int, int, int, bool]], found: list[Found], *, scan=(A,),
          missing=(), hashes: dict[str, int] | None = None, roots=(A,), **kwargs):
    paths = [r[0] for r in rows]
    return make_plan(paths, np.array([r[1] for r in rows], np.int64),
                     np.array([r[2] for r in rows], np.int64),
                     np.array([r[3] for r in rows], np.uint64), np.array([r[4] for r in rows], bool),
                     stored_roots=list(roots), scan=list(scan), missing=list(missing),
                     found=found, unreadable=[], hash_of=(hashes or {}).get, **kwargs)


def test_every_kind_of_photo():
    rows = [
        (f"{A}/same.jpg", 10, 1, 101, False),      # unchanged
        (f"{A}/edited.jpg", 10, 1, 102, False),    # changed content
        (f"{A}/touched.jpg", 10, 1, 103, False),   # only the mtime changed
        (f"{A}/old.jpg", 10, 1, 104, False),       # moved to new/old.jpg
        (f"{A}/deleted.jpg", 10, 1, 105, False),   # gone
        (f"{A}/stale.jpg", 10, 1, 106, True),      # tagged by an older pipeline
        (f"{B}/kept.jpg", 10, 1, 107, False),      # another folder, not scanned: untouched
    ]
    found = [Found(f"{A}/same.jpg", 10, 1), Found(f"{A}/edited.jpg", 11, 2),
             Found(f"{A}/touched.jpg", 10, 9), Found(f"{A}/new/old.jpg", 10, 5),
             Found(f"{A}/stale.jpg", 10, 1), Found(f"{A}/fresh.jpg", 12, 1),
             Found(f"{A}/copy of same.jpg", 10, 7)]
    hashes = {f"{A}/edited.jpg": 999, f"{A}/touched.jpg": 103, f"{A}/new/old.jpg": 104,
              f"{A}/fresh.jpg": 555, f"{A}/copy of same.jpg": 101}
    plan = _plan(rows, found, hashes=hashes, roots=(A, B))
    assert plan.unchanged == (0,)
    assert [(r, f.path) for r, f in plan.changed] == [(1, f"{A}/edited.jpg")]
    assert [(r, f.mtime_ns) for r, f in plan.touched] == [(2, 9)]
    assert [(r, f.path) for r, f in plan.moved] == [(3, f"{A}/new/old.jpg")]
    assert plan.gone == (4,)                      # old.jpg moved, so it is not "gone"
    assert [(r, f.path) for r, f in plan.stale] == [(5, f"{A}/stale.jpg")]
    assert [f.path for f in plan.new] == [f"{A}/fresh.jpg"]
    assert [(r, f.path) for r, f in plan.copies] == [(0, f"{A}/copy of same.jpg")]
    # what the indexer hands the model (indexer.update_index tags exactly plan.to_tag)
    assert [(kind, f.path) for kind, f in plan.to_tag] == [
        ("new", f"{A}/fresh.jpg"), ("changed", f"{A}/edited.jpg"), ("stale", f"{A}/stale.jpg")]
    assert plan.found == len(found)
    assert plan.roots == (A, B)


def test_a_missing_folder_keeps_its_photos():
    rows = [(f"{A}/1.jpg", 1, 1, 1, False), (f"{B}/2.jpg", 1, 1, 2, False),
            (f"{B}/sub/3.jpg", 1, 1, 3, False)]
    plan = _plan(rows, [Found(f"{A}/1.jpg", 1, 1)], scan=(A,), missing=(B,), roots=(A, B))
    assert plan.unavailable == {B: (1, 2)}
    assert plan.gone == () and plan.kept_unavailable == 2
    assert plan.roots == (A, B)


def test_a_missing_folder_inside_a_walked_one_keeps_its_photos():
    """~/nas (stored, unplugged) inside ~ (walked): its photos are kept, not gone."""
    nas = f"{A}/nas"
    rows = [(f"{A}/1.jpg", 1, 1, 1, False), (f"{nas}/2.jpg", 1, 1, 2, False),
            (f"{A}/deleted.jpg", 1, 1, 3, False)]
    plan = _plan(rows, [Found(f"{A}/1.jpg", 1, 1)], scan=(A,), missing=(nas,), roots=(A, nas))
    assert plan.unavailable == {nas: (1,)} and plan.kept_unavailable == 1
    assert plan.gone == (2,)  # a photo deleted elsewhere under ~ is still gone


def test_a_stale_photo_with_a_new_mtime_is_stale_not_changed():
    """A new model makes every row stale; a library copied without its file times then
    has a new mtime on every photo. Same content: tagged again as stale (its row kept
    if it cannot be read now), not «изменённых»; other content is still an edit."""
    rows = [(f"{A}/copied.jpg", 10, 1, 201, True), (f"{A}/edited.jpg", 10, 1, 202, True),
            (f"{A}/same.jpg", 10, 1, 203, True)]
    found = [Found(f"{A}/copied.jpg", 10, 9), Found(f"{A}/edited.jpg", 10, 9),
             Found(f"{A}/same.jpg", 10, 1)]
    plan = _plan(rows, found, hashes={f"{A}/copied.jpg": 201, f"{A}/edited.jpg": 999})
    assert sorted((r, f.mtime_ns) for r, f in plan.stale) == [(0, 9), (2, 1)]
    assert [r for r, _ in plan.changed] == [1] and plan.touched == ()


def test_a_stale_row_is_no_donor_for_a_move():
    """Its tags are of an older pipeline: the moved photo is tagged anew instead."""
    rows = [(f"{A}/x.jpg", 10, 1, 7, True)]
    plan = _plan(rows, [Found(f"{A}/y.jpg", 10, 1)], hashes={f"{A}/y.jpg": 7})
    assert plan.moved == () and [f.path for f in plan.new] == [f"{A}/y.jpg"]
    assert plan.gone == (0,)


def test_no_hashing_when_nothing_could_be_a_move():
    asked = []

    def hash_of(path):
        asked.append(path)
        return 1

    make_plan([], np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint64),
              np.zeros(0, bool), stored_roots=[], scan=[A], missing=[],
              found=[Found(f"{A}/{i}.jpg", 1, 1) for i in range(5)], unreadable=[],
              hash_of=hash_of)
    assert asked == []  # a first run over a folder reads no file twice


def test_outermost_folders():
    assert outermost(["/a/b", "/a", "/c", "/ab"]) == ["/a", "/ab", "/c"]


def test_a_photo_overwritten_by_a_copy_of_another_takes_its_tags():
    rows = [(f"{A}/a.jpg", 10, 1, 7, False), (f"{A}/b.jpg", 20, 1, 8, False)]
    found = [Found(f"{A}/a.jpg", 10, 1), Found(f"{A}/b.jpg", 10, 5)]  # b.jpg := a copy of a.jpg
    plan = _plan(rows, found, hashes={f"{A}/b.jpg": 7})
    assert [(r, d, f.path) for r, d, f in plan.changed_known] == [(1, 0, f"{A}/b.jpg")]
    assert plan.changed == () and plan.gone == () and plan.to_tag == []


def test_an_unavailable_folder_inside_a_walked_one_keeps_its_photos_until_forgotten():
    """scanning.Whereabouts names the folder (an empty mount point, a dead link); a
    photo whose folder it does not name is gone."""
    rows = [(f"{A}/1.jpg", 1, 1, 1, False), (f"{A}/usb/2.jpg", 1, 1, 2, False),
            (f"{A}/usb/3.jpg", 1, 1, 3, False), (f"{A}/deleted.jpg", 1, 1, 4, False),
            (f"{B}/5.jpg", 1, 1, 5, False)]

    def away(path: str) -> str | None:
        return f"{A}/usb" if path.startswith(f"{A}/usb/") else None

    kwargs = dict(found=[Found(f"{A}/1.jpg", 1, 1)], scan=(A,), missing=(B,), roots=(A, B))
    plan = _plan(rows, **kwargs, unavailable_folder=away)
    assert plan.unavailable == {f"{A}/usb": (1, 2), B: (4,)} and plan.gone == (3,)
    assert plan.roots == (A, B)
    forgot = _plan(rows, **kwargs, unavailable_folder=away, forget=True)
    assert forgot.unavailable == {} and forgot.gone == (1, 2, 3, 4)
    assert forgot.roots == (A,)   # the missing folder is dropped


def test_a_photo_that_cannot_be_stated_keeps_its_row():
    rows = [(f"{A}/1.jpg", 1, 1, 1, False)]
    plan = make_plan([rows[0][0]], np.ones(1, np.int64), np.ones(1, np.int64),
                     np.ones(1, np.uint64), np.zeros(1, bool), stored_roots=[A], scan=[A],
                     missing=[], found=[], unreadable=[(f"{A}/1.jpg", "нет доступа")],
                     hash_of={}.get)
    assert plan.gone == () and plan.found == 1
