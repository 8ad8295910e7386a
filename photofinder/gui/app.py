"""The photofinder window: a search field, a grid of thumbnails, a status bar.

Everything slow runs off the Tk thread and comes back as messages through one
queue (see worker.py): loading the index and the word vectors and searching on a
SerialWorker, thumbnails on a ThumbnailLoader, indexing on an IndexJob. This module
only draws what viewmodel.py computed and turns clicks into jobs.
"""

from __future__ import annotations

import json
import os
import queue
import shlex
import subprocess
import sys
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog, ttk
from typing import Any

from PIL import ImageTk
from tktooltip import ToolTip

from ..errors import IndexMissingError, PhotofinderError, QueryError
from . import viewmodel as vm
from .thumbs import THUMB_DIR, THUMB_SIZE, ThumbnailCache, ThumbnailLoader, ThumbReady, ThumbRequest
from .worker import (
    Done,
    Failed,
    IndexFailed,
    IndexFinished,
    IndexJob,
    Note,
    Progress,
    Pump,
    SerialWorker,
    Skipped,
    TaggerLoaded,
    error_text,
)

Opener = Callable[[str], None]

TILE_W = THUMB_SIZE + 28     # thumbnail plus padding: the column width of the grid
TILE_H = THUMB_SIZE + 52     # thumbnail plus two caption lines
BG = "#f4f4f2"
TILE_BG = "#ffffff"
TILE_SELECTED = "#cfe3ff"
MUTED = "#666666"
ERROR = "#b00020"
STATE_ENV = "PHOTOFINDER_GUI_STATE"    # test and benchmark hook: the app writes its state here
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

    def __init__(self, root: tk.Tk, index_dir: Path, opener: Opener = system_opener,
                 state_file: Path | None = None) -> None:
        self.root, self.index_dir, self.opener = root, index_dir, opener
        self.state_file = state_file
        self.messages: queue.Queue = queue.Queue()
        self.library = vm.Library(index_dir)
        self.worker = SerialWorker(self.messages)
        self.loader = ThumbnailLoader(ThumbnailCache(index_dir / THUMB_DIR), self.messages)
        self.pump = Pump(root.after, root.after_cancel, self.messages, self._handle)

        self.info: vm.IndexInfo | None = None
        self.view: vm.ResultsView | None = None
        self.message: vm.Message | None = None
        self.generation = 0                   # rises with every search
        self.pages_shown = 0
        self.cols = 0
        self.tiles: list[tuple[vm.Tile, tk.Label]] = []
        self.images: dict[int, ImageTk.PhotoImage] = {}   # Tk drops images nobody references
        self.tooltips: dict[int, ToolTip] = {}
        self.pending_thumbs: set[int] = set()
        self.selected: int | None = None
        self.job: IndexJob | None = None
        self._fetching = False                # a request for more hits is on its way
        self.engine_ready = False             # word vectors and lemmatizer loaded
        self._more_scheduled = False
        self.note = ""
        self.timings: dict[str, float] = {}
        self._search_started = 0.0
        self._state_scheduled = False
        self._closing = False

        self._build()
        root.report_callback_exception = self._on_tk_error
        root.protocol("WM_DELETE_WINDOW", self.close)
        self._show_message(vm.Message("ready", "Загружаю индекс…", str(index_dir)))
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
        self.query.trace_add("write", lambda *_: self._schedule_state())
        self.entry = ttk.Entry(top, textvariable=self.query, font=("DejaVu Sans", 13))
        self.entry.grid(row=0, column=1, sticky="ew", ipady=3)
        self.entry.bind("<Return>", lambda e: self.search())
        self.entry.bind("<KP_Enter>", lambda e: self.search())
        self.entry.bind("<Escape>", lambda e: self.clear())
        ttk.Button(top, text="Найти", command=self.search).grid(row=0, column=2, padx=(6, 0))
        self.add_button = ttk.Button(top, text="Добавить папку…", command=self.add_folder)
        self.add_button.grid(row=0, column=3, padx=(12, 0))

        # shown only while a folder is being indexed
        self.progress_row = ttk.Frame(root, padding=(10, 2, 10, 2))
        self.progress_row.columnconfigure(1, weight=1)
        self.progress_label = ttk.Label(self.progress_row, text="", width=44)
        self.progress_label.grid(row=0, column=0, sticky="w")
        self.progress = ttk.Progressbar(self.progress_row, mode="determinate")
        self.progress.grid(row=0, column=1, sticky="ew", padx=8)
        self.cancel_button = ttk.Button(self.progress_row, text="Отмена", command=self.cancel_indexing)
        self.cancel_button.grid(row=0, column=2)

        self.notes = ttk.Label(root, text="", style="Muted.TLabel", padding=(12, 2))
        self.notes.grid(row=2, column=0, sticky="ew")

        body = ttk.Frame(root)
        body.grid(row=3, column=0, sticky="nsew", padx=(10, 0), pady=(2, 0))
        body.columnconfigure(0, weight=1)
        body.rowconfigure(0, weight=1)
        self.canvas = tk.Canvas(body, bg=BG, highlightthickness=0)
        self.scrollbar = ttk.Scrollbar(body, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=self._on_scrolled)
        self.canvas.grid(row=0, column=0, sticky="nsew")
        self.scrollbar.grid(row=0, column=1, sticky="ns")
        self.grid_frame = tk.Frame(self.canvas, bg=BG)
        self._grid_window = self.canvas.create_window(0, 0, window=self.grid_frame, anchor="nw")
        self.grid_frame.bind("<Configure>", lambda e: self.canvas.configure(
            scrollregion=self.canvas.bbox("all")))
        self.canvas.bind("<Configure>", self._on_resize)
        for sequence in ("<MouseWheel>", "<Button-4>", "<Button-5>"):
            root.bind_all(sequence, self._on_wheel, add="+")
        self.more_button = ttk.Button(self.grid_frame, text="Ещё", command=self.more)
        self.weak_divider = tk.Label(self.grid_frame, text=vm.WEAK_TITLE, anchor="w", bg=BG,
                                     fg=MUTED, font=("DejaVu Sans", 11, "bold"))

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

        self.menu = tk.Menu(root, tearoff=False)
        self.menu_tile: vm.Tile | None = None
        self.menu.add_command(label="Открыть", command=lambda: self._menu_do("open"))
        self.menu.add_command(label="Копировать путь", command=lambda: self._menu_do("copy"))
        self.menu.add_command(label="Показать в папке", command=lambda: self._menu_do("folder"))
        self.menu.add_separator()
        self.menu.add_command(label="Похожие фото", command=lambda: self._menu_do("similar"))

        self.placeholder = tk.PhotoImage(width=THUMB_SIZE, height=THUMB_SIZE)
        self.placeholder.put("#e6e6e3", to=(0, 0, THUMB_SIZE, THUMB_SIZE))
        self.entry.focus_set()

    # --- messages from the threads ---------------------------------------------------
    def _handle(self, msg: Any) -> None:
        if isinstance(msg, ThumbReady):
            self._thumb_ready(msg)
        elif isinstance(msg, Done):
            self._done(msg)
        elif isinstance(msg, Failed):
            self._failed(msg)
        elif isinstance(msg, Progress):
            self.progress.configure(maximum=max(1, msg.total), value=msg.done)
            self.progress_label.configure(text=vm.progress_text(msg.done, msg.total, msg.elapsed))
        elif isinstance(msg, TaggerLoaded):
            self.progress_label.configure(text=f"модель {msg.name} загружена, ищу фотографии…")
        elif isinstance(msg, Skipped):
            self._set_note(f"пропущено {os.path.basename(msg.path)}: {msg.reason}")
        elif isinstance(msg, Note):
            self._set_note(msg.text)
        elif isinstance(msg, IndexFinished):
            self._indexing_ended(vm.report_text(msg.report))
        elif isinstance(msg, IndexFailed):
            self._indexing_ended(error_text(msg.error), error=True)
        self._schedule_state()

    def _done(self, msg: Done) -> None:
        if msg.tag == "load":
            self.info = msg.value
            self._update_status()
            if self.view is None:
                self._show_message(vm.Message("ready", vm.READY_TITLE, vm.READY_TEXT))
            self.worker.submit("warm", self.library.warm)
            if self.view is not None or self.query.get().strip():
                self.search()  # after a reindex: show the new photos for the same query
        elif msg.tag == "warm":
            self.engine_ready = True
        elif msg.tag == "search" and msg.token == self.generation:
            self.timings["search_s"] = msg.value.seconds
            self._show_view(msg.value)
        elif msg.tag == "more" and msg.token == self.generation:
            # the same ranking, longer: the tiles drawn so far stay, the next page follows
            self._fetching = False
            self.view = msg.value
            self._set_note("  ·  ".join(filter(None, [self.view.summary, *self.view.notes])))
            self.more()

    def _failed(self, msg: Failed) -> None:
        if msg.tag == "load":
            self.info = None
            self._update_status()
            self._show_message(vm.error_message(msg.error))
        elif msg.tag == "search" and msg.token == self.generation:
            if isinstance(msg.error, IndexMissingError):
                self._show_message(vm.error_message(msg.error))
            elif isinstance(msg.error, QueryError):
                self._set_note(str(msg.error), error=True)
            else:
                self._show_message(vm.error_message(msg.error))
        elif msg.tag == "more" and msg.token == self.generation:
            self._fetching = False
            self._set_note(error_text(msg.error), error=True)
        elif msg.tag == "warm":
            self._set_note(error_text(msg.error), error=True)

    # --- searching ---------------------------------------------------------------------
    def search(self, text: str | None = None) -> None:
        """Searches on the engine thread; the answer comes back as a Done message."""
        if text is not None:
            self.query.set(text)
        query = self.query.get().strip()
        if not query:
            self.clear()
            return
        self.generation += 1
        self.loader.generation = self.generation  # the old query's thumbnails are dropped
        self._search_started = time.perf_counter()
        self.timings.pop("first_page_s", None)
        self._fetching = False
        self._set_note("ищу…")
        self.worker.submit("search", lambda: self.library.search(query), token=self.generation)

    def clear(self) -> None:
        """Esc: empty field, empty grid."""
        self.query.set("")
        self.generation += 1
        self.loader.generation = self.generation
        self.view = None
        self._clear_tiles()
        self._set_note("")
        self._show_message(vm.Message("ready", vm.READY_TITLE, vm.READY_TEXT) if self.info
                           else vm.Message("welcome", vm.WELCOME_TITLE, vm.WELCOME_TEXT))
        self._update_status()

    def _show_view(self, view: vm.ResultsView) -> None:
        self.view = view
        self._clear_tiles()
        self._update_status()
        note = "  ·  ".join(filter(None, [view.summary, *view.notes]))
        self._set_note(note)
        if view.message is not None:
            self._show_message(view.message)
            return
        self.message = None
        self.message_panel.grid_remove()
        self.canvas.yview_moveto(0)
        self.more()

    def more(self) -> None:
        """Draws the next page of tiles and asks for their thumbnails."""
        view = self.view
        if view is None:
            return
        if self.pages_shown >= view.pages():
            if not view.complete and not self._fetching:
                self._fetching = True
                query, top, generation = view.query, view.fetched * 4, self.generation
                self.worker.submit("more", lambda: self.library.search(query, top), generation)
            return
        for tile in self.view.page(self.pages_shown):
            token = len(self.tiles)
            label = tk.Label(self.grid_frame, image=self.placeholder, text=tile.caption,
                             compound="top", width=TILE_W - 8, height=TILE_H - 8, bg=TILE_BG,
                             font=("DejaVu Sans", 9), fg=MUTED if tile.weak else "#222222",
                             bd=1, relief="solid",
                             highlightthickness=0, cursor="hand2")
            label.bind("<Enter>", lambda e, t=token: self._tooltip(e, t), add="+")
            label.bind("<Button-1>", lambda e, t=token: self._select(t))
            label.bind("<Double-Button-1>", lambda e, t=token: self.open_tile(t))
            for button in ("<Button-3>", "<Button-2>"):  # Linux/Windows, macOS
                label.bind(button, lambda e, t=token: self._context_menu(e, t))
            self.tiles.append((tile, label))
            self.pending_thumbs.add(token)
            self.loader.request(ThumbRequest(self.generation, token, tile.path, tile.size,
                                             tile.mtime_ns))
        self.pages_shown += 1
        self._layout(force=True)

    def _clear_tiles(self) -> None:
        for tip in self.tooltips.values():
            tip.destroy()
        for _, label in self.tiles:
            label.destroy()
        self.tiles.clear()
        self.images.clear()
        self.tooltips.clear()
        self.pending_thumbs.clear()
        self.selected = None
        self.pages_shown = 0
        self.more_button.grid_remove()
        self.weak_divider.grid_remove()

    def _thumb_ready(self, msg: ThumbReady) -> None:
        if msg.generation != self.generation or msg.token >= len(self.tiles):
            return
        tile, label = self.tiles[msg.token]
        if msg.image is not None:
            photo = ImageTk.PhotoImage(msg.image, master=self.root)
            self.images[msg.token] = photo
            label.configure(image=photo)
        else:
            label.configure(text=f"{tile.caption}\n(не открывается)")
        self.pending_thumbs.discard(msg.token)
        if not self.pending_thumbs and "first_page_s" not in self.timings:
            self.timings["first_page_s"] = time.perf_counter() - self._search_started

    # --- the grid: reflow, scrolling, paging ---------------------------------------
    def _on_resize(self, event: tk.Event) -> None:
        self.canvas.itemconfigure(self._grid_window, width=event.width)
        self._layout()

    def _layout(self, force: bool = False) -> None:
        """Puts tiles in as many columns as fit; re-grids only when that number changes.
        Weak matches follow the strong ones under a «Возможно» divider row."""
        cols = max(1, self.canvas.winfo_width() // TILE_W)
        if cols == self.cols and not force:
            return
        self.cols = cols
        self._schedule_state()
        for c in range(64):
            self.grid_frame.columnconfigure(c, weight=1 if c < cols else 0, uniform="")
        strong = sum(not tile.weak for tile, _ in self.tiles)
        strong_rows = -(-strong // cols)
        last_row = strong_rows - 1
        for i, (_, label) in enumerate(self.tiles):
            if i < strong:
                row, col = divmod(i, cols)
            else:
                row, col = divmod(i - strong, cols)
                row += strong_rows + 1
            label.grid(row=row, column=col, padx=4, pady=4)
            last_row = row
        if strong < len(self.tiles):
            self.weak_divider.grid(row=strong_rows, column=0, columnspan=cols, sticky="ew",
                                   padx=4, pady=(12, 2))
        else:
            self.weak_divider.grid_remove()
        if self._has_more():
            left = len(self.view.tiles) - len(self.tiles)
            more = "" if self.view.complete else "+"
            self.more_button.configure(
                text=f"Ещё {min(left, vm.PAGE_SIZE) or vm.PAGE_SIZE} (осталось {left}{more})")
            self.more_button.grid(row=last_row + 1, column=0, columnspan=cols, pady=12)
        else:
            self.more_button.grid_remove()

    def _on_scrolled(self, first: str, last: str) -> None:
        self.scrollbar.set(first, last)
        # load on scroll: reaching the bottom draws the next page
        if float(last) >= 0.98 and float(first) > 0 and self._has_more() \
                and not self._more_scheduled:
            self._more_scheduled = True  # one page per arrival at the bottom, not one per event
            self.root.after_idle(self._more_from_scroll)

    def _more_from_scroll(self) -> None:
        self._more_scheduled = False
        self.more()

    def _has_more(self) -> bool:
        view = self.view
        return view is not None and (self.pages_shown < view.pages() or not view.complete)

    def _on_wheel(self, event: tk.Event) -> None:
        if self.message_panel.winfo_ismapped():
            return
        if event.num == 4 or getattr(event, "delta", 0) > 0:
            self.canvas.yview_scroll(-3, "units")
        elif event.num == 5 or getattr(event, "delta", 0) < 0:
            self.canvas.yview_scroll(3, "units")

    # --- a tile: tooltip, selection, opening, menu ---------------------------------
    def _tooltip(self, event: tk.Event, token: int) -> None:
        """Tooltips are made on first hover: a ToolTip is a Toplevel, and hundreds of
        them made up front would slow every page down."""
        if token in self.tooltips or token >= len(self.tiles):
            return
        tile, label = self.tiles[token]
        tip = ToolTip(label, msg=tile.tooltip, delay=0.4, follow=True,
                      parent_kwargs={"bg": "#888888", "padx": 1, "pady": 1},
                      bg="#ffffe8", fg="#111111", font=("DejaVu Sans", 9), width=460)
        self.tooltips[token] = tip
        tip.on_enter(event)

    def _select(self, token: int) -> None:
        if self.selected is not None and self.selected < len(self.tiles):
            self.tiles[self.selected][1].configure(bg=TILE_BG)
        self.selected = token
        self.tiles[token][1].configure(bg=TILE_SELECTED)

    def open_tile(self, token: int) -> None:
        self._select(token)
        self._open(self.tiles[token][0].path)

    def _open(self, path: str) -> None:
        try:
            self.opener(path)
        except (OSError, PhotofinderError) as exc:
            self._set_note(f"не удалось открыть {path}: {exc}", error=True)

    def _context_menu(self, event: tk.Event, token: int) -> None:
        self._select(token)
        self.menu_tile = self.tiles[token][0]
        try:
            self.menu.tk_popup(event.x_root, event.y_root)
        finally:
            self.menu.grab_release()
        self._schedule_state()

    def _menu_do(self, action: str) -> None:
        tile = self.menu_tile
        if tile is None:
            return
        if action == "open":
            self._open(tile.path)
        elif action == "copy":
            self.root.clipboard_clear()
            self.root.clipboard_append(tile.path)
            self._set_note(f"путь скопирован: {tile.path}")
        elif action == "folder":
            self._open(os.path.dirname(tile.path))
        elif action == "similar":
            self.similar(tile)

    def similar(self, tile: vm.Tile) -> None:
        """«Похожие фото»: the grid shows photos like this one (on the engine thread)."""
        self.generation += 1
        self.loader.generation = self.generation
        self._search_started = time.perf_counter()
        self.timings.pop("first_page_s", None)
        self._fetching = False
        self.query.set("")
        self._set_note("ищу похожие…")
        row = tile.row
        self.worker.submit("search", lambda: self.library.similar(row), token=self.generation)

    # --- indexing a folder ---------------------------------------------------------
    def add_folder(self, folder: Path | None = None) -> None:
        """Indexes a folder on a worker thread; searching goes on meanwhile."""
        if self.job is not None and self.job.running:
            return
        if folder is None:
            chosen = filedialog.askdirectory(parent=self.root, mustexist=True,
                                             title="Папка с фотографиями")
            if not chosen:
                return
            folder = Path(chosen)
        vectors = self.info.vectors if self.info else vm.DEFAULT_VECTORS
        self.job = IndexJob(folder, self.index_dir, self.messages, vectors)
        self.progress.configure(value=0, maximum=1)
        model = self.info.tagger if self.info else "по умолчанию"
        self.progress_label.configure(text=f"загружаю модель ({model})…")
        self.cancel_button.configure(state="normal", text="Отмена")
        self.progress_row.grid(row=1, column=0, sticky="ew")
        self.add_button.configure(state="disabled")
        if self.message is not None and self.message.kind == "welcome":
            self._show_message(vm.Message("ready", "Идёт разметка…", vm.INDEXING_TEXT))
        self.job.start()
        self._schedule_state()

    def cancel_indexing(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.configure(state="disabled", text="Отменяю…")
            self.progress_label.configure(text="отменяю: сохраняю размеченное…")

    def _indexing_ended(self, text: str, error: bool = False) -> None:
        self.progress_row.grid_remove()
        self.add_button.configure(state="normal")
        self._set_note(text, error=error)
        if self.job is not None:
            self.job.join(1.0)
        self.job = None
        if not error:
            # the index on disk changed: reload it (searches keep using the old one until then)
            self.worker.submit("load", self.library.load)

    # --- status, notes, messages -----------------------------------------------------
    def _update_status(self) -> None:
        self.status.configure(text=vm.status_text(self.info, self.view))

    def _set_note(self, text: str, error: bool = False) -> None:
        self.note = text
        self.notes.configure(text=text, style="Error.TLabel" if error else "Muted.TLabel")

    def _show_message(self, message: vm.Message) -> None:
        self.message = message
        self._clear_tiles()
        self.message_title.configure(text=message.title,
                                     style="Title.TLabel")
        self.message_text.configure(text=message.text,
                                    foreground=ERROR if message.kind == "error" else "")
        for child in self.suggestion_row.winfo_children():
            child.destroy()
        if message.kind == "welcome":
            ttk.Button(self.suggestion_row, text="Добавить папку…",
                       command=self.add_folder).pack(side="left")
        for word in message.suggestions:
            ttk.Button(self.suggestion_row, text=word, style="Link.TButton",
                       command=lambda w=word: self.search(w)).pack(side="left", padx=(0, 6))
        self.message_panel.grid()
        self.message_panel.tkraise()
        self._schedule_state()

    def _on_tk_error(self, exc_type, exc, tb) -> None:
        """A bug in a callback: a line in the window, not a traceback in the terminal."""
        self._set_note(f"внутренняя ошибка: {exc_type.__name__}: {exc}", error=True)

    # --- the state hook (tests, benchmarks) ------------------------------------------
    def _schedule_state(self) -> None:
        if self.state_file is not None and not self._state_scheduled and not self._closing:
            self._state_scheduled = True
            self.root.after_idle(self._write_state)

    def _menu_entries(self) -> dict[str, list[int]]:
        """The context menu's entries and the screen point of each, while it is shown."""
        if not self.menu.winfo_ismapped():
            return {}
        x, y = self.menu.winfo_rootx() + self.menu.winfo_width() // 2, self.menu.winfo_rooty()
        entries = {}
        for i in range(int(self.menu.index("end")) + 1):
            if self.menu.type(i) == "command":
                top = self.menu.yposition(i)
                bottom = self.menu.yposition(i + 1) if i < int(self.menu.index("end")) \
                    else self.menu.winfo_height()
                entries[self.menu.entrycget(i, "label")] = [x, y + (top + bottom) // 2]
        return entries

    def state(self) -> dict:
        """What a person sees, as data: the tiles with their place on the screen."""
        tiles = []
        for token, (tile, label) in enumerate(self.tiles):
            mapped = label.winfo_ismapped()
            tiles.append({
                "path": tile.path, "score": round(tile.score, 4), "caption": tile.caption,
                "weak": tile.weak,
                "thumb": token in self.images,
                "x": label.winfo_rootx() if mapped else None,
                "y": label.winfo_rooty() if mapped else None,
                "w": label.winfo_width(), "h": label.winfo_height()})
        return {
            "time": time.time(),
            "window": [self.root.winfo_rootx(), self.root.winfo_rooty(),
                       self.root.winfo_width(), self.root.winfo_height()],
            "loaded": self.info is not None or (self.message is not None
                                                and self.message.kind in ("welcome", "error")),
            "status": self.status.cget("text"),
            "note": self.note,
            "query": self.query.get(),
            "message": None if self.message is None else {
                "kind": self.message.kind, "title": self.message.title,
                "text": self.message.text, "suggestions": list(self.message.suggestions)},
            "results": None if self.view is None else len(self.view.tiles),
            "tiles": tiles,
            "weak_divider": self.weak_divider.winfo_ismapped(),
            "menu": self._menu_entries(),
            "thumbs_pending": len(self.pending_thumbs),
            "engine_ready": self.engine_ready,
            "indexing": self.job is not None,
            "progress": self.progress_label.cget("text") if self.job is not None else "",
            "timings": dict(self.timings),
        }

    def _write_state(self) -> None:
        self._state_scheduled = False
        if self.state_file is None or self._closing:
            return
        self.root.update_idletasks()  # so the tiles' positions are the drawn ones
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        tmp.write_text(json.dumps(self.state(), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.state_file)

    # --- closing ---------------------------------------------------------------------
    def close(self) -> None:
        """Stops the pump (after_cancel) and any indexing (its Event), saving its work."""
        self._closing = True
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.status.configure(text="сохраняю размеченное перед выходом…")
            self.root.update_idletasks()
            self.job.join(timeout=60)
        self.pump.stop()
        self.loader.close()
        self.worker.close()
        self.root.destroy()


def main(index_dir: Path, opener: Opener | None = None) -> int:
    """Opens the window and runs the Tk loop until it is closed."""
    try:
        root = tk.Tk(className="photofinder")
    except tk.TclError as exc:
        raise PhotofinderError(
            f"не удалось открыть окно ({exc}): нужен графический дисплей (переменная DISPLAY)"
        ) from None
    state = os.environ.get(STATE_ENV)
    app = App(root, index_dir, opener or system_opener, Path(state) if state else None)
    app._schedule_state()
    try:
        root.mainloop()
    except KeyboardInterrupt:
        app.close()
    return 0
