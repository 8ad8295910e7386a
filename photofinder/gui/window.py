"""Opening the window: the Tk root, the app, and, when $PHOTOFINDER_GUI_STATE is set, the
state file tests and benchmarks watch it through (statefile.py). Apart from app.py so that
the app never imports what watches it."""

from __future__ import annotations

import os
import tkinter as tk
from pathlib import Path

from ..errors import PhotofinderError
from .app import App, Opener, system_opener
from .statefile import STATE_ENV, StateFile


def main(index_dir: Path, opener: Opener | None = None) -> int:
    """Opens the window and runs the Tk loop until it is closed."""
    try:
        root = tk.Tk(className="photofinder")
    except tk.TclError as exc:
        raise PhotofinderError(
            f"не удалось открыть окно ({exc}): нужен графический дисплей (переменная DISPLAY)"
        ) from None
    app = App(root, index_dir, opener or system_opener)
    if state := os.environ.get(STATE_ENV):  # tests and benchmarks watch the window through it
        StateFile(app, Path(state)).install()
    try:
        root.mainloop()
    except KeyboardInterrupt:
        app.close()
    return 0
