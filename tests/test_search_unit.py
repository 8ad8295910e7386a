"""The ranking formula on a hand-made index and fake vectors (a unit test of search.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from photofinder.index import Index
from photofinder.query import Lemmatizer
from photofinder.search import BROADER_WEIGHT, MIN_SCORE, SYNONYM_WEIGHT, SearchEngine
from photofinder.terms import term_table
from photofinder.vocabulary import parse_vocabulary

CLASSES = [
    {"index": 0, "wnid": "n00000000", "en": "beagle", "ru": "бигль", "synonyms": [],
     "broader": ["гончая", "собака", "животное"]},
    {"index": 1, "wnid": "n00000001", "en": "foxhound", "ru": "фоксхаунд", "synonyms": [],
     "broader": ["гончая", "собака", "животное"]},
    {"index": 2, "wnid": "n00000002", "en": "tabby", "ru": "полосатая кошка",
     "synonyms": ["кошка"], "broader": ["кошка", "животное"]},
    {"index": 3, "wnid": "n00000003", "en": "school bus", "ru": "школьный автобус",
     "synonyms": [], "broader": ["автобус", "транспорт"]},
]


class FakeVectors:
    """One axis per meaning; "пес" means exactly "собака"; phrases mix their words."""

    spec = "fake"
    AXES = {"собака": 0, "пес": 0, "бигль": 1, "фоксхаунд": 2, "гончая": 3, "кошка": 4,
            "полосатый": 5, "полосатая": 5, "автобус": 6, "школьный": 7, "транспорт": 8,
            "животное": 9}
    dim = 10

    def get(self, word):
        if word not in self.AXES:
            return None
        v = np.zeros(self.dim, np.float32)
        v[self.AXES[word]] = 1.0
        return v

    def known_words(self):
        return list(self.AXES)


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    vocab = parse_vocabulary(json.dumps(CLASSES).encode(), "test")
    lem = Lemmatizer()
    # photo 0: a beagle the classifier splits between two hounds; photo 1: a clear cat;
    # photo 2: a bus; photo 3: a faint cat (below the minimum score)
    classes = np.array([[0, 1, 2], [2, 0, 3], [3, 2, 0], [2, 3, 0]], np.int16)
    probs = np.array([[0.5, 0.4, 0.1], [0.9, 0.05, 0.05], [0.8, 0.1, 0.1],
                      [0.05, 0.03, 0.02]], np.float32)
    terms, keys, table = term_table(vocab, FakeVectors(), lem)
    idx = Index(tagger={"name": "t", "weights": "w"}, vectors="fake", vocabulary=vocab.digest,
                paths=["dog.jpg", "cat.jpg", "bus.jpg", "faint.jpg"],
                sizes=np.zeros(4, np.int64), mtimes=np.zeros(4, np.int64), classes=classes,
                probs=probs, terms=terms, term_keys=keys, term_vectors=table)
    return SearchEngine(idx, vocab, FakeVectors(), lem)


def test_class_name_score_is_similarity_times_confidence(engine):
    hits = engine.search("бигль").hits
    assert hits[0].path == "dog.jpg"
    assert hits[0].score == pytest.approx(1.0 * 1.0 * 0.5)


def test_broader_word_sums_the_probabilities_of_its_classes(engine):
    hits = engine.search("собаки").hits
    assert [h.path for h in hits][:1] == ["dog.jpg"]
    assert hits[0].score == pytest.approx(BROADER_WEIGHT * (0.5 + 0.4))
    evidence = hits[0].evidence[0]
    assert evidence.path == ("собака", "гончая", "бигль")
    assert evidence.other_tags == 1


def test_synonym_weight_and_explanation_path(engine):
    hits = engine.search("кошка").hits
    assert hits[0].path == "cat.jpg"
    assert hits[0].score == pytest.approx(SYNONYM_WEIGHT * 0.9)
    assert "кошка ← полосатая кошка" in hits[0].describe()


def test_meaning_match_through_vectors(engine):
    hits = engine.search("пес").hits  # not a term; its vector equals "собака"'s
    assert hits[0].path == "dog.jpg"
    assert hits[0].evidence[0].path[0] == "пес"


def test_minimum_score_hides_noise(engine):
    result = engine.search("кошка")
    assert all(h.score >= MIN_SCORE for h in result.hits)
    assert "faint.jpg" not in [h.path for h in result.hits]
    assert result.below_threshold >= 1


def test_exclusion_removes_photos(engine):
    paths = [h.path for h in engine.search("животное -собака").hits]
    assert "cat.jpg" in paths and "dog.jpg" not in paths


def test_two_words_rank_photos_with_both_first(engine):
    hits = engine.search("собака кошка").hits
    # dog.jpg has a dog (0.9) and a little cat (0.1): both concepts; cat.jpg only the cat
    assert hits[0].path == "dog.jpg" or hits[0].score >= hits[1].score
    assert len(hits[0].evidence) == 2


def test_unknown_word_is_reported_with_a_suggestion(engine):
    result = engine.search("кошкка")
    assert result.hits == [] and result.unknown == ["кошкка"]
    assert "кошка" in result.suggestions["кошкка"]
