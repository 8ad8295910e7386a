"""The plain word under a diminutive (photofinder/diminutives.py): the rules alone, then
what a user sees on the real vocabulary."""

from __future__ import annotations

import pytest

from photofinder.diminutives import NOT_DIMINUTIVE, base_term, bases

TERMS = frozenset({"дом", "туча", "река", "снег", "мама", "папа", "папка", "утка", "кофе",
                   "облако", "мышь", "мыс", "цветок", "сорока", "дерево", "скамейка"})


@pytest.mark.parametrize("word, plain", [
    ("домик", "дом"), ("тучка", "туча"), ("речка", "река"), ("снежок", "снег"),
    ("мамочка", "мама"), ("уточка", "утка"), ("кофеек", "кофе"), ("облачко", "облако"),
    ("цветочек", "цветок"), ("деревце", "дерево"), ("скамеечка", "скамейка"),
    ("папочка", "папа"),    # daddy, not a small folder («папка»)
    ("мышонок", "мышь"),    # the stem as it is before a softened one (мыс)
])
def test_a_diminutive_reaches_its_plain_word(word, plain):
    assert base_term(word, TERMS) == plain


def test_a_term_stays_itself_and_a_plain_word_has_no_base():
    assert base_term("дом", TERMS) is None          # the word is a term: nothing to do
    assert base_term("папка", TERMS) is None
    assert base_term("стол", TERMS) is None         # no diminutive ending
    assert bases("ок") == []                        # too short to have a stem


def test_words_that_only_look_like_diminutives_are_left_alone():
    assert "сорочка" in NOT_DIMINUTIVE              # a shirt, not a small magpie
    assert base_term("сорочка", TERMS) is None
    assert base_term("медик", frozenset({"мед"})) is None


def test_the_smallest_change_comes_first():
    # «корзинка» is a корзина before the «-инка» rule could make it a «корза»
    found = bases("корзинка")
    assert found[0] == "корзина" and found.index("корзина") < found.index("корза")
