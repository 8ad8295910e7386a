"""Ranking photos for a Russian query: pure NumPy/SciPy, no torch.

For each concept of the query (a word or a known phrase) and each vocabulary term t:

    similarity(t) = 1.0 if t has the concept's dictionary form (or is its alias),
                    else (cos(query, t) - 0.6) / 0.4, halved when the word itself is a term
    score(photo)  = max over t of  similarity(t) x min(1, sum over the photo's tags c
                                                       of weight(t, c) x p(c | photo))

weight(t, c) is 1.0 when t is the class's own Russian name, SYNONYM_WEIGHT for a
synonym and BROADER_WEIGHT for a broader word. For a class name this is the design's
formula (cosine x the classifier's confidence, the best tag decides); for a broader
word such as "собака" the probabilities of all dog breeds the photo may show add up,
because the classifier splitting its vote between beagle and foxhound does not make
the photo less of a dog. Several concepts: the mean of their scores, so photos that
hold all of them come first. `-word` removes photos that match the word.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .index import Index
from .query import Concept, Lemmatizer, parse_query
from .vectors import WordVectors, phrase_vector
from .vocabulary import Vocabulary

SYNONYM_WEIGHT = 0.9
BROADER_WEIGHT = 0.8
RELATION_WEIGHTS = {"name": 1.0, "synonym": SYNONYM_WEIGHT, "broader": BROADER_WEIGHT}
MIN_TERM_SIMILARITY = 0.6   # navec puts co-hyponyms at 0.55-0.65: below this is noise
MEANING_ONLY_WEIGHT = 0.5   # a match by meaning when the vocabulary has the word itself
TERMS_PER_CONCEPT = 12      # the most similar terms considered for one concept
MIN_SCORE = 0.1             # results below this are not shown: "nothing found" instead
EXCLUDE_AT = 0.25           # `-word`: a photo this sure to show the word is dropped


@dataclass(frozen=True)
class Evidence:
    """Why a photo matched one concept of the query."""

    concept: str          # what the user typed: "транспорт"
    term: str             # the vocabulary term it matched: "транспорт"
    path: tuple[str, ...]  # ("транспорт", "автобус", "школьный автобус"): term -> class name
    relation: str         # how the term reaches the class: name | synonym | broader
    similarity: float     # 1.0 for the word itself, else the cosine of the vectors
    weight: float         # the relation's weight (averaged when several tags contribute)
    confidence: float     # the classifier's probability of the tags behind the term
    class_index: int      # the tag that contributed most
    class_probability: float
    other_tags: int       # how many more of the photo's tags added to `confidence`

    def describe(self) -> str:
        """One line in Russian: the path, then similarity x weight x confidence."""
        chain = " ← ".join(self.path)
        parts = [f"сходство {self.similarity:.2f}"]
        if abs(self.weight - 1.0) > 0.005:
            parts.append(f"{_RELATION_RU[self.relation]} {self.weight:.2f}")
        more = f", ещё тегов: {self.other_tags}" if self.other_tags else ""
        parts.append(f"уверенность {self.confidence:.2f} ({self.path[-1]} {self.class_probability:.2f}{more})")
        return f"{chain}: " + " × ".join(parts)


_RELATION_RU = {"name": "название", "synonym": "синоним", "broader": "общее слово"}


@dataclass(frozen=True)
class Hit:
    row: int
    path: str
    score: float
    evidence: tuple[Evidence, ...]

    def describe(self) -> str:
        return "; ".join(e.describe() for e in self.evidence)


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    unknown: list[str] = field(default_factory=list)           # words with no meaning known
    unmatched: list[str] = field(default_factory=list)         # known words no tag is close to
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    related: list[str] = field(default_factory=list)            # nearest known terms, for "nothing found"
    below_threshold: int = 0                                    # matches hidden by MIN_SCORE
    excluded: int = 0                                           # photos removed by -word


class SearchEngine:
    """Answers queries over one loaded index. Built once, then a query is a few
    sparse products: the photo x class probability matrix times term weights."""

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
        self.terms = index.terms
        self.term_vectors = index.term_vectors
        self._term_rows: dict[str, list[int]] = {}
        for i, key in enumerate(index.term_keys):
            self._term_rows.setdefault(key, []).append(i)
        self.phrases = {tuple(k.split()) for k in index.term_keys if " " in k}
        self._phrases_with_word: dict[str, list[int]] = {}
        for i, key in enumerate(index.term_keys):
            if " " in key:
                for lemma in set(key.split()):
                    self._phrases_with_word.setdefault(lemma, []).append(i)
        self.weights = self._weight_matrix()
        n, k = index.classes.shape
        self.probabilities = sparse.csr_matrix(
            (index.probs.ravel().astype(np.float32), index.classes.ravel().astype(np.int32),
             np.arange(0, n * k + 1, k)), shape=(n, len(vocabulary.classes)))
        self._known_words: list[str] | None = None
        self._term_links: dict | None = None
        self._nearest: list[str] = []

    @property
    def vectors(self) -> WordVectors:
        if callable(self._vectors) and not hasattr(self._vectors, "get"):
            self._vectors = self._vectors()
        return self._vectors  # type: ignore[return-value]

    def _weight_matrix(self) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        term_row = {t: i for i, t in enumerate(self.terms)}
        for term, links in zip(self.vocabulary.terms, self.vocabulary.links):
            for link in links:
                rows.append(term_row[term])
                cols.append(link.class_index)
                vals.append(RELATION_WEIGHTS[link.relation])
        return sparse.csr_matrix((vals, (rows, cols)), dtype=np.float32,
                                 shape=(len(self.terms), len(self.vocabulary.classes)))

    # --- one concept -------------------------------------------------------------
    def _term_similarities(self, concept: Concept) -> tuple[np.ndarray, np.ndarray] | None:
        """The terms a concept may mean and how close each is, or None if unknown.

        The word itself (any of its forms) is similarity 1. A term reached only through
        the vectors gets (cos - 0.6) / 0.4: navec puts co-hyponyms (кошка/пес 0.60,
        телевизор/холодильник 0.63) as close as true synonyms, so a meaning match is a
        weak signal, and it is halved again when the vocabulary has the word itself:
        then the classes the word names come first. A phrase that merely contains
        the word is not a match by meaning (морской лев is not a лев, морской еж not
        an еж): the vocabulary lists every class a word names.
        Also remembers the nearest terms of all, to suggest when nothing is found."""
        key = " ".join(concept.lemmas)
        exact = self._term_rows.get(key, [])
        qvec = self._concept_vector(concept)
        if qvec is None and not exact:
            return None
        sims = np.zeros(len(self.terms), np.float32)
        if qvec is not None:
            cosines = self.term_vectors @ qvec
            sims = np.clip((cosines - MIN_TERM_SIMILARITY) / (1.0 - MIN_TERM_SIMILARITY), 0.0, None)
            if exact:
                sims *= MEANING_ONLY_WEIGHT
            if len(concept.lemmas) == 1:
                sims[self._phrases_with_word.get(concept.lemmas[0], [])] = 0.0
            self._nearest = [self.terms[i] for i in np.argsort(-cosines)[:5]]
        sims[exact] = 1.0
        candidates = np.flatnonzero(sims > 0)
        if len(candidates) > TERMS_PER_CONCEPT:
            candidates = candidates[np.argsort(-sims[candidates], kind="stable")[:TERMS_PER_CONCEPT]]
        return candidates, sims[candidates]

    def _concept_vector(self, concept: Concept) -> np.ndarray | None:
        vectors = self.vectors
        words = []
        for word, lemma in zip(concept.words, concept.lemmas):
            # the dictionary form first; fall back to the form as typed
            words.append(lemma if vectors.get(lemma) is not None else word)
        return phrase_vector(vectors, words)

    def _concept_scores(self, terms: np.ndarray, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per photo: the concept's score and which candidate term gave it."""
        n = len(self.index)
        if len(terms) == 0 or n == 0:
            return np.zeros(n, np.float32), np.zeros(n, np.int64)
        mass = self.probabilities @ self.weights[terms].T.toarray()  # [n, len(terms)]
        np.minimum(mass, 1.0, out=mass)
        mass *= sims[None, :]
        best = mass.argmax(axis=1)
        return np.take_along_axis(mass, best[:, None], axis=1)[:, 0], best

    # --- a whole query -----------------------------------------------------------
    def search(self, text: str, top: int = 20, min_score: float = MIN_SCORE) -> SearchResult:
        query = parse_query(text, self.lemmatizer, self.phrases)
        result = SearchResult(query=query.text, hits=[])
        n = len(self.index)
        total = np.zeros(n, np.float32)
        known: list[tuple[Concept, np.ndarray, np.ndarray, np.ndarray]] = []
        for concept in query.include:
            found = self._term_similarities(concept)
            if found is None:
                result.unknown.append(concept.text)
                result.suggestions[concept.text] = self.suggest(concept.text)
                continue
            terms, sims = found
            if len(terms) == 0:
                # a real word, but nothing in the vocabulary means it ("жираф"):
                # it cannot rank photos, so it does not dilute the other words either
                result.unmatched.append(concept.text)
                if not result.related:
                    result.related = self._nearest
                continue
            scores, best = self._concept_scores(terms, sims)
            total += scores
            known.append((concept, terms, sims, best))
            if not result.related:
                result.related = self._nearest
        if not known:
            return result
        total /= len(known)
        keep = total >= min_score
        for concept in query.exclude:
            found = self._term_similarities(concept)
            if found is None:
                result.unknown.append(f"-{concept.text}")
                continue
            neg, _ = self._concept_scores(*found)
            dropped = keep & (neg >= EXCLUDE_AT)
            result.excluded += int(dropped.sum())
            keep &= ~dropped
            total *= 1.0 - np.minimum(neg, 1.0)  # a faint match to -word still costs rank
            keep &= total >= min_score
        matched = np.flatnonzero(keep)
        result.below_threshold = int(np.count_nonzero((total > 0) & ~keep)) - result.excluded
        order = matched[np.argsort(-total[matched], kind="stable")][:top]
        for row in order:
            evidence = tuple(self._explain(int(row), c, t, s, b) for c, t, s, b in known)
            result.hits.append(Hit(int(row), self.index.paths[row], float(total[row]), evidence))
        return result

    def _explain(self, row: int, concept: Concept, terms: np.ndarray, sims: np.ndarray,
                 best: np.ndarray) -> Evidence:
        j = int(best[row])
        term = int(terms[j])
        term_text = self.terms[term]
        classes = self.index.classes[row].astype(np.int64)
        probs = self.index.probs[row].astype(np.float64)
        weights = self.weights[term].toarray()[0][classes]
        contributing = weights > 0
        contributions = weights * probs
        top = int(np.argmax(contributions))
        class_index = int(classes[top])
        confidence = float(probs[contributing].sum())
        mass = float(contributions.sum())
        relation = next((link.relation for link in self._links(term_text)
                         if link.class_index == class_index), "name")
        path = self.vocabulary.path(term_text, class_index)
        if " ".join(concept.lemmas) != self.index.term_keys[term]:
            path = [concept.text, *path]  # matched by meaning, not by the word itself
        return Evidence(
            concept=concept.text, term=term_text, path=tuple(path), relation=relation,
            similarity=float(sims[j]), weight=mass / confidence if confidence else 0.0,
            confidence=min(1.0, confidence), class_index=class_index,
            class_probability=float(probs[top]),
            # tags under 1% are noise nobody is shown; they still count in the score
            other_tags=max(0, int(np.count_nonzero(contributing & (probs >= 0.01))) - 1))

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
