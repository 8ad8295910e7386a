"""photofinder: find your own photos by a Russian word, offline.

The public API is small: build or update an index, load it, search it. Names are
imported on first use, so `import photofinder` (and the GUI's start) stays fast and
never imports torch; only tagging does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.2.0"
__all__ = ["Index", "PhotofinderError", "SearchEngine", "SearchResult", "__version__", "load_index"]

_LAZY = {
    "Index": ("index", "Index"),
    "load_index": ("index", "load"),
    "PhotofinderError": ("errors", "PhotofinderError"),
    "SearchEngine": ("search", "SearchEngine"),
    "SearchResult": ("search", "SearchResult"),
}

if TYPE_CHECKING:
    from .errors import PhotofinderError
    from .index import Index
    from .index import load as load_index
    from .search import SearchEngine, SearchResult


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'photofinder' has no attribute {name!r}")
    import importlib

    module, attr = _LAZY[name]
    value = getattr(importlib.import_module(f".{module}", __name__), attr)
    globals()[name] = value
    return value
