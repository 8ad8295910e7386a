"""Scoring one concept of a query over every photo: pure NumPy, no torch (and no SciPy:
importing scipy.sparse took a quarter of a second of every search's start).

Every tag is a label column (ImageNet classes of the whole photo and its regions,
scenes, the person score). For each concept of the query (a word or a known phrase)
and each vocabulary term t:

    similarity(t) = 1.0 if t has the concept's dictionary form (or is its alias),
                    else (cos(query, t) - 0.6) / 0.4, halved when the word itself is a term
    score(photo)  = max over t of  similarity(t) x min(1, sum over the photo's tags l
                                                       of weight(t, l) x p(l | photo))

weight(t, l) is 1.0 when t is the label's own Russian name, SYNONYM_WEIGHT for a
synonym and BROADER_WEIGHT for a broader or a related word (terms.py). For a class name
this is the design's formula (cosine x the classifier's confidence, the best tag
decides); for a broader word such as "собака" the probabilities of all dog breeds the
photo may show add up, because the classifier splitting its vote between beagle and
foxhound does not make the photo less of a dog. The cap at 1 makes photos equal whose
tags together say more than "surely" (a region, a scene and the whole photo all showing
snow); they are ordered by the mass before the cap, so more evidence ranks higher
(held-out scenes: MRR 0.87 -> 0.94; the same photos used to follow each other in path
order).

A photo matches a concept when the tag behind its score is sure enough: an ImageNet
class's probability from MIN_SCORE, the people and scene heads' calibrated
probabilities from SURE["person"] (more likely than not) and SURE["scene"], times the
relation's weight, and the score reaches MIN_SCORE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .index import Index, Postings
from .query import Concept, Lemmatizer
from .terms import Terms
from .vectors import WordVectors, phrase_vector

MIN_TERM_SIMILARITY = 0.6   # navec puts co-hyponyms at 0.55-0.65: below this is noise
MEANING_ONLY_WEIGHT = 0.5   # a match by meaning when the vocabulary has the word itself
TERMS_PER_CONCEPT = 12      # the most similar terms considered for one concept
MIN_SCORE = 0.1             # an ImageNet class this probable is a match; below: weak at most
# The heads' probabilities are calibrated (0.5: as likely as not); ImageNet's are a
# softmax over 1000 classes, where 0.1 is already a clear vote. Measured on coco-dev:
# a person score >= 0.5 is right 90% of the time (recall 0.80); from 0.1 it is 67%.
# The detector's scores (objects): above 0.3 its labels were right 89 % of the time on
# coco-dev, recall 0.54 (benchmarks/detector.py).
SURE = {"imagenet": MIN_SCORE, "person": 0.5, "scene": 0.3, "object": 0.3, "word": MIN_SCORE}


@dataclass(frozen=True)
class Capped:
    """The photos whose score for a concept the cap at 1 lowered, and their
    similarity x weighted mass before it (sparse: most photos are never capped)."""

    rows: np.ndarray        # ascending
    mass: np.ndarray

    @classmethod
    def none(cls) -> Capped:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.float32))

    def before(self, rows: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """The photos' scores as they were before the cap."""
        out = scores[rows].astype(np.float64)
        if len(self.rows):
            at = np.minimum(np.searchsorted(self.rows, rows), len(self.rows) - 1)
            hit = self.rows[at] == rows
            out[hit] = self.mass[at[hit]]
        return out


class Match(NamedTuple):
    """One concept of a query over every photo: what Scorer.scores found."""

    concept: Concept
    terms: np.ndarray       # the candidate vocabulary terms
    sims: np.ndarray        # and how close each is to the concept
    best: np.ndarray        # per photo: which term gave its score
    scores: np.ndarray      # similarity x min(1, weighted mass)
    sure: np.ndarray        # a strong match
    capped: Capped          # the photos the cap at 1 lowered: orders those it makes equal
    person: object = None   # person_search.PersonMatch when the concept names people


class Scorer:
    """Scores concepts over one loaded index: sums, term by term, the posting lists of
    the label columns the concept's terms reach."""

    def __init__(self, index: Index, terms: Terms, lemmatizer: Lemmatizer,
                 vectors: Callable[[], WordVectors]) -> None:
        self.index = index
        self.terms = terms
        self.lemmatizer = lemmatizer
        self._vectors = vectors
        self.column_sure = np.array([SURE[k] for k in terms.column_kinds], np.float32)
        self._words_by_column: Postings | None = None

    def _column(self, column: int) -> tuple[np.ndarray, np.ndarray | None]:
        """The photos with a tag in one column, ascending, and the tags' probabilities
        (None for a word column: a word is there or not). Views of the stored posting
        lists, not copies."""
        if column < self.terms.n_label_columns:
            row, score, _ = self.index.postings.segment(column)  # CRC-checked on first use
            return row, score
        ptr, rows = self._word_postings()
        j = column - self.terms.n_label_columns
        return rows[ptr[j]:ptr[j + 1]], None

    def _word_postings(self) -> tuple[np.ndarray, np.ndarray]:
        """The words people wrote, word by word: made on the first query that reaches one
        (most queries never do, and a million photos' words take a tenth of a second)."""
        if self._words_by_column is None:
            self._words_by_column = Postings.of(self.index.words, len(self.index.word_labels))
        return self._words_by_column.ptr, self._words_by_column.row

    def similarities(self, concept: Concept
                     ) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
        """The terms a concept may mean, how close each is, and the nearest terms of
        all (to suggest when nothing is found); None if the word is unknown.

        The word itself (any of its forms) is similarity 1. A term reached only through
        the vectors gets (cos - 0.6) / 0.4: navec puts co-hyponyms (кошка/пес 0.60,
        телевизор/холодильник 0.63) as close as true synonyms, so a meaning match is a
        weak signal, and it is halved again when the vocabulary has the word itself:
        then the labels the word names come first. A phrase that merely contains
        the word is not a match by meaning (морской лев is not a лев, морской еж not
        an еж): the vocabulary lists every label a word names. Nor is a phrase its own
        adjective (морской лев is not морской, an alias of море), though it may be its
        noun by meaning (комнатное растение is a растение)."""
        terms = self.terms
        key = " ".join(concept.lemmas)
        exact = terms.rows_of(key)
        qvec = self._concept_vector(concept)
        if qvec is None and not exact:
            return None
        sims = np.zeros(len(terms.terms), np.float32)
        nearest: list[str] = []
        if qvec is not None:
            cosines = terms.vectors @ qvec
            sims = np.clip((cosines - MIN_TERM_SIMILARITY) / (1.0 - MIN_TERM_SIMILARITY), 0.0, None)
            if exact:
                sims *= MEANING_ONLY_WEIGHT
                # the word names labels itself: a neighbour by meaning that can never make
                # a strong match (similarity under MIN_SCORE: «кошка» ~ собака 0.04) would
                # only list every photo of it as a weak «возможно», and cost the most time
                sims[sims < MIN_SCORE] = 0.0
            if len(concept.lemmas) == 1:
                sims[terms.phrases_with_word(concept.lemmas[0])] = 0.0
            else:  # nor is a phrase a match by meaning for its own adjective
                for lemma in concept.lemmas:
                    if self.lemmatizer.is_adjective(lemma):
                        sims[terms.rows_of(lemma)] = 0.0
            nearest = [terms.terms[i] for i in np.argsort(-cosines)[:5]]
        sims[exact] = 1.0
        candidates = np.flatnonzero(sims > 0)
        if len(candidates) > TERMS_PER_CONCEPT:
            candidates = candidates[np.argsort(-sims[candidates], kind="stable")[:TERMS_PER_CONCEPT]]
        return candidates, sims[candidates], nearest

    def _concept_vector(self, concept: Concept) -> np.ndarray | None:
        # A concept that is a vocabulary term has its vector in the index already (the
        # same words' unit mean, made by the indexer): most queries then never load the
        # word vectors, a third of a second at every search's start.
        for row in self.terms.rows_of(" ".join(concept.lemmas)):
            if row < self.terms.n_vocabulary_terms and self.terms.vectors[row].any():
                return self.terms.vectors[row]
        vectors = self._vectors()
        words = []
        for word, lemma in zip(concept.words, concept.lemmas):
            # the dictionary form first; fall back to the form as typed
            words.append(lemma if vectors.get(lemma) is not None else word)
        return phrase_vector(vectors, words)

    def scores(self, terms: np.ndarray, sims: np.ndarray
               ) -> tuple[np.ndarray, Capped, np.ndarray, np.ndarray]:
        """Per photo: the concept's score, the mass before the cap of the photos it
        lowered, which candidate term gave the score, and whether the
        tags behind it are sure enough for a match (their evidence in units of their
        kind's SURE level reaches 1). Only the posting lists of the terms' columns are
        read, in place."""
        n = len(self.index)
        nothing = np.zeros(n, np.float32), Capped.none(), np.zeros(n, np.int64), np.zeros(n, bool)
        if len(terms) == 0 or n == 0:
            return nothing
        links = [self.terms.weights.row(int(t)) for t in terms]
        columns = np.unique(np.concatenate([c for c, _ in links]))
        lists = {int(c): self._column(int(c)) for c in columns}
        entries = sum(len(rows) for rows, _ in lists.values())
        if entries == 0:
            return nothing
        # Few tags in these columns (a narrow word): compute only their photos. Many (a
        # broad word such as «животное»): finding them would cost more than the rows of
        # zeros it saves.
        if entries * 2 < n * len(terms):
            touched = np.zeros(n, bool)
            for rows, _ in lists.values():
                touched[rows] = True
            rows = np.flatnonzero(touched)
            position = np.zeros(n, np.int32)
            position[rows] = np.arange(len(rows), dtype=np.int32)
        else:
            rows, position = None, None
        m = n if rows is None else len(rows)
        levels = self.column_sure[columns]
        mixed = bool((levels != levels[0]).any())  # e.g. a scene and an ImageNet class
        # term by term (rows of T x m, contiguous): the weighted mass of its tags and,
        # when its columns have different sure levels, the evidence in units of them
        mass = np.zeros((len(terms), m), np.float32)
        units = np.zeros_like(mass) if mixed else None
        for j, (own, weights) in enumerate(links):
            total = sum(len(lists[int(c)][0]) for c in own)
            if total == 0:
                continue
            # every tag of the term's columns, laid out once in the types bincount adds
            # in (it would copy int32 rows and float32 scores itself: a third of the time)
            at = np.empty(total, np.intp)
            masses = np.empty(total, np.float64)
            evidence = np.empty(total, np.float64) if mixed else None
            start = 0
            for column, weight in zip(own, weights):
                found, probs = lists[int(column)]
                end = start + len(found)
                at[start:end] = found if position is None else position[found]
                if probs is None:
                    masses[start:end] = weight
                else:
                    np.multiply(probs, weight, out=masses[start:end])
                if evidence is not None:
                    np.multiply(masses[start:end], 1.0 / self.column_sure[column], out=evidence[start:end])
                start = end
            # one photo has at most one tag per column, so this sums over its columns
            mass[j] = np.bincount(at, masses, minlength=m)
            if units is not None:
                units[j] = np.bincount(at, evidence, minlength=m)
        term_sims = sims[:, None].astype(np.float32)
        weighted = (mass if units is None else units) * term_sims
        sure_here = weighted.max(axis=0) >= (1.0 if mixed else levels[0])
        mass *= term_sims
        # the mass past 1 orders the photos the cap makes equal (a region, a scene and
        # the whole photo all saying «снег» before one tag at 0.98): kept for those only
        over = np.flatnonzero((mass > term_sims).any(axis=0))
        uncapped = mass[:, over].max(axis=0)
        np.minimum(mass, term_sims, out=mass)   # similarity x min(1, mass)
        if len(terms) == 1:
            top, best_score = np.zeros(m, np.int64), mass[0]
        else:
            top = mass.argmax(axis=0)
            best_score = np.take_along_axis(mass, top[None, :], axis=0)[0]
        if rows is None:
            return best_score, Capped(over, uncapped), top, sure_here
        scores, _, best, sure = nothing
        scores[rows], best[rows], sure[rows] = best_score, top, sure_here
        return scores, Capped(rows[over], uncapped), best, sure
