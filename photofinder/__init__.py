"""photofinder: find your own photos by a Russian word, offline.

The public API is small: build or update an index, load it, search it.
Importing photofinder does not import torch; only tagging does.
"""

from .errors import PhotofinderError
from .index import Index
from .index import load as load_index
from .search import SearchEngine, SearchResult

__version__ = "0.1.0"
__all__ = ["Index", "PhotofinderError", "SearchEngine", "SearchResult", "__version__", "load_index"]
