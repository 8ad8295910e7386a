"""The photofinder window: a search field, a grid of thumbnails, a status bar.

Everything slow runs off the Tk thread and comes back as messages through one
queue (see worker.py): loading the index and the word vectors and searching on a
SerialWorker, thumbnails on a ThumbnailLoader, indexing on an IndexJob. `App` lays
out the window and routes each message to the part that owns it: the grid
(grid.py), the search controller (searching.py), the indexing panel (indexing.py).
It draws what viewmodel.py computed and turns clicks into jobs.
"""

from __future__ import annotations

import os
import queue
import shlex
import subprocess
import sys
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import ttk
from typing import Any

from ..errors import PhotofinderError
from . import viewmodel as vm
from .grid import BG, MUTED, GridView
from .indexing import INDEXING_MESSAGES, IndexingPanel
from .people import TAGS as PEOPLE_TAGS
from .people import PeopleWindow
from .searching import SearchController
from .thumbs import THUMB_DIR, ThumbnailCache, ThumbnailLoader, ThumbReady
from .worker import Done, Failed, Pump, SerialWorker, error_text

Opener = Callable[[str], None]

ERROR = "#b00020"
OPENER_ENV = "PHOTOFINDER_OPENER"      # a command to open photos with instead of the system's


def system_opener(path: str) -> None:
    """Opens a file or folder the way the desktop does (or with $PHOTOFINDER_OPENER)."""
    if command := os.environ.get(OPENER_ENV):
        subprocess.Popen([*shlex.split(command), path], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    elif sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined]  # noqa: S606 - Windows only
    else:
        viewer = "open" if sys.platform == "darwin" else "xdg-open"
        subprocess.Popen([viewer, path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class App:
    """The main window. `opener` is injected so tests can see what would be opened."""

    def __init__(self, root: tk.Tk, index_dir: Path, opener: Opener = system_opener) -> None:
        self.root, self.index_dir, self.opener = root, index_dir, opener
        self.messages: queue.Queue = queue.Queue()
        self.library = vm.Library(index_dir)
        self.worker = SerialWorker(self.messages)
        self.loader = ThumbnailLoader(ThumbnailCache(index_dir / THUMB_DIR), self.messages)
        self.pump = Pump(root.after, root.after_cancel, self.messages, self.handle)

        self.info: vm.IndexInfo | None = None
        self.message: vm.Message | None = None
        self.engine_ready = False             # word vectors and lemmatizer loaded
        self.note = ""
        self.closing = False

        self._build()
        root.report_callback_exception = self._on_tk_error
        root.protocol("WM_DELETE_WINDOW", self.close)
        self.show_message(vm.Message("ready", "Загружаю индекс…", str(index_dir)))
        self.pump.start()
        self.worker.submit("load", self.library.load)

    # --- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        root = self.root
        root.title("photofinder — поиск фотографий по слову")
        root.geometry("1040x720")
        root.minsize(480, 360)
        root.configure(bg=BG)
        style = ttk.Style(root)
        if "clam" in style.theme_names():
            style.theme_use("clam")
        style.configure(".", background=BG)
        style.configure("Title.TLabel", font=("DejaVu Sans", 16, "bold"))
        style.configure("Muted.TLabel", foreground=MUTED)
        style.configure("Error.TLabel", foreground=ERROR)
        style.configure("Status.TLabel", foreground="#333333", padding=(8, 3))
        style.configure("Link.TButton", padding=(6, 1))

        root.columnconfigure(0, weight=1)
        root.rowconfigure(3, weight=1)

        top = ttk.Frame(root, padding=(10, 10, 10, 4))
        top.grid(row=0, column=0, sticky="ew")
        top.columnconfigure(1, weight=1)
        ttk.Label(top, text="Найти:").grid(row=0, column=0, padx=(0, 6))
        self.query = tk.StringVar()
        self.entry = ttk.Entry(top, textvariable=self.query, font=("DejaVu Sans", 13))
        self.entry.grid(row=0, column=1, sticky="ew", ipady=3)
        self.searching = SearchController(self.worker, self.library, self.loader, self.query, self)
        self.entry.bind("<Return>", lambda e: self.searching.search())
        self.entry.bind("<KP_Enter>", lambda e: self.searching.search())
        self.entry.bind("<Escape>", lambda e: self.searching.clear())
        ttk.Button(top, text="Найти", command=self.searching.search).grid(row=0, column=2,
                                                                        padx=(6, 0))
        add_button = ttk.Button(top, text="Добавить папку…", command=self.add_folder)
        add_button.grid(row=0, column=3, padx=(12, 0))
        ttk.Button(top, text="Люди", command=self.show_people).grid(row=0, column=4, padx=(6, 0))
        self.people: PeopleWindow | None = None

        # row 1, shown only while a folder is being indexed
        self.indexing = IndexingPanel(root, 1, add_button, self.index_dir, self.messages,
                                      info=lambda: self.info, on_note=self.set_note,
                                      on_started=self._indexing_started,
                                      on_ended=self._indexing_ended)

        self.notes = ttk.Label(root, text="", style="Muted.TLabel", padding=(12, 2))
        self.notes.grid(row=2, column=0, sticky="ew")

        body = ttk.Frame(root)
        body.grid(row=3, column=0, sticky="nsew", padx=(10, 0), pady=(2, 0))
        body.columnconfigure(0, weight=1)
        body.rowconfigure(0, weight=1)
        self.grid = GridView(body, self.loader, on_open=self.open_path, on_note=self.set_note,
                             on_similar=self.searching.similar,
                             on_fetch_more=self.searching.fetch_more,
                             on_page_drawn=self.searching.page_drawn)
        self.searching.grid = self.grid

        # over the grid: welcome, nothing found, an error
        self.message_panel = ttk.Frame(body, padding=40)
        self.message_panel.grid(row=0, column=0, columnspan=2, sticky="nsew")
        self.message_title = ttk.Label(self.message_panel, style="Title.TLabel")
        self.message_title.pack(anchor="w")
        self.message_text = ttk.Label(self.message_panel, wraplength=640, justify="left",
                                      font=("DejaVu Sans", 11))
        self.message_text.pack(anchor="w", pady=(10, 10))
        self.suggestion_row = ttk.Frame(self.message_panel)
        self.suggestion_row.pack(anchor="w")

        self.status = ttk.Label(root, text="", style="Status.TLabel", relief="groove", anchor="w")
        self.status.grid(row=4, column=0, sticky="ew", pady=(4, 0))
        self.entry.focus_set()

    # --- messages from the threads ---------------------------------------------------
    def handle(self, msg: Any) -> None:
        """Routes one message from the queue to the part of the window that owns it."""
        if isinstance(msg, ThumbReady):
            self.grid.thumb_ready(msg)
        elif isinstance(msg, Done | Failed) and msg.tag in PEOPLE_TAGS:
            if self.people is not None and self.people.top.winfo_exists():
                self.people.handle(msg)
        elif isinstance(msg, Done | Failed) and msg.tag in ("search", "more"):
            (self.searching.done if isinstance(msg, Done) else self.searching.failed)(msg)
        elif isinstance(msg, Done):
            self._done(msg)
        elif isinstance(msg, Failed):
            self._failed(msg)
        elif isinstance(msg, INDEXING_MESSAGES):
            self.indexing.handle(msg)

    def _done(self, msg: Done) -> None:
        if msg.tag == "load":
            self.info = msg.value
            self.update_status()
            if self.searching.view is None:
                self.show_message(vm.start_message(self.info))
            self.worker.submit("warm", self.library.warm)
            if self.searching.view is not None or self.query.get().strip():
                self.searching.search()  # after a reindex: show the new photos for the same query
        elif msg.tag == "warm":
            self.engine_ready = True

    def _failed(self, msg: Failed) -> None:
        if msg.tag == "load":
            self.info = None
            self.update_status()
            self.show_message(vm.error_message(msg.error))
        elif msg.tag == "warm":
            self.set_note(error_text(msg.error), error=True)

    # --- what the grid and the panel ask for -------------------------------------------
    def search(self, text: str | None = None) -> None:
        self.searching.search(text)

    def add_folder(self, folder: Path | None = None) -> None:
        self.indexing.add_folder(folder)

    def show_people(self) -> PeopleWindow:
        """The «Люди» window (raised if open); a change reloads the index for searches."""
        if self.people is not None and self.people.top.winfo_exists():
            self.people.top.lift()
            return self.people
        self.people = PeopleWindow(self.root, self.index_dir, self.worker,
                                   on_changed=lambda: self.worker.submit("load", self.library.load))
        return self.people

    def open_path(self, path: str) -> None:
        try:
            self.opener(path)
        except (OSError, PhotofinderError) as exc:
            self.set_note(f"не удалось открыть {path}: {exc}", error=True)

    def _indexing_started(self) -> None:
        if self.message is not None and self.message.kind == "welcome":
            self.show_message(vm.Message("ready", "Идёт разметка…", vm.INDEXING_TEXT))

    def _indexing_ended(self, error: bool) -> None:
        if not error:
            # the index on disk changed: reload it (searches keep using the old one until then)
            self.worker.submit("load", self.library.load)

    # --- status, notes, messages (searching.Screen) ----------------------------------
    def update_status(self) -> None:
        self.status.configure(text=vm.status_text(self.info, self.searching.view))

    def set_note(self, text: str, error: bool = False) -> None:
        self.note = text
        self.notes.configure(text=text, style="Error.TLabel" if error else "Muted.TLabel")

    def show_start(self) -> None:
        self.show_message(vm.start_message(self.info))

    def show_message(self, message: vm.Message) -> None:
        self.message = message
        self.grid.clear()
        self.message_title.configure(text=message.title,
                                     style="Title.TLabel")
        self.message_text.configure(text=message.text,
                                    foreground=ERROR if message.kind == "error" else "")
        for child in self.suggestion_row.winfo_children():
            child.destroy()
        if message.kind == "welcome":
            ttk.Button(self.suggestion_row, text="Добавить папку…",
                       command=lambda: self.add_folder()).pack(side="left")
        for word in message.suggestions:
            ttk.Button(self.suggestion_row, text=word, style="Link.TButton",
                       command=lambda w=word: self.search(w)).pack(side="left", padx=(0, 6))
        self.message_panel.grid()
        self.message_panel.tkraise()

    def hide_message(self) -> None:
        self.message = None
        self.message_panel.grid_remove()

    def _on_tk_error(self, exc_type, exc, tb) -> None:
        """A bug in a callback: a line in the window, not a traceback in the terminal."""
        self.set_note(f"внутренняя ошибка: {exc_type.__name__}: {exc}", error=True)

    # --- closing ---------------------------------------------------------------------
    def close(self) -> None:
        """Stops the pump (after_cancel) and any indexing (its Event), saving its work."""
        self.closing = True
        if self.indexing.stop():
            self.status.configure(text="сохраняю размеченное перед выходом…")
            self.root.update_idletasks()
            self.indexing.wait(timeout=60)
        self.pump.stop()
        self.loader.close()
        self.worker.close()
        self.root.destroy()

