"""Threads that never touch Tk, and the pump that brings their messages to it.

The Porcupine pattern: work runs on threads that only `put` messages on a
`queue.Queue`; the Tk loop drains a bounded number of them every `after(50, ...)`
tick, so a burst of messages cannot freeze the window and no Tk call is ever made
from another thread (Tk is not thread-safe). No tkinter import here: the pump is
handed the widget's `after`/`after_cancel`, so all of this is tested without a display.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PhotofinderError

POLL_MS = 50          # how often the Tk loop looks at the queue
PER_TICK = 60         # messages handled per tick at most: the window stays responsive


# --- messages ----------------------------------------------------------------------
@dataclass(frozen=True)
class Done:
    """A SerialWorker job finished: `value` is what it returned."""

    tag: str
    value: Any
    token: int = 0


@dataclass(frozen=True)
class Failed:
    """A job raised: `error` is the exception (the app turns it into a message)."""

    tag: str
    error: BaseException
    token: int = 0


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    elapsed: float


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class TaggerLoaded:
    name: str


@dataclass(frozen=True)
class Note:
    """Something the indexer says once (a folder is unavailable, a model has no heads)."""

    text: str


@dataclass(frozen=True)
class IndexFinished:
    report: Any  # photofinder.indexer.IndexReport


@dataclass(frozen=True)
class IndexFailed:
    error: BaseException


# --- the pump ----------------------------------------------------------------------
class Pump:
    """Drains `messages` on the Tk loop: at most `per_tick` every `interval_ms`."""

    def __init__(self, after: Callable[[int, Callable[[], None]], str],
                 after_cancel: Callable[[str], None], messages: queue.Queue,
                 handle: Callable[[Any], None], interval_ms: int = POLL_MS,
                 per_tick: int = PER_TICK) -> None:
        self._after, self._after_cancel = after, after_cancel
        self.messages, self.handle = messages, handle
        self.interval_ms, self.per_tick = interval_ms, per_tick
        self._job: str | None = None

    def start(self) -> None:
        if self._job is None:
            self._job = self._after(self.interval_ms, self._tick)

    def stop(self) -> None:
        """Cancels the next tick (on close: a tick after destroy() would raise)."""
        if self._job is not None:
            self._after_cancel(self._job)
            self._job = None

    def drain(self, limit: int | None = None) -> int:
        """Handles up to `limit` (default `per_tick`) waiting messages; returns how many."""
        handled = 0
        for _ in range(self.per_tick if limit is None else limit):
            try:
                message = self.messages.get_nowait()
            except queue.Empty:
                break
            self.handle(message)
            handled += 1
        return handled

    def _tick(self) -> None:
        self._job = None
        try:
            self.drain()
        finally:
            # re-armed even if a handler raised, or the window would stop listening
            self._job = self._after(self.interval_ms, self._tick)


# --- one background thread for the index and the search engine ---------------------
class SerialWorker:
    """Runs submitted jobs one after another on a single daemon thread.

    Loading the index, building the search engine and searching all touch one
    `Library`, so running them in order on one thread needs no locks, and a query
    typed while the word vectors still load simply waits its turn.
    """

    def __init__(self, out: queue.Queue) -> None:
        self.out = out
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="photofinder-engine", daemon=True)
        self._thread.start()

    def submit(self, tag: str, fn: Callable[[], Any], token: int = 0) -> None:
        self._jobs.put((tag, fn, token))

    def close(self) -> None:
        self._jobs.put(None)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            tag, fn, token = job
            try:
                self.out.put(Done(tag, fn(), token))
            except Exception as exc:  # noqa: BLE001 - shown in the window, never a traceback
                self.out.put(Failed(tag, exc, token))


# --- indexing a folder -------------------------------------------------------------
class IndexJob:
    """`photofinder.indexer.update_index` on its own thread, reporting through `out`.

    torch and the tagger are imported here, on the thread, only when a folder is
    added: the window opens without them. The folder is tagged with the index's own
    model, weights and mode (indexer.resolve_model): adding a folder never re-tags or
    drops the photos already there.
    """

    def __init__(self, folder: Path, index_dir: Path, out: queue.Queue, vectors: str,
                 update: Callable[..., Any] | None = None,
                 load_tagger: Callable[[Any], Any] | None = None,
                 load_vectors: Callable[[], Any] | None = None) -> None:
        self.folder, self.index_dir, self.out = folder, index_dir, out
        self.vectors = vectors
        self._update, self._load_tagger, self._load_vectors = update, load_tagger, load_vectors
        self.stop = threading.Event()
        self.started = 0.0
        self._last_progress = 0.0
        self._thread = threading.Thread(target=self._run, name="photofinder-index")

    def start(self) -> None:
        self.started = time.perf_counter()
        self._thread.start()

    def cancel(self) -> None:
        """Asks the indexer to stop after the current photo; it saves what it tagged."""
        self.stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Waits for the thread; True if it ended."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _on_progress(self, done: int, total: int) -> None:
        now = time.perf_counter()
        # at most ~10 messages a second: thousands of photos must not flood the queue
        if done in (0, total) or now - self._last_progress >= 0.1:
            self._last_progress = now
            self.out.put(Progress(done, total, now - self.started))

    def _run(self) -> None:
        try:
            update, load_vectors = self._update, self._load_vectors
            if update is None:
                from ..indexer import update_index as update
            if load_vectors is None:
                from ..vectors import load_vectors as _load_vectors

                def load_vectors():
                    return _load_vectors(self.vectors)
            from ..vocabulary import load_vocabulary

            report = update(
                [self.folder], self.index_dir, load_vocabulary(), load_vectors,
                load_tagger=self._load_tagger, on_progress=self._on_progress,
                on_skip=lambda path, reason: self.out.put(Skipped(str(path), reason)),
                on_tagger=lambda name: self.out.put(TaggerLoaded(name)),
                on_note=lambda text: self.out.put(Note(text)), stop=self.stop)
        except Exception as exc:  # noqa: BLE001 - PhotofinderError or not, shown in the window
            self.out.put(IndexFailed(exc))
        else:
            self.out.put(IndexFinished(report))


def error_text(exc: BaseException) -> str:
    """One line for the window: a PhotofinderError's own message, else the exception."""
    if isinstance(exc, PhotofinderError):
        return str(exc)
    return f"внутренняя ошибка: {type(exc).__name__}: {exc}"
