"""The results grid: tiles a page at a time, their thumbnails and tooltips, reflow on
resize, load on scroll, selection, double click and the context menu.

It draws the `ResultsView` it is given and asks for nothing itself: thumbnails go
through the ThumbnailLoader (whose `generation` says which search is current), and
what a click means beyond the grid (open a photo, show a note, find similar photos,
fetch more hits) is handed to the callbacks the app passes in.
"""

from __future__ import annotations

import os
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from PIL import ImageTk
from tktooltip import ToolTip

from . import viewmodel as vm
from .thumbs import THUMB_SIZE, ThumbnailLoader, ThumbReady, ThumbRequest

TILE_W = THUMB_SIZE + 28     # thumbnail plus padding: the column width of the grid
TILE_H = THUMB_SIZE + 52     # thumbnail plus two caption lines
BG = "#f4f4f2"
TILE_BG = "#ffffff"
TILE_SELECTED = "#cfe3ff"
MUTED = "#666666"
TOOLTIP_BG = "#ffffe8"
MAX_COLUMNS = 64             # columns whose weight is reset on reflow: wider than any screen


class GridView:
    """The canvas with the tiles in `body` (row 0; the app lays its message panel over it)."""

    def __init__(self, body: ttk.Frame, loader: ThumbnailLoader, *,
                 on_open: Callable[[str], None], on_note: Callable[[str], None],
                 on_similar: Callable[[vm.Tile], None], on_fetch_more: Callable[[], None],
                 on_page_drawn: Callable[[], None]) -> None:
        self.root = body.winfo_toplevel()
        self.loader = loader
        self.on_open, self.on_note, self.on_similar = on_open, on_note, on_similar
        self.on_fetch_more, self.on_page_drawn = on_fetch_more, on_page_drawn
        self.view: vm.ResultsView | None = None   # the view whose pages are drawn
        self.tiles: list[tuple[vm.Tile, tk.Label]] = []
        self.images: dict[int, ImageTk.PhotoImage] = {}   # Tk drops images nobody references
        self.tooltips: dict[int, ToolTip] = {}
        self.pending_thumbs: set[int] = set()
        self.selected: int | None = None
        self.pages_shown = 0
        self.cols = 0
        self._more_scheduled = False
        self._build(body)

    def _build(self, body: ttk.Frame) -> None:
        self.canvas = tk.Canvas(body, bg=BG, highlightthickness=0)
        self.scrollbar = ttk.Scrollbar(body, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=self._on_scrolled)
        self.canvas.grid(row=0, column=0, sticky="nsew")
        self.scrollbar.grid(row=0, column=1, sticky="ns")
        self.frame = tk.Frame(self.canvas, bg=BG)
        self._window = self.canvas.create_window(0, 0, window=self.frame, anchor="nw")
        self.frame.bind("<Configure>", lambda e: self.canvas.configure(
            scrollregion=self.canvas.bbox("all")))
        self.canvas.bind("<Configure>", self._on_resize)
        for sequence in ("<MouseWheel>", "<Button-4>", "<Button-5>"):
            self.root.bind_all(sequence, self._on_wheel, add="+")
        self.more_button = ttk.Button(self.frame, text="Ещё", command=self.more)
        self.weak_divider = tk.Label(self.frame, text=vm.WEAK_TITLE, anchor="w", bg=BG,
                                     fg=MUTED, font=("DejaVu Sans", 11, "bold"))

        self.menu = tk.Menu(self.root, tearoff=False)
        self.menu_tile: vm.Tile | None = None
        for label, action in (("Открыть", "open"), ("Копировать путь", "copy"),
                              ("Показать в папке", "folder"), (None, None),
                              ("Похожие фото", "similar")):
            if label is None:
                self.menu.add_separator()
            else:
                self.menu.add_command(label=label, command=lambda a=action: self._menu_do(a))

        self.placeholder = tk.PhotoImage(width=THUMB_SIZE, height=THUMB_SIZE)
        self.placeholder.put("#e6e6e3", to=(0, 0, THUMB_SIZE, THUMB_SIZE))

    # --- what is shown -------------------------------------------------------------
    def show(self, view: vm.ResultsView) -> None:
        """A new answer: the old tiles go, the first page of `view` is drawn at the top."""
        self.clear()
        self.view = view
        self.canvas.yview_moveto(0)
        self.more()

    def extend(self, view: vm.ResultsView) -> None:
        """The same ranking, longer: the tiles drawn so far stay, the next page follows."""
        self.view = view
        self.more()

    def more(self) -> None:
        """Draws the next page of tiles and asks for their thumbnails; past the last page
        of an incomplete view, asks the app for more hits."""
        view = self.view
        if view is None:
            return
        if self.pages_shown >= view.pages():
            if not view.complete:
                self.on_fetch_more()
            return
        for tile in view.page(self.pages_shown):
            token = len(self.tiles)
            label = tk.Label(self.frame, image=self.placeholder, text=tile.caption,
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
            self.loader.request(ThumbRequest(self.loader.generation, token, tile.path,
                                             tile.size, tile.mtime_ns))
        self.pages_shown += 1
        self._layout(force=True)

    def clear(self) -> None:
        for tip in self.tooltips.values():
            tip.destroy()
        for _, label in self.tiles:
            label.destroy()
        self.view = None
        self.tiles.clear()
        self.images.clear()
        self.tooltips.clear()
        self.pending_thumbs.clear()
        self.selected = None
        self.pages_shown = 0
        self.more_button.grid_remove()
        self.weak_divider.grid_remove()

    def thumb_ready(self, msg: ThumbReady) -> None:
        if msg.generation != self.loader.generation or msg.token >= len(self.tiles):
            return  # an older search's thumbnail
        tile, label = self.tiles[msg.token]
        if msg.image is not None:
            photo = ImageTk.PhotoImage(msg.image, master=self.root)
            self.images[msg.token] = photo
            label.configure(image=photo)
        else:
            label.configure(text=f"{tile.caption}\n(не открывается)")
        self.pending_thumbs.discard(msg.token)
        if not self.pending_thumbs:
            self.on_page_drawn()

    # --- reflow, scrolling, paging -------------------------------------------------
    def _on_resize(self, event: tk.Event) -> None:
        self.canvas.itemconfigure(self._window, width=event.width)
        self._layout()

    def _layout(self, force: bool = False) -> None:
        """Puts tiles in as many columns as fit; re-grids only when that number changes.
        Weak matches follow the strong ones under a «Возможно» divider row."""
        cols = max(1, self.canvas.winfo_width() // TILE_W)
        if cols == self.cols and not force:
            return
        self.cols = cols
        for c in range(MAX_COLUMNS):
            self.frame.columnconfigure(c, weight=1 if c < cols else 0, uniform="")
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
        if not self.tiles:  # a message covers the grid (the app clears the tiles for it)
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
                      bg=TOOLTIP_BG, fg="#111111", font=("DejaVu Sans", 9), width=460)
        self.tooltips[token] = tip
        tip.on_enter(event)

    def _select(self, token: int) -> None:
        if self.selected is not None and self.selected < len(self.tiles):
            self.tiles[self.selected][1].configure(bg=TILE_BG)
        self.selected = token
        self.tiles[token][1].configure(bg=TILE_SELECTED)

    def open_tile(self, token: int) -> None:
        self._select(token)
        self.on_open(self.tiles[token][0].path)

    def _context_menu(self, event: tk.Event, token: int) -> None:
        self._select(token)
        self.menu_tile = self.tiles[token][0]
        try:
            self.menu.tk_popup(event.x_root, event.y_root)
        finally:
            self.menu.grab_release()

    def _menu_do(self, action: str) -> None:
        tile = self.menu_tile
        if tile is None:
            return
        if action == "open":
            self.on_open(tile.path)
        elif action == "copy":
            self.root.clipboard_clear()
            self.root.clipboard_append(tile.path)
            self.on_note(f"путь скопирован: {tile.path}")
        elif action == "folder":
            self.on_open(os.path.dirname(tile.path))
        elif action == "similar":
            self.on_similar(tile)
