"""Turning what a person typed into concepts to look for.

"Кошки -собака" -> include [кошка], exclude [собака]. Words are lower-cased, ё is
folded to е, and each word is reduced to its dictionary form (pymorphy3), so
"кошки", "кошку" and "кошками" all mean "кошка". Adjacent words that together form a
known term ("плюшевый мишка") stay one concept; other words are separate concepts.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from .errors import QueryError

_TOKEN = re.compile(r"-?[0-9a-zа-я]+(?:-[0-9a-zа-я]+)*")
MAX_QUERY_CHARS = 500


def normalize(text: str) -> str:
    return text.lower().replace("ё", "е")


class Lemmatizer:
    """Dictionary forms of Russian words, via pymorphy3 (loads once, ~0.3 s)."""

    def __init__(self) -> None:
        import pymorphy3

        self._morph = pymorphy3.MorphAnalyzer(lang="ru")
        self.lemma = lru_cache(maxsize=65536)(self._lemma)

    def _lemma(self, word: str) -> str:
        if not re.fullmatch(r"[а-я-]+", word):
            return word  # Latin and digits stay as typed
        return normalize(self._morph.parse(word)[0].normal_form)

    def is_known(self, word: str) -> bool:
        return self._morph.word_is_known(word)

    def key(self, text: str) -> tuple[str, ...]:
        """The lemma sequence that identifies a term or a phrase."""
        return tuple(self.lemma(w) for w in words_of(text))


def words_of(text: str) -> list[str]:
    return [t.lstrip("-") for t in _TOKEN.findall(normalize(text)) if t.lstrip("-")]


@dataclass(frozen=True)
class Concept:
    words: tuple[str, ...]   # as typed, normalised: ("плюшевые", "мишки")
    lemmas: tuple[str, ...]  # ("плюшевый", "мишка")

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Query:
    text: str
    include: tuple[Concept, ...]
    exclude: tuple[Concept, ...]


def parse_query(text: str, lemmatizer: Lemmatizer,
                known_phrases: Collection[tuple[str, ...]] = ()) -> Query:
    """Parses a query. Raises QueryError when nothing is left to search for."""
    text = text.strip()[:MAX_QUERY_CHARS]
    include: list[tuple[str, str]] = []
    exclude: list[tuple[str, str]] = []
    for token in _TOKEN.findall(normalize(text)):
        word = token.lstrip("-")
        if not word:
            continue
        target = exclude if token.startswith("-") else include
        target.append((word, lemmatizer.lemma(word)))
    if not include:
        if exclude:
            raise QueryError("запрос только из исключений: добавьте, что искать, например «животное -собака»")
        raise QueryError("пустой запрос: введите слово, например «кошка»")
    max_len = max((len(p) for p in known_phrases), default=1)
    return Query(text, _segment(include, known_phrases, max_len), _segment(exclude, known_phrases, max_len))


def _segment(tokens: list[tuple[str, str]], phrases: Collection[tuple[str, ...]],
             max_len: int) -> tuple[Concept, ...]:
    """Greedy longest match of known multi-word terms; other words stand alone."""
    concepts: list[Concept] = []
    i = 0
    while i < len(tokens):
        for n in range(min(max_len, len(tokens) - i), 0, -1):
            lemmas = tuple(lemma for _, lemma in tokens[i:i + n])
            if n == 1 or lemmas in phrases:
                concepts.append(Concept(tuple(w for w, _ in tokens[i:i + n]), lemmas))
                i += n
                break
    # the same concept typed twice counts once
    return tuple(dict.fromkeys(concepts))
