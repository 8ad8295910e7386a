from __future__ import annotations

import json
import os
import stat

import numpy as np
import pytest

from photofinder import index as store
from photofinder.errors import IndexFormatError, IndexMissingError
from photofinder.index import Index, Rows, Tags
from photofinder.vocabulary import load_vocabulary


def _index(n: int = 3) -> Index:
    rng = np.random.default_rng(0)
    labels = [f"n{i:08d}" for i in range(1000)] + ["person", "scene:coast"]
    tags = Tags.from_dense(rng.integers(0, len(labels), (n, 5)).astype(np.int32),
                           rng.random((n, 5)).astype(np.float32))
    return Index(tagger={"name": "efficientnet-lite2", "weights": "w.pth", "regions": "on"},
                 vectors="navec", vocabulary="abc", labels=labels,
                 paths=[f"/photos/фото {i}.jpg" for i in range(n)],
                 sizes=np.arange(n, dtype=np.int64), mtimes=np.arange(n, dtype=np.int64) * 7,
                 hashes=np.arange(n, dtype=np.uint64) + 1, stale=np.zeros(n, bool), tag_rows=tags,
                 features=rng.random((n, 8)).astype(np.float16),
                 dhash=np.arange(n, dtype=np.uint64) + 5, taken=np.arange(n, dtype=np.int64),
                 roots=["/photos"], terms=["кошка", "собака"], term_keys=["кошка", "собака"],
                 term_vectors=rng.random((2, 4)).astype(np.float32))


def test_round_trip(tmp_path):
    original = _index()
    store.save(original, tmp_path)
    loaded = store.load(tmp_path)
    assert loaded.paths == original.paths and loaded.tagger == original.tagger
    assert loaded.labels == original.labels
    for name in ("sizes", "mtimes", "hashes", "stale", "features", "dhash", "taken", "term_vectors"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(original, name))
    for name in ("ptr", "label", "score", "region"):
        np.testing.assert_array_equal(getattr(loaded.tags, name), getattr(original.tags, name))
    meta = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert meta["format"] == "photofinder-index" and meta["version"] == store.VERSION == 4
    assert meta["tagger"]["name"] == "efficientnet-lite2" and meta["vectors"] == "navec"


def test_loaded_paths_read_one_at_a_time_act_as_a_list(tmp_path):
    original = _index(4)
    store.save(original, tmp_path)
    loaded = store.load(tmp_path)
    paths = loaded.paths
    assert isinstance(paths, store.PathList) and paths.packed is not None  # nothing decoded yet
    assert paths[2] == "/photos/фото 2.jpg" and paths[-1] == "/photos/фото 3.jpg"
    assert paths[np.int64(1)] == "/photos/фото 1.jpg" and paths[1:3] == original.paths[1:3]
    with pytest.raises(IndexError):
        paths[4]
    store.save(loaded, tmp_path / "again")  # saved from the buffer as loaded
    assert paths.packed is not None and store.load(tmp_path / "again").paths == original.paths
    assert len(paths) == 4 and paths.index("/photos/фото 3.jpg") == 3
    paths[0] = "/moved/фото 0.jpg"          # the indexer's change: now a plain list inside
    paths.append("/photos/new.jpg")
    assert paths.packed is None and list(paths)[0] == "/moved/фото 0.jpg" and len(paths) == 5
    empty = Index(tagger={"name": "t", "weights": ""}, vectors="navec", vocabulary="abc")
    store.save(empty, tmp_path / "empty")
    assert len(store.load(tmp_path / "empty").paths) == 0


def test_rows_select_and_append_keep_tags_with_their_photo():
    idx = _index(4)
    before = {p: idx.tags.row(i)[0].tolist() for i, p in enumerate(idx.paths)}
    idx.select([3, 1])
    assert idx.paths == ["/photos/фото 3.jpg", "/photos/фото 1.jpg"]
    assert [idx.tags.row(i)[0].tolist() for i in range(2)] == [before[p] for p in idx.paths]
    idx.append(idx.take_rows(np.array([0]), ["/new/copy.jpg"], [10], [20], [["folder:new"]]))
    assert idx.paths[-1] == "/new/copy.jpg" and idx.tags.row(2)[0].tolist() == before["/photos/фото 3.jpg"]
    assert len(idx.tags) == 3 == len(idx.features) == len(idx.stale) == len(idx.words)
    assert idx.words_of(2) == ["folder:new"] and idx.words_of(0) == []


def test_batches_joined_then_appended_equal_batches_appended_one_by_one():
    """The indexer gathers several model batches' rows before one append."""
    source = _index(5)
    parts = [source.take_rows(np.array(rows), [f"/new/{r}.jpg" for r in rows], [1] * len(rows),
                              [2] * len(rows), [[f"folder:n{r}"] for r in rows])
             for rows in ([0, 1], [2], [3, 4])]
    one_by_one, joined = _index(2), _index(2)
    for part in parts:
        one_by_one.append(part)
    joined.append(Rows.joined(parts))
    assert joined.paths == one_by_one.paths
    assert [joined.words_of(i) for i in range(7)] == [one_by_one.words_of(i) for i in range(7)]
    for i in range(7):
        assert joined.tags.row(i)[0].tolist() == one_by_one.tags.row(i)[0].tolist()
        assert np.array_equal(joined.tags.row(i)[1], one_by_one.tags.row(i)[1])
    for name in ("sizes", "mtimes", "hashes", "features", "dhash", "taken"):
        assert np.array_equal(getattr(joined, name), getattr(one_by_one, name)), name


def test_saves_keep_at_most_two_generations_and_no_temp_files(tmp_path):
    idx = _index()
    for _ in range(4):
        store.save(idx, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len([n for n in names if n.startswith("arrays-")]) == 2
    assert not [n for n in names if n.endswith(".tmp")]


def test_files_get_the_users_umask_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        store.save(_index(), tmp_path)
    finally:
        os.umask(old)
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_missing_and_garbled(tmp_path):
    with pytest.raises(IndexMissingError):
        store.load(tmp_path)
    store.save(_index(), tmp_path)
    meta = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    (tmp_path / meta["arrays"]).write_bytes(b"garbage")
    with pytest.raises(IndexFormatError, match="--rebuild"):
        store.load(tmp_path)


def test_arrays_with_pickled_objects_are_refused(tmp_path):
    store.save(_index(), tmp_path)
    meta = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    objects = np.array([{"evil": 1}], dtype=object)
    with open(tmp_path / meta["arrays"], "wb") as f:
        np.savez(f, **{name: objects for name in store._ARRAY_KINDS[2]})
    with pytest.raises(IndexFormatError):
        store.load(tmp_path)


def test_mismatched_shapes_are_damage(tmp_path):
    idx = _index()
    idx.paths.append("/photos/extra.jpg")
    store.save(idx, tmp_path)
    with pytest.raises(IndexFormatError, match="размеры"):
        store.load(tmp_path)


def write_v1_index(folder, paths: list[str], classes: np.ndarray, probs: np.ndarray,
                   sizes=None, mtimes=None, tagger: dict | None = None) -> None:
    """An index exactly as photofinder 0.1 (format 1) wrote it: top-5 classes and the
    face detector's column (class 1000) in fixed-width arrays, int8 in the tagger."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(paths)
    sizes = np.full(n, 10, np.int64) if sizes is None else np.asarray(sizes, np.int64)
    mtimes = np.arange(n) if mtimes is None else np.asarray(mtimes, np.int64)
    np.savez(folder / "arrays-1.npz", sizes=sizes, mtimes=mtimes,
             classes=classes.astype(np.int16), probs=probs.astype(np.float32),
             term_vectors=np.zeros((1, 300), np.float32), hashes=np.arange(n, dtype=np.uint64) + 1)
    meta = {"format": "photofinder-index", "version": 1, "arrays": "arrays-1.npz",
            "tagger": tagger or {"name": "efficientnet-lite0", "weights": "efficientnet-lite0-xyz.pth",
                                 "precision": "int8", "people": "opencv-haar-frontalface-alt2"},
            "vectors": "navec", "vocabulary": "old", "top_k": classes.shape[1],
            "roots": ["/photos"], "terms": ["кошка"], "term_keys": ["кошка"],
            "paths": paths, "created": 1.0, "updated": 2.0}
    (folder / "index.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def test_a_format_1_index_is_upgraded_not_misread(tmp_path):
    tabby = next(c.index for c in load_vocabulary().labels if c.en == "tabby")
    classes = np.array([[tabby, 1, 2, 3, 4, 1000], [5, 6, 7, 8, 9, 1000]])
    probs = np.array([[0.8, 0.1, 0.05, 0.03, 0.02, 0.9], [0.5, 0.2, 0.1, 0.1, 0.1, 0.0]])
    write_v1_index(tmp_path, ["/photos/cat.jpg", "/photos/other.jpg"], classes, probs)
    idx = store.load(tmp_path)
    assert idx.paths == ["/photos/cat.jpg", "/photos/other.jpg"]
    assert idx.stale.all()  # tagged again by the next `photofinder index`, searchable now
    labels, scores, _ = idx.tags.row(0)
    keys = [idx.labels[c] for c in labels]
    assert keys[:2] == ["person", "n02123045"]  # the face detector's tag, then the tabby
    assert scores[1] == pytest.approx(0.8, rel=1e-3)
    assert "person" not in [idx.labels[c] for c in idx.tags.row(1)[0]]  # probability 0: no tag
    assert idx.tagger == {"name": "efficientnet-lite0", "weights": "efficientnet-lite0-xyz.pth",
                          "regions": "on"}
    assert idx.features.shape == (2, 0) and not idx.taken.any()


def test_a_format_2_index_is_upgraded_with_its_tags_and_features(tmp_path):
    """Format 2 (photofinder 0.2's first layout: tags row by row, features inside the
    arrays file) loads as the same photos, tags and features, nothing stale; the next
    save writes format 3."""
    original = _index(4)
    tags = original.tags
    arrays = dict(sizes=original.sizes, mtimes=original.mtimes, hashes=original.hashes,
                  stale=original.stale, tag_ptr=tags.ptr, tag_label=tags.label,
                  tag_score=tags.score, tag_region=tags.region, features=original.features,
                  dhash=original.dhash, taken=original.taken, word_ptr=original.words.ptr,
                  word_label=original.words.label, term_vectors=original.term_vectors)
    np.savez(tmp_path / "arrays-2.npz", **arrays)
    meta = {"format": "photofinder-index", "version": 2, "arrays": "arrays-2.npz",
            "tagger": original.tagger, "vectors": "navec", "vocabulary": "abc",
            "labels": original.labels, "word_labels": [], "roots": ["/photos"],
            "terms": original.terms, "term_keys": original.term_keys, "paths": original.paths,
            "created": 1.0, "updated": 2.0}
    (tmp_path / "index.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    loaded = store.load(tmp_path)
    assert loaded.paths == original.paths and not loaded.stale.any()
    for i in range(4):
        for got, want in zip(loaded.tags.row(i), original.tags.row(i)):
            np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(loaded.features, original.features)
    store.save(loaded, tmp_path)
    assert json.loads((tmp_path / "index.json").read_text())["version"] == store.VERSION == 4
    np.testing.assert_array_equal(store.load(tmp_path).features, original.features)


def test_a_loaded_index_keeps_every_photo_s_tags_when_rows_are_added_and_removed(tmp_path):
    """A loaded index holds its tags label by label; adding and removing photos (what
    every re-index does) must keep each photo's own tags."""
    from photofinder.index import Rows

    original = _index(3)
    store.save(original, tmp_path)
    loaded = store.load(tmp_path)
    new_tags = Tags.from_dense(np.array([[7, 8]], np.int32), np.array([[0.9, 0.2]], np.float32))
    loaded.append(Rows(paths=["/photos/new.jpg"], sizes=np.array([1]), mtimes=np.array([1]),
                       hashes=np.array([9], np.uint64), tags=new_tags,
                       features=np.zeros((1, 8), np.float16), dhash=np.zeros(1, np.uint64),
                       taken=np.zeros(1, np.int64)))
    assert len(loaded.tags) == 4
    for i in range(3):
        np.testing.assert_array_equal(loaded.tags.row(i)[0], original.tags.row(i)[0])
    assert list(loaded.tags.row(3)[0]) == [7, 8]
    store.save(loaded, tmp_path)
    again = store.load(tmp_path)
    again.select(np.array([3, 0]))
    assert list(again.tags.row(0)[0]) == [7, 8]
    np.testing.assert_array_equal(again.tags.row(1)[0], original.tags.row(0)[0])
    assert again.paths == ["/photos/new.jpg", original.paths[0]]
