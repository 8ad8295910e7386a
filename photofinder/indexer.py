"""Building and updating an index: walk folders, tag what is new, drop what is gone.

Decoding runs on a small thread pool (Pillow releases the GIL while decoding) ahead
of batched inference, through a bounded window, so the CPU cores are busy with the
model instead of waiting on JPEG decoding and memory stays flat on huge folders.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import index as index_store
from .errors import PhotoError, PhotofinderError, UsageError
from .index import TOP_K, Index
from .photos import Preprocess, find_photos, model_input, stamp
from .query import Lemmatizer
from .vectors import WordVectors, phrase_vector
from .vocabulary import Vocabulary

ProgressCallback = Callable[[int, int], None]
SkipCallback = Callable[[Path, str], None]
LOCK_FILE = ".lock"


@dataclass
class IndexReport:
    tagger: str = ""
    found: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    retagged_all: bool = False


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """One indexer per index. flock is dropped by the kernel when a process dies,
    so a crash never leaves the index locked."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_FILE, "a+") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PhotofinderError(
                f"индекс {index_dir} уже обновляет другой процесс photofinder; "
                "дождитесь его окончания") from None
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def term_table(vocabulary: Vocabulary, vectors: WordVectors,
               lemmatizer: Lemmatizer) -> tuple[list[str], list[str], np.ndarray]:
    """Every vocabulary term, its lemma key and its unit vector (zeros where unknown)."""
    terms = vocabulary.terms
    keys = [" ".join(lemmatizer.key(t)) for t in terms]
    table = np.zeros((len(terms), vectors.dim), np.float32)
    for i, term in enumerate(terms):
        vec = phrase_vector(vectors, term.split())
        if vec is not None:
            table[i] = vec
    return terms, keys, table


def _decode(path: Path, prep: Preprocess) -> np.ndarray | PhotoError:
    try:
        return model_input(path, prep)
    except PhotoError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - one odd file must never stop a long run
        return PhotoError(f"не удалось прочитать: {type(exc).__name__}: {str(exc)[:100]}")


def _decoded_in_order(paths: list[Path], prep: Preprocess, workers: int,
                      window: int) -> Iterator[tuple[Path, np.ndarray | PhotoError]]:
    """Decodes ahead on `workers` threads, at most `window` photos in flight."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode") as pool:
        pending: list[tuple[Path, Future]] = []
        it = iter(paths)
        for path in it:
            pending.append((path, pool.submit(_decode, path, prep)))
            if len(pending) >= window:
                break
        while pending:
            path, future = pending.pop(0)
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(_decode, nxt, prep)))
            yield path, future.result()


def update_index(
    roots: list[Path],
    index_dir: Path,
    load_tagger: Callable[[], object],
    vectors: Callable[[], WordVectors],
    vocabulary: Vocabulary,
    *,
    rebuild: bool = False,
    batch_size: int = 16,
    checkpoint_every: int = 500,
    on_progress: ProgressCallback | None = None,
    on_skip: SkipCallback | None = None,
    on_tagger: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> IndexReport:
    """Tags new and changed photos under `roots` and writes the index.

    Photos already indexed under other roots stay. Saves a checkpoint every
    `checkpoint_every` tagged photos, so an interruption loses at most that much work.
    Setting `stop` ends the run early; what was tagged so far is saved.
    """
    started = time.perf_counter()
    missing = [r for r in roots if not r.is_dir()]
    if missing:
        raise UsageError(f"нет такой папки: {missing[0]}")
    roots = [r.resolve() for r in roots]
    report = IndexReport()
    with index_lock(index_dir):
        tagger = load_tagger()
        report.tagger = tagger.name
        if on_tagger:
            on_tagger(tagger.name)
        tagger_info = {"name": tagger.name, "weights": tagger.weights}
        old = None if rebuild or not index_store.exists(index_dir) else index_store.load(index_dir)
        if old is not None and old.tagger != tagger_info:
            report.retagged_all = True  # tags of another model do not mix with these
            old = None
        idx = old or Index(tagger=tagger_info, vectors="", vocabulary="")
        for r in roots:
            if str(r) not in idx.roots:
                idx.roots.append(str(r))

        # What is on disk now, and what of it needs tagging.
        row_of = {p: i for i, p in enumerate(idx.paths)}
        keep = np.ones(len(idx), dtype=bool)
        root_prefixes = tuple(str(r) + os.sep for r in roots)
        seen_rows: set[int] = set()
        todo: list[tuple[Path, int, int]] = []
        for path in find_photos(roots):
            report.found += 1
            try:
                st = stamp(path)
            except OSError as exc:
                _skip(report, on_skip, path, f"нет доступа: {exc.strerror or exc}")
                continue
            key = str(path.absolute())
            row = row_of.get(key)
            if row is not None:
                seen_rows.add(row)
                if idx.sizes[row] == st.size and idx.mtimes[row] == st.mtime_ns:
                    report.unchanged += 1
                    continue
                keep[row] = False  # changed: tag again
                report.updated += 1
            todo.append((path, st.size, st.mtime_ns))
        for row, p in enumerate(idx.paths):
            if row not in seen_rows and p.startswith(root_prefixes):
                keep[row] = False
                report.removed += 1
        idx.select(np.flatnonzero(keep))

        # Word vectors of the vocabulary: once per index, again only if they changed.
        vec = vectors()
        if idx.vectors != vec.spec or idx.vocabulary != vocabulary.digest or not idx.terms:
            idx.terms, idx.term_keys, idx.term_vectors = term_table(vocabulary, vec, Lemmatizer())
            idx.vectors, idx.vocabulary = vec.spec, vocabulary.digest

        _tag(tagger, todo, idx, index_dir, report, batch_size, checkpoint_every,
             on_progress, on_skip, stop)
        tagged = len(idx) - int(keep.sum())
        report.added = max(0, tagged - report.updated)
        index_store.save(idx, index_dir)
    report.total = len(idx)
    report.seconds = time.perf_counter() - started
    return report


def _skip(report: IndexReport, on_skip: SkipCallback | None, path: Path, reason: str) -> None:
    report.skipped.append((str(path), reason))
    if on_skip:
        on_skip(path, reason)


def _tag(tagger, todo: list[tuple[Path, int, int]], idx: Index, index_dir: Path,
         report: IndexReport, batch_size: int, checkpoint_every: int,
         on_progress: ProgressCallback | None, on_skip: SkipCallback | None,
         stop: threading.Event | None) -> None:
    if on_progress:
        on_progress(0, len(todo))
    if not todo:
        return
    info = {str(p): (size, mtime) for p, size, mtime in todo}
    workers = max(2, min(8, os.cpu_count() or 2))
    done = since_checkpoint = 0
    batch_paths: list[Path] = []
    batch_pixels: list[np.ndarray] = []

    def flush() -> None:
        nonlocal since_checkpoint
        if not batch_pixels:
            return
        probs = tagger.predict(np.stack(batch_pixels))
        top = np.argsort(-probs, axis=1)[:, :TOP_K]
        top_probs = np.take_along_axis(probs, top, axis=1)
        names = [str(p.absolute()) for p in batch_paths]
        idx.append(names, [info[str(p)][0] for p in batch_paths],
                   [info[str(p)][1] for p in batch_paths], top, top_probs)
        since_checkpoint += len(batch_paths)
        batch_paths.clear()
        batch_pixels.clear()
        if since_checkpoint >= checkpoint_every:
            index_store.save(idx, index_dir)
            since_checkpoint = 0

    for path, pixels in _decoded_in_order([p for p, _, _ in todo], tagger.preprocess,
                                          workers, window=batch_size * 3):
        if stop is not None and stop.is_set():
            report.interrupted = True
            break
        if isinstance(pixels, PhotoError):
            _skip(report, on_skip, path, str(pixels))
        else:
            batch_paths.append(path)
            batch_pixels.append(pixels)
            if len(batch_pixels) >= batch_size:
                flush()
        done += 1
        if on_progress:
            on_progress(done, len(todo))
    flush()
