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
    assert meta["format"] == "photofinder-index" and meta["version"] == store.VERSION == 6
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
    assert len([n for n in names if n.startswith("index-")]) == 2
    assert len([n for n in names if n.startswith("sizes-")]) == 2
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
    (tmp_path / meta["files"]["sizes"]["file"]).write_bytes(b"garbage")
    with pytest.raises(IndexFormatError, match="--rebuild"):
        store.load(tmp_path)


class Unpickled:
    """Unpickling this writes a file: proof that a loader ran pickle."""

    marker: str = ""

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_arrays_with_pickled_objects_are_refused_unread(tmp_path):
    """An array file holding pickled objects, with a CRC that matches it (anyone who can
    write the array can write index.json): refused, and nothing is unpickled."""
    store.save(_index(), tmp_path / "ix")
    meta = json.loads((tmp_path / "ix" / "index.json").read_text(encoding="utf-8"))
    entry = meta["files"]["sizes"]
    Unpickled.marker = str(tmp_path / "unpickled")
    with open(tmp_path / "ix" / entry["file"], "wb") as f:
        np.save(f, np.array([Unpickled()] * 3, dtype=object), allow_pickle=True)
    entry["crc32"] = store._file_crc(tmp_path / "ix" / entry["file"])
    (tmp_path / "ix" / "index.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexFormatError, match="--rebuild"):
        store.load(tmp_path / "ix")
    assert not (tmp_path / "unpickled").exists()


def test_mismatched_shapes_are_damage(tmp_path):
    idx = _index()
    idx.paths.append("/photos/extra.jpg")
    store.save(idx, tmp_path)
    with pytest.raises(IndexFormatError, match="размеры"):
        store.load(tmp_path)


def assert_same_photos(loaded: Index, original: Index) -> None:
    """The same photos, each with its own tags and features, none stale."""
    assert loaded.paths == original.paths and not loaded.stale.any()
    for i in range(len(original)):
        for got, want in zip(loaded.tags.row(i), original.tags.row(i)):
            np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(loaded.features, original.features)


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
    save writes today's format."""
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
    assert_same_photos(loaded, original)
    store.save(loaded, tmp_path)
    assert json.loads((tmp_path / "index.json").read_text())["version"] == store.VERSION == 6
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


def write_v3_index(folder, index: Index) -> None:
    """An index exactly as photofinder 0.3 (format 3) wrote it: one .npz of arrays
    (posting lists, paths as one UTF-8 buffer) and the features in their own .npy."""
    folder.mkdir(parents=True, exist_ok=True)
    post = index.postings
    arrays = dict(sizes=index.sizes, mtimes=index.mtimes, hashes=index.hashes,
                  stale=index.stale, post_ptr=post.ptr, post_row=post.row,
                  post_score=post.score.astype(np.float32), post_region=post.region,
                  dhash=index.dhash, taken=index.taken, word_ptr=index.words.ptr,
                  word_label=index.words.label, term_vectors=index.term_vectors,
                  paths=np.frombuffer("\0".join(index.paths).encode("utf-8"), np.uint8))
    np.savez(folder / "arrays-18edc6f24a8d2914.npz", **arrays)
    np.save(folder / "features-18edc6f24a8d2914.npy", index.features)
    meta = {"format": "photofinder-index", "version": 3, "arrays": "arrays-18edc6f24a8d2914.npz",
            "features": "features-18edc6f24a8d2914.npy", "tagger": index.tagger,
            "vectors": index.vectors, "vocabulary": index.vocabulary, "labels": index.labels,
            "word_labels": index.word_labels, "created": 1.0, "updated": 2.0,
            "roots": index.roots, "terms": index.terms, "term_keys": index.term_keys}
    (folder / "index.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def test_a_format_3_index_is_read_then_saved_as_one_file_per_array(tmp_path):
    original = _index(5)
    write_v3_index(tmp_path, original)
    loaded = store.load(tmp_path)
    assert_same_photos(loaded, original)
    store.save(loaded, tmp_path)   # format 3's files kept one save longer for readers
    assert (tmp_path / "arrays-18edc6f24a8d2914.npz").exists()
    store.save(store.load(tmp_path), tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert not [n for n in names if n.endswith(".npz")], names
    again = store.load(tmp_path)
    assert json.loads((tmp_path / "index.json").read_bytes())["version"] == 6
    assert again.paths == original.paths
    np.testing.assert_array_equal(again.features, original.features)
    np.testing.assert_array_equal(again.tags.label, original.tags.label)


def _use_everything(idx: Index) -> None:
    """What search, export, similar and the indexer read."""
    for label in range(len(idx.labels)):
        idx.postings.segment(label)
    np.asarray(idx.features).sum()
    list(idx.paths)


@pytest.mark.parametrize("name", sorted(store.ARRAY_DTYPES))
def test_a_flipped_bit_in_any_array_file_is_damage_not_a_wrong_answer(tmp_path, name):
    store.save(_index(6), tmp_path)
    meta = json.loads((tmp_path / "index.json").read_bytes())
    path = tmp_path / meta["files"][name]["file"]
    data = bytearray(path.read_bytes())
    # bits of the data (the last bytes are data: a row number's low bit stays a valid
    # row), a byte of the header's syntax, and '<f4' flipped to '>f4' (same bytes,
    # other numbers)
    flips = [(len(data) - 1, 0x01), (len(data) - 1, 0x80), (len(data) - 4, 0x01), (10, 0x02)]
    if 0 < data.find(b"'<") < 128:
        flips.append((data.find(b"'<") + 1, 0x02))
    for at, bit in flips:
        damaged = bytearray(data)
        damaged[at] ^= bit
        path.write_bytes(bytes(damaged))
        with pytest.raises(IndexFormatError, match="повреждён.*--rebuild"):
            _use_everything(store.load(tmp_path))
    path.write_bytes(bytes(data))
    _use_everything(store.load(tmp_path))  # whole again: loads


def test_a_save_deletes_only_files_a_save_made(tmp_path):
    mine = ["notes.txt", "features-2023.npy", "arrays-old.npz", "sizes.npy",
            "index-backup.json", ".index.json.backup.tmp"]
    for name in mine:
        (tmp_path / name).write_bytes(b"the user's")
    for _ in range(3):
        store.save(_index(), tmp_path)
    for name in mine:
        assert (tmp_path / name).read_bytes() == b"the user's", name
    assert len(store.load(tmp_path)) == 3


def test_a_missing_file_is_named_by_its_own_name(tmp_path):
    store.save(_index(), tmp_path)
    meta = json.loads((tmp_path / "index.json").read_bytes())
    (tmp_path / meta["files"]["features"]["file"]).unlink()
    with pytest.raises(IndexFormatError, match=f"нет файла {meta['files']['features']['file']}"):
        store.load(tmp_path)


def test_a_lost_index_json_is_read_from_its_generation_s_copy(tmp_path):
    first = _index(2)
    store.save(first, tmp_path)
    second = _index(4)
    second.roots = ["/photos", "/other"]
    store.save(second, tmp_path)
    (tmp_path / "index.json").unlink()
    assert store.exists(tmp_path)
    loaded = store.load(tmp_path)
    assert loaded.paths == second.paths and loaded.roots == ["/photos", "/other"]
    assert store.read_roots(tmp_path) == ["/photos", "/other"]


def test_names_that_are_not_utf8_round_trip_exactly(tmp_path):
    idx = _index(3)
    odd = [os.fsdecode(b"/photos/nonutf\xff/a.jpg"), os.fsdecode(b"/photos/moved\xff.jpg")]
    idx.paths[:2] = odd
    idx.roots = [os.fsdecode(b"/photos/nonutf\xff")]
    idx.word_labels = [os.fsdecode(b"folder:nonutf\xff")]
    store.save(idx, tmp_path)
    loaded = store.load(tmp_path)
    assert list(loaded.paths) == odd + [idx.paths[2]] and loaded.paths[1] == odd[1]
    assert [os.fsencode(p) for p in loaded.paths[:2]] == [b"/photos/nonutf\xff/a.jpg",
                                                            b"/photos/moved\xff.jpg"]
    assert loaded.roots == idx.roots and loaded.word_labels == idx.word_labels
    store.save(loaded, tmp_path)  # saved again from the buffer as loaded
    assert list(store.load(tmp_path).paths) == list(loaded.paths)
    json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))  # still valid UTF-8


def test_faces_are_saved_loaded_and_follow_removed_photos(tmp_path):
    original = _index(4)
    rng = np.random.default_rng(3)
    original.faces.add(1, np.array([[0.1, 0.2, 0.3, 0.4]]), rng.random((1, 128)))
    original.faces.add(3, np.array([[0.5, 0.5, 0.9, 0.9], [0.0, 0.0, 0.1, 0.1]]),
                       rng.random((2, 128)))
    original.faces.mark_checked([0, 2])
    original.faces.groups[:] = [4, 4, 7]
    original.faces.names[4] = "Маша"
    store.save(original, tmp_path)
    loaded = store.load(tmp_path)
    for name in ("rows", "boxes", "groups", "checked"):
        np.testing.assert_array_equal(getattr(loaded.faces, name), getattr(original.faces, name))
    np.testing.assert_array_equal(loaded.faces.vectors, original.faces.vectors.astype(np.float16))
    assert loaded.faces.names == {4: "Маша"}
    loaded.select(np.array([0, 2, 3]))   # photo 1 goes, 3 becomes 2
    assert list(loaded.faces.rows) == [2, 2] and list(loaded.faces.checked) == [0, 1, 2]
    store.save(loaded, tmp_path)
    assert list(store.load(tmp_path).faces.rows) == [2, 2]
    # a face row past the photos is damage, named in one line
    meta = json.loads((tmp_path / "index.json").read_text())
    rows_file = tmp_path / meta["files"]["face_rows"]["file"]
    np.save(rows_file, np.array([9, 9], "<i4"))
    meta["files"]["face_rows"]["crc32"] = store._file_crc(rows_file)
    (tmp_path / "index.json").write_text(json.dumps(meta, ensure_ascii=False))
    with pytest.raises(store.IndexFormatError, match="повреждён"):
        store.load(tmp_path)
