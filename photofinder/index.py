"""The index on disk: `index.json` plus one NumPy `.npz` per saved generation.

index.json names the format version, the tagger, the word vectors and the vocabulary
the index was made with, the photo paths, and the `.npz` file that holds this
generation's arrays. Every save writes a new `.npz` and then replaces index.json
atomically, so a reader (or a crash) always sees index.json and arrays that belong
together; the previous generation's file is kept one save longer for readers that
opened index.json just before the switch.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import IndexFormatError, IndexMissingError, WriteError

FORMAT = "photofinder-index"
VERSION = 1
INDEX_FILE = "index.json"
TOP_K = 5  # tags kept per photo: enough to rank, explain and threshold later
REBUILD_HINT = "выполните `photofinder index --rebuild ПАПКА...`"


@dataclass
class Index:
    """Tags of every indexed photo, as columns (row i is photo i)."""

    tagger: dict[str, str]                  # {"name": "efficientnet-lite2", "weights": "....pth"}
    vectors: str                            # "navec" or "fasttext:/path/model.bin"
    vocabulary: str                         # digest of the vocabulary the terms came from
    paths: list[str] = field(default_factory=list)
    sizes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    mtimes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    classes: np.ndarray = field(default_factory=lambda: np.zeros((0, TOP_K), np.int16))
    probs: np.ndarray = field(default_factory=lambda: np.zeros((0, TOP_K), np.float32))
    roots: list[str] = field(default_factory=list)
    # word vectors of the vocabulary's terms, computed once per index
    terms: list[str] = field(default_factory=list)
    term_keys: list[str] = field(default_factory=list)   # lemmas joined by spaces
    term_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    # content hash per photo (photos.content_hash), 0 = unknown: recognises a moved or
    # renamed photo without tagging it again. Optional: older indexes have none.
    hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))

    def __len__(self) -> int:
        return len(self.paths)

    def aligned_hashes(self) -> np.ndarray:
        """`hashes` with one entry per photo (zeros where an older index had none)."""
        if len(self.hashes) != len(self.paths):
            return np.zeros(len(self.paths), np.uint64)
        return self.hashes.astype(np.uint64, copy=False)

    def select(self, rows: np.ndarray | list[int]) -> None:
        """Keeps only the given rows, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        self.hashes = self.aligned_hashes()[rows]
        self.paths = [self.paths[i] for i in rows]
        self.sizes, self.mtimes = self.sizes[rows], self.mtimes[rows]
        self.classes, self.probs = self.classes[rows], self.probs[rows]

    def append(self, paths: list[str], sizes: list[int], mtimes: list[int],
               classes: np.ndarray, probs: np.ndarray, hashes: list[int] | None = None) -> None:
        new_hashes = np.zeros(len(paths), np.uint64) if hashes is None else np.asarray(hashes, np.uint64)
        self.hashes = np.concatenate([self.aligned_hashes(), new_hashes])
        self.paths.extend(paths)
        self.sizes = np.concatenate([self.sizes, np.asarray(sizes, np.int64)])
        self.mtimes = np.concatenate([self.mtimes, np.asarray(mtimes, np.int64)])
        if not len(self.classes):  # a new index takes the width of its first rows
            self.classes = self.classes.reshape(0, classes.shape[1])
            self.probs = self.probs.reshape(0, probs.shape[1])
        self.classes = np.concatenate([self.classes, classes.astype(np.int16)])
        self.probs = np.concatenate([self.probs, probs.astype(np.float32)])


def exists(index_dir: Path) -> bool:
    return (index_dir / INDEX_FILE).is_file()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(target: Path, write) -> None:
    """Writes via `write(file)` to a temp file in the same folder, fsyncs, os.replace()s.

    Raises WriteError (disk full, no permission...); `target` is then as it was before.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(f"не удалось записать {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise WriteError(f"не удалось записать {target}: {exc.strerror or exc}; "
                             "прежний файл не тронут") from None
        raise
    _fsync_dir(target.parent)


def save(index: Index, index_dir: Path) -> None:
    """Writes a new generation: its arrays file, then index.json, each atomically.

    Call it under the indexer's lock (`indexer.index_lock`): it deletes the temp files
    that a killed writer left behind. Raises WriteError; the previous generation stays.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"не удалось создать папку индекса {index_dir}: {exc.strerror or exc}") from None
    index.updated = time.time()
    arrays_name = f"arrays-{time.time_ns():x}.npz"
    arrays = dict(sizes=index.sizes, mtimes=index.mtimes, classes=index.classes,
                  probs=index.probs, term_vectors=index.term_vectors,
                  hashes=index.aligned_hashes())
    atomic_write(index_dir / arrays_name, lambda f: np.savez(f, **arrays))
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "arrays": arrays_name,
        "tagger": index.tagger,
        "vectors": index.vectors,
        "vocabulary": index.vocabulary,
        "top_k": int(index.classes.shape[1]),
        "created": index.created,
        "updated": index.updated,
        "roots": index.roots,
        "terms": index.terms,
        "term_keys": index.term_keys,
        "paths": index.paths,
    }
    previous = _read_meta(index_dir).get("arrays") if exists(index_dir) else None
    payload = json.dumps(meta, ensure_ascii=False).encode("utf-8")
    atomic_write(index_dir / INDEX_FILE, lambda f: f.write(payload))
    # Older generations, and temp files of a writer killed mid-save (the indexer's
    # lock means no other writer is alive to own them).
    stale = [p for p in index_dir.glob("arrays-*.npz") if p.name not in (arrays_name, previous)]
    stale += index_dir.glob(f".{INDEX_FILE}.*.tmp")
    stale += index_dir.glob(".arrays-*.npz.*.tmp")
    for old in stale:
        try:
            old.unlink()
        except OSError:
            pass


def _read_meta(index_dir: Path) -> dict:
    try:
        meta = json.loads((index_dir / INDEX_FILE).read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    return meta if isinstance(meta, dict) else {}


# Older format versions, each upgraded one step: MIGRATIONS[v] turns a version-v
# index.json (a dict) into version v + 1. A version with no way forward is rebuilt.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}
# Readers that opened index.json just before two saves in a row find its arrays gone:
# they read index.json again (a new generation is there by then) this many times.
LOAD_ATTEMPTS = 5
_ARRAYS_NAME = re.compile(r"arrays-[0-9a-f]{1,32}\.npz")
_ARRAY_KINDS = {"sizes": "iu", "mtimes": "iu", "classes": "iu", "probs": "f", "term_vectors": "f"}
NUM_CLASSES = 1001  # 1000 ImageNet classes + the person tag: ids index the vocabulary


def load(index_dir: Path) -> Index:
    """Loads an index. Raises IndexMissingError or IndexFormatError with a fix to run.

    Safe against a concurrent save: every generation's arrays file is written before
    the index.json that names it, and if it is removed between our reading index.json
    and opening the arrays, index.json is read again.
    """
    path = index_dir / INDEX_FILE
    for attempt in range(LOAD_ATTEMPTS):
        if not path.is_file():
            raise IndexMissingError(
                f"индекс не найден в {index_dir}: сначала выполните `photofinder index ПАПКА`")
        meta = _load_meta(path)
        try:
            arrays = _load_arrays(index_dir, meta)
        except FileNotFoundError:
            if attempt + 1 < LOAD_ATTEMPTS and _read_meta(index_dir).get("arrays") != meta["arrays"]:
                continue  # a writer replaced the generation under us: read the new one
            raise IndexFormatError(
                f"индекс в {index_dir} повреждён (нет файла {meta['arrays']}): {REBUILD_HINT}") from None
        return _build(index_dir, meta, arrays)
    raise AssertionError("unreachable")  # pragma: no cover


def _load_meta(path: Path) -> dict:
    try:
        meta = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as exc:
        raise IndexFormatError(f"индекс {path} повреждён ({type(exc).__name__}): {REBUILD_HINT}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexFormatError(f"{path} — не индекс photofinder: {REBUILD_HINT}")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise IndexFormatError(f"индекс {path} повреждён (нет версии формата): {REBUILD_HINT}")
    if version > VERSION:
        raise IndexFormatError(
            f"индекс {path} сделан более новой версией photofinder (формат {version}, "
            f"эта версия читает до {VERSION}): обновите photofinder")
    while version < VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise IndexFormatError(
                f"индекс {path} сделан старой версией photofinder (формат {version}, "
                f"нужен {VERSION}): {REBUILD_HINT}")
        meta = step(meta)
        version += 1
        meta["version"] = version
    if not isinstance(meta.get("arrays"), str) or not _ARRAYS_NAME.fullmatch(meta["arrays"]):
        # only a file of ours, in the index folder: never a path from elsewhere
        raise IndexFormatError(f"индекс {path} повреждён (имя файла массивов): {REBUILD_HINT}")
    return meta


def _load_arrays(index_dir: Path, meta: dict) -> dict[str, np.ndarray]:
    """The arrays of one generation. FileNotFoundError when it is gone (see load)."""
    try:
        with np.load(index_dir / meta["arrays"], allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in _ARRAY_KINDS}
            if "hashes" in npz.files:  # optional: indexes made before it have none
                arrays["hashes"] = npz["hashes"].astype(np.uint64, copy=False)
    except FileNotFoundError:
        raise
    except (OSError, KeyError, TypeError, ValueError, EOFError, MemoryError,
            zipfile.BadZipFile, zlib.error) as exc:
        raise IndexFormatError(
            f"индекс в {index_dir} повреждён ({type(exc).__name__}: {str(exc)[:80]}): {REBUILD_HINT}") from None
    for name, kinds in _ARRAY_KINDS.items():
        if arrays[name].dtype.kind not in kinds:
            raise IndexFormatError(
                f"индекс в {index_dir} повреждён (тип массива {name}): {REBUILD_HINT}")
    return arrays


def _strings(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("ожидался список строк")
    return list(value)


def _build(index_dir: Path, meta: dict, arrays: dict[str, np.ndarray]) -> Index:
    try:
        tagger = meta["tagger"]
        if not isinstance(tagger, dict) or not all(
                isinstance(tagger.get(k), str) for k in ("name", "weights")):
            raise TypeError("tagger")
        index = Index(
            tagger=dict(tagger), vectors=str(meta["vectors"]),
            vocabulary=str(meta["vocabulary"]), paths=_strings(meta["paths"]),
            roots=_strings(meta.get("roots", [])), terms=_strings(meta["terms"]),
            term_keys=_strings(meta["term_keys"]), created=float(meta["created"]),
            updated=float(meta["updated"]), **arrays)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise IndexFormatError(
            f"индекс в {index_dir} повреждён ({type(exc).__name__}: {str(exc)[:80]}): {REBUILD_HINT}") from None
    n = len(index.paths)
    if not (index.sizes.shape == (n,) and index.mtimes.shape == (n,)
            and index.classes.ndim == 2 and index.term_vectors.ndim == 2
            and index.classes.shape == index.probs.shape and index.classes.shape[:1] == (n,)
            and index.term_vectors.shape[:1] == (len(index.terms),) == (len(index.term_keys),)):
        raise IndexFormatError(f"индекс в {index_dir} повреждён (размеры не сходятся): {REBUILD_HINT}")
    if index.classes.size and not (0 <= int(index.classes.min()) and int(index.classes.max()) < NUM_CLASSES):
        raise IndexFormatError(f"индекс в {index_dir} повреждён (номера классов): {REBUILD_HINT}")
    return index
