"""Every term a query can reach, and the label columns each term reaches.

`Terms` is the search's view of an index's term table (term_table.py: every vocabulary
term's lemma key and word vector, which the indexer stores): the vocabulary's terms, then
the words people wrote (folder and file names, keywords), and weight(term, column).
Its own module so that the search path never imports the indexer (and with it decoding
and the tagger's helpers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .config import models_dir
from .index import Index
from .query import Lemmatizer
from .term_table import cached_term_table
from .vectors import WordVectors
from .vocabulary import Link, Vocabulary
from .words import KIND_WEIGHTS

# Kinds whose tags under one term are not added up but the best one taken: the detector's
# scores are one independent yes/no per class, not shares of one vote as ImageNet's
# softmax is, so fifteen faint detections (0.1-0.3) of fruit and cakes on a photo of coins
# must not add up to a sure «еда» (they did: 0.90 before, the banana's 0.21 now).
BEST_ONLY_KINDS = frozenset({"object"})

SYNONYM_WEIGHT = 0.9
BROADER_WEIGHT = 0.8
RELATION_WEIGHTS = {"name": 1.0, "synonym": SYNONYM_WEIGHT, "broader": BROADER_WEIGHT,
                    "related": BROADER_WEIGHT}
# A word for a kind of person, with a face tag of its own, that an alias also leads to
# the person score only to find more (Vocabulary.person_fallbacks: «женщина», «ребенок»
# -> человек), reaches the person's photos as a related word does: a photo of a person
# may show no woman.
# At full weight both a woman's face and a batter's person tags reached the cap at 1,
# and the mass before the cap, which orders such ties, put the batter first: the woman
# brushing her teeth was 8th for «женщина» on coco-dev, after three photos of people with
# no woman's face found; now 5th, after the 4 other women whose faces were found
# (benchmarks/gender.py: MAP 0.769 -> 0.779; children.py 0.736 -> 0.756).
FALLBACK_WEIGHT = BROADER_WEIGHT


@dataclass(frozen=True)
class TermWeights:
    """weight(term, column), sparse, term by term (CSR): a term reaches a few columns."""

    ptr: np.ndarray      # term t's columns are column[ptr[t]:ptr[t + 1]], ascending
    column: np.ndarray
    weight: np.ndarray

    @classmethod
    def of(cls, terms: np.ndarray, columns: np.ndarray, weights: np.ndarray,
           n_terms: int, n_columns: int) -> TermWeights:
        """From (term, column, weight) triples; a pair given twice adds up."""
        pairs, where = np.unique(terms * n_columns + columns, return_inverse=True)
        ptr = np.zeros(n_terms + 1, np.int64)
        np.cumsum(np.bincount(pairs // n_columns, minlength=n_terms), out=ptr[1:])
        return cls(ptr, pairs % n_columns,
                   np.bincount(where, weights, minlength=len(pairs)).astype(np.float32))

    def row(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.ptr[term], self.ptr[term + 1]
        return self.column[a:b], self.weight[a:b]

    def same_row(self, other: TermWeights, term: int) -> bool:
        """Whether a term reaches the same columns with the same weights in both."""
        (columns, weights), (theirs, their_weights) = self.row(term), other.row(term)
        return np.array_equal(columns, theirs) and np.array_equal(weights, their_weights)


class Terms:
    """The terms of one loaded index and the columns they reach.

    Columns: the index's own label columns (its posting lists, as stored), then one per
    word people wrote. Terms: the vocabulary's, then each written lemma, which reaches
    its own columns. Written words are matched as typed (any word form), not by meaning:
    they have no vectors."""

    def __init__(self, index: Index, vocabulary: Vocabulary,
                 vectors: Callable[[], WordVectors], lemmatizer: Callable[[], Lemmatizer]) -> None:
        """vectors and lemmatizer: called only when the term table must be made again."""
        if index.vocabulary != vocabulary.digest or len(index.terms) != len(vocabulary.terms):
            # the package's vocabulary changed since this index was made: its term table,
            # kept or made, in memory (`photofinder index` stores it in the index)
            index.terms, index.term_keys, index.term_vectors = cached_term_table(
                vocabulary, vectors(), lemmatizer, models_dir() / "terms")
            index.vocabulary = vocabulary.digest
        self.vocabulary = vocabulary
        self.n_vocabulary_terms = len(index.terms)
        self.n_label_columns = len(index.labels)
        self.word_columns = self.n_label_columns + np.arange(len(index.word_labels))
        self.n_columns = self.n_label_columns + len(index.word_labels)
        # index label column <-> vocabulary label (-1: a label the other one lacks)
        self.label_of_column = np.array(
            [vocabulary.index_of_key.get(k, -1) for k in index.labels], np.int64)
        self.column_of_label = np.full(len(vocabulary.labels), -1, np.int64)
        known = self.label_of_column >= 0
        self.column_of_label[self.label_of_column[known]] = np.flatnonzero(known)
        text_terms = sorted({key.partition(":")[2] for key in index.word_labels})
        self.terms = index.terms + text_terms
        self.keys = index.term_keys + text_terms
        self.vectors = np.concatenate(
            [index.term_vectors, np.zeros((len(text_terms), index.term_vectors.shape[1]), np.float32)])
        self._rows: dict[str, list[int]] = {}
        for i, key in enumerate(self.keys):
            self._rows.setdefault(key, []).append(i)
        # the vocabulary's phrases, and the names of several words of this index's places
        # ("place:минеральный вода", words.place_words). Not the words in a row of a
        # folder's name: «кошка собака» stays two words, whatever a folder is called
        place_phrases = [key.partition(":")[2] for key in index.word_labels
                         if key.startswith("place:")]
        self.phrases = {tuple(k.split()) for k in [*index.term_keys, *place_phrases] if " " in k}
        self._phrases_with_word: dict[str, list[int]] = {}
        for i, key in enumerate(index.term_keys):
            if " " in key:
                for lemma in set(key.split()):
                    self._phrases_with_word.setdefault(lemma, []).append(i)
        row_of = {t: i for i, t in enumerate(self.terms[:self.n_vocabulary_terms])}
        # the dictionary forms of the fallback words (Vocabulary.fallback_aliases), every
        # term of the form included («дети» is «ребенок»), and of those for a kind of person
        self.fallback_keys = frozenset(self.keys[row_of[alias]]
                                       for alias in vocabulary.fallback_aliases if alias in row_of)
        self.person_keys = frozenset(self.keys[row_of[alias]]
                                     for alias in vocabulary.person_fallbacks if alias in row_of)
        self.weights = self._weight_matrix(index.word_labels, fallback=self.person_keys)
        self._word_labels = index.word_labels
        self._exclusion_weights: TermWeights | None = None
        self._own_weights: TermWeights | None = None
        self.column_kinds = [vocabulary.labels[label].kind if label >= 0 else "imagenet"
                             for label in self.label_of_column] + ["word"] * len(index.word_labels)
        self._links: dict | None = None

    def rows_of(self, key: str) -> list[int]:
        """The terms with this lemma key ("плюшевый мишка")."""
        return self._rows.get(key, [])

    @cached_property
    def one_word_keys(self) -> frozenset[str]:
        """The dictionary forms of the vocabulary's one-word terms (diminutives.py)."""
        return frozenset(k for k in self.keys[:self.n_vocabulary_terms] if " " not in k)

    def phrases_with_word(self, lemma: str) -> list[int]:
        """The vocabulary's multi-word terms that contain a lemma."""
        return self._phrases_with_word.get(lemma, [])

    def is_written_word(self, term: int) -> bool:
        return term >= self.n_vocabulary_terms

    def relation(self, term: int, link: Link) -> str:
        """How a term reaches a label, as its explanation names it: a word for a kind of
        person reaches the person score as a related word (FALLBACK_WEIGHT)."""
        if link.through_alias and self.keys[term] in self.person_keys:
            return "related"
        return link.relation

    def links(self, term_text: str) -> list:
        """A vocabulary term's links to its labels (relation, label)."""
        if self._links is None:
            self._links = dict(zip(self.vocabulary.terms, self.vocabulary.links))
        return self._links.get(term_text, [])

    @property
    def exclusion_weights(self) -> TermWeights:
        """weight(term, column) for what a word excludes («-дети», «без детей»): as
        `weights`, except that a word whose alias leads from its own label to another's
        only to find more (Vocabulary.fallback_aliases: «ребенок», «женщина» -> человек),
        and every term of the same dictionary form («дети»), reaches its own labels
        alone. Otherwise «люди без детей» left out every person. Made on the first
        exclusion."""
        if self._exclusion_weights is None:
            self._exclusion_weights = self._weight_matrix(
                self._word_labels, own_only=self.fallback_keys)
        return self._exclusion_weights

    @property
    def own_weights(self) -> TermWeights:
        """weight(term, column) of a word for a kind of person (person_keys: «женщина»,
        «мама», «семья») by its own links alone: the face or group tag it names or is
        related to, not the person score its alias adds (person_fallback.py). Made on the
        first query with such a word."""
        if self._own_weights is None:
            self._own_weights = self._weight_matrix(self._word_labels, own_only=self.person_keys)
        return self._own_weights

    def _weight_matrix(self, word_labels: list[str], own_only: frozenset[str] = frozenset(),
                       fallback: frozenset[str] = frozenset()) -> TermWeights:
        """own_only: the lemma keys whose terms keep only the links that are their own,
        not an alias's. fallback: those whose terms' alias links weigh FALLBACK_WEIGHT
        times their relation's weight."""
        rows, cols, vals = [], [], []
        term_row = {t: i for i, t in enumerate(self.terms[:self.n_vocabulary_terms])}
        for term, links in zip(self.vocabulary.terms, self.vocabulary.links):
            own = self.keys[term_row[term]] in own_only
            lowered = FALLBACK_WEIGHT if self.keys[term_row[term]] in fallback else 1.0
            for link in links:
                if own and link.through_alias:
                    continue
                column = self.column_of_label[link.label]
                if column >= 0:  # a label this index has no column for (yet) finds nothing
                    rows.append(term_row[term])
                    cols.append(int(column))
                    vals.append(RELATION_WEIGHTS[link.relation]
                                * (lowered if link.through_alias else 1.0))
        text_row = {t: self.n_vocabulary_terms + i
                    for i, t in enumerate(self.terms[self.n_vocabulary_terms:])}
        for column, key in zip(self.word_columns, word_labels):
            kind, _, lemma = key.partition(":")
            rows.append(text_row[lemma])
            cols.append(int(column))
            vals.append(KIND_WEIGHTS.get(kind, 0.9))
        return TermWeights.of(np.array(rows, np.int64), np.array(cols, np.int64),
                              np.array(vals, np.float64), len(self.terms), self.n_columns)
