"""Named people as search words: «Маша», «Маши», «с Машей» find the photos with her face.

A query word names a person when one of its readings as a first name (pymorphy3 knows
Russian first names, surnames and patronymics in every case) is a word of the name as
typed, or when it is that word itself (any script). The person's photos are strong
matches, scored by the face's cosine similarity to the person's mean face; a face that
was not grouped with the person but lies near them (people.MATCH_DISTANCE) is a weak
match, shown after every strong one: a wrong name on a photo is worse than a missing one.
Unnamed groups are never reached by a word. Pure NumPy: no face model is loaded.
"""

from __future__ import annotations

import numpy as np

from .facetable import FaceTable
from .people import match_faces
from .query import Concept, Lemmatizer, normalize, words_of

# A named person's match ranks above any tag's (at most 1.0), a weak face match with
# them below every strong one: a person named Лев comes before the lion class.
PERSON_BONUS = 1.0


class PersonMatch:
    """One concept that names people, over every photo."""

    def __init__(self, name: str, scores: np.ndarray, sure: np.ndarray,
                 similarity: np.ndarray) -> None:
        self.name = name
        self.scores = scores          # float32 [N]: 0 where no face of theirs
        self.sure = sure              # bool [N]: a face of the person's group
        self.similarity = similarity  # float32 [N]: the best face's similarity


class People:
    """The index's named people, found by a query word."""

    def __init__(self, faces: FaceTable | None, photo_count: int, lemmatizer: Lemmatizer) -> None:
        self.faces = faces
        self.n = photo_count
        self.lemmatizer = lemmatizer
        self._words: dict[str, set[int]] | None = None

    def _name_words(self) -> dict[str, set[int]]:
        if self._words is None:
            self._words = {}
            if self.faces is not None:
                for person, name in self.faces.names.items():
                    for word in words_of(name):
                        for form in self.lemmatizer.name_forms(word):
                            self._words.setdefault(form, set()).add(person)
        return self._words

    def named_by(self, concept: Concept) -> list[int]:
        """The people a one-word concept names (none for a phrase)."""
        words = self._name_words()
        if not words or len(concept.words) != 1:
            return []
        found: set[int] = set()
        for form in self.lemmatizer.name_forms(normalize(concept.words[0])):
            found |= words.get(form, set())
        return sorted(found)

    def match(self, people: list[int]) -> PersonMatch:
        """Scores of every photo for any of these people (one name may be several)."""
        faces = self.faces
        assert faces is not None
        scores = np.zeros(self.n, np.float32)
        sure = np.zeros(self.n, bool)
        best = np.zeros(self.n, np.float32)
        vectors = faces.vectors.astype(np.float32)
        for person in people:
            similarity, member, near = match_faces(vectors, faces.groups, person)
            for mask, bonus in ((member, PERSON_BONUS), (near, 0.0)):
                rows = faces.rows[mask]
                face_scores = np.clip(similarity[mask], 0.0, 1.0) + bonus
                np.maximum.at(scores, rows, face_scores)
                np.maximum.at(best, rows, similarity[mask])
                if bonus:
                    sure[rows] = True
        name = " / ".join(faces.names[p] for p in people)
        return PersonMatch(name, scores, sure, best)
