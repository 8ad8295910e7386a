"""The ranking formula on a hand-made index and fake vectors (a unit test of search.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from photofinder.errors import QueryError
from photofinder.index import Index, Tags
from photofinder.query import Lemmatizer
from photofinder.search import (
    BROADER_WEIGHT,
    MIN_SCORE,
    READ_AS_SPELT,
    SYNONYM_WEIGHT,
    WEAK_SCORE,
    SearchEngine,
)
from photofinder.term_table import term_table
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
    """One axis per meaning; "пес" means exactly "собака"; phrases mix their words.
    Like navec, it knows prepositions and conjunctions (on an axis no term shares)."""

    spec = "fake"
    AXES = {"собака": 0, "пес": 0, "бигль": 1, "фоксхаунд": 2, "гончая": 3, "кошка": 4,
            "полосатый": 5, "полосатая": 5, "автобус": 6, "школьный": 7, "транспорт": 8,
            "животное": 9, "на": 10, "в": 10, "и": 10}
    dim = 11

    def get(self, word):
        if word not in self.AXES:
            return None
        v = np.zeros(self.dim, np.float32)
        v[self.AXES[word]] = 1.0
        return v

    def known_words(self):
        return list(self.AXES)


def make_engine(paths: list[str], classes: list[list[int]], probs: list[list[float]],
                lem: Lemmatizer, region: list[list[bool]] | None = None) -> SearchEngine:
    vocab = parse_vocabulary(json.dumps(CLASSES).encode(), "test")
    terms, keys, table = term_table(vocab, FakeVectors(), lem)
    n = len(paths)
    idx = Index(tagger={"name": "t", "weights": "w"}, vectors="fake", vocabulary=vocab.digest,
                labels=[c.key for c in vocab.labels], paths=paths,
                sizes=np.zeros(n, np.int64), mtimes=np.zeros(n, np.int64),
                hashes=np.zeros(n, np.uint64), stale=np.zeros(n, bool),
                tag_rows=Tags.from_dense(np.array(classes), np.array(probs, np.float32),
                                         None if region is None else np.array(region)),
                features=np.zeros((n, 0), np.float16), dhash=np.zeros(n, np.uint64),
                taken=np.zeros(n, np.int64), terms=terms, term_keys=keys, term_vectors=table)
    return SearchEngine(idx, vocab, FakeVectors(), lem)


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


@pytest.fixture(scope="module")
def engine(lemmatizer) -> SearchEngine:
    # photo 0: a beagle the classifier splits between two hounds; photo 1: a clear cat;
    # photo 2: a bus; photo 3: a faint cat (below the minimum score)
    return make_engine(["dog.jpg", "cat.jpg", "bus.jpg", "faint.jpg"],
                       [[0, 1, 2], [2, 0, 3], [3, 2, 0], [2, 3, 0]],
                       [[0.5, 0.4, 0.1], [0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.05, 0.03, 0.02]],
                       lemmatizer)


def test_class_name_score_is_similarity_times_confidence(engine):
    hits = engine.search("бигль").hits
    assert hits[0].path == "dog.jpg"
    assert hits[0].score == pytest.approx(1.0 * 1.0 * 0.5, rel=2e-3)


def test_broader_word_sums_the_probabilities_of_its_classes(engine):
    hits = engine.search("собаки").hits
    assert [h.path for h in hits][:1] == ["dog.jpg"]
    assert hits[0].score == pytest.approx(BROADER_WEIGHT * (0.5 + 0.4), rel=2e-3)
    evidence = hits[0].evidence[0]
    assert evidence.path == ("собака", "гончая", "бигль")
    assert evidence.other_tags == 1


def test_synonym_weight_and_explanation_path(engine):
    hits = engine.search("кошка").hits
    assert hits[0].path == "cat.jpg"
    assert hits[0].score == pytest.approx(SYNONYM_WEIGHT * 0.9, rel=2e-3)
    assert "кошка ← полосатая кошка" in hits[0].describe()


def test_meaning_match_through_vectors(engine):
    hits = engine.search("пес").hits  # not a term; its vector equals "собака"'s
    assert hits[0].path == "dog.jpg"
    assert hits[0].evidence[0].path[0] == "пес"


def test_a_faint_match_is_shown_after_the_strong_ones_and_marked_weak(engine):
    result = engine.search("кошка")
    assert [h.path for h in result.strong] == ["cat.jpg"]
    assert all(h.score >= MIN_SCORE for h in result.strong)
    # a little cat in the dog and the bus photos (0.9 x 0.1), the faint cat (0.9 x 0.05)
    assert [h.path for h in result.weak][-1] == "faint.jpg"
    assert {h.path for h in result.weak} == {"dog.jpg", "bus.jpg", "faint.jpg"}
    assert all(WEAK_SCORE <= h.score < MIN_SCORE and h.weak for h in result.weak)
    assert result.hits[-1].to_json()["weak"] is True and "weak" not in result.hits[0].to_json()
    assert result.weak_total == 3
    assert [h.score for h in result.weak] == sorted((h.score for h in result.weak), reverse=True)


def test_exclusion_removes_photos(engine):
    paths = [h.path for h in engine.search("животное -собака").hits]
    assert "cat.jpg" in paths and "dog.jpg" not in paths


def test_photos_with_every_word_come_first_even_when_one_word_is_stronger(lemmatizer):
    # A mean of per-word scores would put the clear cat (0.9 / 2 = 0.45) above the photo
    # that shows both a dog and a cat a little (mean 0.2): "both words first" must hold.
    engine = make_engine(["cat.jpg", "dog+cat.jpg", "dog.jpg"],
                         [[2, 3, 0], [0, 2, 3], [0, 1, 3]],
                         [[0.95, 0.04, 0.01], [0.25, 0.2, 0.01], [0.9, 0.05, 0.01]], lemmatizer)
    result = engine.search("собака кошка")
    assert [h.path for h in result.strong] == ["dog+cat.jpg"]
    assert len(result.hits[0].evidence) == 2
    assert {h.path for h in result.weak} == {"cat.jpg", "dog.jpg"}
    assert result.hits[0].score < result.hits[1].score  # ranked by words matched, not by mean


def test_photos_the_cap_makes_equal_are_ordered_by_their_evidence(lemmatizer):
    # Two hounds each (a region's tag and the whole photo's can pass 1 in sum): both
    # score 1.00 for «гончая»; the photo with more evidence comes first, not the first row.
    engine = make_engine(["two_hounds.jpg", "surer_hounds.jpg", "one_hound.jpg"],
                         [[0, 1, 2], [0, 1, 2], [0, 2, 3]],
                         [[0.7, 0.6, 0.01], [0.9, 0.6, 0.01], [0.98, 0.01, 0.01]], lemmatizer)
    hits = engine.search("гончая").hits
    assert [h.path for h in hits] == ["surer_hounds.jpg", "two_hounds.jpg", "one_hound.jpg"]
    assert hits[0].score == hits[1].score == pytest.approx(1.0)
    assert hits[2].score == pytest.approx(BROADER_WEIGHT * 0.98, rel=2e-3)
    # and with a second word the same holds for the mean of both
    both = engine.search("гончая кошка").hits
    assert [h.path for h in both][:2] == ["surer_hounds.jpg", "two_hounds.jpg"]


def test_tags_that_regions_gave_count_by_their_best_not_their_sum(lemmatizer):
    # A close-up of leaves: each window of the photo gives an animal class a little, and
    # the three classes' best windows summed (0.8 x 1.35) used to cap «животное» at 1.00
    # above a photo the whole of which is a dog. A region's tags count by the best of
    # them; the whole photo's add up as before (a beagle split with a foxhound).
    engine = make_engine(["leaves.jpg", "dog.jpg"], [[0, 1, 2], [0, 1, 3]],
                         [[0.45, 0.45, 0.45], [0.7, 0.3, 0.01]], lemmatizer,
                         region=[[True, True, True], [False, False, False]])
    hits = engine.search("животное").hits
    assert [h.path for h in hits] == ["dog.jpg", "leaves.jpg"]
    assert hits[0].score == pytest.approx(BROADER_WEIGHT * 1.0, rel=2e-3)
    assert hits[1].score == pytest.approx(BROADER_WEIGHT * 0.45, rel=2e-3)
    leaves = hits[1].evidence[0]
    # the explanation counts what the score counts: one tag, and its numbers multiply out
    assert leaves.region and leaves.other_tags == 0
    assert leaves.similarity * leaves.weight * leaves.confidence == pytest.approx(hits[1].score, rel=2e-3)
    # a whole-photo tag still adds to the best region's: a region's dog and the whole
    # photo's foxhound say more than the region alone
    mixed = make_engine(["both.jpg"], [[0, 1]], [[0.5, 0.3]], lemmatizer, region=[[True, False]])
    assert mixed.search("животное").hits[0].score == pytest.approx(BROADER_WEIGHT * 0.8, rel=2e-3)


def test_a_word_that_matched_nothing_in_a_photo_adds_no_line(lemmatizer):
    engine = make_engine(["dog.jpg"], [[0, 1]], [[0.9, 0.05]], lemmatizer)
    hit = engine.search("собака автобус").hits[0]
    assert [e.concept for e in hit.evidence] == ["собака"]  # no "автобус ... 0.00" line
    assert "0.00" not in hit.describe()


def test_prepositions_are_not_concepts(engine):
    """«на» is a word the vectors know: were it a concept it would be reported as
    matching no tag, and it would halve every photo's mean score."""
    result = engine.search("кошка на собаке")
    assert result.unknown == [] and result.unmatched == []
    assert {e.concept for h in result.hits for e in h.evidence} == {"кошка", "собаке"}
    both = engine.search("кошка собаке")
    assert [(h.path, h.score) for h in result.hits] == [(h.path, h.score) for h in both.hits]


def test_a_query_of_stop_words_only_is_refused(engine):
    with pytest.raises(QueryError, match="только служебные слова"):
        engine.search("на в и")


def test_unknown_word_is_reported_with_a_suggestion(engine):
    result = engine.search("кошшкка")  # two edits from «кошка»: suggested, not searched
    assert result.hits == [] and result.unknown == ["кошшкка"]
    assert "кошка" in result.suggestions["кошшкка"]
    assert not result.read_as


def test_a_word_one_likely_typo_from_a_term_is_searched_as_that_term(engine):
    result = engine.search("кошкка")
    assert result.hits and result.query == "кошка"
    assert (result.typed, result.read_as) == ("кошкка", READ_AS_SPELT)
    assert result.word_notes()[0] == "«кошкка»: искали «кошка» (исправлена опечатка)"


def test_a_label_the_package_added_after_the_index_was_made_ranks_nothing(lemmatizer):
    # an upgrade adds a label («щенок», close to «собака» by meaning) that the index has no
    # column for until it is tagged again: a word reaching it only must not break search
    # (it did: an IndexError for «кухня» on an index of the release before)
    newer = parse_vocabulary(json.dumps(CLASSES + [
        {"index": 4, "wnid": "n00000004", "en": "puppy", "ru": "щенок", "synonyms": [],
         "broader": ["собака", "животное"]}]).encode(), "newer")
    FakeVectors.AXES["щенок"] = 0
    try:
        made = make_engine(["dog.jpg", "cat.jpg"], [[0, 2], [2, 0]], [[0.9, 0.1], [0.9, 0.1]],
                           lemmatizer)   # the index as the release before made it
        upgraded = SearchEngine(made.index, newer, FakeVectors(), lemmatizer)
        assert [h.path for h in upgraded.search("собака").hits][:1] == ["dog.jpg"]
        # the word itself reaches no photo yet; by meaning it still finds the dog
        puppy = upgraded.search("щенок")
        assert [(h.path, h.evidence[0].term) for h in puppy.hits if not h.weak] == [("dog.jpg", "собака")]
    finally:
        del FakeVectors.AXES["щенок"]


def test_a_page_of_photos_gets_its_tags_best_first_from_the_posting_lists(engine):
    """What a tile's tooltip shows, read for several photos at once."""
    pages = engine.tag_names([1, 0, 3])
    assert [name for name, _, _ in pages[0]] == ["полосатая кошка", "бигль", "школьный автобус"]
    assert [round(p, 2) for _, p, _ in pages[1]] == [0.5, 0.4, 0.1]
    assert [name for name, _, _ in pages[2]] == ["полосатая кошка", "школьный автобус", "бигль"]
    assert engine.tag_names([1]) == pages[:1]


def test_a_tiles_tags_list_the_colours_after_the_things(lemmatizer):
    """A colour tag at 1.0 («коричневый») is an attribute of the photo: the tooltip shows
    the tabby at 0.9 first, then the colour, whatever their scores."""
    scenes = [{"key": "colour_brown", "en": "brown", "ru": "коричневый", "synonyms": [],
               "broader": ["цвет"]}]
    vocab = parse_vocabulary(json.dumps(CLASSES).encode(), "test",
                             raw_scenes=json.dumps(scenes).encode())
    terms, keys, table = term_table(vocab, FakeVectors(), lemmatizer)
    brown = vocab.index_of_key["scene:colour_brown"]
    idx = Index(tagger={"name": "t", "weights": "w"}, vectors="fake", vocabulary=vocab.digest,
                labels=[c.key for c in vocab.labels], paths=["cat.jpg"],
                sizes=np.zeros(1, np.int64), mtimes=np.zeros(1, np.int64),
                hashes=np.zeros(1, np.uint64), stale=np.zeros(1, bool),
                tag_rows=Tags.from_dense(np.array([[brown, 2, 0]]),
                                         np.array([[1.0, 0.9, 0.05]], np.float32)),
                features=np.zeros((1, 0), np.float16), dhash=np.zeros(1, np.uint64),
                taken=np.zeros(1, np.int64), terms=terms, term_keys=keys, term_vectors=table)
    engine = SearchEngine(idx, vocab, FakeVectors(), lemmatizer)
    assert [name for name, _, _ in engine.tag_names([0])[0]] == [
        "полосатая кошка", "бигль", "коричневый"]
