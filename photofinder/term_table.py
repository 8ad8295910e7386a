"""The term table: every vocabulary term, its lemma key and its word vector; made once
and kept between runs, one file per everything it is made from.

`term_table` lemmatises every vocabulary term with pymorphy3 and looks up its word
vectors: 0.4 s for the 3,064 terms, plus 0.3 s to read navec, on 2 cores. Every new
index needs it, and so does every search of an index made before the package's
vocabulary changed (until the next `photofinder index` stores the new one): each such
command-line search paid it again. The table depends only on the vocabulary (whose
digest includes the lemma rule), the vectors' file and pymorphy3's dictionary, so one
file per combination serves every index on the machine: kept in the models folder
(`models/terms/` in a checkout), as the place table is.

A cache file is never the only copy of anything: one that cannot be read, or does not
hold the vocabulary's own terms, is made again; one that cannot be written is not kept.
Neither is said: the result is the same, only slower. Writes are atomic
(index.atomic_write), so two processes never read half a file.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import WriteError
from .index import atomic_write
from .query import Lemmatizer
from .vectors import WordVectors, phrase_vector
from .vocabulary import Vocabulary

# Part of every file's key: a new one when term_table's output or this layout changes.
TABLE_RULE = "terms 1"
PREFIX = "terms-"
KEEP = 4  # files: one per vocabulary and vectors in use, and a few older ones


Table = tuple[list[str], list[str], np.ndarray]


def term_table(vocabulary: Vocabulary, vectors: WordVectors, lemmatizer: Lemmatizer) -> Table:
    """Every vocabulary term, its lemma key and its unit vector (zeros where unknown)."""
    terms = vocabulary.terms
    keys = [" ".join(lemmatizer.key(t)) for t in terms]
    table = np.zeros((len(terms), vectors.dim), np.float32)
    for i, term in enumerate(terms):
        vec = phrase_vector(vectors, term.split())
        if vec is not None:
            table[i] = vec
    return terms, keys, table


def cached_term_table(vocabulary: Vocabulary, vectors: WordVectors,
                      lemmatizer: Callable[[], Lemmatizer], folder: Path) -> Table:
    """term_table(vocabulary, vectors, lemmatizer()), read from `folder` when a file there
    was made from the same things; made and written there otherwise. The vectors are
    read (navec loads lazily) and the lemmatizer made only when the table is made."""
    key = _key(vocabulary, vectors)
    path = folder / f"{PREFIX}{key}.npz" if key else None
    if path is not None:
        table = _read(path, vocabulary)
        if table is not None:
            return table
    table = term_table(vocabulary, vectors, lemmatizer())
    if path is not None:
        _write(path, table)
    return table


def _key(vocabulary: Vocabulary, vec: WordVectors) -> str | None:
    """What the table is made from, hashed; None when the vectors' file is unknown."""
    file = getattr(vec, "file", None)
    try:
        stat = Path(file).stat() if file is not None else None
        versions = [metadata.version(name) for name in ("pymorphy3", "pymorphy3-dicts-ru")]
    except (OSError, metadata.PackageNotFoundError):
        return None
    if stat is None:
        return None
    made_of = [TABLE_RULE, vocabulary.digest, vec.spec, str(Path(file).resolve()),
               str(stat.st_size), str(stat.st_mtime_ns), *versions]
    return hashlib.sha256("\n".join(made_of).encode()).hexdigest()[:20]


def _read(path: Path, vocabulary: Vocabulary) -> Table | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            terms, keys = stored["terms"].tolist(), stored["keys"].tolist()
            table = np.array(stored["vectors"], np.float32)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if terms != list(vocabulary.terms) or len(keys) != len(terms) or table.ndim != 2 \
            or len(table) != len(terms) or not np.isfinite(table).all():
        return None
    try:
        os.utime(path)  # used now: _prune keeps the files used last
    except OSError:
        pass
    return terms, keys, table


def _write(path: Path, table: Table) -> None:
    terms, keys, vectors = table
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda f: np.savez(f, terms=np.array(terms, dtype=str),
                                              keys=np.array(keys, dtype=str), vectors=vectors),
                     sync_dir=False)
        _prune(path.parent)
    except (OSError, WriteError):
        pass  # not kept: the next run makes it again


def _prune(folder: Path) -> None:
    """Keeps the KEEP files used last: the vocabulary of an older release goes."""
    files = sorted(folder.glob(f"{PREFIX}*.npz"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)
