from __future__ import annotations

import json

import numpy as np
import pytest

from photofinder import index as store
from photofinder.errors import IndexFormatError, IndexMissingError
from photofinder.index import Index


def _index(n: int = 3) -> Index:
    rng = np.random.default_rng(0)
    return Index(tagger={"name": "efficientnet-lite2", "weights": "w.pth"}, vectors="navec",
                 vocabulary="abc", paths=[f"/photos/фото {i}.jpg" for i in range(n)],
                 sizes=np.arange(n, dtype=np.int64), mtimes=np.arange(n, dtype=np.int64) * 7,
                 classes=rng.integers(0, 1000, (n, 5)).astype(np.int16),
                 probs=rng.random((n, 5)).astype(np.float32), roots=["/photos"],
                 terms=["кошка", "собака"], term_keys=["кошка", "собака"],
                 term_vectors=rng.random((2, 4)).astype(np.float32))


def test_round_trip(tmp_path):
    original = _index()
    store.save(original, tmp_path)
    loaded = store.load(tmp_path)
    assert loaded.paths == original.paths and loaded.tagger == original.tagger
    for name in ("sizes", "mtimes", "classes", "probs", "term_vectors"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(original, name))
    meta = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert meta["format"] == "photofinder-index" and meta["version"] == store.VERSION
    assert meta["tagger"]["name"] == "efficientnet-lite2" and meta["vectors"] == "navec"


def test_saves_keep_at_most_two_generations_and_no_temp_files(tmp_path):
    idx = _index()
    for _ in range(4):
        store.save(idx, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len([n for n in names if n.startswith("arrays-")]) == 2
    assert not [n for n in names if n.endswith(".tmp")]


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
        np.savez(f, sizes=objects, mtimes=objects, classes=objects, probs=objects,
                 term_vectors=objects)
    with pytest.raises(IndexFormatError):
        store.load(tmp_path)


def test_mismatched_shapes_are_damage(tmp_path):
    idx = _index()
    idx.paths.append("/photos/extra.jpg")
    store.save(idx, tmp_path)
    with pytest.raises(IndexFormatError, match="размеры"):
        store.load(tmp_path)
