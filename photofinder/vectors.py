"""Russian word vectors behind one small Protocol.

- navec (offline default): 250K words x 300d, product-quantised, shipped in the
  `natasha` wheel; loads in ~0.5 s with NumPy alone.
- FastText (the design's choice, e.g. cc.ru.300.bin for online users): any word gets
  a vector through its character n-grams, so misspellings and rare forms still match.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ModelUnavailableError, UsageError

NAVEC_FILE = "navec_news_v1_1B_250K_300d_100q.tar"


class WordVectors(Protocol):
    spec: str  # what the index records: "navec" or "fasttext:/path/to/model.bin"
    dim: int
    file: Path  # the file they come from: term_table keys its kept tables by it

    def get(self, word: str) -> np.ndarray | None:
        """The word's vector, or None where the model knows nothing about the word."""
        ...

    def known_words(self) -> list[str]:
        """Words with their own vector (for spelling suggestions)."""
        ...


class NavecVectors:
    """navec's vectors, read from the file the first time a word is asked for: an index
    run that reads a kept term table (term_table.py) never needs them (0.3 s saved)."""

    def __init__(self, path: Path | None = None) -> None:
        try:
            import navec  # noqa: F401 - here, so a broken install is said at once
        except ImportError:  # a broken install: one line and exit 5, not a traceback
            raise ModelUnavailableError(
                "не установлен пакет navec (векторы слов): `pip install navec natasha`") from None

        if path is None:
            try:
                path = Path(str(importlib.resources.files("natasha") / "data" / "emb" / NAVEC_FILE))
            except ModuleNotFoundError:
                path = None
        if path is None or not path.is_file():
            raise ModelUnavailableError(
                "нет векторов navec: установите пакет natasha (`pip install natasha`)")
        self.file = path
        self.spec = "navec"
        self._loaded = None

    @property
    def _navec(self):
        if self._loaded is None:
            from navec import Navec

            self._loaded = _load_navec(Navec, self.file)
        return self._loaded

    @property
    def dim(self) -> int:
        return int(self._navec.pq.dim)

    def get(self, word: str) -> np.ndarray | None:
        vec = self._navec.get(word)
        return None if vec is None else np.asarray(vec, dtype=np.float32)

    def known_words(self) -> list[str]:
        return list(self._navec.vocab.words)


def _load_navec(navec_class, path: Path):
    """navec's own loader, minus PQ.precompute: it computes the norms and pairwise
    tables of all 250,000 words (0.4 s) for navec's `sim`, which photofinder never
    calls; `get` needs only the codes and indexes. Falls back to the stock loader when
    navec's layout is not the one this was written against."""
    from navec import pq as navec_pq
    from navec.meta import Meta
    from navec.tar import Tar
    from navec.vocab import Vocab

    if getattr(navec_pq.PQ, "__attributes__", None) != \
            ["vectors", "dim", "qdim", "centroids", "indexes", "codes"]:
        return navec_class.load(str(path))
    with Tar(str(path)) as tar:
        meta = Meta.from_file(tar.load("meta.json"))
        Meta.check_protocol(meta.protocol)
        vocab = Vocab.from_file(tar.load("vocab.bin"))
        file = tar.load("pq.bin")
        vectors, dim, qdim, centroids = (int(x) for x in np.frombuffer(file.read(16), np.uint32))
        pq = navec_pq.PQ.__new__(navec_pq.PQ)
        pq.vectors, pq.dim, pq.qdim, pq.centroids = vectors, dim, qdim, centroids
        pq.indexes = np.frombuffer(file.read(vectors * qdim), np.uint8).reshape(vectors, qdim)
        pq.codes = np.frombuffer(file.read(), np.float32).reshape(qdim, centroids, -1)
        pq.qdims = np.arange(qdim)  # what __getitem__ needs of precompute
    return navec_class(meta, vocab, pq)


class FastTextVectors:
    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise UsageError(f"нет файла FastText {path}")
        try:
            import fasttext
        except ImportError:
            raise ModelUnavailableError("пакет fasttext не установлен: `pip install fasttext`") from None
        try:
            self._model = fasttext.load_model(str(path))
        except ValueError as exc:
            raise ModelUnavailableError(f"{path} — не модель FastText: {exc}") from None
        self.file = path.resolve()
        self.spec = f"fasttext:{self.file}"
        self.dim = int(self._model.get_dimension())

    def get(self, word: str) -> np.ndarray | None:
        vec = np.asarray(self._model.get_word_vector(word), dtype=np.float32)
        # a word with no known character n-grams gets the zero vector: nothing known
        return vec if np.any(vec) else None

    def known_words(self) -> list[str]:
        return list(self._model.get_words())


def load_vectors(spec: str = "navec") -> WordVectors:
    """`navec` or `fasttext:PATH`."""
    if spec == "navec":
        return NavecVectors()
    if spec.startswith("fasttext:"):
        return FastTextVectors(Path(spec.removeprefix("fasttext:")).expanduser())
    raise UsageError(f"неизвестные векторы {spec!r}: укажите navec или fasttext:ПУТЬ_К_МОДЕЛИ.bin")


def phrase_vector(vectors: WordVectors, words: list[str]) -> np.ndarray | None:
    """Unit-length mean of the words' unit vectors; None if no word is known."""
    found = [v for v in (vectors.get(w) for w in words) if v is not None]
    if not found:
        return None
    units = [v / (np.linalg.norm(v) or 1.0) for v in found]
    mean = np.mean(units, axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm > 0 else None
