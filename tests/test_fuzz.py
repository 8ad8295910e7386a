"""Fuzzing with hypothesis: whatever a user types or a disk returns, only our errors.

The query parser raises nothing but QueryError on any text; the index loader raises
nothing but PhotofinderError subclasses on any mutation of index.json or the arrays
file; the photo decoder raises nothing but PhotoError on any mutation of an image.
Bounded (a few hundred examples, no deadline) to stay fast in CI.
"""

from __future__ import annotations

import io
import json
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from photofinder import index as index_store
from photofinder.errors import PhotoError, PhotofinderError, QueryError
from photofinder.photos import Preprocess, model_input
from photofinder.query import Lemmatizer, parse_query

from .test_index_store import _index

FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
LEMMATIZER = Lemmatizer()
PHRASES = {("плюшевый", "мишка"), ("школьный", "автобус"), ("кофейный", "кружка")}
RUSSIANISH = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАЁКОШ -–—‐―−_'\"«»!?.,;:"
                     "0123456789catDOG\t\n\u0301\u200b\u00a0\ufeff🐱", max_size=60)


@FUZZ
@given(st.one_of(st.text(max_size=80), RUSSIANISH, st.text(min_size=490, max_size=700)))
def test_query_parser_raises_only_query_error(text):
    try:
        query = parse_query(text, LEMMATIZER, PHRASES)
    except QueryError:
        return
    assert query.include or query.dated
    assert all(c.words and c.lemmas for c in query.include)


# --- the index loader ---------------------------------------------------------------
def _valid_files() -> tuple[bytes, dict[str, bytes]]:
    """index.json and every array file (format 4: one .npy per array)."""
    with tempfile.TemporaryDirectory() as tmp:
        index_store.save(_index(4), Path(tmp))
        meta = (Path(tmp) / "index.json").read_bytes()
        return meta, {e["file"]: (Path(tmp) / e["file"]).read_bytes()
                      for e in json.loads(meta)["files"].values()}


META, FILES = _valid_files()
FILE_OF = {name: e["file"] for name, e in json.loads(META)["files"].items()}


def _load_only_our_errors(meta: bytes, files: dict[str, bytes] | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "index.json").write_bytes(meta)
        for name, data in {**FILES, **(files or {})}.items():
            (Path(tmp) / name).write_bytes(data)
        try:
            idx = index_store.load(Path(tmp))
            n = len(idx.paths)  # what loads is whole: the columns agree
            assert idx.sizes.shape == (n,) and len(idx.tags) == n == len(idx.features)
            # the paths' checksums are checked as they are read (pathlist.py): a damaged
            # block says so then, in our error, as the loader would have
            paths = list(idx.paths)
        except PhotofinderError:
            return
        assert idx.tags.ptr[-1] == len(idx.tags.label) and (np.diff(idx.tags.ptr) >= 0).all()
        if idx.tags.nnz:
            assert 0 <= idx.tags.label.min() and idx.tags.label.max() < len(idx.labels)
        assert all(isinstance(p, str) for p in paths)


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """Truncated, bytes flipped, a slice spliced in or cut out."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "overwrite"]))
        pos = draw(st.integers(0, max(0, len(out) - 1)))
        if kind == "truncate":
            del out[pos:]
        elif kind == "flip" and out:
            out[pos] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            out[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del out[pos:pos + draw(st.integers(1, 64))]
        else:
            chunk = draw(st.binary(min_size=1, max_size=8))
            out[pos:pos + len(chunk)] = chunk
    return bytes(out)


@FUZZ
@given(mutated(META))
def test_index_loader_on_mutated_index_json(meta):
    _load_only_our_errors(meta)


@FUZZ
@given(st.sampled_from(sorted(FILES)).flatmap(
    lambda name: st.tuples(st.just(name), mutated(FILES[name]))))
def test_index_loader_on_mutated_arrays(mutation):
    name, data = mutation
    _load_only_our_errors(META, {name: data})


def test_the_files_the_fuzzers_mutate_load_when_whole():
    """The fuzzers start from an index that loads: otherwise they would test nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "index.json").write_bytes(META)
        for name, data in FILES.items():
            (Path(tmp) / name).write_bytes(data)
        assert len(index_store.load(Path(tmp))) == 4


def _with_array(name: str, data: bytes) -> bytes:
    """index.json with `name`'s file entry made to match `data` (its CRC, dtype, shape
    as its header claims): the loader's own checks, not the CRC, must refuse it."""
    meta = json.loads(META)
    entry = meta["files"][name]
    entry["crc32"] = zlib.crc32(data)
    try:
        header = io.BytesIO(data)
        np.lib.format.read_magic(header)
        shape, _, dtype = np.lib.format.read_array_header_1_0(header)
        entry["shape"], entry["dtype"] = [max(0, int(s)) for s in shape], dtype.str
    except (ValueError, TypeError):
        pass
    return json.dumps(meta).encode()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12)


@FUZZ
@given(st.sampled_from(sorted(json.loads(META)) + ["extra"]), JSON_VALUES)
def test_index_loader_on_wrong_json_values(key, value):
    meta = json.loads(META)
    meta[key] = value
    _load_only_our_errors(json.dumps(meta).encode())


@FUZZ
@given(st.sampled_from(sorted(FILE_OF)),
       hnp.arrays(hnp.scalar_dtypes() | hnp.unicode_string_dtypes(),
                  hnp.array_shapes(min_dims=0, max_dims=3, max_side=6)))
def test_index_loader_on_wrong_arrays(name, array):
    buf = io.BytesIO()
    np.save(buf, array)
    _load_only_our_errors(_with_array(name, buf.getvalue()), {FILE_OF[name]: buf.getvalue()})


@pytest.mark.parametrize("shape", [(4_000_000_000_000,), (2**62, 2**62), (-1,)])
def test_an_array_header_claiming_any_shape_is_refused(shape):
    """An .npy header may claim any shape: the loader must neither crash nor allocate it."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<i8", "fortran_order": False, "shape": shape})
    data = header.getvalue() + b"\0" * 32
    with pytest.raises(PhotofinderError):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "index.json").write_bytes(_with_array("sizes", data))
            for name, whole in FILES.items():
                (Path(tmp) / name).write_bytes(whole)
            (Path(tmp) / FILE_OF["sizes"]).write_bytes(data)
            index_store.load(Path(tmp))


# --- the photo decoder ---------------------------------------------------------------
PREP = Preprocess(size=32, mean=(0, 0, 0), std=(1, 1, 1))


def _image_bytes(fmt: str, **kwargs) -> bytes:
    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8), "RGB")
    buf = io.BytesIO()
    if fmt == "GIF":
        img = img.convert("P")
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


IMAGES = {fmt: _image_bytes(fmt) for fmt in ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP")}


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(IMAGES)).flatmap(lambda fmt: mutated(IMAGES[fmt])))
def test_photo_decoder_raises_only_photo_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "photo.jpg"
        path.write_bytes(data)
        try:
            arr = model_input(path, PREP)
        except PhotoError:
            return
        assert arr.shape == (32, 32, 3) and arr.dtype == np.uint8
