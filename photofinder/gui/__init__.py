"""The desktop app: `photofinder gui`. Imports point one way: gui -> search/index/indexer.

Nothing outside this package imports it, and importing it does not import tkinter
or torch: `run` opens the window; torch loads only when a folder is indexed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def run(index_dir: Path, opener: Callable[[str], None] | None = None) -> int:
    """Opens the window on `index_dir` and returns when it is closed (exit code 0).

    Raises PhotofinderError when no window can be opened (no display)."""
    from .app import main

    return main(index_dir, opener)
