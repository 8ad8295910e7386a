from __future__ import annotations

import pytest

from photofinder.vectors import load_vectors
from photofinder.vocabulary import TOP_CATEGORIES, check_vocabulary, load_vocabulary


def test_shipped_vocabulary_passes_its_checks():
    vocab = load_vocabulary()
    vectors = load_vectors("navec")
    problems, unknown = check_vocabulary(vocab, vectors)
    assert problems == []
    # A word navec lacks (rare breeds, "абажур") still matches when typed exactly; most
    # classes must also be reachable by meaning through their name or a synonym.
    by_meaning = [c for c in vocab.classes
                  if any(all(vectors.get(w) is not None for w in t.split())
                         for t in (c.ru, *c.synonyms))]
    assert len(by_meaning) >= 750


def test_every_class_has_a_russian_name_and_reaches_a_top_category():
    vocab = load_vocabulary()
    assert len(vocab.classes) == 1001  # 1000 ImageNet classes + the people detector's tag
    assert vocab.classes[1000].ru == "человек"
    assert all(c.ru and c.broader[-1] in TOP_CATEGORIES for c in vocab.classes)


@pytest.mark.parametrize("index, word", [
    (281, "кошка"), (207, "собака"), (779, "автобус"), (963, "пицца"), (795, "лыжи"),
    (620, "ноутбук"), (1, "рыба"), (130, "птица"),
])
def test_everyday_words_reach_their_classes(index, word):
    c = load_vocabulary().classes[index]
    assert word in (c.ru, *c.synonyms, *c.broader)


def test_dogs_are_dogs_and_wolves_are_not():
    vocab = load_vocabulary()
    assert all("собака" in vocab.classes[i].broader for i in range(151, 269))
    assert all("собака" not in vocab.classes[i].broader for i in range(269, 281))


def test_path_from_broader_word_to_class():
    vocab = load_vocabulary()
    assert vocab.path("транспорт", 779) == ["транспорт", "автобус", "школьный автобус"]


def test_colloquial_aliases_reach_the_same_classes():
    vocab = load_vocabulary()
    assert vocab.path("пес", 162) == ["пес", "собака", "гончая", "бигль"]
    links = dict(zip(vocab.terms, vocab.links))
    assert {link.class_index for link in links["пес"]} == {
        link.class_index for link in links["собака"]}
    assert {link.class_index for link in links["машина"]} >= {436, 817}  # универсал, спорткар


def test_structures_accessories_and_interiors_are_not_buildings_or_clothes():
    vocab = load_vocabulary()
    assert "здание" not in vocab.classes[489].broader    # a chain-link fence
    assert "одежда" not in vocab.classes[879].broader    # an umbrella
    assert "здание" not in vocab.classes[454].broader    # a bookshop photo shows a room
    assert vocab.classes[162].broader[-2:] == ("млекопитающее", "животное")
