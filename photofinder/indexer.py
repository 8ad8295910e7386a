"""Building and updating an index: walk folders, tag what is new, drop what is gone.

Decoding runs on a small thread pool (Pillow releases the GIL while decoding) ahead
of batched inference, through a bounded window, so the CPU cores are busy with the
model instead of waiting on JPEG decoding and memory stays flat on huge folders.

Nothing is done twice: a photo is decoded once; the model is loaded once per run, and
not at all when nothing needs tagging (a re-run over an unchanged folder only stats the
files); a photo that was moved or renamed is recognised by a content hash and keeps
its tags.
"""

from __future__ import annotations

import fcntl
import hashlib
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
from .people import PERSON_CLASS, FaceDetector
from .photos import Preprocess, crop_for_model, find_photos, open_photo, open_regular_file, stamp
from .query import Lemmatizer
from .terms import term_table
from .vectors import WordVectors
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
    people: bool = False    # faces were tagged as "человек"
    moved: int = 0          # moved or renamed photos recognised by content: not tagged again


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


Decoded = tuple[np.ndarray, float]  # model input, person confidence (0 without the detector)
PEOPLE_DETECTOR = "opencv-haar-frontalface-alt2"


def _decode(path: Path, prep: Preprocess, faces: FaceDetector | None) -> Decoded | PhotoError:
    try:
        img = open_photo(path, min_side=prep.resize)
        person = faces.confidence(img) if faces is not None else 0.0
        return crop_for_model(img, prep), person
    except PhotoError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - one odd file must never stop a long run
        return PhotoError(f"не удалось прочитать: {type(exc).__name__}: {str(exc)[:100]}")


def _decoded_in_order(paths: list[Path], prep: Preprocess, workers: int, window: int,
                      faces: FaceDetector | None = None
                      ) -> Iterator[tuple[Path, Decoded | PhotoError]]:
    """Decodes ahead on `workers` threads, at most `window` photos in flight."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode") as pool:
        pending: list[tuple[Path, Future]] = []
        it = iter(paths)
        for path in it:
            pending.append((path, pool.submit(_decode, path, prep, faces)))
            if len(pending) >= window:
                break
        while pending:
            path, future = pending.pop(0)
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(_decode, nxt, prep, faces)))
            yield path, future.result()


def _with_people(identity: dict[str, str], people: bool) -> dict[str, str]:
    """The index records the people detector with the tagger: tags made with and
    without it have different columns and must not mix."""
    identity = {k: v for k, v in identity.items() if k != "people"}
    if people:
        identity["people"] = PEOPLE_DETECTOR
    return identity


def people_available() -> bool:
    try:
        FaceDetector()
    except Exception:  # noqa: BLE001 - no OpenCV, or a wheel without the cascades
        return False
    return True


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
    tagger_identity: dict[str, str] | None = None,
    decode_workers: int | None = None,
    people: bool | None = None,
) -> IndexReport:
    """Tags new and changed photos under `roots` and writes the index.

    Photos already indexed under other roots stay. Saves a checkpoint every
    `checkpoint_every` tagged photos, so an interruption loses at most that much work.
    Setting `stop` ends the run early; what was tagged so far is saved.
    `tagger_identity` (tagger.describe_tagger): what the tagger will record, known
    without loading it; then the model is loaded only if some photo needs tagging.
    `people`: also tag faces as "человек" (photofinder.people); None keeps what the
    existing index does (on for a new index where OpenCV is installed).
    """
    started = time.perf_counter()
    missing = [r for r in roots if not r.is_dir()]
    if missing:
        raise UsageError(f"нет такой папки: {missing[0]}")
    roots = [r.resolve() for r in roots]
    report = IndexReport()
    with index_lock(index_dir):
        tagger = None
        if tagger_identity is None:
            tagger = load_tagger()
            tagger_identity = _identity(tagger)
        report.tagger = tagger_identity["name"]
        if on_tagger:
            on_tagger(report.tagger)
        old = None if rebuild or not index_store.exists(index_dir) else index_store.load(index_dir)
        if people is None:
            people = "people" in old.tagger if old is not None else people_available()
        tagger_identity = _with_people(tagger_identity, people)
        report.people = people
        if old is not None and old.tagger != tagger_identity:
            report.retagged_all = True  # tags of another model do not mix with these
            old = None
        idx = old or Index(tagger=tagger_identity, vectors="", vocabulary="")
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
        gone = [row for row, p in enumerate(idx.paths)
                if row not in seen_rows and p.startswith(root_prefixes)]
        keep[gone] = False
        report.removed = len(gone)

        # Content hashes: a new path whose content an index row had (a moved or renamed
        # photo, or one whose mtime alone changed) takes that row's tags, untagged.
        hashes = idx.aligned_hashes().copy()
        todo_hashes = _hashes([p for p, _, _ in todo], decode_workers)
        reused, copies = _reuse_tags(idx, todo, todo_hashes, hashes, keep, set(gone), report)
        backfill = np.flatnonzero(keep & (hashes == 0))  # rows of an older index
        if len(backfill):
            hashes[backfill] = _hashes([Path(idx.paths[i]) for i in backfill], decode_workers)
        idx.hashes = hashes
        idx.select(np.flatnonzero(keep))
        for (path, size, mtime), h, donor in reused:
            idx.append([str(path.absolute())], [size], [mtime], donor[0], donor[1], [h])
        todo_hashes = [h for (item, h) in zip(todo, todo_hashes) if item is not None]
        todo = [item for item in todo if item is not None]

        # Word vectors of the vocabulary: once per index, again only if they changed.
        vec = vectors()
        if idx.vectors != vec.spec or idx.vocabulary != vocabulary.digest or not idx.terms:
            idx.terms, idx.term_keys, idx.term_vectors = term_table(vocabulary, vec, Lemmatizer())
            idx.vectors, idx.vocabulary = vec.spec, vocabulary.digest

        if todo and tagger is None:
            tagger = load_tagger()
            if _with_people(_identity(tagger), people) != idx.tagger:  # describe_tagger guessed wrong: trust the model
                raise PhotofinderError(
                    f"модель {_identity(tagger)} не совпала с ожидаемой {idx.tagger}: "
                    "повторите с --rebuild")
        retag_updated = report.updated - sum(
            1 for (p, _, _), _, _ in reused if str(p.absolute()) in row_of)
        before = len(idx)
        _tag(tagger, todo, todo_hashes, idx, index_dir, report, batch_size, checkpoint_every,
             on_progress, on_skip, stop, decode_workers, FaceDetector() if people else None)
        tagged = len(idx) - before
        report.added = max(0, tagged - retag_updated) + copies
        index_store.save(idx, index_dir)
    report.total = len(idx)
    report.seconds = time.perf_counter() - started
    return report


def _identity(tagger) -> dict[str, str]:
    identity = getattr(tagger, "identity", None)
    return dict(identity) if identity else {"name": tagger.name, "weights": tagger.weights}


HASH_CHUNK = 64 * 1024


def content_hash(path: Path) -> int:
    """A fast fingerprint of a file's content: the size plus its first and last 64 KB
    (blake2b, 64 bits; never 0). Reads at most 128 KB however big the photo; a JPEG's
    first 64 KB hold its EXIF (time, camera) and the start of the image itself."""
    with open_regular_file(path) as f:  # a FIFO named .jpg must not block the run
        size = os.fstat(f.fileno()).st_size
        h = hashlib.blake2b(size.to_bytes(8, "little"), digest_size=8)
        h.update(f.read(HASH_CHUNK))
        if size > 2 * HASH_CHUNK:
            f.seek(size - HASH_CHUNK)
        h.update(f.read(HASH_CHUNK))
    return int.from_bytes(h.digest(), "little") or 1


def _hash_or_zero(path: Path) -> int:
    try:
        return content_hash(path)
    except OSError:
        return 0  # unreadable now: the decoder will say why, and the photo is tagged as new


def _hashes(paths: list[Path], workers: int | None = None) -> list[int]:
    if len(paths) < 64:
        return [_hash_or_zero(p) for p in paths]
    with ThreadPoolExecutor(max_workers=max(2, workers or 4)) as pool:  # mostly I/O waits
        return list(pool.map(_hash_or_zero, paths, chunksize=64))


def _reuse_tags(idx: Index, todo: list, todo_hashes: list[int], hashes: np.ndarray,
                keep: np.ndarray, gone: set[int], report: IndexReport) -> tuple[list, int]:
    """Matches new or changed paths to dropped rows with the same content hash.

    Returns (todo item, hash, (classes, probs)) for each match, with its todo entry set
    to None, and how many of them count as added (copies). The first new path that
    takes a vanished row's tags is a move: that row is then not counted as removed.
    """
    donors: dict[int, int] = {}
    for row in np.flatnonzero(~keep & (hashes != 0)):
        donors.setdefault(int(hashes[row]), int(row))
    reused: list = []
    used: set[int] = set()
    copies = 0
    for i, (item, h) in enumerate(zip(todo, todo_hashes)):
        row = donors.get(h) if h else None
        if row is None or idx.sizes[row] != item[1]:
            continue
        reused.append((item, h, (idx.classes[row:row + 1], idx.probs[row:row + 1])))
        todo[i] = None
        if idx.paths[row] == str(item[0].absolute()):
            continue  # only its mtime changed: counted as updated, not tagged again
        if row in used:
            copies += 1
            continue
        used.add(row)
        report.moved += 1
        if row in gone:
            report.removed -= 1  # it was counted as removed: it moved instead
    return reused, copies


def _skip(report: IndexReport, on_skip: SkipCallback | None, path: Path, reason: str) -> None:
    report.skipped.append((str(path), reason))
    if on_skip:
        on_skip(path, reason)


def decode_threads(workers: int | None = None) -> int:
    """Decode threads beside the model's intra-op threads: one per core (2 at least).

    Measured on 2 cores with ResNet50 and 12 MP JPEGs (benchmarks/speed_index.py): a
    draft-mode decode is ~14 ms of one core; 2 decode threads beat 1 both in fp32
    (19.2 vs 17.6 photos/s, the model is the limit) and in int8 (decoding is the limit
    there). Pillow releases the GIL while decoding: 2 threads decode as fast as
    2 processes (147 vs 137 photos/s), so no process pool.
    """
    if workers is not None:
        return max(1, workers)
    return max(2, min(8, os.cpu_count() or 2))


def _tag(tagger, todo: list[tuple[Path, int, int]], todo_hashes: list[int], idx: Index,
         index_dir: Path, report: IndexReport, batch_size: int, checkpoint_every: int,
         on_progress: ProgressCallback | None, on_skip: SkipCallback | None,
         stop: threading.Event | None, decode_workers: int | None = None,
         faces: FaceDetector | None = None) -> None:
    if on_progress:
        on_progress(0, len(todo))
    if not todo:
        return
    info = {str(p): (size, mtime, h) for (p, size, mtime), h in zip(todo, todo_hashes)}
    workers = decode_threads(decode_workers)
    done = since_checkpoint = 0
    batch_paths: list[Path] = []
    batch_pixels: list[np.ndarray] = []
    batch_people: list[float] = []

    def flush() -> None:
        nonlocal since_checkpoint
        if not batch_pixels:
            return
        probs = tagger.predict(np.stack(batch_pixels))
        top = np.argsort(-probs, axis=1)[:, :TOP_K]
        top_probs = np.take_along_axis(probs, top, axis=1)
        if faces is not None:  # one more column: the person tag and its confidence
            top = np.column_stack([top, np.full(len(top), PERSON_CLASS)])
            top_probs = np.column_stack([top_probs, np.asarray(batch_people, np.float32)])
        stamps = [info[str(p)] for p in batch_paths]
        idx.append([str(p.absolute()) for p in batch_paths], [s[0] for s in stamps],
                   [s[1] for s in stamps], top, top_probs, [s[2] for s in stamps])
        since_checkpoint += len(batch_paths)
        batch_paths.clear()
        batch_pixels.clear()
        batch_people.clear()
        if since_checkpoint >= checkpoint_every:
            index_store.save(idx, index_dir)
            since_checkpoint = 0

    for path, decoded in _decoded_in_order([p for p, _, _ in todo], tagger.preprocess,
                                           workers, window=batch_size * 2 + workers, faces=faces):
        if stop is not None and stop.is_set():
            report.interrupted = True
            break
        if isinstance(decoded, PhotoError):
            _skip(report, on_skip, path, str(decoded))
        else:
            batch_paths.append(path)
            batch_pixels.append(decoded[0])
            batch_people.append(decoded[1])
            if len(batch_pixels) >= batch_size:
                flush()
        done += 1
        if on_progress:
            on_progress(done, len(todo))
    flush()
