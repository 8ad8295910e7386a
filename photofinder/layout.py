"""A query typed with the keyboard still on the English layout: «rjirf» is «кошка».

Every Russian typist does this daily: the layout is switched per window, and the search
box was left on English. The letters land on the same keys of the ЙЦУКЕН and QWERTY
layouts, «б», «ю», «ж», «э», «х», «ъ», «ё» on the punctuation keys (`cj,frf` is
«собака»). `from_english_layout(text, is_russian_word)` gives the query read back on
the Russian keys when every run of Latin letters and those punctuation keys in it reads
as a Russian word (`russian_words`) and at least one has three letters or more;
otherwise None. A mixed query («rjirf cat») is not guessed at.

English words can read as Russian ones by chance («here» is «руку»: 69 of the 29,152
most frequent English words; `benchmarks/layout.py`), so the search engine reads a query
on the other keys only when it found nothing strong as typed, for words it does not know: a
Latin word that finds a folder, a file or a keyword is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .query import Lemmatizer
    from .vectors import WordVectors

_ENGLISH = "`qwertyuiop[]asdfghjkl;'zxcvbnm,.~QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>"
_RUSSIAN = "ёйцукенгшщзхъфывапролджэячсмитьбюЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"
TO_RUSSIAN = str.maketrans(_ENGLISH, _RUSSIAN)
TO_ENGLISH = str.maketrans(_RUSSIAN, _ENGLISH)   # the way back (benchmarks/layout.py)
# a run of keys the Russian layout puts letters on; a leading «-» (leave out) stays
_RUN = re.compile(r"-?[" + re.escape(_ENGLISH) + r"]+")
_LATIN = re.compile(r"[A-Za-z]")
MIN_LETTERS = 3   # one or two keys are too often a real word both ways («e» is «у»)


def russian_words(lemmatizer: Lemmatizer, vectors: Callable[[], WordVectors]
                  ) -> Callable[[str], bool]:
    """What counts as a Russian word: one of the vocabulary's («бордер-колли»), or one
    pymorphy3's dictionary knows that navec's 250,000 words of news have too. The
    dictionary alone knows rare forms the English keys give by chance: «next» is
    «туче», «the» «еру»."""
    def known(word: str) -> bool:
        return lemmatizer.is_vocabulary_word(word) or (
            lemmatizer.is_known(word) and vectors().get(word) is not None)
    return known


def from_english_layout(text: str, is_russian_word: Callable[[str], bool]) -> str | None:
    """The query read on the Russian keys, or None when it is not one typed on the
    English layout (see the module's docstring)."""
    if re.search(r"[а-яА-ЯёЁ]", text) or not _LATIN.search(text):
        return None   # Cyrillic typed: the layout was right; nothing Latin: nothing to do
    runs = [m for m in _RUN.finditer(text) if _LATIN.search(m.group())]
    if not runs:
        return None
    converted = text
    for m in reversed(runs):
        run = m.group()
        sign, keys = ("-", run[1:]) if run.startswith("-") else ("", run)
        russian = keys.translate(TO_RUSSIAN)
        # «,» «.» at the very end of a run were typed as punctuation, not as «б» «ю»
        if keys != keys.rstrip(",.") and not is_russian_word(russian.lower()):
            stripped = keys.rstrip(",.")
            russian = stripped.translate(TO_RUSSIAN) + keys[len(stripped):]
        converted = converted[:m.start()] + sign + russian + converted[m.end():]
    # every Latin word must have become Russian: a Latin letter left means a real
    # English word or a name next to the runs
    if _LATIN.search(converted):
        return None
    words = re.findall(r"[а-яё]+(?:-[а-яё]+)*", converted.lower())
    if not words or not all(is_russian_word(w) or ("-" in w and all(map(is_russian_word, w.split("-"))))
                            for w in words):
        return None
    if max(len(w) for w in words) < MIN_LETTERS:
        return None
    return converted
