"""The faces step of `photofinder index`: every photo not looked at for faces yet (new,
changed, or indexed before faces existed) is looked at once, where the person score
says someone may be in it, then the new faces are grouped into people.

The gate pays: on coco-dev (160 everyday photos, 89 with people) every face the
detector found was in a photo with a person score of at least FACE_GATE, which leaves
out a fifth of the photos (benchmarks/faces.py). An index without the people head
(ResNet50 without heads) has no person score: every photo is looked at. Videos are
not looked at.

The people the object detector found are looked at again, enlarged (faces.DlibFaceFinder:
a face too small for a look at the whole photo). Their boxes come from this run's
tagging; a photo tagged in an earlier run (or an index whose faces were forgotten) has
its people found again here, by the same detector, when the index is made with it
(about 55 ms a photo on one core).

dlib's detector runs on one core, and this step comes after the tagging, when the other
cores have nothing to do: with many photos to look at, worker processes look at them
(two on 2 cores: the faces step of 404 everyday photos 20 s -> 12 s). Spawned, not
forked: the parent holds torch's threads, which a fork copies in whatever state they are.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import ModelUnavailableError, PhotoError
from .faces import DETECT_SIDE, MISSING, FaceFinder, default_finder_name, faces_available
from .index import Index
from .vocabulary import PERSON_KEY

if TYPE_CHECKING:
    from .detector import Detector

FACE_GATE = 0.1
# Photos decoded in JPEG draft mode down to this shorter side: a 4:3 photo keeps a
# longer side of at least DETECT_SIDE, all the detector looks at.
DECODE_SIDE = DETECT_SIDE * 3 // 4
# A photo with people in it is decoded at twice that: their heads are looked at
# enlarged (faces.DlibFaceFinder), from the photo's own pixels where it has them. A
# 4000 x 3000 JPEG then decodes at half its size, in the same 26 ms of CPU as at a
# quarter (40 camera photos, Intel Xeon).
PEOPLE_DECODE_SIDE = 2 * DECODE_SIDE
# Fewer photos than this are looked at here: a worker takes about a second to start
# (Python, dlib and its models), more than it saves on a few photos.
WORKERS_FROM = 32
MAX_WORKERS = 4     # each holds dlib's models, about 100 MB
CHUNK = 4           # photos a worker is handed at a time

# A photo's faces: their boxes [F, 4] and embeddings [F, 128], or why it could not be read.
Found = tuple[np.ndarray, np.ndarray] | str
# A photo to look at: its path, and its person boxes (tagging.person_boxes) when known;
# None: the detector finds them here, when the index is made with one.
Task = tuple[Path, np.ndarray | None]


def face_workers() -> int:
    """Processes to look for faces with: one per core, at most MAX_WORKERS."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def person_scores(idx: Index) -> np.ndarray | None:
    """The person score of every photo (0 where it had none), None without a people head."""
    if PERSON_KEY not in idx.labels:
        return None
    column = idx.labels.index(PERSON_KEY)
    post = idx.postings
    a, b = int(post.ptr[column]), int(post.ptr[column + 1])
    scores = np.zeros(len(idx), np.float32)
    scores[post.row[a:b]] = post.score[a:b]
    return scores


def rows_to_look_at(idx: Index) -> tuple[np.ndarray, np.ndarray]:
    """(photo rows to run the detector on, rows only to mark as looked at: the gate
    says nobody is there)."""
    unchecked = idx.faces.unchecked(len(idx))
    scores = person_scores(idx)
    maybe = np.ones(len(unchecked), bool)
    if scores is not None:
        maybe &= scores[unchecked] >= FACE_GATE
    video = getattr(idx, "video", None)
    if video is not None and len(video) == len(idx):
        maybe &= ~np.asarray(video, bool)[unchecked]  # a video's frames: not looked at
    return unchecked[maybe], unchecked[~maybe]


def find_faces(idx: Index, finder: Callable[[], FaceFinder], *,
               on_progress: Callable[[int, int], None] | None = None,
               on_skip: Callable[[Path, str], None] | None = None,
               checkpoint: Callable[[], None] | None = None, checkpoint_every: int = 500,
               stop: threading.Event | None = None, workers: int = 1,
               people: Mapping[str, np.ndarray] | None = None,
               detect_people: bool = False) -> tuple[int, int]:
    """Looks for faces in the photos not looked at yet and groups them; returns
    (photos looked at, faces found). `finder` is called only when some photo needs it.
    workers > 1: with WORKERS_FROM photos or more, that many processes look at them, each
    with the default finder (faces.load_face_finder), whatever `finder` is.
    people: person boxes by path, from this run's tagging; detect_people: the object
    detector (detector.load_detector) finds them in the photos `people` has no boxes for.
    Stopped early, the photos done so far keep their faces; the rest wait for the next run."""
    todo, nobody = rows_to_look_at(idx)
    table = idx.faces
    table.mark_checked(nobody)
    if on_progress:
        on_progress(0, len(todo))
    found = done = 0
    paths = [Path(idx.paths[int(row)]) for row in todo]
    people = people or {}
    tasks = [(path, people.get(str(path))) for path in paths]
    looking = _Looking(finder, tasks, workers if len(paths) >= WORKERS_FROM else 1,
                       detect_people)
    with closing(iter(looking)) as results:
        for done, (row, path) in enumerate(zip(todo, paths), 1):
            if stop is not None and stop.is_set():
                done -= 1
                break
            result = next(results)
            if isinstance(result, str):  # gone or damaged since it was tagged: next run again
                if on_skip:
                    on_skip(path, result)
                continue
            table.add(int(row), *result)
            found += len(result[0])
            if on_progress:
                on_progress(done, len(todo))
            if checkpoint is not None and done % checkpoint_every == 0:
                table.group()
                checkpoint()
    if looking.finder_name:
        table.finder = looking.finder_name
    table.group()
    return done, found


def _faces_in(model: FaceFinder, task: Task, detector: Detector | None) -> Found:
    from .photos import box_in_photo, fit_for_model, open_photo

    path, boxes = task
    people_known = (boxes is not None and len(boxes) > 0) or (boxes is None and detector is not None)
    side = PEOPLE_DECODE_SIDE if people_known else DECODE_SIDE
    try:
        image = open_photo(path, min_side=side)
    except PhotoError as exc:
        return str(exc)
    if boxes is None and detector is not None:
        from .tagging import person_boxes

        found = detector.detect(fit_for_model(image, detector.preprocess)[None])[0]
        boxes = person_boxes(found)
    people = [] if boxes is None else [box_in_photo(tuple(map(float, b)), *image.size)
                                       for b in boxes]
    faces = model.find(image, people)
    return (np.array([f.box for f in faces], np.float32).reshape(-1, 4),
            np.array([f.embedding for f in faces], np.float32).reshape(-1, 128))


def _load_detector(wanted: bool) -> Detector | None:
    """The object detector on one core (each worker process has its own), or None."""
    if not wanted:
        return None
    from .detector import load_detector

    return load_detector(threads=1)


class _Looking:
    """Each photo's faces, in the photos' order: in worker processes (workers > 1), else
    here. A pool that breaks (a worker whose model would not load, one killed) hands the
    photos it has not done to this process, where a missing model is said as ever."""

    def __init__(self, finder: Callable[[], FaceFinder], tasks: list[Task], workers: int,
                 detect_people: bool = False) -> None:
        self.finder, self.tasks, self.workers = finder, tasks, workers
        # the detector only where some photo has no person boxes yet
        self.detect_people = detect_people and any(b is None for _, b in tasks)
        self.finder_name = ""

    def __iter__(self) -> Iterator[Found]:
        done = 0
        if self.workers > 1 and self.tasks:
            if not faces_available():
                raise ModelUnavailableError(MISSING)
            pool = ProcessPoolExecutor(self.workers, multiprocessing.get_context("spawn"),
                                       initializer=_start_worker, initargs=(self.detect_people,))
            try:
                for result in pool.map(_look_in_worker, [(str(p), b) for p, b in self.tasks],
                                       chunksize=CHUNK):
                    self.finder_name = default_finder_name()
                    yield result
                    done += 1
                return
            except BrokenProcessPool:
                pass
            finally:  # stopped, or done: photos not started are not looked at
                pool.shutdown(wait=True, cancel_futures=True)
        if done < len(self.tasks):
            model = self.finder()
            self.finder_name = model.name
            detector = _load_detector(self.detect_people)
            for task in self.tasks[done:]:
                yield _faces_in(model, task, detector)


_worker_model: FaceFinder | None = None
_worker_detector: Detector | None = None


def _start_worker(detect_people: bool) -> None:
    """A worker's start: Ctrl-C is the parent's (it stops the run and saves what is
    done), a parent that is gone ends the worker, and the models are loaded once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    global _worker_model, _worker_detector
    from .faces import load_face_finder

    _worker_model = load_face_finder()
    _worker_detector = _load_detector(detect_people)


def _end_with(parent: int) -> None:
    """Ends this worker once its parent is gone. A parent killed outright (kill -9, a
    crash) closes nothing a waiting worker would notice: each worker holds both ends of
    the pool's queue, so it would wait for work for ever (seen: both workers alive, idle,
    long after the index run was killed)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _look_in_worker(task: tuple[str, np.ndarray | None]) -> Found:
    assert _worker_model is not None
    return _faces_in(_worker_model, (Path(task[0]), task[1]), _worker_detector)
