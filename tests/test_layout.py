"""A query typed on the English layout (photofinder/layout.py): the keys read back as
Russian, and what must stay as typed."""

from __future__ import annotations

import pytest

from photofinder.layout import from_english_layout

RUSSIAN = {"кошка", "собака", "море", "без", "людей", "пляж", "еще", "в", "парке", "ёжик",
           "рыба-ангел", "рыба", "ангел"}


def known(word: str) -> bool:
    return word in RUSSIAN


@pytest.mark.parametrize("typed, russian", [
    ("rjirf", "кошка"),
    ("Rjirf", "Кошка"),
    ("cj,frf", "собака"),              # «б» is the comma's key
    ("vjht 2019", "море 2019"),        # a year stays a year
    ("gkz; ,tp k.ltq", "пляж без людей"),
    ("vjht -rjirf", "море -кошка"),     # leave-out keeps its minus
    ("rjirf, cj,frf", "кошка, собака"),  # a comma typed as a comma at a word's end
    ("`;br", "ёжик"),
    ("hs,f-fyutk", "рыба-ангел"),
    ("rjirf d gfhrt", "кошка в парке"),  # a one-letter preposition among longer words
    ("tot", "еще"),                     # three letters are enough
])
def test_keys_typed_on_the_english_layout_read_back_as_russian(typed, russian):
    assert from_english_layout(typed, known) == russian


@pytest.mark.parametrize("typed", [
    "кошка",          # Cyrillic: the layout was right
    "cat",            # «сфе» is no Russian word
    "rjirf cat",      # one word is English: nothing is guessed
    "d",              # «в» alone: too short to tell
    "2019",
    "",
])
def test_what_is_not_a_russian_word_on_the_wrong_keys_stays_as_typed(typed):
    assert from_english_layout(typed, known) is None


def test_a_russian_word_is_the_vocabularys_or_one_the_word_vectors_have_too():
    """Rare forms pymorphy3 knows stay out: English «next» on the Russian keys is «туче»,
    a form no one searches for, and the query stays as typed."""
    from photofinder.layout import russian_words
    from photofinder.query import Lemmatizer
    from photofinder.vectors import load_vectors

    vectors = load_vectors("navec")
    known = russian_words(Lemmatizer(), lambda: vectors)
    assert known("кошка") and known("бордер-колли") and known("руку")
    assert not known("туче") and not known("еру")
    assert from_english_layout("next", known) is None
    assert from_english_layout(",jhlth-rjkkb", known) == "бордер-колли"
