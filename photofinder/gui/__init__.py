"""The desktop app: `photofinder gui`. Imports point one way: gui -> search/index/indexer.

Nothing outside this package imports it, and importing it does not import tkinter
or torch: `run` opens the window; torch loads only when a folder is indexed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def run(index_dir: Path, opener: Callable[[str], None] | None = None) -> int:
    """Opens the window on `index_dir` and returns when it is closed (exit code 0).

    Raises PhotofinderError when no window can be opened (no display, no tkinter,
    no tkinter-tooltip)."""
    try:
        from .window import main
    except ImportError as exc:
        from ..errors import PhotofinderError

        missing = (exc.name or "").split(".")[0]
        if missing in ("tkinter", "_tkinter"):
            hint = "установите Tk для Python (Debian/Ubuntu: `sudo apt install python3-tk`)"
        else:
            hint = f"установите пакет: `pip install {_PIP_NAMES.get(missing, missing)}`"
        raise PhotofinderError(f"окно не открыть: нет модуля {missing}; {hint}") from None
    return main(index_dir, opener)


_PIP_NAMES = {"tktooltip": "tkinter-tooltip", "PIL": "pillow"}
