"""Ranking photos for a Russian query: pure NumPy, no torch (and no SciPy: importing
scipy.sparse took a quarter of a second of every search's start).

Every tag is a label column (ImageNet classes of the whole photo and its regions,
scenes, the person score). For each concept of the query (a word or a known phrase)
and each vocabulary term t:

    similarity(t) = 1.0 if t has the concept's dictionary form (or is its alias),
                    else (cos(query, t) - 0.6) / 0.4, halved when the word itself is a term
    score(photo)  = max over t of  similarity(t) x min(1, sum over the photo's tags l
                                                       of weight(t, l) x p(l | photo))

weight(t, l) is 1.0 when t is the label's own Russian name, SYNONYM_WEIGHT for a
synonym and BROADER_WEIGHT for a broader or a related word. For a class name this is
the design's formula (cosine x the classifier's confidence, the best tag decides); for a broader
word such as "собака" the probabilities of all dog breeds the photo may show add up,
because the classifier splitting its vote between beagle and foxhound does not make
the photo less of a dog. The cap at 1 makes photos equal whose tags together say more
than "surely" (a region, a scene and the whole photo all showing snow); they are ordered
by the mass before the cap, so more evidence ranks higher (held-out scenes: MRR 0.87 ->
0.94; the same photos used to follow each other in path order).

A photo matches a concept when the tag behind its score is sure enough: an ImageNet
class's probability from MIN_SCORE, the people and scene heads' calibrated
probabilities from SURE["person"] (more likely than not) and SURE["scene"], times the
relation's weight, and the score reaches MIN_SCORE. Several concepts: photos that
match every concept come first (ranked by the mean of their scores), then
the weak ones: photos that match only some concepts, or all of them only faintly
(from WEAK_SCORE up). So "собака пляж" shows dogs on beaches before any dog alone, and
a query answers "ничего не найдено" only when nothing plausible is there. `-word`
removes photos that match the word. A year or a month filters by the date taken.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .index import Index, Postings
from .query import Concept, Lemmatizer, Query, parse_query
from .vectors import WordVectors, phrase_vector
from .vocabulary import Vocabulary
from .words import KIND_WEIGHTS, describe_word

SYNONYM_WEIGHT = 0.9
BROADER_WEIGHT = 0.8
RELATION_WEIGHTS = {"name": 1.0, "synonym": SYNONYM_WEIGHT, "broader": BROADER_WEIGHT,
                    "related": BROADER_WEIGHT}
MIN_TERM_SIMILARITY = 0.6   # navec puts co-hyponyms at 0.55-0.65: below this is noise
MEANING_ONLY_WEIGHT = 0.5   # a match by meaning when the vocabulary has the word itself
TERMS_PER_CONCEPT = 12      # the most similar terms considered for one concept
MIN_SCORE = 0.1             # an ImageNet class this probable is a match; below: weak at most
# The heads' probabilities are calibrated (0.5: as likely as not); ImageNet's are a
# softmax over 1000 classes, where 0.1 is already a clear vote. Measured on coco-dev:
# a person score >= 0.5 is right 90% of the time (recall 0.80); from 0.1 it is 67%.
SURE = {"imagenet": MIN_SCORE, "person": 0.5, "scene": 0.3, "word": MIN_SCORE}
WEAK_SCORE = 0.01           # plausible (the floor of a stored tag): shown after the strong results, marked weak
EXCLUDE_AT = 0.25           # `-word`: a photo this sure to show the word is dropped


@dataclass(frozen=True)
class Evidence:
    """Why a photo matched one concept of the query."""

    concept: str          # what the user typed: "транспорт"
    term: str             # the vocabulary term it matched: "транспорт"
    path: tuple[str, ...]  # ("транспорт", "автобус", "школьный автобус"): term -> label name
    relation: str         # how the term reaches the label: name | synonym | broader | related
    similarity: float     # 1.0 for the word itself, else the cosine of the vectors
    weight: float         # the relation's weight (averaged when several tags contribute)
    confidence: float     # the classifier's probability of the tags behind the term
    label_key: str        # the tag that contributed most: "n02124075", "scene:coast"
    label_ru: str
    label_en: str
    class_id: int | None  # its ImageNet class (0-999), None for scenes and people
    probability: float
    region: bool          # that tag came from a region of the photo, not the whole
    other_tags: int       # how many more of the photo's tags added to `confidence`

    @property
    def score(self) -> float:
        return self.similarity * self.weight * self.confidence

    def describe(self) -> str:
        """One line in Russian: the path, then similarity x weight x confidence."""
        chain = " ← ".join(self.path)
        if self.relation == "word":  # words people wrote: the place says it all
            return chain if self.similarity >= 0.995 else f"{chain}: сходство {self.similarity:.2f}"
        parts = [f"сходство {self.similarity:.2f}"]
        if abs(self.weight - 1.0) > 0.005:
            parts.append(f"{_RELATION_RU[self.relation]} {self.weight:.2f}")
        more = f", ещё тегов: {self.other_tags}" if self.other_tags else ""
        where = " (фрагмент)" if self.region else ""
        parts.append(f"уверенность {self.confidence:.2f} "
                     f"({self.label_ru}{where} {self.probability:.2f}{more})")
        return f"{chain}: " + " × ".join(parts)

    def to_json(self) -> dict:
        return {
            "query": self.concept, "term": self.term, "path": list(self.path),
            "relation": self.relation, "similarity": round(self.similarity, 4),
            "weight": round(self.weight, 4), "confidence": round(self.confidence, 4),
            "tag": {"ru": self.label_ru, "en": self.label_en, "label": self.label_key,
                    "class_id": self.class_id, "probability": round(self.probability, 4),
                    "region": self.region},
        }


_RELATION_RU = {"name": "название", "synonym": "синоним", "broader": "общее слово",
                "related": "связанное слово"}


@dataclass(frozen=True)
class Hit:
    row: int
    path: str
    score: float
    evidence: tuple[Evidence, ...]
    weak: bool = False           # shown after the strong results: a plausible match
    date: str = ""               # "14.07.2019 (EXIF)" for a query with a date

    def describe(self) -> str:
        parts = [e.describe() for e in self.evidence]
        if self.date:
            parts.append(f"снято {self.date}")
        return "; ".join(parts) or "совпадений по словам нет"

    def to_json(self) -> dict:
        record = {"path": self.path, "score": round(self.score, 4), "why": self.describe(),
                  "matches": [e.to_json() for e in self.evidence]}
        if self.weak:
            record["weak"] = True
        return record


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    unknown: list[str] = field(default_factory=list)           # words with no meaning known
    unmatched: list[str] = field(default_factory=list)         # known words no tag is close to
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    related: list[str] = field(default_factory=list)            # nearest known terms, for "nothing found"
    weak_total: int = 0                                         # weak matches in all (shown or not)
    strong_total: int = 0                                       # strong matches in all (shown or not)
    excluded: int = 0                                           # photos removed by -word

    def word_notes(self) -> list[str]:
        """A line per unknown word, with its spelling suggestions (CLI and GUI alike)."""
        notes = []
        for word in self.unknown:
            hint = self.suggestions.get(word)
            notes.append(f"слово «{word}» неизвестно"
                         + (f"; может быть: {', '.join(hint)}?" if hint else ""))
        for word in self.unmatched:  # known, but no tag means it: it ranked nothing
            notes.append(f"слово «{word}» не связано ни с одной меткой и не учитывалось")
        return notes

    @property
    def strong(self) -> list[Hit]:
        return [h for h in self.hits if not h.weak]

    @property
    def weak(self) -> list[Hit]:
        return [h for h in self.hits if h.weak]


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


class _Match(NamedTuple):
    """One concept of a query over every photo: what _concept_scores found."""

    concept: Concept
    terms: np.ndarray       # the candidate vocabulary terms
    sims: np.ndarray        # and how close each is to the concept
    best: np.ndarray        # per photo: which term gave its score
    scores: np.ndarray      # similarity x min(1, weighted mass)
    sure: np.ndarray        # a strong match
    capped: Capped          # the photos the cap at 1 lowered: orders those it makes equal


def _largest(rows: np.ndarray, keys: np.ndarray, k: int,
             tiebreak: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """Positions of the k largest keys, ascending; among equal keys at the cut the
    larger tiebreak (of their rows) goes first, then the earlier position. No sort of a
    million rows to show ten."""
    if len(keys) <= k:
        return np.arange(len(keys))
    kth = np.partition(keys, len(keys) - k)[len(keys) - k]   # the k-th largest key
    above = np.flatnonzero(keys > kth)
    ties = np.flatnonzero(keys == kth)
    need = k - len(above)
    if len(ties) > need:
        if tiebreak is None:
            ties = ties[:need]
        else:
            ties = ties[_largest(rows[ties], tiebreak(rows[ties]), need)]
    return np.sort(np.concatenate([above, ties]))


def _best_first(rows: np.ndarray, keys: np.ndarray, k: int,
                tiebreak: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """The k rows with the largest keys, best first; equal keys by the larger
    tiebreak(rows), then in row order: the first k of a stable sort of all of them."""
    if k <= 0:
        return rows[:0]
    pick = _largest(rows, keys, k, tiebreak)
    rows, keys = rows[pick], keys[pick]
    if tiebreak is None:
        return rows[np.argsort(-keys, kind="stable")]
    return rows[np.lexsort((-tiebreak(rows), -keys))]


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


class SearchEngine:
    """Answers queries over one loaded index. Built once, then a query sums, term by
    term, the posting lists of the label columns the query's terms reach."""

    def __init__(self, index: Index, vocabulary: Vocabulary,
                 vectors: WordVectors | Callable[[], WordVectors],
                 lemmatizer: Lemmatizer | None = None) -> None:
        self.index = index
        self.vocabulary = vocabulary
        self.lemmatizer = lemmatizer or Lemmatizer()
        self._vectors = vectors
        if index.vocabulary != vocabulary.digest or len(index.terms) != len(vocabulary.terms):
            # the package's vocabulary changed since this index was made: recompute
            # the term table in memory (`photofinder index` stores it again)
            from .terms import term_table

            index.terms, index.term_keys, index.term_vectors = term_table(
                vocabulary, self.vectors, self.lemmatizer)
            index.vocabulary = vocabulary.digest
        # Words people wrote (folder and file names, keywords) are terms too: each lemma
        # reaches its own columns after the vocabulary's labels. Matched as typed (any
        # word form), not by meaning: they have no vectors.
        self.n_vocabulary_terms = len(index.terms)
        # columns: the index's own label columns (its posting lists, as stored), then words
        self.n_label_columns = len(index.labels)
        self.word_columns = self.n_label_columns + np.arange(len(index.word_labels))
        # index label column <-> vocabulary label (-1: a label the other one lacks)
        self.label_of_column = np.array(
            [vocabulary.index_of_key.get(k, -1) for k in index.labels], np.int64)
        self.column_of_label = np.full(len(vocabulary.labels), -1, np.int64)
        known = self.label_of_column >= 0
        self.column_of_label[self.label_of_column[known]] = np.flatnonzero(known)
        text_terms = sorted({key.partition(":")[2] for key in index.word_labels})
        self.terms = index.terms + text_terms
        self.term_keys = index.term_keys + text_terms
        self.term_vectors = np.concatenate(
            [index.term_vectors, np.zeros((len(text_terms), index.term_vectors.shape[1]), np.float32)])
        self._term_rows: dict[str, list[int]] = {}
        for i, key in enumerate(self.term_keys):
            self._term_rows.setdefault(key, []).append(i)
        self.phrases = {tuple(k.split()) for k in index.term_keys if " " in k}
        self._phrases_with_word: dict[str, list[int]] = {}
        for i, key in enumerate(index.term_keys):
            if " " in key:
                for lemma in set(key.split()):
                    self._phrases_with_word.setdefault(lemma, []).append(i)
        self.weights = self._weight_matrix()
        kinds = [vocabulary.labels[label].kind if label >= 0 else "imagenet"
                 for label in self.label_of_column] + ["word"] * len(index.word_labels)
        self.column_sure = np.array([SURE[k] for k in kinds], np.float32)
        self._known_words: list[str] | None = None
        self._term_links: dict | None = None
        self._dates: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._words_by_column: Postings | None = None

    @property
    def vectors(self) -> WordVectors:
        if callable(self._vectors) and not hasattr(self._vectors, "get"):
            self._vectors = self._vectors()
        return self._vectors  # type: ignore[return-value]

    @property
    def n_columns(self) -> int:
        return self.n_label_columns + len(self.index.word_labels)

    def _weight_matrix(self) -> TermWeights:
        rows, cols, vals = [], [], []
        term_row = {t: i for i, t in enumerate(self.terms[:self.n_vocabulary_terms])}
        for term, links in zip(self.vocabulary.terms, self.vocabulary.links):
            for link in links:
                column = self.column_of_label[link.label]
                if column >= 0:  # a label this index has no column for (yet) finds nothing
                    rows.append(term_row[term])
                    cols.append(int(column))
                    vals.append(RELATION_WEIGHTS[link.relation])
        text_row = {t: self.n_vocabulary_terms + i
                    for i, t in enumerate(self.terms[self.n_vocabulary_terms:])}
        for column, key in zip(self.word_columns, self.index.word_labels):
            kind, _, lemma = key.partition(":")
            rows.append(text_row[lemma])
            cols.append(int(column))
            vals.append(KIND_WEIGHTS.get(kind, 0.9))
        return TermWeights.of(np.array(rows, np.int64), np.array(cols, np.int64),
                              np.array(vals, np.float64), len(self.terms), self.n_columns)

    def _column(self, column: int) -> tuple[np.ndarray, np.ndarray | None]:
        """The photos with a tag in one column, ascending, and the tags' probabilities
        (None for a word column: a word is there or not). Views of the stored posting
        lists, not copies."""
        if column < self.n_label_columns:
            post = self.index.postings
            a, b = int(post.ptr[column]), int(post.ptr[column + 1])
            return post.row[a:b], post.score[a:b]
        ptr, rows = self._word_postings()
        j = column - self.n_label_columns
        return rows[ptr[j]:ptr[j + 1]], None

    def _word_postings(self) -> tuple[np.ndarray, np.ndarray]:
        """The words people wrote, word by word: made on the first query that reaches one
        (most queries never do, and a million photos' words take a tenth of a second)."""
        if self._words_by_column is None:
            self._words_by_column = Postings.of(self.index.words, len(self.index.word_labels))
        return self._words_by_column.ptr, self._words_by_column.row

    # --- one concept -------------------------------------------------------------
    def _term_similarities(self, concept: Concept
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
        key = " ".join(concept.lemmas)
        exact = self._term_rows.get(key, [])
        qvec = self._concept_vector(concept)
        if qvec is None and not exact:
            return None
        sims = np.zeros(len(self.terms), np.float32)
        nearest: list[str] = []
        if qvec is not None:
            cosines = self.term_vectors @ qvec
            sims = np.clip((cosines - MIN_TERM_SIMILARITY) / (1.0 - MIN_TERM_SIMILARITY), 0.0, None)
            if exact:
                sims *= MEANING_ONLY_WEIGHT
                # the word names labels itself: a neighbour by meaning that can never make
                # a strong match (similarity under MIN_SCORE: «кошка» ~ собака 0.04) would
                # only list every photo of it as a weak «возможно», and cost the most time
                sims[sims < MIN_SCORE] = 0.0
            if len(concept.lemmas) == 1:
                sims[self._phrases_with_word.get(concept.lemmas[0], [])] = 0.0
            else:  # nor is a phrase a match by meaning for its own adjective
                for lemma in concept.lemmas:
                    if self.lemmatizer.is_adjective(lemma):
                        sims[self._term_rows.get(lemma, [])] = 0.0
            nearest = [self.terms[i] for i in np.argsort(-cosines)[:5]]
        sims[exact] = 1.0
        candidates = np.flatnonzero(sims > 0)
        if len(candidates) > TERMS_PER_CONCEPT:
            candidates = candidates[np.argsort(-sims[candidates], kind="stable")[:TERMS_PER_CONCEPT]]
        return candidates, sims[candidates], nearest

    def _concept_vector(self, concept: Concept) -> np.ndarray | None:
        # A concept that is a vocabulary term has its vector in the index already (the
        # same words' unit mean, made by the indexer): most queries then never load the
        # word vectors, a third of a second at every search's start.
        for row in self._term_rows.get(" ".join(concept.lemmas), []):
            if row < self.n_vocabulary_terms and self.term_vectors[row].any():
                return self.term_vectors[row]
        vectors = self.vectors
        words = []
        for word, lemma in zip(concept.words, concept.lemmas):
            # the dictionary form first; fall back to the form as typed
            words.append(lemma if vectors.get(lemma) is not None else word)
        return phrase_vector(vectors, words)

    def _concept_scores(self, terms: np.ndarray, sims: np.ndarray
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
        links = [self.weights.row(int(t)) for t in terms]
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

    # --- dates -------------------------------------------------------------------
    def _photo_dates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(year, month, from_exif) per photo: the EXIF date, else the file's mtime in
        local time (the current UTC offset: a summer-time hour off at most)."""
        if self._dates is None:
            taken = self.index.taken
            offset = time.localtime().tm_gmtoff
            seconds = np.where(taken > 0, taken, self.index.mtimes // 1_000_000_000 + offset)
            stamps = seconds.astype("datetime64[s]")
            years = stamps.astype("datetime64[Y]").astype(np.int64) + 1970
            months = stamps.astype("datetime64[M]").astype(np.int64) % 12 + 1
            self._dates = years, months, taken > 0
        return self._dates

    def _date_mask(self, query: Query) -> np.ndarray:
        years, months, _ = self._photo_dates()
        mask = np.ones(len(self.index), bool)
        if query.years:
            mask &= np.isin(years, sorted(query.years))
        if query.months:
            mask &= np.isin(months, sorted(query.months))
        return mask

    def _date_text(self, row: int) -> str:
        _, _, exif = self._photo_dates()
        seconds = int(self.index.taken[row]) if exif[row] else (
            int(self.index.mtimes[row]) // 1_000_000_000 + time.localtime().tm_gmtoff)
        day = np.datetime64(seconds, "s").astype("datetime64[D]").item()
        return f"{day:%d.%m.%Y} ({'EXIF' if exif[row] else 'дата файла'})"

    # --- a whole query -----------------------------------------------------------
    def search(self, text: str, top: int = 20, min_score: float = MIN_SCORE,
               weak_score: float = WEAK_SCORE) -> SearchResult:
        query = parse_query(text, self.lemmatizer, self.phrases)
        result = SearchResult(query=query.text, hits=[])
        n = len(self.index)
        known: list[_Match] = []
        for concept in query.include:
            found = self._term_similarities(concept)
            if found is None:
                result.unknown.append(concept.text)
                result.suggestions[concept.text] = self.suggest(concept.text)
                continue
            terms, sims, nearest = found
            if not result.related:
                result.related = nearest
            if len(terms) == 0:
                # a real word, but nothing in the vocabulary means it ("жираф"):
                # it cannot rank photos, so it does not dilute the other words either
                result.unmatched.append(concept.text)
                continue
            scores, capped, best, sure = self._concept_scores(terms, sims)
            # a strong match also scores min_score: many sure tags reached through a
            # faint meaning match («дождь» -> снег at similarity 0.08) stay weak
            sure &= scores >= min_score
            if min_score != MIN_SCORE:  # --min-score: the user's own bar, for every kind
                sure = scores >= min_score
            known.append(_Match(concept, terms, sims, best, scores, sure, capped))
        if not known and not query.dated:
            return result
        if known:
            if len(known) == 1:  # most queries: no copies of a million scores
                total, strong = known[0].scores, known[0].sure
            else:
                total = np.stack([k.scores for k in known]).mean(axis=0)
                strong = np.stack([k.sure for k in known]).all(axis=0)
            plausible = total >= weak_score
        else:  # only a date: every photo of that time, newest first
            total = np.ones(n, np.float32)
            strong = plausible = np.ones(n, bool)
        if query.dated:
            in_time = self._date_mask(query)
            strong, plausible = strong & in_time, plausible & in_time
        kept: np.ndarray | None = None   # what `-word` leaves of each photo's score
        for concept in query.exclude:
            found = self._term_similarities(concept)
            if found is None:
                result.unknown.append(f"-{concept.text}")
                continue
            neg, _, _, _ = self._concept_scores(found[0], found[1])
            if kept is None:
                kept = np.ones(n, np.float32)
            dropped = plausible & (neg >= EXCLUDE_AT)
            result.excluded += int(dropped.sum())
            plausible &= ~dropped
            strong &= ~dropped
            kept = kept * (1.0 - np.minimum(neg, 1.0))  # a faint match to -word still costs rank
            total = total * kept
        weak = plausible & ~strong
        result.weak_total = int(weak.sum())
        result.strong_total = int(strong.sum())
        rank_by = total if known else self._sort_time()  # only a date: newest first
        def tiebreak(rows: np.ndarray) -> np.ndarray:
            """The photos' mean score over the concepts before the cap at 1."""
            before = np.mean([k.capped.before(rows, k.scores) for k in known], axis=0)
            return before if kept is None else before * kept[rows]

        breaks = tiebreak if known else None
        order_strong = _best_first(np.flatnonzero(strong), rank_by[strong], top, breaks)
        order_weak = _best_first(np.flatnonzero(weak), total[weak], top - len(order_strong), breaks)
        shown = np.concatenate([order_strong, order_weak])
        # every shown photo's tags in every column a concept reached, looked up at once
        tags_of = [self._shown_tags(shown, k.terms) for k in known]
        for rows, is_weak in ((order_strong, False), (order_weak, True)):
            for row in rows:
                evidence = tuple(self._explain(int(row), k.concept, k.terms, k.sims, k.best, tags)
                                 for k, tags in zip(known, tags_of) if k.scores[row] > 0)
                date = self._date_text(int(row)) if query.dated else ""
                result.hits.append(Hit(int(row), self.index.paths[row], float(total[row]),
                                       evidence, is_weak, date))
        return result

    def _sort_time(self) -> np.ndarray:
        return np.where(self.index.taken > 0, self.index.taken,
                        self.index.mtimes // 1_000_000_000)

    def _shown_tags(self, rows: np.ndarray, terms: np.ndarray) -> dict:
        """{(row, label column): (score, region)} of the shown rows, for the label columns
        of the concept's terms."""
        columns = np.unique(np.concatenate([self.weights.row(int(t))[0] for t in terms]))
        columns = columns[columns < self.n_label_columns]
        if not len(rows) or not len(columns):
            return {}
        scores, regions = self.index.postings.lookup(rows, columns)
        i, k = np.nonzero(scores)
        return {(int(rows[a]), int(columns[b])): (float(scores[a, b]), bool(regions[a, b]))
                for a, b in zip(i, k)}

    def _explain(self, row: int, concept: Concept, terms: np.ndarray, sims: np.ndarray,
                 best: np.ndarray, shown_tags: dict) -> Evidence:
        j = int(best[row])
        term = int(terms[j])
        term_text = self.terms[term]
        if term >= self.n_vocabulary_terms:
            return self._explain_words(row, concept, term_text, float(sims[j]))
        columns, weights = self.weights.row(term)    # the term's label columns and weights
        weights = weights.astype(np.float64)
        found = [shown_tags.get((row, int(c)), (0.0, False)) for c in columns]
        probs = np.array([f[0] for f in found], np.float32)
        regions = np.array([f[1] for f in found], bool)
        present = probs > 0
        columns, weights = columns[present], weights[present]
        probs, regions = probs[present].astype(np.float64), regions[present]
        labels = self.label_of_column[columns]
        contributing = weights > 0
        contributions = weights * probs
        top = int(np.argmax(contributions)) if len(contributions) else 0
        label = int(labels[top]) if len(labels) else 0
        confidence = float(probs[contributing].sum())
        mass = float(contributions.sum())
        relation = next((link.relation for link in self._links(term_text)
                         if link.label == label), "name")
        path = self.vocabulary.path(term_text, label)
        if " ".join(concept.lemmas) != self.term_keys[term]:
            path = [concept.text, *path]  # matched by meaning, not by the word itself
        info = self.vocabulary.labels[label]
        # score = similarity x min(1, sum of weight x p): shown as similarity x the mean
        # relation weight x the summed confidence, both capped so the three multiply out
        # to the score exactly (with regions the sum of per-class maxima can pass 1)
        shown_confidence = min(1.0, confidence)
        shown_weight = min(1.0, mass) / shown_confidence if shown_confidence else 0.0
        return Evidence(
            concept=concept.text, term=term_text, path=tuple(path), relation=relation,
            similarity=float(sims[j]), weight=shown_weight,
            confidence=shown_confidence, label_key=info.key, label_ru=info.ru,
            label_en=info.en, class_id=label if info.kind == "imagenet" else None,
            probability=float(probs[top]) if len(probs) else 0.0,
            region=bool(regions[top]) if len(regions) else False,
            # tags under 1% are noise nobody is shown; they still count in the score
            other_tags=max(0, int(np.count_nonzero(contributing & (probs >= 0.01))) - 1))

    def _explain_words(self, row: int, concept: Concept, lemma: str, similarity: float) -> Evidence:
        """A match on words people wrote: «свадьба ← папка: Свадьба Маши»."""
        keys = [k for k in self.index.words_of(row) if k.partition(":")[2] == lemma]
        key = max(keys, key=lambda k: KIND_WEIGHTS.get(k.partition(":")[0], 0.0))
        where = describe_word(key, self.index.paths[row], self.lemmatizer)
        weight = KIND_WEIGHTS.get(key.partition(":")[0], 0.9)
        return Evidence(concept=concept.text, term=lemma, path=(concept.text, where),
                        relation="word", similarity=similarity, weight=weight, confidence=1.0,
                        label_key=key, label_ru=where, label_en="", class_id=None,
                        probability=1.0, region=False, other_tags=0)

    def _links(self, term_text: str):
        if self._term_links is None:
            self._term_links = dict(zip(self.vocabulary.terms, self.vocabulary.links))
        return self._term_links.get(term_text, [])

    def suggest(self, word: str) -> list[str]:
        """Known words spelled like an unknown one: "кошька" -> ["кошка"]."""
        if self._known_words is None:
            words = {w for t in self.terms for w in t.split()}
            self._known_words = sorted(words)
        return difflib.get_close_matches(word, self._known_words, n=3, cutoff=0.7)

    def photo_tags(self, row: int, floor: float = 0.01) -> list[tuple[str, float, bool]]:
        """A photo's tags by their Russian names, best first: (name, probability, region)."""
        return self.photos_tags([row], floor)[0]

    def photos_tags(self, rows: list[int], floor: float = 0.01
                    ) -> list[list[tuple[str, float, bool]]]:
        """photo_tags of several photos (a page of tiles), read from the stored posting
        lists: one search per label for all of them. Turning a million photos' tags
        back into rows to show forty would take the desktop app most of a minute."""
        if not len(rows):
            return []
        columns = np.flatnonzero(self.label_of_column >= 0)
        scores, regions = self.index.postings.lookup(np.asarray(rows, np.int64), columns)
        out = []
        for i in range(len(rows)):
            keep = np.flatnonzero(scores[i] >= floor)
            keep = keep[np.argsort(-scores[i, keep], kind="stable")]
            out.append([(self.vocabulary.labels[self.label_of_column[columns[k]]].ru,
                         float(scores[i, k]), bool(regions[i, k])) for k in keep])
        return out
