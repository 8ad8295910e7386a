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
foxhound does not make the photo less of a dog. Tags that regions gave do not add up
among themselves: the best of them is added to the sum of the others (a class's region
tag is its best window, and twenty classes' best windows are not one window's vote);
nor do the detector's objects (BEST_ONLY_KINDS). The cap at 1 makes photos equal whose
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

import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .diminutives import base_term
from .index import Index, Postings
from .query import Concept, Lemmatizer
from .sparse import TermLists, crc_of, lists_crc
from .terms import BEST_ONLY_KINDS, Terms, TermWeights
from .vectors import WordVectors, phrase_vector

# One label column's tags: photos (ascending), probabilities, whether a region gave each
# (probabilities and flags None for a column of written words: a word is there or not).
Column = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]

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
# A vocabulary term reaching this many label columns or more gets a posting list of its
# own when the index is saved (TermLists): «собака» reaches 118 columns, 41 million tags
# at 10 million photos, on 3 million of them.
BROAD_COLUMNS = 8
TERM_LISTS_VERSION = 3      # how term_lists adds up: a change makes stored lists unused
TERM_BLOCK = 1 << 20        # photos whose tags term_lists adds up at once


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
        """The photos' scores as they were before the cap (`scores`: their capped
        scores, one per row)."""
        out = scores.astype(np.float64)
        if len(self.rows):
            at = np.minimum(np.searchsorted(self.rows, rows), len(self.rows) - 1)
            hit = self.rows[at] == rows
            out[hit] = self.mass[at[hit]]
        return out


class Scored(NamedTuple):
    """One concept's scores over the photos it can reach: every array is aligned with
    `rows`, the photos with a tag in the columns of its terms (ascending). Every other
    photo scores 0 and is not sure. Photos that cannot match are never touched: at ten
    million photos, arrays of one value per photo cost more than most queries' work."""

    rows: np.ndarray        # int64, ascending
    scores: np.ndarray      # float32: similarity x min(1, weighted mass)
    best: np.ndarray        # int64: which candidate term gave the score
    sure: np.ndarray        # bool: a strong match
    capped: Capped          # the photos the cap at 1 lowered: orders those it makes equal

    @classmethod
    def nothing(cls) -> Scored:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros(0, np.int64),
                   np.zeros(0, bool), Capped.none())

    def lookup(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The scores (0 where not reached) and best terms of some photos (a page)."""
        scores, best = np.zeros(len(rows), np.float32), np.zeros(len(rows), np.int64)
        if len(self.rows):
            at = np.minimum(np.searchsorted(self.rows, rows), len(self.rows) - 1)
            hit = self.rows[at] == rows
            scores[hit], best[hit] = self.scores[at[hit]], self.best[at[hit]]
        return scores, best


class Match(NamedTuple):
    """One concept of a query: its terms and what Scorer.scores found."""

    concept: Concept
    terms: np.ndarray       # the candidate vocabulary terms
    sims: np.ndarray        # and how close each is to the concept
    scored: Scored
    person: object = None   # person_search.PersonMatch when the concept names people
    # the photos (ascending) a child word reached through its lowered fallback to every
    # person, their faces all adults' (adult_faces.py): their explanation says so
    adults: np.ndarray | None = None
    # the photos (ascending) whose fallback to every person was held to a related word's
    # worth (person_fallback.py): the weight their explanation shows is what they score
    held: np.ndarray | None = None


class Scorer:
    """Scores concepts over one loaded index: sums, term by term, the posting lists of
    the label columns the concept's terms reach."""

    def __init__(self, index: Index, terms: Terms, lemmatizer: Lemmatizer,
                 vectors: Callable[[], WordVectors]) -> None:
        self.index = index
        self.terms = terms
        self.lemmatizer = lemmatizer
        self._vectors = vectors
        self.column_sure = column_sure(terms)
        self.column_alone = column_alone(terms)
        self._words_by_column: Postings | None = None
        stored = index.term_lists
        crcs = index.postings.crc  # an index made in memory has none: no term lists
        self.term_lists = stored if len(stored.term) and crcs is not None \
            and stored.key == term_lists_key(terms, crcs) else None

    def _column(self, column: int) -> Column:
        """The photos with a tag in one column, ascending, the tags' probabilities and
        whether a region gave each (both None for a word column: a word is there or not).
        Views of the stored posting lists, not copies."""
        if column < self.terms.n_label_columns:
            return self.index.postings.segment(column)  # CRC-checked on first use
        ptr, rows = self._word_postings()
        j = column - self.terms.n_label_columns
        return rows[ptr[j]:ptr[j + 1]], None, None

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
        base = self._diminutive_base(concept, exact)
        if base is not None:  # «домик»: the word is the house's own, by its plain form
            exact = exact + terms.rows_of(base)
            concept = Concept((base,), (base,))
        # a phrase no vocabulary term is, but a place's name («Минеральные Воды», «Красная
        # Поляна»: words.place_words) names that place: its words' meaning is not water
        names_place = len(concept.lemmas) > 1 and bool(exact) and all(
            terms.is_written_word(row) for row in exact)
        qvec = None if names_place else self._concept_vector(concept)
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
            # the word itself is no suggestion («жираф» on an index without giraffes)
            nearest = [terms.terms[i] for i in np.argsort(-cosines)[:5 + len(exact)]
                       if i not in exact][:5]
        sims[exact] = 1.0
        # a term reaching none of this index's columns cannot rank a photo: a label the
        # package added after the index was made, until `photofinder index` tags it
        sims[np.diff(terms.weights.ptr) == 0] = 0.0
        candidates = np.flatnonzero(sims > 0)
        if len(candidates) > TERMS_PER_CONCEPT:
            candidates = candidates[np.argsort(-sims[candidates], kind="stable")[:TERMS_PER_CONCEPT]]
        return candidates, sims[candidates], nearest

    def _diminutive_base(self, concept: Concept, exact: list[int]) -> str | None:
        """The vocabulary word a one-word diminutive the vocabulary lacks comes from
        («тучки» -> туча, «цветочки» -> цветок; diminutives.py), not for a first name
        («Мишенька» is no teddy bear)."""
        if len(concept.lemmas) != 1 or any(not self.terms.is_written_word(r) for r in exact):
            return None
        keys = self.terms.one_word_keys
        # the word's other readings too: «лесок» is first a form of «леска»
        readings = [concept.lemmas[0], *self.lemmatizer.normal_forms(concept.words[0])]
        base = next((b for lemma in dict.fromkeys(readings)
                     if (b := base_term(lemma, keys)) is not None), None)
        if base is None or self.lemmatizer.is_first_name(concept.words[0]):
            return None
        return base

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

    def scores(self, terms: np.ndarray, sims: np.ndarray, every: bool = False,
               weights: TermWeights | None = None) -> Scored:
        """The concept's score of each photo its terms reach, the mass before the cap of
        the photos it lowered, which candidate term gave the score, and whether the
        tags behind it are sure enough for a match (their evidence in units of their
        kind's SURE level reaches 1). Only the posting lists of the terms' columns are
        read, in place. every: over every photo (rows: all of them), the exhaustive
        reference, and what a bar of 0 needs. weights: other weights than the terms'
        (Terms.exclusion_weights), each term reaching some column."""
        n = len(self.index)
        if len(terms) == 0 or n == 0:
            return spread(Scored.nothing(), n) if every else Scored.nothing()
        table = self.terms.weights if weights is None else weights
        links = [table.row(int(t)) for t in terms]
        columns = np.unique(np.concatenate([c for c, _ in links]))
        # a broad term's own list (made when the index was saved) instead of its
        # columns'; never for the exhaustive reference, which adds up every column, nor
        # for a term whose other weights are not those the list was added up with
        stored = [None if self.term_lists is None or every or (
                      weights is not None and not weights.same_row(self.terms.weights, int(t)))
                  else self.term_lists.find(int(t)) for t in terms]
        lists = {int(c): self._column(int(c))
                 for c in np.unique(np.concatenate([c for (c, _), own in zip(links, stored)
                                                    if own is None] + [columns[:0]]))}
        parts = [found for found, _, _ in lists.values()] + [own[0] for own in stored if own is not None]
        entries = sum(len(rows) for rows in parts)
        if entries == 0:
            return spread(Scored.nothing(), n) if every else Scored.nothing()
        # Few tags in these columns (a narrow word): compute only their photos. Many (a
        # broad word such as «животное»): finding them would cost more than the rows of
        # zeros it saves.
        rows, position = None, None
        if len(parts) == 1 or entries * 2 < n * len(terms):  # one list: its photos as they are
            rows = union(n, parts)
            if len(rows) == n:  # every photo (a word for a person: the person score's
                rows = None     # list holds them all): no positions to look up
            else:
                position = scratch(n).position
                position[rows] = np.arange(len(rows), dtype=np.int32)  # only these are read
        m = n if rows is None else len(rows)
        levels = self.column_sure[columns]
        mixed = bool((levels != levels[0]).any())  # e.g. a scene and an ImageNet class
        threshold = 1.0 if mixed else levels[0]
        if not every:
            parts = [self._term_part(own, weights, made, lists, position, m, mixed)
                     for (own, weights), made in zip(links, stored)]
            best_score, top, sure_here, over, uncapped = best_term(parts, sims, m, threshold)
            if rows is None:  # a photo none of the terms reached scores 0: left out
                keep = np.flatnonzero(best_score > 0)
                return Scored(keep, best_score[keep], top[keep], sure_here[keep], Capped(over, uncapped))
            return Scored(rows, best_score, top, sure_here, Capped(rows[over], uncapped))
        # The reference: term by term (rows of T x m, contiguous), the weighted mass of
        # its tags and, when its columns have different sure levels, the evidence in
        # units of them; then the best term of every photo at once.
        mass = np.zeros((len(terms), m), np.float32)
        units = np.zeros_like(mass) if mixed else None
        for j, (own, weights) in enumerate(links):
            added = term_mass([lists[int(c)] for c in own], weights, self.column_sure[own],
                              position, m, mixed, self.column_alone[own])
            if added is not None:
                mass[j] = added[0]
                if units is not None:
                    units[j] = added[1]
        term_sims = sims[:, None].astype(np.float32)
        weighted = (mass if units is None else units) * term_sims
        sure_here = weighted.max(axis=0) >= threshold
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
            return Scored(np.arange(n), best_score, top, sure_here, Capped(over, uncapped))
        return spread(Scored(rows, best_score, top, sure_here, Capped(rows[over], uncapped)), n)

    def _term_part(self, own: np.ndarray, weights: np.ndarray,
                   made: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
                   lists: dict[int, Column],
                   position: np.ndarray | None, m: int, mixed: bool
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
        """One term's photos (their positions among the m, each once), its weighted mass
        of each (float32, as the reference's T x m rows hold it) and, when mixed, its
        units; None when it reaches no photo. Only that term's photos are touched."""
        if made is not None:  # added up when saved, exactly as term_mass does
            at = made[0] if position is None else position[made[0]]
            return at, made[1], made[2] if mixed else None
        found, probs, _ = lists[int(own[0])]
        if len(own) == 1 and once_each(found):  # one tag per photo: nothing to add up
            if not len(found):
                return None
            masses, evidence = tag_masses(probs, weights[0], self.column_sure[own[0]],
                                          len(found), mixed)
            return (found if position is None else position[found], masses.astype(np.float32),
                    None if evidence is None else evidence.astype(np.float32))
        added = term_mass([lists[int(c)] for c in own], weights, self.column_sure[own],
                          position, m, mixed, self.column_alone[own])
        if added is None:
            return None
        at = np.flatnonzero(added[0] > 0)  # a photo with no mass adds nothing below
        return (at, added[0][at].astype(np.float32),
                None if added[1] is None else added[1][at].astype(np.float32))


def best_term(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray | None] | None],
              sims: np.ndarray, m: int, threshold: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the reference computes over T x m (Scorer.scores with every=True), term by
    term over each term's own photos only: a concept reached by meaning through ten
    narrow terms costs their tags, not ten times the photos of them all. Per photo: the
    best capped score and the first term that gives it (argmax's choice), whether some
    term is sure; and the photos the cap lowered with their best mass before it. The
    same float32 operations per element as the reference: the same numbers."""
    best, top = np.zeros(m, np.float32), np.zeros(m, np.int64)
    sure, over, uncapped = np.zeros(m, bool), np.zeros(m, bool), np.zeros(m, np.float32)
    first = True
    for j, part in enumerate(parts):
        if part is None:
            continue
        at, mass, units = part
        sim = sims[j:j + 1].astype(np.float32)
        weighted = mass * sim
        is_sure = (weighted if units is None else units * sim) >= threshold
        capped = np.minimum(weighted, sim)
        if first:  # nothing there yet (zeros): set, not compare; no gather at all when
            where = slice(None) if len(at) == m else at  # the term reaches all m photos
            sure[where], over[where], uncapped[where] = is_sure, weighted > sim, weighted
            best[where] = capped
            if j:
                top[where] = np.where(capped > 0, j, 0)
            first = False
            continue
        if len(at) * 4 > m:  # many of the photos: spread out, then whole-array passes
            spread_out = np.zeros(m, np.float32)
            spread_out[at] = weighted
            sure_out = np.zeros(m, bool)
            sure_out[at] = is_sure
            sure |= sure_out
            over |= spread_out > sim
            np.maximum(uncapped, spread_out, out=uncapped)
            np.minimum(spread_out, sim, out=spread_out)
            np.putmask(top, spread_out > best, j)
            np.maximum(best, spread_out, out=best)
            continue
        sure[at] |= is_sure
        over[at] |= weighted > sim
        uncapped[at] = np.maximum(uncapped[at], weighted)
        better = capped > best[at]
        best[at[better]], top[at[better]] = capped[better], j
    lowered = np.flatnonzero(over)
    return best, top, sure, lowered, uncapped[lowered]


class _Scratch(threading.local):
    """A mark and a position per photo, made once per thread (not per query: at ten
    million photos, zeroing 50 MB costs more than a narrow query's whole work). `mark`
    is all False between uses."""

    def __init__(self) -> None:
        self.mark = np.zeros(0, bool)
        self.position = np.zeros(0, np.int32)


_SCRATCH = _Scratch()


def scratch(n: int) -> _Scratch:
    if len(_SCRATCH.mark) != n:
        _SCRATCH.mark = np.zeros(n, bool)
        _SCRATCH.position = np.zeros(n, np.int32)
    return _SCRATCH


def union(n: int, parts: list[np.ndarray]) -> np.ndarray:
    """The photos in any of these lists, ascending (photo numbers below n)."""
    if len(parts) == 1 and once_each(parts[0]):
        return np.asarray(parts[0], np.int64)
    mark = scratch(n).mark
    for part in parts:
        mark[part] = True
    rows = np.flatnonzero(mark)
    mark[rows] = False
    return rows


def spread(scored: Scored, n: int) -> Scored:
    """The same scores over every photo (rows 0..n-1)."""
    if len(scored.rows) == n:
        return scored
    scores, best, sure = np.zeros(n, np.float32), np.zeros(n, np.int64), np.zeros(n, bool)
    scores[scored.rows], best[scored.rows], sure[scored.rows] = scored.scores, scored.best, scored.sure
    return Scored(np.arange(n), scores, best, sure, scored.capped)


def align(rows: np.ndarray, scored: Scored, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A concept's scores and sure flags at `rows` (ascending): 0 and False where it
    reached no tag."""
    if len(scored.rows) == len(rows) and (scored.rows is rows or np.array_equal(scored.rows, rows)):
        return scored.scores, scored.sure
    buffers = scratch(n)
    buffers.mark[rows] = True
    inside = buffers.mark[scored.rows]
    buffers.mark[rows] = False
    buffers.position[rows] = np.arange(len(rows), dtype=np.int32)
    at = buffers.position[scored.rows[inside]]
    scores, sure = np.zeros(len(rows), np.float32), np.zeros(len(rows), bool)
    scores[at], sure[at] = scored.scores[inside], scored.sure[inside]
    return scores, sure


def term_mass(lists: list[Column], weights: np.ndarray, sure: np.ndarray,
              position: np.ndarray | None, m: int, mixed: bool, alone: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray | None] | None:
    """One term's weighted mass per photo (float64, m of them) from its columns' lists
    (photos, probabilities, region flags; weights and sure levels per column), and, when
    `mixed`, the same in units of each column's sure level; photo i is at position[i]
    (None: at i). None when the columns are empty.

    Not every tag is added up. Per photo: the sum of the tags no region gave, plus the
    best of those a region gave, plus the best of the columns in `alone`
    (BEST_ONLY_KINDS, the detector's independent yes/no per class). Why regions count by
    their best: an ImageNet class's region tag is that class's best over 13 windows
    (tagging.combine_tags), so the region tags of different classes come from different
    windows, and their sum says more than any window did. On a close-up of leaves each
    window gives some insects and birds a little; twenty of them added up to a sure
    «животное» above the photos of dogs (everyday photos: «животное» AP 0.40 -> 0.73,
    «птица» 0.68 -> 0.87; the rules tried: benchmarks/region_sum.py)."""
    counted = range(len(lists)) if alone is None else np.flatnonzero(~alone)
    total = sum(len(lists[i][0]) for i in counted)
    # every tag of the counted columns, laid out once in the types bincount adds
    # in (it would copy int32 rows and float32 scores itself: a third of the time)
    at = np.empty(total, np.intp)
    masses = np.empty(total, np.float64)
    evidence = np.empty(total, np.float64) if mixed else None
    regional: tuple[np.ndarray, np.ndarray | None] | None = None  # the best region tag
    start = 0
    for i in counted:
        found, probs, region = lists[i]
        end = start + len(found)
        at[start:end] = found if position is None else position[found]
        units = None if evidence is None else evidence[start:end]
        tag_masses(probs, weights[i], sure[i], len(found), mixed, masses[start:end], units)
        flagged = np.zeros(0, np.intp) if region is None else np.flatnonzero(region)
        if len(flagged):
            if regional is None:
                regional = np.zeros(m, np.float64), np.zeros(m, np.float64) if mixed else None
            where = at[start + flagged]
            unique = once_each(where)
            for target, values in zip(regional, (masses[start:end], units)):
                if target is not None:
                    _keep_greatest(target, where, values[flagged], unique)
                    values[flagged] = 0.0  # counted by the best, not added up
        start = end
    added = []
    if total:
        # one photo has at most one tag per column, so this sums over its columns
        added.append((np.bincount(at, masses, minlength=m),
                      None if evidence is None else np.bincount(at, evidence, minlength=m)))
    if regional is not None:
        added.append(regional)
    if alone is not None and any(len(lists[i][0]) for i in np.flatnonzero(alone)):
        added.append(_best_of([(i, *lists[i][:2]) for i in np.flatnonzero(alone)],
                              weights, sure, position, m, mixed))
    if not added:
        return None
    mass, mass_units = added[0]  # made here: added to in place
    for more, more_units in added[1:]:
        mass += more
        if mass_units is not None:
            mass_units += more_units
    return mass, mass_units


def counted_tags(alone: np.ndarray, region: np.ndarray, masses: np.ndarray) -> np.ndarray:
    """Which of one photo's tags under one term term_mass counts (for its explanation):
    every tag no region gave, the best of those a region gave, the best of the `alone`
    columns'. All three arrays are per tag."""
    counted = np.ones(len(masses), bool)
    for group in (alone, ~alone & region):
        if group.sum() > 1:
            counted[group] = False
            counted[np.flatnonzero(group)[np.argmax(masses[group])]] = True
    return counted


def _keep_greatest(target: np.ndarray, at: np.ndarray, values: np.ndarray, unique: bool) -> None:
    """target[at] = the greatest of it and values (`unique`: each of `at` once)."""
    if unique:  # the usual case: a photo once per column
        target[at] = np.maximum(target[at], values)
    else:
        np.maximum.at(target, at, values)


def _best_of(group: list[tuple[int, np.ndarray, np.ndarray | None]], weights: np.ndarray,
             sure: np.ndarray, position: np.ndarray | None, m: int, mixed: bool
             ) -> tuple[np.ndarray, np.ndarray | None]:
    """Per photo, the greatest mass (and, apart, the greatest units) of some columns'
    tags: each (its number among the term's columns, photos, probabilities)."""
    best = np.zeros(m, np.float64)
    best_units = np.zeros(m, np.float64) if mixed else None
    for i, found, probs in group:
        if not len(found):
            continue
        masses, units = tag_masses(probs, weights[i], sure[i], len(found), mixed)
        at = found if position is None else position[found]
        for target, values in ((best, masses), (best_units, units)):
            if target is not None:
                _keep_greatest(target, at, values, once_each(found))
    return best, best_units


def once_each(rows: np.ndarray) -> bool:
    """Each photo at most once in an ascending list."""
    return len(rows) < 2 or bool((rows[1:] > rows[:-1]).all())


def tag_masses(probs: np.ndarray | None, weight: np.floating, level: np.floating, count: int,
               mixed: bool, out: np.ndarray | None = None, units: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray | None]:
    """One column's tags as a term adds them up: probability x weight (a written word:
    the weight), float64, and, when mixed, that in units of the column's sure level."""
    out = np.empty(count, np.float64) if out is None else out
    if probs is None:
        out[:] = weight
    else:
        np.multiply(probs, weight, out=out)
    if mixed:
        units = np.empty(count, np.float64) if units is None else units
        np.multiply(out, 1.0 / level, out=units)
    return out, units if mixed else None


def column_sure(terms: Terms) -> np.ndarray:
    """Each column's sure level (SURE by its kind)."""
    return np.array([SURE[k] for k in terms.column_kinds], np.float32)


def column_alone(terms: Terms) -> np.ndarray:
    """Each column: whether a term counts only its best tag among such columns."""
    return np.array([k in BEST_ONLY_KINDS for k in terms.column_kinds], bool)


def term_lists_key(terms: Terms, label_crcs: np.ndarray) -> str:
    """What broad terms' lists depend on: every vocabulary term's label columns and
    weights, the columns' sure levels, BROAD_COLUMNS, and the label lists (their CRCs)."""
    weights, end = terms.weights, terms.n_vocabulary_terms
    crc = zlib.crc32(np.int64(BROAD_COLUMNS).tobytes())
    for array in (weights.ptr[:end + 1], weights.column[:weights.ptr[end]],
                  weights.weight[:weights.ptr[end]], column_sure(terms), column_alone(terms)):
        crc = zlib.crc32(np.ascontiguousarray(array).tobytes(), crc)
    return f"{TERM_LISTS_VERSION}:{crc:08x}:{lists_crc(label_crcs)}"


def term_lists(index: Index, terms: Terms) -> TermLists:
    """The lists of the vocabulary terms that reach BROAD_COLUMNS label columns or more,
    for index.save: each photo's mass (and units) as Scorer.scores adds them up for one
    term, column by column in the same order, so the sums are the same to the bit. One
    term at a time, a block of photos at a time (all of «животное»'s tags at once would
    be 3 GB at ten million photos), written straight into the lists (reserved for the
    most they can hold: pages never written take no memory)."""
    post = index.postings
    n = len(index)
    sure = column_sure(terms)
    alone = column_alone(terms)
    crcs = post.stored_crcs()
    lengths = np.diff(post.ptr)
    broad = []
    for term in range(terms.n_vocabulary_terms):
        own, _ = terms.weights.row(term)
        if len(own) >= BROAD_COLUMNS and (own < terms.n_label_columns).all():
            broad.append(term)
    room = sum(min(n, int(lengths[terms.weights.row(t)[0]].sum())) for t in broad)
    row, mass_out, units_out = np.empty(room, np.int32), np.empty(room, np.float32), np.empty(room, np.float32)
    ptr = np.zeros(len(broad) + 1, np.int64)
    crc = np.zeros(len(broad), np.uint32)
    for i, term in enumerate(broad):
        own, weights = terms.weights.row(term)
        columns = [post.segment(int(c)) for c in own]
        end = int(ptr[i])
        for lo in range(0, n, TERM_BLOCK):  # a block of photos at a time: bounded memory
            hi = min(n, lo + TERM_BLOCK)
            block = []
            for found, probs, region in columns:
                a, b = np.searchsorted(found, [lo, hi])
                # float32 probabilities, as stored and searched
                block.append((found[a:b] - lo, probs[a:b].astype(np.float32, copy=False),
                              region[a:b]))
            # term_mass itself: bincount adds a photo's tags in the same order as a
            # search over the whole index does (its columns', in order): the same sums
            added = term_mass(block, weights, sure[own], None, hi - lo, True, alone[own])
            if added is None:
                continue
            at = np.flatnonzero(added[0] > 0)  # a photo with no mass adds nothing
            row[end:end + len(at)] = at + lo
            mass_out[end:end + len(at)], units_out[end:end + len(at)] = added[0][at], added[1][at]
            end += len(at)
        ptr[i + 1] = end
        a = int(ptr[i])
        crc[i] = crc_of((row[a:end], mass_out[a:end], units_out[a:end]))
    end = int(ptr[-1])
    return TermLists(term_lists_key(terms, crcs), np.array(broad, np.int32), ptr, row[:end],
                     mass_out[:end], units_out[:end], crc)
