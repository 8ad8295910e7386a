"""A word for a child over a photo whose faces all look like adults': there the person
score counts for less. Pure NumPy, from the stored faces and tags: nothing is tagged again.

«ребёнок», «дети», «девочка», «малыш» reach the child tag (children.py) and, so that a
child seen from behind or too small for a face still comes, every person as a fallback
(aliases.json, terms.FALLBACK_WEIGHT). Before this, every adult was such a fallback
match: «дети» gave 165 strong results of the 543 everyday photos, 14 of them children. A
photo where the face step found faces and none has a child score of ADULT_CHILD_SCORE
or more is the likeliest to show only adults. There the fallback counts
ADULT_FACES_WEIGHT of its worth, and it cannot make a strong match. A photo with no face
found keeps it whole: the child there may be seen from behind. The child tag itself,
and every label the word reaches on its own, count in full everywhere. On coco-dev the
children's words went 0.756 -> 0.777 and on the everyday photos «ребёнок» 0.59 -> 0.61
(benchmarks/children.py, benchmarks/everyday_kinds.py --full).

Only the words whose own meaning is a child (the child label's name or synonym) are
lowered. «сын», «дочь» and «внук» can be adults. The words for a woman and a man are not
lowered by faces of the other sex: on the stored scores that lost AP on coco-dev and on
the everyday photos (docs/benchmarks.md, round thirty-four).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from .index import Index
from .scoring import Capped, Scored, Scorer
from .terms import Terms
from .vocabulary import CHILD_KEY

# Under this child score a found face is an adult's (the score is calibrated: 0.5 is as
# likely as not; from 0.3 a child is still plausible enough to keep the fallback whole).
ADULT_CHILD_SCORE = 0.3
# What the fallback to every person is worth on a photo whose faces are all adults'.
ADULT_FACES_WEIGHT = 0.5
# How a child word reaches the child label itself: the words that mean a child.
CHILD_RELATIONS = ("name", "synonym")


class AdultFaces:
    """The photos whose faces all look like adults', and what a child word scores there."""

    def __init__(self, index: Index, terms: Terms, scorer: Scorer) -> None:
        self.index = index
        self.terms = terms
        self.scorer = scorer

    @cached_property
    def child_terms(self) -> np.ndarray:
        """bool [terms]: a word that means a child and falls back to every person, and
        every term of its dictionary form («дети», an alias of «человек» alone, is
        «ребенок»)."""
        terms, vocabulary = self.terms, self.terms.vocabulary
        child = vocabulary.index_of_key.get(CHILD_KEY, -1)
        row_of = {t: i for i, t in enumerate(terms.terms[:terms.n_vocabulary_terms])}
        keys = set()
        for term, links in zip(vocabulary.terms, vocabulary.links):
            row = row_of.get(term)
            # a fallback alias (Terms.fallback_keys): its own links, without the alias's,
            # are Terms.exclusion_weights, what `lower` keeps whole
            if row is not None and terms.keys[row] in terms.fallback_keys and any(
                    link.label == child and not link.through_alias
                    and link.relation in CHILD_RELATIONS for link in links):
                keys.add(terms.keys[row])
        return np.array([key in keys for key in terms.keys], bool)

    @cached_property
    def is_adults(self) -> np.ndarray:
        """bool [photos]: a face found and no face with a child score of ADULT_CHILD_SCORE
        or more; none where the index has no faces or no child tags. Made once per loaded
        index, so that a query looks its photos up rather than sorting them."""
        adults = np.zeros(len(self.index), bool)
        faces = getattr(self.index, "faces", None)
        if faces is None or not len(faces) or CHILD_KEY not in self.index.labels:
            return adults
        adults[faces.rows] = True
        found, probabilities, _ = self.index.postings.segment(self.index.labels.index(CHILD_KEY))
        adults[found[probabilities >= ADULT_CHILD_SCORE]] = False
        return adults

    def set_rows(self, rows: np.ndarray) -> None:
        """Treat these photos as the adults' ones, whatever their faces say: none turns
        the rule off (benchmarks measure search with and without it)."""
        adults = np.zeros(len(self.index), bool)
        adults[rows] = True
        self.is_adults = adults  # replaces the cached value

    def lower(self, terms: np.ndarray, sims: np.ndarray, scored: Scored, every: bool
              ) -> tuple[Scored, np.ndarray]:
        """A concept's scores with the fallback lowered on the adults' photos, and the
        photos (ascending) whose score the lowered fallback gave; unchanged, and no
        photos, for a concept that is no child word."""
        nothing = np.zeros(0, np.int64)
        if not len(terms) or not self.child_terms[terms[sims >= 1.0]].any():
            return scored, nothing
        # the adults' photos whose score a child word gave (another term the concept
        # may mean, «детская площадка», keeps what it gave)
        child = self.child_terms[terms]
        at = np.flatnonzero(self.is_adults[scored.rows] & child[scored.best])
        if not len(at):
            return scored, nothing
        # the child words with their own links only (Terms.exclusion_weights: the child
        # tag and what the word reaches itself, not every person): a few small columns
        weights = self.terms.exclusion_weights
        reach = np.flatnonzero(child & (np.diff(weights.ptr)[terms] > 0))
        own = self.scorer.scores(terms[reach], sims[reach], every, weights) if len(reach) \
            else Scored.nothing()
        own_scores, own_best, own_sure = np.zeros(len(at), np.float32), \
            np.zeros(len(at), np.int64), np.zeros(len(at), bool)
        if len(own.rows):
            where = np.minimum(np.searchsorted(own.rows, scored.rows[at]), len(own.rows) - 1)
            hit = own.rows[where] == scored.rows[at]
            own_scores[hit] = own.scores[where[hit]]
            own_best[hit] = reach[own.best[where[hit]]]
            own_sure[hit] = own.sure[where[hit]]
        lowered = (scored.scores[at] * ADULT_FACES_WEIGHT).astype(np.float32)
        by_fallback = lowered > own_scores
        scores, best, sure = scored.scores.copy(), scored.best.copy(), scored.sure.copy()
        scores[at] = np.minimum(np.where(by_fallback, lowered, own_scores), scored.scores[at])
        best[at] = np.where(by_fallback, scored.best[at], own_best)
        sure[at] = own_sure
        # their mass before the cap no longer orders them: what ranks them is above
        capped = scored.capped
        keep = ~np.isin(capped.rows, scored.rows[at], assume_unique=True)
        return (Scored(scored.rows, scores, best, sure, Capped(capped.rows[keep], capped.mass[keep])),
                scored.rows[at][by_fallback])
