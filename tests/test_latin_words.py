"""Russian words for the Latin words of folder, file and keyword names (latin_words.py),
with the real dictionary."""

from __future__ import annotations

import pytest

from photofinder.latin_words import ENGLISH, russian_keys
from photofinder.query import Lemmatizer, words_of


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


@pytest.mark.parametrize("name, keys", [
    ("Masha birthday", ["маша", "день рождение"]),   # a first name, an English word
    ("Sochi 2019", ["сочи"]),                         # a place
    ("Wedding_Dima_Olya", ["свадьба", "дима", "оля"]),
    ("New Year party", ["новый год", "вечеринка"]),   # two English words as one
    ("dogs", ["собака"]),                             # a plural of the table's word
    # a trip's place in English: «Kazan» transliterated is «казан», a cauldron
    ("Turkey 2019", ["турция"]), ("Kazan", ["казань"]),
    ("Свадьба Маши", []),                             # Russian words are keys already
    # not read as Russian: an English word that spells one («more»: «море»), Russian
    # words in Latin letters that name nothing («dom», «les»), a camera's name
    ("more photos", []), ("dom", []), ("les", []), ("IMG_0042", []),
])
def test_latin_words_give_the_russian_words_they_stand_for(lemmatizer, name, keys):
    assert russian_keys(name, lemmatizer) == keys


def test_every_english_word_is_given_as_russian_words_a_query_reads(lemmatizer):
    """Each value is Russian in the Russian alphabet, and its dictionary form is what the
    same words typed as a query are keyed by."""
    for english, russian in ENGLISH.items():
        assert english == english.lower() and russian == russian.lower(), english
        words = words_of(russian)
        assert words and all(lemmatizer.is_known(w) for w in words), (english, russian)
