"""Building and updating an index: plan what to do (plan.py), then do it.

Decoding runs on a small thread pool (Pillow releases the GIL while decoding), a
batch at a time: on a CPU between the model's passes, so a pass has every core to
itself; on a GPU one batch ahead of the passes. Memory stays flat on huge folders
either way.

Nothing is done twice: a photo is decoded once for the model, its duplicate hash and
its date; the model is loaded once per run, and not at all when nothing needs tagging
(a re-run over an unchanged folder only stats the files); a photo that was moved or
renamed is recognised by a content hash and keeps its tags.

Nothing is lost: a model change is refused unless asked for with --rebuild (then
every stored folder is tagged again), photos in a stored folder that is missing now
(an unplugged drive) are kept, and a photo to be tagged again keeps its old tags until
its new ones are saved.
"""

from __future__ import annotations

import fcntl
import itertools
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
from .errors import (
    IndexFormatError,
    PhotoError,
    PhotofinderError,
    UsageError,
)
from .heads import Heads, heads_for
from .index import Index, Rows
from .photos import (
    Preprocess,
    content_hash,
    difference_hash,
    find_photos,
    fit_for_model,
    read_photo_and_hash,
    sky_fraction,
    stamp,
)
from .plan import Found, Plan, make_plan, outermost
from .query import Lemmatizer
from .tagging import EVIDENCE, Columns, Decoded, rows_for
from .terms import term_table
from .vectors import WordVectors
from .vocabulary import Vocabulary
from .words import keyword_words, path_words

ProgressCallback = Callable[[int, int], None]
SkipCallback = Callable[[Path, str], None]
LOCK_FILE = ".lock"


@dataclass(frozen=True)
class ModelChoice:
    """What the user asked for. None: the index's own (for a new index: the default)."""

    tagger: str | None = None        # auto | resnet50 | efficientnet-lite0 | efficientnet-lite2
    weights: Path | None = None
    regions: bool | None = None
    device: str = "cpu"

    @property
    def explicit(self) -> bool:
        return (self.tagger not in (None, "auto") or self.weights is not None
                or self.regions is not None)


@dataclass(frozen=True)
class Model:
    """The model an update uses, resolved: what the index records, and how to load it."""

    name: str                         # a TAGGER_NAMES entry or "auto"
    weights: Path | None
    regions: bool
    device: str
    identity: dict[str, str] | None   # None: known only once loaded (ResNet50 not found yet)
    unavailable: str = ""             # why the index's own model cannot tag now


@dataclass
class IndexReport:
    """What an update did, derived from its plan and what happened while tagging."""

    plan: Plan
    tagger: str = ""
    tagged_new: int = 0          # new photos the model tagged
    tagged_changed: int = 0      # changed photos tagged again
    tagged_stale: int = 0        # photos tagged again for a new model or pipeline
    dropped_changed: int = 0     # changed photos that could not be read: rows removed
    skipped: list[tuple[str, str]] = field(default_factory=list)
    interrupted: bool = False
    remaining: int = 0           # photos left untagged by an interruption
    total: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def found(self) -> int:
        return self.plan.found

    @property
    def added(self) -> int:
        return self.tagged_new + len(self.plan.copies)

    @property
    def updated(self) -> int:
        return self.tagged_changed + len(self.plan.touched) + len(self.plan.changed_known)

    @property
    def unchanged(self) -> int:
        return len(self.plan.unchanged)

    @property
    def removed(self) -> int:
        return len(self.plan.gone) + self.dropped_changed

    @property
    def moved(self) -> int:
        return len(self.plan.moved)

    @property
    def retagged(self) -> int:
        return self.tagged_stale

    def summary(self) -> str:
        """The one line `photofinder index` prints (and the GUI shows)."""
        parts = [f"новых {self.added}", f"изменённых {self.updated}",
                 f"без изменений {self.unchanged}", f"удалено {self.removed}",
                 f"пропущено {len(self.skipped)}"]
        if self.moved:
            parts.append(f"перемещено без повторной разметки {self.moved}")
        if self.retagged:
            parts.append(f"размечено заново {self.retagged}")
        if self.plan.kept_unavailable:
            parts.append(f"в недоступных папках сохранено {self.plan.kept_unavailable}")
        return f"{self.total} фото ({', '.join(parts)})"


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


# --- which model ---------------------------------------------------------------------
def _same_model(a: dict[str, str], b: dict[str, str]) -> bool:
    return all(a.get(k) == b.get(k) for k in ("name", "weights", "regions"))


def resolve_model(choice: ModelChoice, old: Index | None, rebuild: bool) -> tuple[Model, bool]:
    """The model to tag with, and whether every stored photo must be tagged again.

    An index keeps its model: `auto` means the index's own. Asking for another one is
    refused (UsageError naming --rebuild) unless `rebuild`, so no photo is ever
    dropped or silently tagged by two models. Heads shipped with a newer photofinder
    (another digest), or evidence computed another way (tagging.EVIDENCE, e.g. the sky
    from the pixels), make every photo stale: tagged again, searchable meanwhile.
    """
    from .tagger import describe_tagger

    stored = old.tagger if old is not None and not rebuild else None
    if stored is not None and stored.get("name"):
        name = choice.tagger if choice.tagger not in (None, "auto") else stored["name"]
        weights = choice.weights
        if weights is None and stored.get("weights_path"):
            weights = Path(stored["weights_path"])
            weights = weights if weights.is_file() else None
        regions = stored.get("regions", "on") == "on" if choice.regions is None else choice.regions
    else:
        name, weights = choice.tagger or "auto", choice.weights
        regions = True if choice.regions is None else choice.regions
    identity = describe_tagger(name, weights, regions)
    if identity is not None:
        identity = _with_heads(identity, weights)
    unavailable = ""
    if stored is not None and identity is not None and not _same_model(identity, stored):
        if choice.explicit:
            raise UsageError(
                f"индекс размечен моделью {_describe(stored)}, а запрошена {_describe(identity)}: "
                "чтобы разметить все фото заново новой моделью, добавьте --rebuild")
        # `auto` finds another model than the index's (other weights): tagging new photos
        # with it would mix two models' tags, so only a run with nothing to tag goes on
        unavailable = (f"модели индекса {_describe(stored)} здесь нет (найдена "
                       f"{_describe(identity)}): укажите её веса --weights ПУТЬ или "
                       "разметьте все фото заново с --rebuild")
        identity = None
    retag_all = rebuild and old is not None
    if stored is not None and identity is not None and _same_model(identity, stored) \
            and any(identity.get(k) != stored.get(k) for k in ("heads", "evidence")):
        retag_all = True  # heads or evidence of a newer photofinder: its tags change
    return Model(name, weights, regions, choice.device, identity, unavailable), retag_all


def _with_heads(identity: dict[str, str], weights: Path | None) -> dict[str, str]:
    identity = dict(identity)
    heads = heads_for(identity["name"])
    identity["heads"] = heads.digest if heads is not None else "none"
    if heads is not None:  # the sky needs the scene head: without heads no tag changes
        identity["evidence"] = EVIDENCE
    if weights is not None:
        identity["weights_path"] = str(weights.resolve())
    return identity


def _describe(identity: dict[str, str]) -> str:
    regions = "" if identity.get("regions", "on") == "on" else ", без фрагментов"
    return f"{identity.get('name')} ({identity.get('weights')}{regions})"


# --- scanning --------------------------------------------------------------------------
def scan(folders: list[str]) -> tuple[list[Found], list[tuple[str, str]]]:
    """Every photo under the folders with its size and mtime, and those that could
    not even be stat()ed (with a reason)."""
    found, unreadable = [], []
    for path in find_photos([Path(f) for f in folders]):
        try:
            st = stamp(path)
        except OSError as exc:
            unreadable.append((str(path.absolute()), f"нет доступа: {exc.strerror or exc}"))
            continue
        found.append(Found(str(path.absolute()), st.size, st.mtime_ns))
    return found, unreadable


def _hash_or_zero(path: str) -> int:
    try:
        return content_hash(Path(path))
    except OSError:
        return 0  # unreadable now: the decoder will say why, and the photo is tagged as new


def _hashes(paths: list[str], workers: int = 4) -> dict[str, int]:
    if len(paths) < 64:
        return {p: _hash_or_zero(p) for p in paths}
    with ThreadPoolExecutor(max_workers=workers) as pool:  # mostly I/O waits
        return dict(zip(paths, pool.map(_hash_or_zero, paths, chunksize=64)))


# --- decoding ----------------------------------------------------------------------------
def decode(path: Path, prep: Preprocess, sky: bool = True) -> Decoded | PhotoError:
    """Everything the index needs from a photo's file, pixels and metadata: one read,
    one decode. sky=False: a model without heads, which cannot use the sky fraction."""
    try:
        photo, file_hash = read_photo_and_hash(path, min_side=prep.size)
        pixels = fit_for_model(photo.image, prep)
        return Decoded(pixels, difference_hash(photo.image), photo.taken, file_hash,
                       photo.texts, sky_fraction(pixels) if sky else 0.0)
    except PhotoError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - one odd file must never stop a long run
        return PhotoError(f"не удалось прочитать: {type(exc).__name__}: {str(exc)[:100]}")


def decoded_in_chunks(paths: list[Path], prep: Preprocess, workers: int, sizes: Iterator[int],
                      ahead: bool, sky: bool = True) -> Iterator[tuple[Path, Decoded | PhotoError]]:
    """Decodes `next(sizes)` photos at a time on `workers` threads and yields them in
    order. ahead=False (a model on the CPU): the next chunk starts only once this one
    is taken, so the model's pass never shares the cores with a decode thread, which
    would hold one of its two threads back at every layer. Paired trials on 2 cores,
    8 rounds, against decoding ahead: Lite2 whole 1.02-1.13x, ResNet50 whole
    0.92-1.31x, the default (Lite2 with regions) 0.97-1.14x, medians 1.05x, 1.03x,
    1.02x. ahead=True (a GPU): the next chunk decodes while this one is taken and the
    GPU computes. At most two chunks are in memory either way."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode") as pool:
        def submit(start: int) -> tuple[list[Path], list[Future]]:
            chunk = paths[start:start + max(1, next(sizes))]
            return chunk, [pool.submit(decode, p, prep, sky) for p in chunk]

        start = 0
        pending = submit(0) if paths else None
        while pending is not None:
            chunk, futures = pending
            start += len(chunk)
            following = submit(start) if ahead and start < len(paths) else None
            for path, future in zip(chunk, futures):
                yield path, future.result()
            if not ahead:
                following = submit(start) if start < len(paths) else None
            pending = following


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """NumPy's BLAS on one thread while photos are tagged. The heads' products are a
    few photos by 1280 numbers, too small to gain from threads, but after each one
    OpenBLAS's idle worker spins on a core for a while, the core the decode threads and
    the model's next pass need. On 2 cores, 64 camera JPEGs (speed_index.py's
    whole-photo profile): Lite2 waited 1.0-1.1 s for decodes, 0.7 s with this; paired
    trials of update_index: the default pipeline 1.30x, ResNet50 whole 1.12x."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


FIRST_BATCH = 4   # photos in the first batch (see _tag)
APPEND_EVERY = 64  # tagged photos gathered before one Index.append (it copies the arrays)


def decode_threads(workers: int | None = None) -> int:
    """Decode threads beside the model's intra-op threads (see benchmarks/speed_index.py)."""
    if workers is not None:
        return max(1, workers)
    return max(2, min(8, os.cpu_count() or 2))


# --- the update --------------------------------------------------------------------------
def update_index(
    folders: list[Path],
    index_dir: Path,
    vocabulary: Vocabulary,
    vectors: Callable[[], WordVectors],
    *,
    choice: ModelChoice = ModelChoice(),
    rebuild: bool = False,
    load_tagger: Callable[[Model], object] | None = None,
    batch_size: int | None = None,
    checkpoint_every: int = 500,
    on_progress: ProgressCallback | None = None,
    on_skip: SkipCallback | None = None,
    on_tagger: Callable[[str], None] | None = None,
    on_note: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    decode_workers: int | None = None,
    torch_threads: int | None = None,
) -> IndexReport:
    """Tags new and changed photos under `folders` (all stored folders when empty) and
    writes the index.

    Photos under other stored folders stay as they are. Saves a checkpoint every
    `checkpoint_every` tagged photos, so an interruption loses at most that much work.
    Setting `stop` ends the run early; what was tagged so far is saved.
    `load_tagger(model)`: injected by tests and benchmarks (default: tagger.load_tagger).
    """
    started = time.perf_counter()
    missing_given = [f for f in folders if not f.is_dir()]
    if missing_given:
        raise UsageError(f"нет такой папки: {missing_given[0]}")
    with index_lock(index_dir):
        old = _load_for_update(index_dir, rebuild)
        if old is None and not folders:
            raise UsageError("укажите папку с фотографиями: индекса ещё нет")
        model, retag_all = resolve_model(choice, old, rebuild)
        # `is not None`: an index with no rows is still the index (its folders, its model)
        idx = old if old is not None else Index(tagger={}, vectors="", vocabulary="")
        if retag_all:
            idx.stale[:] = True
        if model.identity is not None:
            idx.tagger = model.identity
        notes: list[str] = []
        if model.identity is not None and model.identity.get("heads") == "none":
            notes.append(f"для модели {model.identity['name']} нет голов сцен и людей: места, "
                         "небо и «человек» не размечаются (`make train-heads` обучит их)")

        given = [str(f.resolve()) for f in folders]
        stored = list(idx.roots)
        present = [r for r in stored if os.path.isdir(r)]
        missing = [r for r in stored if not os.path.isdir(r)]
        if folders and not rebuild:
            to_scan = outermost(given)
            missing = [m for m in missing if any(m.startswith(g + os.sep) or m == g for g in to_scan)]
        else:
            to_scan = outermost([*present, *given])
        found, unreadable = scan(to_scan)
        hash_cache = HashCache(idx, found, decode_workers)
        plan = make_plan(idx.paths, idx.sizes, idx.mtimes, idx.hashes, idx.stale,
                         stored_roots=stored, scan=to_scan, missing=missing, found=found,
                         unreadable=unreadable, hash_of=hash_cache)
        report = IndexReport(plan=plan, notes=notes)
        for folder, rows in plan.unavailable.items():
            notes.append(f"папка недоступна: {folder}, сохранено {len(rows)} фото")
        if retag_all and len(idx):
            notes.append(f"все {len(idx)} фото индекса будут размечены заново "
                         f"моделью {_describe(model.identity or {'name': model.name})}")
        for path, reason in plan.unreadable:
            _skip(report, on_skip, Path(path), reason)
        idx.roots = list(plan.roots)
        lemmatizer = _lazy(Lemmatizer)
        _apply_without_tagging(idx, plan, lemmatizer)

        vec = vectors()
        if idx.vectors != vec.spec or idx.vocabulary != vocabulary.digest or not idx.terms:
            idx.terms, idx.term_keys, idx.term_vectors = term_table(vocabulary, vec, lemmatizer())
            idx.vectors, idx.vocabulary = vec.spec, vocabulary.digest

        work = _work_list(idx, plan)
        tagger = None
        if work and model.unavailable:
            raise UsageError(model.unavailable)
        if work:
            tagger = _load(model, load_tagger, torch_threads)
            identity = _with_heads(dict(tagger.identity), model.weights)
            if old is not None and old.tagger.get("name") and not (rebuild or retag_all) \
                    and not _same_model(identity, old.tagger):
                raise UsageError(  # describe_tagger could not tell before loading it
                    f"индекс размечен моделью {_describe(old.tagger)}, а загружена "
                    f"{_describe(identity)}: повторите с --rebuild")
            idx.tagger = identity
        report.tagger = idx.tagger.get("name", model.name)
        if on_tagger:
            on_tagger(report.tagger)
        if on_note:
            for note in notes:
                on_note(note)
        if tagger is None and not idx.tagger:  # a new index and nothing to tag: learn its model
            tagger = _load(model, load_tagger, torch_threads)
            idx.tagger = _with_heads(dict(tagger.identity), model.weights)
        with single_threaded_blas():
            _tag(tagger, work, idx, index_dir, vocabulary, lemmatizer, report, batch_size,
                 checkpoint_every, on_progress, on_skip, stop, decode_workers)
        index_store.save(idx, index_dir)
    report.total = len(idx)
    report.seconds = time.perf_counter() - started
    return report


def _lazy(make: Callable[[], object]) -> Callable[[], object]:
    """make() once, on first use (the lemmatizer takes ~0.3 s: not for a run with nothing to do)."""
    made: list = []

    def get():
        if not made:
            made.append(make())
        return made[0]

    return get


def _load_for_update(index_dir: Path, rebuild: bool) -> Index | None:
    """The index to update. A damaged one is an error, unless it is being rebuilt:
    then its folders are taken from index.json where it can still be read."""
    if not index_store.exists(index_dir):
        return None
    try:
        return index_store.load(index_dir)
    except IndexFormatError:
        if not rebuild:
            raise
        roots = index_store.read_roots(index_dir)
        return Index(tagger={}, vectors="", vocabulary="", roots=roots) if roots else None


class HashCache:
    """Content hashes for make_plan's move detection: the new and changed paths are
    hashed in parallel, once, and only if the plan asks (some row could be a donor)."""

    def __init__(self, idx: Index, found: list[Found], workers: int | None) -> None:
        row_of = {p: i for i, p in enumerate(idx.paths)}
        self._todo = [f.path for f in found
                      if (r := row_of.get(f.path)) is None
                      or idx.sizes[r] != f.size or idx.mtimes[r] != f.mtime_ns]
        self._workers = max(2, workers or 4)
        self.known: dict[str, int] = {}

    def __call__(self, path: str) -> int:
        if not self.known and self._todo:
            self.known.update(_hashes(self._todo, self._workers))
        return self.known.get(path) or _hash_or_zero(path)


def _apply_without_tagging(idx: Index, plan: Plan, lemmatizer: Callable[[], Lemmatizer]) -> None:
    """Everything a plan does that needs no model: restamps, moves, copies, removals.
    A moved or copied photo keeps its tags and the keywords in its file, and gets the
    words of its new folder and name."""

    def words_at(row: int, path: str) -> list[str]:
        kept = [k for k in idx.words_of(row) if k.startswith("keyword:")]
        return path_words(path, idx.roots, lemmatizer()) + kept

    for row, photo in plan.touched:
        idx.mtimes[row] = photo.mtime_ns
    if plan.moved:
        idx.set_words({row: words_at(row, photo.path) for row, photo in plan.moved})
    for row, photo in plan.moved:
        idx.paths[row] = photo.path
        idx.sizes[row], idx.mtimes[row] = photo.size, photo.mtime_ns
    copies = list(plan.copies) + [(donor, photo) for _, donor, photo in plan.changed_known]
    if copies:
        donors = np.array([row for row, _ in copies], np.int64)
        idx.append(idx.take_rows(donors, [p.path for _, p in copies], [p.size for _, p in copies],
                                 [p.mtime_ns for _, p in copies],
                                 [words_at(row, p.path) for row, p in copies]))
    dropped = list(plan.gone) + [row for row, _, _ in plan.changed_known]
    if dropped:
        keep = np.ones(len(idx), bool)
        keep[dropped] = False
        # rows that the work list refers to are renumbered by _work_list afterwards
        idx.select(np.flatnonzero(keep))


def _work_list(idx: Index, plan: Plan) -> list[tuple[str, Found]]:
    """(kind, photo) to tag: new, changed, stale. Rows are found by path when tagged
    (row numbers change as rows are removed)."""
    return ([("new", f) for f in plan.new] + [("changed", f) for _, f in plan.changed]
            + [("stale", f) for _, f in plan.stale])


def _load(model: Model, load_tagger, torch_threads: int | None):
    if load_tagger is not None:
        return load_tagger(model)
    from .tagger import load_tagger as load

    return load(model.name, model.weights, model.device, regions=model.regions,
                threads=torch_threads)


def _skip(report: IndexReport, on_skip: SkipCallback | None, path: Path, reason: str) -> None:
    report.skipped.append((str(path), reason))
    if on_skip:
        on_skip(path, reason)


def _tag(tagger, work: list[tuple[str, Found]], idx: Index, index_dir: Path,
         vocabulary: Vocabulary, lemmatizer: Callable[[], Lemmatizer], report: IndexReport,
         batch_size: int | None, checkpoint_every: int,
         on_progress: ProgressCallback | None, on_skip: SkipCallback | None,
         stop: threading.Event | None, decode_workers: int | None) -> None:
    """Tags the work list in batches. A changed or stale photo's old row stays (and is
    searchable) until its new one exists; both never reach the disk together."""
    if on_progress:
        on_progress(0, len(work))
    if not work:
        return
    heads = _heads_for(tagger)
    columns = Columns(idx, vocabulary, heads)
    row_of = {p: i for i, p in enumerate(idx.paths)}
    superseded = np.zeros(len(idx), bool)
    kind_of = {f.path: (kind, f) for kind, f in work}
    workers = decode_threads(decode_workers)
    # None: the tagger's own, the batch its model ran fastest at (tagger.CPU_BATCH)
    batch_size = batch_size or tagger.batch_size
    done = since_checkpoint = 0
    batch: list[tuple[Found, Decoded]] = []
    limit = min(batch_size, FIRST_BATCH)
    tagged: list[Rows] = []   # rows made but not appended yet

    def commit() -> None:
        """Appends the tagged rows to the index at once."""
        nonlocal superseded
        if tagged:
            rows = Rows.joined(tagged)
            idx.append(rows)
            superseded = np.concatenate([superseded, np.zeros(len(rows.paths), bool)])
            tagged.clear()

    def flush() -> None:
        nonlocal since_checkpoint
        if not batch:
            return
        analysis = tagger.analyze(np.stack([d.pixels for _, d in batch]))
        photos = [f for f, _ in batch]
        rows = rows_for(analysis, [d for _, d in batch], columns, heads,
                        [f.path for f in photos], [f.size for f in photos],
                        [f.mtime_ns for f in photos], [d.file_hash for _, d in batch])
        rows.words = [path_words(f.path, idx.roots, lemmatizer())
                      + keyword_words(list(d.texts), lemmatizer()) for f, d in batch]
        tagged.append(rows)
        for f in photos:
            kind, _ = kind_of[f.path]
            if kind != "new":
                superseded[row_of[f.path]] = True
            report.tagged_new += kind == "new"
            report.tagged_changed += kind == "changed"
            report.tagged_stale += kind == "stale"
        since_checkpoint += len(batch)
        batch.clear()
        if sum(len(r.paths) for r in tagged) >= APPEND_EVERY:
            commit()
        if since_checkpoint >= checkpoint_every:
            commit()
            index_store.save(_without(idx, superseded), index_dir)
            since_checkpoint = 0

    paths = [Path(f.path) for _, f in work]
    # on a CPU a batch's decodes, then its pass, never both on the same cores; a GPU
    # computes while the CPU decodes the next batch
    photos = decoded_in_chunks(paths, tagger.preprocess, workers,
                               itertools.chain([limit], itertools.repeat(batch_size)),
                               ahead=not tagger.on_cpu, sky=heads is not None)
    for path, decoded in photos:
        if stop is not None and stop.is_set():
            report.interrupted = True
            break
        kind, photo = kind_of[str(path)]
        if isinstance(decoded, PhotoError):
            _skip(report, on_skip, path, str(decoded))
            if kind == "changed":  # its old tags describe content that is no longer there
                superseded[row_of[photo.path]] = True
                report.dropped_changed += 1
        else:
            batch.append((photo, decoded))
            # the first batch is small: the model starts after a few decodes instead of
            # waiting for a whole batch of them with both cores half idle
            if len(batch) >= limit:
                flush()
                limit = batch_size
        done += 1
        if on_progress:  # finished photos: the ones waiting in the batch are not tagged yet
            on_progress(done - len(batch), len(work))
    flush()
    commit()
    if on_progress and done:
        on_progress(done, len(work))
    report.remaining = len(work) - done
    idx.select(np.flatnonzero(~superseded))


def _without(idx: Index, superseded: np.ndarray) -> Index:
    """A copy of the index without the superseded rows (what a checkpoint writes)."""
    import copy

    snapshot = copy.copy(idx)
    snapshot.select(np.flatnonzero(~superseded))
    return snapshot


def _heads_for(tagger) -> Heads | None:
    """The heads made for this tagger, or None (ResNet50 without its own heads). Heads
    are trained on the regions mode's input (320 px for Lite2); the whole-photo mode's
    smaller input shifts the features a little (person AP on coco-dev 0.89 vs 0.91:
    benchmarks/coco.py --no-regions), less than retraining for both sizes would gain."""
    return heads_for(tagger.name)


def features_of_photo(path: Path, idx: Index) -> tuple[np.ndarray, int | None, str]:
    """The compact features of a photo for "similar photos": stored ones when the photo
    (or a copy of it) is in the index, else computed now with the index's own model.
    Returns (features, its row or None, a note for the user or "")."""
    resolved = str(path.resolve())
    try:
        return idx.features[idx.paths.index(resolved)].astype(np.float32), \
            idx.paths.index(resolved), ""
    except ValueError:
        pass
    file_hash = _hash_or_zero(resolved)
    size = path.stat().st_size
    same = np.flatnonzero((idx.hashes == file_hash) & (idx.sizes == size)) if file_hash else []
    if len(same):
        return idx.features[same[0]].astype(np.float32), None, \
            f"фото нет в индексе, но там есть его копия: {idx.paths[same[0]]}"
    model, _ = resolve_model(ModelChoice(), idx, rebuild=False)
    tagger = _load(model, None, None)
    heads = _heads_for(tagger)
    if heads is None or idx.features.shape[1] == 0:
        raise PhotofinderError("для модели индекса нет признаков фото: похожие не найти")
    decoded = decode(path, tagger.preprocess)
    if isinstance(decoded, PhotoError):
        raise UsageError(f"не удалось открыть {path}: {decoded}")
    analysis = tagger.analyze(decoded.pixels[None])
    return heads.project(analysis.pooled[:, 0])[0], None, \
        f"фото нет в индексе: его признаки вычислены сейчас моделью {tagger.name}"
