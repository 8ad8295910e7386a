"""Building and updating an index: plan what to do (plan.py), then do it.

One run: resolve the model (model_choice.py), walk the folders (scanning.py), make
the plan, carry out what needs no model (restamps, moves, copies, removals), then tag
the plan's photos (`Tagging`: decoding.py feeds the model, tagging.py turns its
output into rows), look for faces (face_pass.py), and bring what the index stores up to
date without tagging again (catch_up.py: places, the face tags; derived.py). The summary
is derived from the plan and what tagging did.

Nothing is done twice: a photo is decoded once for the model, its duplicate hash and
its date; the model is loaded once per run, and not at all when nothing needs tagging
(a re-run over an unchanged folder only stats the files); a photo that was moved or
renamed is recognised by a content hash and keeps its tags.

Nothing is lost: a model change is refused unless asked for with --rebuild (then
every stored folder is tagged again), photos in a folder that is unavailable now (an
unplugged drive: missing, an empty mount point, a link that leads nowhere) are kept
unless asked for with --forget-missing, and a photo to be tagged again keeps its old
tags until its new ones are saved.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import index as index_store
from .catch_up import catch_up_face_tags, catch_up_places, catch_up_written_words
from .config import models_dir
from .decoding import decode, single_threaded_blas
from .derived import DERIVED_STAMP, with_derived_tags
from .errors import (
    IndexFormatError,
    ModelUnavailableError,
    PhotoError,
    PhotofinderError,
    UsageError,
    WriteError,
)
from .formats import RAW_EXTENSIONS
from .heads import Heads, heads_for
from .index import Index, Rows
from .model_choice import (
    Model,
    ModelChoice,
    describe,
    load_model,
    resolve_model,
    same_model,
    with_heads,
)
from .places import Locator
from .plan import Found, Plan, make_plan, outermost
from .query import Lemmatizer
from .scanning import HashCache, Whereabouts, hash_or_zero, scan
from .scoring import term_lists, term_lists_key
from .tagging import Columns
from .tagsource import FIRST_BATCH, LocalSource, Tagged, TagSource
from .term_table import cached_term_table
from .terms import Terms
from .vectors import WordVectors
from .vocabulary import Vocabulary
from .words import keyword_words, path_words, words_at_path

__all__ = ["FIRST_BATCH", "APPEND_EVERY", "Events", "IndexReport", "ModelChoice",
           "features_of_photo", "index_lock", "update_index"]

ProgressCallback = Callable[[int, int], None]
SkipCallback = Callable[[Path, str], None]
LOCK_FILE = ".lock"
APPEND_EVERY = 64  # tagged photos gathered before one Index.append (it copies the arrays)
# ... or this share of the index, whichever is more: an append copies every row, so at
# a fixed 64 a run over a large index copies it once per 64 photos (1M rows: 9.9 ms of
# driver time per photo measured by benchmarks/cluster.py, more than a Ray cluster
# leaves it); with the share, the copying costs each photo the same at any index size.
APPEND_SHARE = 1 / 512
DEFAULT_CHOICE = ModelChoice()  # the index's own model (for a new index: the default)


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
    # what the walk passed over: files of other kinds by extension, RAWs shown as the
    # JPEG beside them, Live Photos' videos shown as their photos, and files whose
    # decoder package is missing (by package)
    other_files: Counter[str] = field(default_factory=Counter)
    raw_twins: int = 0
    live_twins: int = 0
    missing_decoders: Counter[str] = field(default_factory=Counter)
    faces_looked: int = 0        # photos the face detector looked at
    faces_found: int = 0         # faces it found in them
    people: int = 0              # people (groups of faces) in the index afterwards

    @property
    def found(self) -> int:
        return self.plan.found

    @property
    def added(self) -> int:
        return self.tagged_new + len(self.plan.copies)

    @property
    def updated(self) -> int:
        return self.tagged_changed + len(self.plan.changed_known)

    @property
    def unchanged(self) -> int:
        # a photo whose file time alone changed (a library copied or restored from a
        # backup) is the same photo: counting it as changed said «изменённых 160» of
        # a folder whose photos nobody had touched
        return len(self.plan.unchanged) + len(self.plan.touched)

    @property
    def restamped(self) -> int:
        return len(self.plan.touched)

    @property
    def removed(self) -> int:
        return len(self.plan.gone) + self.dropped_changed

    @property
    def moved(self) -> int:
        return len(self.plan.moved)

    @property
    def retagged(self) -> int:
        return self.tagged_stale

    def faces_line(self) -> str:
        """What the faces step did, "" when it looked at no photo."""
        if not self.faces_looked:
            return ""
        return (f"лица: найдено {self.faces_found} на {self.faces_looked} фото, "
                f"людей в индексе {self.people}")

    def summary(self) -> str:
        """The one line `photofinder index` prints (and the GUI shows)."""
        parts = [f"новых {self.added}", f"изменённых {self.updated}",
                 f"без изменений {self.unchanged}"]
        if self.restamped:  # said next to the count it is part of
            parts.append(f"из них с новой датой файла {self.restamped}")
        parts += [f"удалено {self.removed}", f"пропущено {len(self.skipped)}"]
        if self.moved:
            parts.append(f"перемещено без повторной разметки {self.moved}")
        if self.retagged:
            parts.append(f"размечено заново {self.retagged}")
        if self.plan.kept_unavailable:
            parts.append(f"в недоступных папках сохранено {self.plan.kept_unavailable}")
        if self.raw_twins:
            parts.append(f"RAW рядом со своим JPEG (показан JPEG): {self.raw_twins}")
        if self.live_twins:
            parts.append(f"видео Live Photo рядом со своим фото (показано фото): {self.live_twins}")
        if self.other_files:
            parts.append(f"других файлов: {sum(self.other_files.values())} "
                         f"({describe_others(self.other_files)})")
        return f"{self.total} фото ({', '.join(parts)})"


def describe_others(counts: Counter[str], shown: int = 5) -> str:
    """".txt ×3, .pdf, без расширения": the commonest kinds first, the rest counted."""
    common = counts.most_common()
    names = [f"{ext or 'без расширения'}" + (f" ×{n}" if n > 1 else "")
             for ext, n in common[:shown]]
    if len(common) > shown:
        names.append(f"и ещё {len(common) - shown} видов")
    return ", ".join(names)


@dataclass(frozen=True)
class Events:
    """What a run tells its caller as it goes (the CLI's bar and lines, the GUI's queue)."""

    progress: ProgressCallback | None = None   # (photos done, photos to tag)
    skip: SkipCallback | None = None           # a photo left out, and why
    tagger: Callable[[str], None] | None = None  # the model's name, once known
    note: Callable[[str], None] | None = None  # a line for the user (a folder unavailable...)
    faces: ProgressCallback | None = None      # (photos looked at for faces, photos to look at)


_WRITE_REASONS = {errno.EROFS: "диск только для чтения", errno.EACCES: "нет прав на запись",
                  errno.EPERM: "нет прав на запись", errno.ENOSPC: "диск заполнен"}


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """One indexer per index. flock is dropped by the kernel when a process dies,
    so a crash never leaves the index locked. A folder that cannot be written (a
    read-only disk, no permission) is a WriteError: one line, the index untouched."""
    lock = index_dir / LOCK_FILE
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        f = open(lock, "a+")
    except OSError as exc:
        reason = _WRITE_REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
        raise WriteError(f"не удалось записать {lock}: {reason}; индекс не тронут") from None
    with f:
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


# --- the update --------------------------------------------------------------------------
def update_index(
    folders: list[Path],
    index_dir: Path,
    vocabulary: Vocabulary,
    vectors: Callable[[], WordVectors],
    *,
    choice: ModelChoice = DEFAULT_CHOICE,
    rebuild: bool = False,
    forget_missing: bool = False,
    load_tagger: Callable[[Model], object] | None = None,
    tag_source: Callable[[Model], TagSource] | None = None,
    batch_size: int | None = None,
    checkpoint_every: int = 500,
    on_progress: ProgressCallback | None = None,
    on_skip: SkipCallback | None = None,
    on_tagger: Callable[[str], None] | None = None,
    on_note: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    decode_workers: int | None = None,
    torch_threads: int | None = None,
    videos: bool = True,
    faces: bool | None = None,
    small_faces: bool | None = None,
    on_faces: ProgressCallback | None = None,
    load_face_finder: Callable[[], object] | None = None,
) -> IndexReport:
    """Tags new and changed photos under `folders` (all stored folders when empty) and
    writes the index.

    Photos under other stored folders stay as they are. Saves a checkpoint every
    `checkpoint_every` tagged photos, so an interruption loses at most that much work.
    Setting `stop` ends the run early; what was tagged so far is saved.
    forget_missing: photos of unavailable folders are removed instead of kept.
    `load_tagger(model)`: injected by tests and benchmarks (default: tagger.load_tagger).
    videos=False: videos are passed over (counted with the other files); those already
    in the index under the walked folders are removed from it.
    `tag_source(model)`: where the photos are tagged (default: here, tagsource.LocalSource;
    cluster.ray_source: on a Ray cluster); everything else is done here either way.
    faces: look for faces in the photos not looked at yet (face_pass); None: unless
    `people forget` turned them off for this index; False: not this time; True: on again.
    small_faces: look again at the people the detector found (FaceTable.small), from now
    on for this index; None: as the index says.
    """
    started = time.perf_counter()
    events = Events(on_progress, on_skip, on_tagger, on_note, on_faces)
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
        # photos stored before places were read: the only ones whose headers are read again
        gps_unread = set(idx.paths) if old is not None and not old.places else set()
        # rows made before this run, whose place words may come from another place table
        # (a new index's rows all get theirs while tagged: nothing to make again)
        stored_before = old is not None and len(old) > 0
        if retag_all:
            idx.stale[:] = True
        if model.identity is not None:
            idx.tagger = model.identity
        others: Counter[str] = Counter()
        twins: list[Path] = []
        plan = plan_update(idx, folders, rebuild, forget_missing, decode_workers,
                           videos, others, twins)
        raws = sum(1 for t in twins if t.suffix.lower() in RAW_EXTENSIONS)
        report = IndexReport(plan=plan, notes=_notes(model, idx, plan, retag_all),
                             other_files=others, raw_twins=raws, live_twins=len(twins) - raws)
        for path, reason in plan.unreadable:
            _skip(report, events, Path(path), reason)
        idx.roots = list(plan.roots)
        lemmatizer = _lazy(Lemmatizer)
        _apply_without_tagging(idx, plan, lemmatizer)
        _update_terms(idx, vocabulary, vectors(), lemmatizer)

        work = plan.to_tag

        def open_source() -> TagSource:
            if tag_source is not None:
                return tag_source(model)
            return LocalSource(load_model(model, load_tagger, torch_threads), decode_workers,
                               _detector(model))

        tagger = _tagger_for(model, old, idx, bool(work), rebuild or retag_all, open_source)
        report.tagger = idx.tagger.get("name", model.name)
        if events.tagger:
            events.tagger(report.tagger)
        for note in report.notes if events.note else ():
            events.note(note)
        if tagger is None and not idx.tagger:  # a new index and nothing to tag: learn its model
            tagger = load_model(model, load_tagger, torch_threads)
            idx.tagger = with_heads(dict(tagger.identity), model.weights, model.objects)
        person_boxes: dict[str, np.ndarray] = {}   # the faces step's, from the detector
        if work:
            try:
                with single_threaded_blas():
                    tagging = Tagging(tagger, idx, index_dir, vocabulary, lemmatizer, report,
                                      events, batch_size, checkpoint_every, model.objects)
                    tagging.run(work, stop)
                    person_boxes = tagging.people
            finally:
                tagger.close()
        elif events.progress:
            events.progress(0, 0)
        if not report.interrupted:
            catch_up_places(idx, gps_unread, stored_before, lemmatizer, events.note,
                            events.progress, stop)
            catch_up_written_words(idx, stored_before, lemmatizer, events.note)
        if faces:
            idx.faces.off = False
        if small_faces is not None:
            idx.faces.small = small_faces
        if (faces is None and not idx.faces.off or faces) and not report.interrupted:
            _look_for_faces(idx, index_dir, report, events, stop, checkpoint_every,
                            load_face_finder, person_boxes if idx.faces.small else {},
                            model.objects and idx.faces.small)
        if not report.interrupted:
            catch_up_face_tags(idx, bool(work) or report.faces_looked > 0, events.note)
            if work or idx.derived != DERIVED_STAMP:  # from the tags: none tagged again
                with_derived_tags(idx)
        if not report.interrupted:
            # broad words' own lists (scoring.term_lists), for search on a large archive;
            # after the child tags, which change the postings. Made again when the label
            # lists changed, and when the words' weights did (a new vocabulary or rule, no
            # photo changed): a search never uses lists added up with other weights, so
            # before they stayed unused until a photo was added
            terms = Terms(idx, vocabulary, vectors, lemmatizer)
            if idx.term_lists.key != term_lists_key(terms, idx.postings.stored_crcs()):
                idx.term_lists = term_lists(idx, terms)
        index_store.save(idx, index_dir)
        for package, count in report.missing_decoders.items():
            note = (f"не прочитано файлов: {count} — не установлен пакет {package} "
                    f"(pip install {package})")
            report.notes.append(note)
            if events.note:
                events.note(note)
    report.total = len(idx)
    report.seconds = time.perf_counter() - started
    return report


def _look_for_faces(idx: Index, index_dir: Path, report: IndexReport, events: Events,
                    stop: threading.Event | None, checkpoint_every: int,
                    load_face_finder: Callable[[], object] | None,
                    person_boxes: dict[str, np.ndarray], detector: bool) -> None:
    """The faces step (face_pass); without the face packages, one note and no faces:
    the photos wait, not looked at, for a run that has them. person_boxes: this run's
    tagging's; detector: the index is made with the object detector, which finds the
    people of the photos tagged before."""
    from .face_pass import face_workers, find_faces
    from .faces import load_face_finder as default_finder

    try:
        looked, found = find_faces(
            idx, load_face_finder or default_finder, on_progress=events.faces,
            on_skip=lambda path, reason: _skip(report, events, path, reason),
            checkpoint=lambda: index_store.save(idx, index_dir),
            checkpoint_every=checkpoint_every, stop=stop,
            # a finder given (tests, benchmarks) is this process's own: workers load the default
            workers=face_workers() if load_face_finder is None else 1,
            people=person_boxes, detect_people=detector)
    except ModelUnavailableError as exc:
        if events.note:
            events.note(str(exc))
        return
    if stop is not None and stop.is_set():
        report.interrupted = True
    report.faces_looked, report.faces_found = looked, found
    report.people = len(idx.faces.people())


def plan_update(idx: Index, folders: list[Path], rebuild: bool, forget: bool,
                workers: int | None, videos: bool = True, others: Counter[str] | None = None,
                twins: list[Path] | None = None) -> Plan:
    """Walks what this update covers and decides what to do with every photo: `index
    DIR` walks DIR only, a refresh (no DIR) or --rebuild every stored folder there is.
    `others` and `twins` collect what the walk passed over (scanning.scan)."""
    given = [str(f.resolve()) for f in folders]
    stored = list(idx.roots)
    present = [r for r in stored if os.path.isdir(r)]
    missing = [r for r in stored if not os.path.isdir(r)]
    if folders and not rebuild:
        to_scan = outermost(given)
        missing = [m for m in missing if any(m.startswith(g + os.sep) or m == g for g in to_scan)]
    else:
        to_scan = outermost([*present, *given])
    found, unreadable = scan(to_scan, videos, others, twins)
    return make_plan(idx.paths, idx.sizes, idx.mtimes, idx.hashes, idx.stale,
                     stored_roots=stored, scan=to_scan, missing=missing, found=found,
                     unreadable=unreadable, hash_of=HashCache(idx, found, workers),
                     unavailable_folder=Whereabouts(found).unavailable_folder, forget=forget)


def _notes(model: Model, idx: Index, plan: Plan, retag_all: bool) -> list[str]:
    notes: list[str] = []
    if model.identity is not None and model.identity.get("heads") == "none":
        notes.append(f"для модели {model.identity['name']} нет голов сцен и людей: места, "
                     "небо и «человек» не размечаются (`make train-heads` обучит их)")
    for folder, rows in plan.unavailable.items():
        notes.append(f"папка недоступна: {folder}, сохранено {len(rows)} фото"
                     if not os.path.isdir(folder) else
                     f"папка {folder} пуста или недоступна, сохранено {len(rows)} фото; "
                     "если их удалили, `photofinder index --forget-missing` уберёт их из индекса")
    if retag_all and len(idx):
        notes.append(f"все {len(idx)} фото индекса будут размечены заново "
                     f"моделью {describe(model.identity or {'name': model.name})}")
    return notes


def _update_terms(idx: Index, vocabulary: Vocabulary, vec: WordVectors,
                  lemmatizer: Callable[[], Lemmatizer]) -> None:
    if idx.vectors != vec.spec or idx.vocabulary != vocabulary.digest or not idx.terms:
        idx.terms, idx.term_keys, idx.term_vectors = cached_term_table(
            vocabulary, vec, lemmatizer, models_dir() / "terms")
        idx.vectors, idx.vocabulary = vec.spec, vocabulary.digest


def _tagger_for(model: Model, old: Index | None, idx: Index, needed: bool, retagging: bool,
                load: Callable[[], object]):
    """The loaded tagger when there is work (idx.tagger becomes its identity), else None."""
    if not needed:
        return None
    if model.unavailable:
        raise UsageError(model.unavailable)
    tagger = load()
    identity = with_heads(dict(tagger.identity), model.weights, model.objects)
    if old is not None and old.tagger.get("name") and not retagging \
            and not same_model(identity, old.tagger):
        tagger.close()
        raise UsageError(  # describe_tagger could not tell before loading it
            f"индекс размечен моделью {describe(old.tagger)}, а загружена "
            f"{describe(identity)}: повторите с --rebuild")
    idx.tagger = identity
    return tagger


def _detector(model: Model):
    """The object detector when the model runs with it, else None (loaded once: a
    missing or damaged file is ModelUnavailableError in one line, naming --no-objects)."""
    if not model.objects:
        return None
    from .detector import load_detector

    return load_detector()


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


def _apply_without_tagging(idx: Index, plan: Plan, lemmatizer: Callable[[], Lemmatizer]) -> None:
    """Everything a plan does that needs no model: restamps, moves, copies, removals.
    A moved or copied photo keeps its tags and the keywords in its file, and gets the
    words of its new folder and name."""

    def words_at(row: int, path: str) -> list[str]:
        return words_at_path(idx.words_of(row), path, idx.roots, lemmatizer())

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


def _skip(report: IndexReport, events: Events, path: Path, reason: str) -> None:
    report.skipped.append((str(path), reason))
    if events.skip:
        events.skip(path, reason)


class Tagging:
    """Tags a plan's photos in batches into an index. A changed or stale photo's old
    row stays (and is searchable) until its new one exists; both never reach the disk
    together: `superseded` marks the old rows, left out of checkpoints and dropped at
    the end. The photos are tagged by a TagSource (here or on a cluster); its batches
    are written here, in the order they come back."""

    def __init__(self, source: TagSource, idx: Index, index_dir: Path, vocabulary: Vocabulary,
                 lemmatizer: Callable[[], Lemmatizer], report: IndexReport, events: Events,
                 batch_size: int | None, checkpoint_every: int, objects: bool = False):
        from .detector import COCO_CLASSES

        self.source, self.idx, self.index_dir = source, idx, index_dir
        self.lemmatizer, self.report, self.events = lemmatizer, report, events
        self.heads = _heads_for(source)
        self.columns = Columns(idx, vocabulary, self.heads, COCO_CLASSES if objects else ())
        self.row_of = {p: i for i, p in enumerate(idx.paths)}
        self.superseded = np.zeros(len(idx), bool)
        # None: the tagger's own, the batch its model ran fastest at (tagger.CPU_BATCH)
        self.batch_size = batch_size or source.batch_size
        self.checkpoint_every = checkpoint_every
        self.since_checkpoint = 0
        self.tagged: list[Rows] = []   # rows made but not appended yet
        # each tagged photo's person boxes (tagging.person_boxes), for the faces step
        self.people: dict[str, np.ndarray] = {}
        self.locator = Locator(lemmatizer())

    def run(self, work: list[tuple[str, Found]], stop: threading.Event | None) -> None:
        progress, report = self.events.progress, self.report
        if progress:
            progress(0, len(work))
        self.kind_of = {f.path: kind for kind, f in work}
        done = 0
        for tagged in self.source.tag([f for _, f in work], self.columns, self.heads,
                                      self.batch_size, stop):
            self._add(tagged)
            done += tagged.photos
            if progress:  # photos whose rows exist (or were skipped), across all workers
                progress(done, len(work))
        report.interrupted = done < len(work) and stop is not None and stop.is_set()
        self._commit()
        report.remaining = len(work) - done
        self.idx.select(np.flatnonzero(~self.superseded))

    def _add(self, tagged: Tagged) -> None:
        """A batch from the source: its rows join `tagged`, its unreadable photos are
        skipped; appends and checkpoints as the batches add up."""
        report = self.report
        for path, reason, package in tagged.skipped:
            if package:  # one line per package at the end, not one per file (thousands of RAWs)
                report.skipped.append((path, reason))
                report.missing_decoders[package] += 1
            else:
                _skip(report, self.events, Path(path), reason)
            if self.kind_of[path] == "changed":  # its old tags describe content no longer there
                self.superseded[self.row_of[path]] = True
                report.dropped_changed += 1
        rows = tagged.rows
        if rows is None:
            return
        lemmatizer = self.lemmatizer()
        rows.words = [path_words(path, self.idx.roots, lemmatizer)
                      + keyword_words(list(texts), lemmatizer) + self.locator.words(gps)
                      for path, texts, gps in zip(rows.paths, tagged.texts,
                                                  tagged.gps or [None] * len(rows.paths))]
        self.tagged.append(rows)
        if tagged.people is not None:
            self.people.update(zip(rows.paths, tagged.people))
        for path in rows.paths:
            kind = self.kind_of[path]
            if kind != "new":
                self.superseded[self.row_of[path]] = True
            report.tagged_new += kind == "new"
            report.tagged_changed += kind == "changed"
            report.tagged_stale += kind == "stale"
        self.since_checkpoint += len(rows.paths)
        if sum(len(r.paths) for r in self.tagged) >= max(APPEND_EVERY,
                                                         len(self.idx) * APPEND_SHARE):
            self._commit()
        if self.since_checkpoint >= self.checkpoint_every:
            self._commit()
            index_store.save(_without(self.idx, self.superseded), self.index_dir)
            self.since_checkpoint = 0

    def _commit(self) -> None:
        """Appends the tagged rows to the index at once (an append copies the arrays)."""
        if self.tagged:
            rows = Rows.joined(self.tagged)
            self.idx.append(rows)
            self.superseded = np.concatenate([self.superseded, np.zeros(len(rows.paths), bool)])
            self.tagged.clear()


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
    file_hash = hash_or_zero(resolved)
    size = path.stat().st_size
    same = np.flatnonzero((idx.hashes == file_hash) & (idx.sizes == size)) if file_hash else []
    if len(same):
        return idx.features[same[0]].astype(np.float32), None, \
            f"фото нет в индексе, но там есть его копия: {idx.paths[same[0]]}"
    model, _ = resolve_model(ModelChoice(), idx, rebuild=False)
    tagger = load_model(model, None, None)
    heads = _heads_for(tagger)
    if heads is None or idx.features.shape[1] == 0:
        raise PhotofinderError("для модели индекса нет признаков фото: похожие не найти")
    decoded = decode(path, tagger.preprocess)
    if isinstance(decoded, PhotoError):
        raise UsageError(f"не удалось открыть {path}: {decoded}")
    analysis = tagger.analyze(decoded.images)  # a video: the mean of its frames'
    return heads.project(analysis.pooled[:, 0]).mean(axis=0), None, \
        f"фото нет в индексе: его признаки вычислены сейчас моделью {tagger.name}"
