"""Why a photo matched: the Evidence behind each concept of a query, in Russian and in
JSON, and the photo's tags by their Russian names. Reads only the shown photos' tags
(a page of them), never every photo's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .index import Index
from .query import Concept, Lemmatizer
from .scoring import counted_tags
from .terms import BEST_ONLY_KINDS, Terms
from .vocabulary import Vocabulary, is_colour
from .words import KIND_WEIGHTS, describe_word

_RELATION_RU = {"name": "название", "synonym": "синоним", "broader": "общее слово",
                "related": "связанное слово"}

# (label column, probability, from a region) of the shown photos, by (row, column)
ShownTags = dict[tuple[int, int], tuple[float, bool]]


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
    # under 1: a child word's fallback to every person on a photo whose faces all look
    # like adults' (adult_faces.py)
    adult_faces: float = 1.0

    @property
    def score(self) -> float:
        return self.similarity * self.weight * self.adult_faces * self.confidence

    def describe(self) -> str:
        """One line in Russian: the path, then similarity x weight x confidence."""
        chain = " ← ".join(self.path)
        if self.relation == "face":  # «Маша: лицо, сходство 0.93»
            maybe = "" if self.probability >= 0.5 else ", возможно"
            return f"{self.term}: лицо{maybe}, сходство {self.similarity:.2f}"
        if self.relation == "word":  # words people wrote: the place says it all
            return chain if self.similarity >= 0.995 else f"{chain}: сходство {self.similarity:.2f}"
        parts = [f"сходство {self.similarity:.2f}"]
        if abs(self.weight - 1.0) > 0.005:
            parts.append(f"{_RELATION_RU[self.relation]} {self.weight:.2f}")
        if self.adult_faces < 1.0:
            parts.append(f"лица взрослых {self.adult_faces:.2f}")
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
            **({"adult_faces": self.adult_faces} if self.adult_faces < 1.0 else {}),
        }


class Explainer:
    """Turns a photo's score for a concept back into the tags and the path behind it."""

    def __init__(self, index: Index, vocabulary: Vocabulary, terms: Terms,
                 lemmatizer: Lemmatizer) -> None:
        self.index = index
        self.vocabulary = vocabulary
        self.terms = terms
        self.lemmatizer = lemmatizer
        self._own_keys: dict[str, set[int]] | None = None

    def face(self, concept: Concept, name: str, similarity: float, member: bool) -> Evidence:
        """A named person's face: `member` in their group (a weak match: only near it).
        probability 1.0 / 0.0 says which."""
        return Evidence(concept=concept.text, term=name, path=(name,), relation="face",
                        similarity=similarity, weight=1.0, confidence=1.0,
                        label_key="face", label_ru="лицо", label_en="face", class_id=None,
                        probability=1.0 if member else 0.0, region=False, other_tags=0)

    def shown_tags(self, rows: np.ndarray, terms: np.ndarray) -> ShownTags:
        """{(row, label column): (score, region)} of the shown rows, for the label columns
        of the concept's terms."""
        columns = np.unique(np.concatenate([self.terms.weights.row(int(t))[0] for t in terms]))
        columns = columns[columns < self.terms.n_label_columns]
        if not len(rows) or not len(columns):
            return {}
        scores, regions = self.index.postings.lookup(rows, columns)
        i, k = np.nonzero(scores)
        return {(int(rows[a]), int(columns[b])): (float(scores[a, b]), bool(regions[a, b]))
                for a, b in zip(i, k)}

    def evidence(self, row: int, concept: Concept, terms: np.ndarray, sims: np.ndarray,
                 j: int, shown_tags: ShownTags) -> Evidence:
        """Why photo `row` scored what it did for a concept (terms and sims as the scorer
        found them, j: which of the terms gave its score)."""
        term = int(terms[j])
        term_text = self.terms.terms[term]
        if self.terms.is_written_word(term):
            return self._written_word(row, concept, term_text, float(sims[j]))
        columns, weights = self.terms.weights.row(term)    # the term's label columns and weights
        weights = weights.astype(np.float64)
        found = [shown_tags.get((row, int(c)), (0.0, False)) for c in columns]
        probs = np.array([f[0] for f in found], np.float32)
        regions = np.array([f[1] for f in found], bool)
        present = probs > 0
        columns, weights = columns[present], weights[present]
        probs, regions = probs[present].astype(np.float64), regions[present]
        labels = self.terms.label_of_column[columns]
        contributions = weights * probs
        # the tags the scorer adds up: of the detector's objects only the best one, and
        # of the other tags that regions gave the best one
        alone = np.array([self.terms.column_kinds[int(c)] in BEST_ONLY_KINDS for c in columns], bool)
        counted = counted_tags(alone, regions, contributions)
        if not counted.all():
            columns, weights, probs, regions = columns[counted], weights[counted], probs[counted], regions[counted]
            labels, contributions = labels[counted], contributions[counted]
        contributing = weights > 0
        top = int(np.argmax(contributions)) if len(contributions) else 0
        # a sure tag of a label the word reaches itself («дети»: the child score, «отец»:
        # the man's) says more than the strongest label an alias reaches (the person
        # score under it)
        own = [k for k in range(len(labels))
               if probs[k] >= 0.5 and (self._names_label(term, int(labels[k]))
                                       or self._reaches_itself(term_text, int(labels[k])))
               ] if term_text in self.vocabulary.aliases else []
        if own:
            top = max(own, key=lambda k: contributions[k])
        label = int(labels[top]) if len(labels) else 0
        confidence = float(probs[contributing].sum())
        mass = float(contributions.sum())
        relation = next((self.terms.relation(term, link) for link in self.terms.links(term_text)
                         if link.label == label), "name")
        path = self.vocabulary.path(term_text, label)
        if own:
            path = list(dict.fromkeys([term_text, self.vocabulary.labels[label].ru]))
        if " ".join(concept.lemmas) != self.terms.keys[term]:
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

    def _reaches_itself(self, term_text: str, label: int) -> bool:
        """Whether a term reaches a label by a link of its own, not its alias's («отец»
        the man's tag, as a related word)."""
        return any(link.label == label and not link.through_alias
                   for link in self.terms.links(term_text))

    def _names_label(self, term: int, label: int) -> bool:
        """Whether a term is, by its dictionary form, the label's name or a synonym of
        it (not a word that reaches it only through an alias or a broader word)."""
        if self._own_keys is None:
            key_of = dict(zip(self.terms.terms, self.terms.keys))
            self._own_keys = {}
            for c in self.vocabulary.labels:
                for text in (c.ru, *c.synonyms):
                    self._own_keys.setdefault(key_of.get(text, text), set()).add(c.index)
        return label in self._own_keys.get(self.terms.keys[term], ())

    def _written_word(self, row: int, concept: Concept, lemma: str, similarity: float) -> Evidence:
        """A match on words people wrote: «свадьба ← папка: Свадьба Маши»."""
        keys = [k for k in self.index.words_of(row) if k.partition(":")[2] == lemma]
        key = max(keys, key=lambda k: KIND_WEIGHTS.get(k.partition(":")[0], 0.0))
        place = None
        if key.startswith("place:"):  # the table is loaded on the first place shown
            from .places import describe_gps

            place = describe_gps(*self.index.gps[row])
        where = describe_word(key, self.index.paths[row], self.lemmatizer, place)
        weight = KIND_WEIGHTS.get(key.partition(":")[0], 0.9)
        return Evidence(concept=concept.text, term=lemma, path=(concept.text, where),
                        relation="word", similarity=similarity, weight=weight, confidence=1.0,
                        label_key=key, label_ru=where, label_en="", class_id=None,
                        probability=1.0, region=False, other_tags=0)

    def tag_names(self, rows: list[int], floor: float = 0.01
                  ) -> list[list[tuple[str, float, bool]]]:
        """Each photo's tags by their Russian names, best first and its colours after the
        things in it: (name, probability, region), for a page of tiles. Read from the
        stored posting lists: one search per label for all of them. Turning a million
        photos' tags back into rows to show forty would take the desktop app most of a
        minute."""
        if not len(rows):
            return []
        columns = np.flatnonzero(self.terms.label_of_column >= 0)
        scores, regions = self.index.postings.lookup(np.asarray(rows, np.int64), columns)
        colour = np.array([is_colour(self.index.labels[c]) for c in columns], bool)
        out = []
        for i in range(len(rows)):
            keep = np.flatnonzero(scores[i] >= floor)
            keep = keep[np.argsort(-scores[i, keep], kind="stable")]
            keep = keep[np.argsort(colour[keep], kind="stable")]   # the colours after the things
            out.append([(self.vocabulary.labels[self.terms.label_of_column[columns[k]]].ru,
                         float(scores[i, k]), bool(regions[i, k])) for k in keep])
        return out
