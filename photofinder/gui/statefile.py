"""What the window shows, written as JSON for tests and benchmarks ($PHOTOFINDER_GUI_STATE).

A test drives the real window with xdotool and needs to know where the tiles are and
what the status bar says; benchmarks/gui_startup.py reads when the index was loaded
and how long the first page took. `main()` installs this only when the variable is
set: it watches the app from outside (every handled message, typing, layout, the
context menu) and the app itself has no test code on its path.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import App

STATE_ENV = "PHOTOFINDER_GUI_STATE"


def describe(app: App) -> dict[str, Any]:
    """What a person sees, as data: the tiles with their place on the screen."""
    grid, root = app.grid, app.root
    tiles = []
    for token, (tile, label) in enumerate(grid.tiles):
        mapped = label.winfo_ismapped()
        tiles.append({
            "path": tile.path, "score": round(tile.score, 4), "caption": tile.caption,
            "weak": tile.weak,
            "thumb": token in grid.images,
            "x": label.winfo_rootx() if mapped else None,
            "y": label.winfo_rooty() if mapped else None,
            "w": label.winfo_width(), "h": label.winfo_height()})
    message = app.message
    view = app.searching.view
    job = app.indexing.job
    return {
        "time": time.time(),
        "window": [root.winfo_rootx(), root.winfo_rooty(), root.winfo_width(),
                   root.winfo_height()],
        "loaded": app.info is not None or (message is not None
                                           and message.kind in ("welcome", "error")),
        "status": app.status.cget("text"),
        "note": app.note,
        "query": app.query.get(),
        "message": None if message is None else {
            "kind": message.kind, "title": message.title,
            "text": message.text, "suggestions": list(message.suggestions)},
        "results": None if view is None else len(view.tiles),
        "tiles": tiles,
        "weak_divider": grid.weak_divider.winfo_ismapped(),
        "menu": menu_entries(app),
        "thumbs_pending": len(grid.pending_thumbs),
        "engine_ready": app.engine_ready,
        "indexing": job is not None,
        "progress": app.indexing.label.cget("text") if job is not None else "",
        "timings": dict(app.searching.timings),
    }


def menu_entries(app: App) -> dict[str, list[int]]:
    """The context menu's entries and the screen point of each, while it is shown."""
    menu = app.grid.menu
    if not menu.winfo_ismapped():
        return {}
    x, y = menu.winfo_rootx() + menu.winfo_width() // 2, menu.winfo_rooty()
    last = int(menu.index("end"))
    entries = {}
    for i in range(last + 1):
        if menu.type(i) == "command":
            top = menu.yposition(i)
            bottom = menu.yposition(i + 1) if i < last else menu.winfo_height()
            entries[menu.entrycget(i, "label")] = [x, y + (top + bottom) // 2]
    return entries


class StateFile:
    """Rewrites `path` (temp file + os.replace) at the first idle moment after a change."""

    def __init__(self, app: App, path: Path) -> None:
        self.app, self.path = app, path
        self._scheduled = False

    def install(self) -> None:
        app = self.app
        handle = app.pump.handle

        def handle_and_note(msg: Any) -> None:
            handle(msg)
            self.schedule()

        app.pump.handle = handle_and_note
        app.query.trace_add("write", lambda *_: self.schedule())
        # the toplevel's tag is on every widget in it: tiles placed, reflow, the window resized
        app.root.bind("<Configure>", lambda e: self.schedule(), add="+")
        app.grid.menu.bind("<Map>", lambda e: self.schedule(), add="+")
        self.schedule()

    def schedule(self) -> None:
        if not self._scheduled and not self.app.closing:
            self._scheduled = True
            self.app.root.after_idle(self._write)

    def _write(self) -> None:
        self._scheduled = False
        if self.app.closing:
            return
        self.app.root.update_idletasks()  # so the tiles' positions are the drawn ones
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(describe(self.app), ensure_ascii=False, indent=1),
                       encoding="utf-8")
        os.replace(tmp, self.path)
