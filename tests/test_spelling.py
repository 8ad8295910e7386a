"""A misspelt word read as the one word it was meant to be (photofinder/spelling.py), on
the real dictionary and vocabulary."""

from __future__ import annotations

import pytest

from photofinder.query import Lemmatizer
from photofinder.spelling import correction, one_edit_away


@pytest.fixture(scope="module")
def mend():
    lemmatizer = Lemmatizer()
    return lambda word: correction(word, lemmatizer.is_known, lemmatizer.lemma,
                                   lemmatizer.is_vocabulary_word)


@pytest.mark.parametrize("typed, meant", [
    ("сабаки", "собаки"), ("кошька", "кошка"), ("мотацикл", "мотоцикл"),
    ("велосепед", "велосипед"), ("самалет", "самолет"), ("жирав", "жираф"),
    ("озиро", "озеро"), ("машына", "машина"), ("пляжж", "пляж"), ("фантан", "фонтан"),
    ("кошька", "кошка"),   # a key too many before «конька»: ш for н is no neighbour's slip
    ("торд", "торт"),      # д for т sounds alike; «форд» would need ф for т
])
def test_a_word_one_key_off_is_read_as_the_word_meant(mend, typed, meant):
    assert mend(typed) == meant


@pytest.mark.parametrize("typed", [
    "гарод",      # город or народ: both one likely slip away, no guess
    "кот",        # three letters have too many neighbours
    "ламантин",   # a real word the vocabulary lacks, with no term one edit away
    "cat",        # not Cyrillic
])
def test_no_guess_where_the_word_meant_is_not_clear(mend, typed):
    assert mend(typed) is None


def test_edits_are_deletions_swaps_replacements_and_insertions_with_their_cost():
    edits = one_edit_away("кто")
    assert {"ко", "кот", "ктоо", "тко", "что"} <= edits.keys() and "кто" not in edits
    assert edits["ко"] == edits["тко"] == edits["ктоо"] == 1
    assert edits["кта"] == 1     # о for а sounds alike
    assert edits["кяо"] == 2     # я for т: neither near nor alike
