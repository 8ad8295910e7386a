"""The search controller: turns the search field, «Похожие фото» and paging into jobs on
the engine thread, and their answers into what the grid and the window show.

Every search starts a new generation: answers (and thumbnails) of an older one are
dropped when they arrive, so typing a new query never shows the old query's results.
Jobs are partials of the Library, never closures over the window: the engine thread
must not hold the last reference to a Tk object (it would be deleted off the Tk thread).
"""

from __future__ import annotations

import time
import tkinter as tk
from functools import partial
from typing import Protocol

from ..errors import QueryError
from . import viewmodel as vm
from .grid import GridView
from .thumbs import ThumbnailLoader
from .worker import Done, Failed, SerialWorker, error_text

NOTE_JOIN = "  ·  "


class Screen(Protocol):
    """What the controller needs of the window around the grid."""

    def set_note(self, text: str, error: bool = False) -> None: ...
    def show_message(self, message: vm.Message) -> None: ...
    def hide_message(self) -> None: ...
    def show_start(self) -> None: ...
    def update_status(self) -> None: ...


class SearchController:
    """Owns the current generation and the view it answered; the grid draws that view."""

    def __init__(self, worker: SerialWorker, library: vm.Library, loader: ThumbnailLoader,
                 query: tk.StringVar, screen: Screen) -> None:
        self.worker, self.library, self.loader = worker, library, loader
        self.query, self.screen = query, screen
        self.grid: GridView | None = None   # set by the app once the grid is built
        self.generation = 0                 # rises with every search
        self.view: vm.ResultsView | None = None
        self.fetching = False               # a request for more hits is on its way
        self.timings: dict[str, float] = {}  # for benchmarks/gui_startup.py
        self._started = 0.0

    def _new_generation(self, note: str) -> int:
        """Forgets what is in flight: the old query's answers and thumbnails are dropped."""
        self.generation += 1
        self.loader.generation = self.generation
        self._started = time.perf_counter()
        self.timings.pop("first_page_s", None)
        self.fetching = False
        self.screen.set_note(note)
        return self.generation

    def search(self, text: str | None = None) -> None:
        """Searches on the engine thread; the answer comes back as a Done message."""
        if text is not None:
            self.query.set(text)
        query = self.query.get().strip()
        if not query:
            self.clear()
            return
        token = self._new_generation("ищу…")
        self.worker.submit("search", partial(self.library.search, query), token=token)

    def similar(self, tile: vm.Tile) -> None:
        """«Похожие фото»: the grid shows photos like this one (on the engine thread)."""
        self.query.set("")
        token = self._new_generation("ищу похожие…")
        self.worker.submit("search", partial(self.library.similar, tile.row), token=token)

    def clear(self) -> None:
        """Esc: empty field, empty grid, the start message."""
        self.query.set("")
        self._new_generation("")
        self.view = None
        self.grid.clear()
        self.screen.show_start()
        self.screen.update_status()

    def fetch_more(self) -> None:
        """The grid ran past the hits fetched so far: ask for four times as many (the
        ranking is deterministic, so the longer list starts with the same hits)."""
        view = self.view
        if self.fetching or view is None:
            return
        self.fetching = True
        self.worker.submit("more", partial(self.library.search, view.query, view.fetched * 4),
                           self.generation)

    def page_drawn(self) -> None:
        if "first_page_s" not in self.timings:
            self.timings["first_page_s"] = time.perf_counter() - self._started

    # --- answers from the engine thread ---------------------------------------------
    def done(self, msg: Done) -> None:
        if msg.token != self.generation:
            return  # an older search's answer
        if msg.tag == "search":
            self.timings["search_s"] = msg.value.seconds
            self._show(msg.value)
        elif msg.tag == "more":
            self.fetching = False
            self.view = msg.value
            self.screen.set_note(self._note())
            self.grid.extend(msg.value)

    def failed(self, msg: Failed) -> None:
        if msg.token != self.generation:
            return
        if msg.tag == "search":
            if isinstance(msg.error, QueryError):  # a bad query: a line, the photos stay
                self.screen.set_note(str(msg.error), error=True)
            else:
                self.screen.show_message(vm.error_message(msg.error))
        elif msg.tag == "more":
            self.fetching = False
            self.screen.set_note(error_text(msg.error), error=True)

    def _note(self) -> str:
        view = self.view
        return NOTE_JOIN.join(filter(None, [view.summary, *view.notes]))

    def _show(self, view: vm.ResultsView) -> None:
        self.view = view
        self.grid.clear()
        self.screen.update_status()
        self.screen.set_note(self._note())
        if view.message is not None:
            self.screen.show_message(view.message)
            return
        self.screen.hide_message()
        self.grid.show(view)
