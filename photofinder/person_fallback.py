"""A word for a kind of person on a photo with no tag of its own: there it is worth what a
related word is, never more. Pure NumPy, at search time: nothing is tagged again.

«женщина», «мужчина», «ребёнок», «мама», «семья» reach their own tag (a face's woman, man
or child score; the group tag) and, so that a person whose face was not found still
comes, everything «человек» reaches, weighed as a related word (terms.FALLBACK_WEIGHT):
the person score, and the ImageNet classes of people, the ballplayer and the groom. Those
added up: a batter's person score (0.8 x 0.91) and his ballplayer tag (0.64 x 0.96) made
him a sure «женщина» at 1.00, level with the women whose faces said so, and a photo of a
woman with a groom's region tag a «мужчина» at 1.00. Now the part the alias adds counts
for FALLBACK_WEIGHT at most: a photo scores min(its score, similarity x min(1, own +
FALLBACK_WEIGHT)), own being what the word's own tags give. Among the photos this lowers
the evidence before it still orders them (Capped), so the batter still comes first of
the people with no face found. On coco-dev «женщина» 0.709 -> 0.729, «мужчина» 0.870 ->
0.870, the children's words 0.777 -> 0.817 (benchmarks/gender.py, children.py;
docs/people.md). «человек» and «люди» are no such word: for them a ballplayer is more
evidence of a person.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from .scoring import Capped, Scored, Scorer
from .terms import FALLBACK_WEIGHT, Terms


class PersonFallback:
    """What a word for a kind of person scores where no tag of its own is."""

    def __init__(self, terms: Terms, scorer: Scorer) -> None:
        self.terms = terms
        self.scorer = scorer

    @cached_property
    def person_terms(self) -> np.ndarray:
        """bool [terms]: a word for a kind of person that falls back to every person
        (Terms.person_keys), every term of its dictionary form."""
        return np.array([i < self.terms.n_vocabulary_terms and key in self.terms.person_keys
                         for i, key in enumerate(self.terms.keys)], bool)

    def cap(self, terms: np.ndarray, sims: np.ndarray, scored: Scored, every: bool
            ) -> tuple[Scored, np.ndarray]:
        """A concept's scores with the fallback held to FALLBACK_WEIGHT, and the photos
        (ascending) it lowered; unchanged, and no photos, for a concept of no such word."""
        nothing = np.zeros(0, np.int64)
        person = self.person_terms[terms] if len(terms) else np.zeros(0, bool)
        if not person.any() or not len(scored.rows):
            return scored, nothing
        # only the photos a person word gave more than a related word's worth can be
        # lowered: a few, looked at alone (at a million photos every one has a person)
        best_sims = sims[scored.best].astype(np.float32)
        at = np.flatnonzero(person[scored.best]
                            & (scored.scores > np.float32(FALLBACK_WEIGHT) * best_sims))
        if not len(at):
            return scored, nothing
        # what the word's own links give (the face or group tags: few small columns),
        # by every term of the best term's dictionary form («дети» is «ребенок», whose
        # link is the child tag), not by another word a term means («родители» at 0.12)
        weights = self.terms.own_weights
        keys = np.array([self.terms.keys[int(t)] for t in terms], object)
        own_scores = np.zeros(len(at), np.float32)
        best_keys = keys[scored.best[at]]
        for key in set(best_keys):
            reach = np.flatnonzero((keys == key) & (np.diff(weights.ptr)[terms] > 0))
            if not len(reach):
                continue
            own = self.scorer.scores(terms[reach], sims[reach], every, weights)
            mine = best_keys == key
            own_scores[mine], _ = own.lookup(scored.rows[at[mine]])
        limit = np.minimum(best_sims[at],
                           own_scores + np.float32(FALLBACK_WEIGHT) * best_sims[at]).astype(np.float32)
        lowered = limit < scored.scores[at]
        at, limit = at[lowered], limit[lowered]
        if not len(at):
            return scored, nothing
        scores = scored.scores.copy()
        rows = scored.rows[at]
        # the evidence before the cut still orders the photos it made equal: as the
        # cap at 1 keeps the mass before it (Capped), the greater of the two
        before = scored.capped.before(rows, scores[at])
        scores[at] = limit
        capped = scored.capped
        keep = ~np.isin(capped.rows, rows, assume_unique=True)
        all_rows = np.concatenate([capped.rows[keep], rows])
        all_mass = np.concatenate([capped.mass[keep], before.astype(np.float32)])
        order = np.argsort(all_rows, kind="stable")
        return (Scored(scored.rows, scores, scored.best, scored.sure,
                       Capped(all_rows[order], all_mass[order])), rows)
