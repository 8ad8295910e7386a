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
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import IndexFormatError, IndexMissingError

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

    def __len__(self) -> int:
        return len(self.paths)

    def select(self, rows: np.ndarray | list[int]) -> None:
        """Keeps only the given rows, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        self.paths = [self.paths[i] for i in rows]
        self.sizes, self.mtimes = self.sizes[rows], self.mtimes[rows]
        self.classes, self.probs = self.classes[rows], self.probs[rows]

    def append(self, paths: list[str], sizes: list[int], mtimes: list[int],
               classes: np.ndarray, probs: np.ndarray) -> None:
        self.paths.extend(paths)
        self.sizes = np.concatenate([self.sizes, np.asarray(sizes, np.int64)])
        self.mtimes = np.concatenate([self.mtimes, np.asarray(mtimes, np.int64)])
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
    """Writes via `write(file)` to a temp file in the same folder, fsyncs, os.replace()s."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(target.parent)


def save(index: Index, index_dir: Path) -> None:
    index_dir.mkdir(parents=True, exist_ok=True)
    index.updated = time.time()
    arrays_name = f"arrays-{time.time_ns():x}.npz"
    arrays = dict(sizes=index.sizes, mtimes=index.mtimes, classes=index.classes,
                  probs=index.probs, term_vectors=index.term_vectors)
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
    for old in index_dir.glob("arrays-*.npz"):
        if old.name not in (arrays_name, previous):
            try:
                old.unlink()
            except OSError:
                pass


def _read_meta(index_dir: Path) -> dict:
    try:
        return json.loads((index_dir / INDEX_FILE).read_bytes())
    except (OSError, ValueError):
        return {}


def load(index_dir: Path) -> Index:
    """Loads an index. Raises IndexMissingError or IndexFormatError with a fix to run."""
    path = index_dir / INDEX_FILE
    if not path.is_file():
        raise IndexMissingError(
            f"индекс не найден в {index_dir}: сначала выполните `photofinder index ПАПКА`")
    try:
        meta = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise IndexFormatError(f"индекс {path} повреждён ({type(exc).__name__}): {REBUILD_HINT}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexFormatError(f"{path} — не индекс photofinder: {REBUILD_HINT}")
    version = meta.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise IndexFormatError(
            f"индекс {path} сделан более новой версией photofinder (формат {version}, "
            f"эта версия читает до {VERSION}): обновите photofinder")
    try:
        with np.load(index_dir / meta["arrays"], allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in ("sizes", "mtimes", "classes", "probs", "term_vectors")}
        index = Index(
            tagger=dict(meta["tagger"]), vectors=str(meta["vectors"]),
            vocabulary=str(meta["vocabulary"]), paths=list(meta["paths"]),
            roots=list(meta.get("roots", [])), terms=list(meta["terms"]),
            term_keys=list(meta["term_keys"]), created=float(meta["created"]),
            updated=float(meta["updated"]), **arrays)
    except (OSError, KeyError, TypeError, ValueError, zipfile.BadZipFile) as exc:
        raise IndexFormatError(
            f"индекс в {index_dir} повреждён ({type(exc).__name__}: {str(exc)[:80]}): {REBUILD_HINT}") from None
    n = len(index.paths)
    if not (index.sizes.shape == (n,) and index.mtimes.shape == (n,)
            and index.classes.shape == index.probs.shape and index.classes.shape[:1] == (n,)
            and index.term_vectors.shape[:1] == (len(index.terms),) == (len(index.term_keys),)):
        raise IndexFormatError(f"индекс в {index_dir} повреждён (размеры не сходятся): {REBUILD_HINT}")
    return index
