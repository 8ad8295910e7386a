"""Answering a Russian query over one loaded index: pure NumPy, no torch.

The work is split by job: terms.py knows which terms a query can reach and the label
columns each reaches, scoring.py scores one concept over every photo (the formula is
there), explain.py says why a shown photo matched, dates.py filters by when photos
were taken. This module puts them together.

Several concepts: photos that match every concept come first (ranked by the mean of
their scores), then the weak ones: photos that match only some concepts, or all of
them only faintly (from WEAK_SCORE up). So "собака пляж" shows dogs on beaches before
any dog alone, and a query answers "ничего не найдено" only when nothing plausible is
there. `-word` removes photos that match the word. A year or a month filters by the
date taken.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from .adult_faces import ADULT_FACES_WEIGHT, AdultFaces
from .dates import PhotoDates
from .errors import QueryError
from .explain import Evidence, Explainer
from .index import Index
from .layout import from_english_layout, russian_words
from .person_fallback import PersonFallback
from .person_search import People, PersonMatch
from .query import Concept, Lemmatizer, Query, normalize, parse_query
from .scoring import MIN_SCORE, Capped, Match, Scored, Scorer, align, union
from .spelling import correction
from .terms import BROADER_WEIGHT, SYNONYM_WEIGHT, Terms
from .vectors import WordVectors
from .vocabulary import Vocabulary
from .words import PLACE_KIND_WORDS

__all__ = ["BROADER_WEIGHT", "EXCLUDE_AT", "MIN_SCORE", "SYNONYM_WEIGHT", "WEAK_SCORE",
           "Evidence", "Hit", "SearchEngine", "SearchResult"]

WEAK_SCORE = 0.01           # plausible (the floor of a stored tag): shown after the strong results, marked weak
# how a query that found nothing strong as typed was read instead (SearchResult.read_as)
READ_ON_RUSSIAN_KEYS, READ_AS_SPELT = "layout", "spelling"
EXCLUDE_AT = 0.25           # `-word`: a photo this sure to show the word is dropped


@dataclass(frozen=True)
class Hit:
    row: int
    path: str
    score: float
    evidence: tuple[Evidence, ...]
    weak: bool = False           # shown after the strong results: a plausible match
    date: str = ""               # "снято 14.07.2019 (EXIF)" for a query with a date

    def describe(self) -> str:
        parts = [e.describe() for e in self.evidence]
        if self.date:
            parts.append(self.date)
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
    out_of_dates: int = 0   # photos the words found that the query's dates left out
    # a time of day alone («утро», «вечером») that found nothing: the photos whose time
    # could not be known (no date taken in EXIF; a file's time is when it was copied)
    no_clock: int = 0
    # the query as typed when another reading of it was searched: on the Russian keys
    # («rjirf»: READ_ON_RUSSIAN_KEYS) or with a typo mended («сабаки»: READ_AS_SPELT)
    typed: str = ""
    read_as: str = ""
    # the days said from today that the query asked for and left out («в прошлом году»,
    # «-вчера»), so that the user sees which dates they were: [from, to) spans
    periods: tuple[tuple[date, date], ...] = ()
    not_periods: tuple[tuple[date, date], ...] = ()

    def reading(self) -> str:
        """How the query was read, for the header after the words searched: «набрано в
        английской раскладке: «rjirf»»; "" for a query searched as typed."""
        if self.read_as == READ_ON_RUSSIAN_KEYS:
            return f"набрано в английской раскладке: «{self.typed}»"
        return f"исправлена опечатка: «{self.typed}»" if self.read_as == READ_AS_SPELT else ""

    def reading_note(self) -> str:
        """The same as a line of its own (JSON, --batch, the window); "" when as typed."""
        if self.read_as == READ_ON_RUSSIAN_KEYS:
            return f"«{self.typed}» набрано в английской раскладке: искали «{self.query}»"
        if self.read_as == READ_AS_SPELT:
            return f"«{self.typed}»: искали «{self.query}» (исправлена опечатка)"
        return ""

    def word_notes(self) -> list[str]:
        """A line per unknown word, with its spelling suggestions (CLI and GUI alike),
        after the line on how the query was read."""
        notes = [self.reading_note()] if self.read_as else []
        if self.periods:
            notes.append(f"снято {' или '.join(_days_text(*p) for p in self.periods)}")
        if self.not_periods:
            notes.append(f"кроме снятых {' и '.join(_days_text(*p) for p in self.not_periods)}")
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


def _groups_of(query: Query, known: list[Match]) -> list[list[int]]:
    """The positions in `known` (the concepts some term means, in the query's order) by
    the query's groups («или»): [[0, 1]] for «кошка или собака»; a group none of whose
    concepts is known is left out, as an unknown word is."""
    group_of = {id(c): g for g, members in enumerate(query.groups)
                for c in (query.include[i] for i in members)}
    out: dict[int, list[int]] = {}
    for position, match in enumerate(known):
        out.setdefault(group_of.get(id(match.concept), -1 - position), []).append(position)
    return list(out.values())


def _days_text(start: date, end: date) -> str:
    """«06.12.2026», «с 01.06.2026 по 31.08.2026»: a [from, to) span of days as a person
    says it."""
    last = end - timedelta(days=1)
    if last == start:
        return f"{start:%d.%m.%Y}"
    return f"с {start:%d.%m.%Y} по {last:%d.%m.%Y}"


def _replace_word(text: str, word: str, spelt: str) -> str:
    """`text` with each word that normalises to `word` replaced by `spelt`."""
    return re.sub(r"[^\W\d_]+(?:-[^\W\d_]+)*",
                  lambda m: spelt if normalize(m.group()) == word else m.group(), text)


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


class SearchEngine:
    """Answers queries over one loaded index. Built once (the term table, the columns
    each term reaches), then each query is scored concept by concept."""

    def __init__(self, index: Index, vocabulary: Vocabulary,
                 vectors: WordVectors | Callable[[], WordVectors],
                 lemmatizer: Lemmatizer | None = None) -> None:
        self.index = index
        self.vocabulary = vocabulary
        self.lemmatizer = lemmatizer or Lemmatizer()
        self._vectors = vectors
        self.terms = Terms(index, vocabulary, lambda: self.vectors, lambda: self.lemmatizer)
        self.scorer = Scorer(index, self.terms, self.lemmatizer, lambda: self.vectors)
        self.explainer = Explainer(index, vocabulary, self.terms, self.lemmatizer)
        self.dates = PhotoDates(index)
        self.people = People(getattr(index, "faces", None), len(index), self.lemmatizer)
        self.adult_faces = AdultFaces(index, self.terms, self.scorer)
        self.person_fallback = PersonFallback(self.terms, self.scorer)
        self._known_words: list[str] | None = None
        self._place_lemmas: frozenset[str] | None = None   # the GPS place words' lemmas
        self.exhaustive = False   # look at every photo (the reference; tests)

    @property
    def vectors(self) -> WordVectors:
        """The word vectors, loaded on the first query that needs them."""
        if callable(self._vectors) and not hasattr(self._vectors, "get"):
            self._vectors = self._vectors()
        return self._vectors  # type: ignore[return-value]

    # --- a whole query -----------------------------------------------------------
    def search(self, text: str, top: int = 20, min_score: float = MIN_SCORE,
               weak_score: float = WEAK_SCORE) -> SearchResult:
        """The query's strong matches, best first, then its weak ones: `top` in all.
        min_score: MIN_SCORE keeps each tag kind's own sure level (scoring.SURE); any
        other value is the bar a concept's score must reach, for every kind.

        Only the photos some concept reaches are looked at (a photo no concept reaches
        scores 0: neither strong nor plausible), so a query's cost follows the tags it
        reads, not the size of the archive; `exhaustive` looks at every photo, the
        reference the tests hold this path to (the same hits, scores and counts).

        A query that finds nothing strong for words it does not know is read another way,
        and the result says so (`typed`, `read_as`): typed with the keyboard on the
        English layout («rjirf»), as the Russian words its keys give («кошка»;
        layout.py); else each misspelt word as the one vocabulary word it is one edit
        from («сабаки» -> собаки; spelling.py). Only then: a Latin word that finds a
        folder, a file or a keyword is never read on the other keys, and a query that
        the other reading finds no more for stands as typed."""
        result = self._search(text, top, min_score, weak_score)
        if result.strong_total or not (result.unknown or result.unmatched):
            return result
        for reading, read_as in self._other_readings(text, result):
            try:
                retry = self._search(reading, top, min_score, weak_score)
            except QueryError:  # the reading gave only stop words
                continue
            if retry.strong_total or (retry.hits and not result.hits):
                retry.typed, retry.read_as = result.query, read_as
                return retry
        return result

    def _other_readings(self, text: str, result: SearchResult) -> Iterator[tuple[str, str]]:
        russian = from_english_layout(text, russian_words(self.lemmatizer, lambda: self.vectors))
        if russian is not None:
            yield russian, READ_ON_RUSSIAN_KEYS
            return
        mended = text
        for word in result.unknown:  # each as typed, normalised; "-word" left out
            if word.startswith("-") or " " in word or self.lemmatizer.is_first_name(word):
                continue
            spelt = correction(word, self.lemmatizer.is_known, self.lemmatizer.lemma,
                               self.terms.one_word_keys.__contains__)
            if spelt is not None:
                mended = _replace_word(mended, word, spelt)
        if mended != text:
            yield mended, READ_AS_SPELT

    def _search(self, text: str, top: int, min_score: float, weak_score: float) -> SearchResult:
        query = parse_query(text, self.lemmatizer, self.terms.phrases)
        result = SearchResult(query=query.text, hits=[], periods=query.periods,
                              not_periods=query.not_periods)
        # a bar of 0 would make a photo no concept reaches a match: look at every one
        every = self.exhaustive or min_score <= 0 or weak_score <= 0
        known = self._matches(query, result, min_score, every)
        if not known and not query.dated:
            return result
        n = len(self.index)
        groups = _groups_of(query, known)
        if known:
            rows = np.arange(n) if every else union(n, [k.scored.rows for k in known])
            aligned = [align(rows, k.scored, n) for k in known]
            if len(known) == 1:  # most queries: no copies of a million scores
                total, strong = aligned[0]
            else:
                # «кошка или собака»: a group's best concept; then every group's mean
                either = [aligned[g[0]] if len(g) == 1 else
                          (np.max([aligned[i][0] for i in g], axis=0),
                           np.any([aligned[i][1] for i in g], axis=0)) for g in groups]
                total = np.mean([scores for scores, _ in either], axis=0).astype(np.float32)
                strong = np.all([sure for _, sure in either], axis=0)
            plausible = total >= weak_score
        else:  # only a date: every photo of that time, newest first
            rows = np.arange(n)
            total = np.ones(n, np.float32)
            strong = plausible = np.ones(n, bool)
        # from here on every array is aligned with `rows` (the candidates, ascending)
        shown_with: list[Match] = []   # explained, but left out of the ties' order
        if query.date_filtered:
            # a season with words goes by the EXIF date alone: the photos with none are
            # `maybe`, whatever month their file was copied in
            in_time = self.dates.mask(query, rows, season_by_file=not known)
            # «лес осенью» over photos with no date taken: the forests stay, below the
            # divider, rather than «ничего не найдено»; «туманное утро»: the fog taken
            # at noon too (not for a season or a time of day alone: that would list
            # every such photo)
            maybe = self.dates.unsure(query, rows) if known else np.zeros(len(rows), bool)
            undated = maybe & ~in_time
            if query.season_looks and known and undated.any():
                look = self._season_look(query, rows[undated], every)
                if look is not None:
                    # «горы зимой»: a photo with no date taken is a winter one by its look
                    # alone, a concept beside the others (a snowy mountain first, a green
                    # one below it); one taken in winter needs no snow
                    scores, _ = align(rows, look.scored, n)
                    total = np.where(undated, (total * len(groups) + scores) / (len(groups) + 1),
                                     total).astype(np.float32)
                    plausible = total >= weak_score
                    shown_with.append(look)
            by_words = plausible
            strong, plausible = strong & in_time, plausible & (in_time | maybe)
            result.out_of_dates = int((by_words & ~plausible).sum()) if known else 0
            if (not known and query.hours and not plausible.any()
                    and not (query.years or query.months or query.periods)):
                result.no_clock = self.dates.without_date_taken()
        total, kept = self._exclude(query, result, rows, total, strong, plausible, every)
        weak = plausible & ~strong
        result.weak_total = int(weak.sum())
        result.strong_total = int(strong.sum())
        rank_by = total if known else self.dates.sort_time()  # only a date: newest first
        def tiebreak(at: np.ndarray) -> np.ndarray:
            """The photos' mean score over the concepts before the cap at 1."""
            before = np.mean([k.scored.capped.before(rows[at], scores[at])
                              for k, (scores, _) in zip(known, aligned)], axis=0)
            return before if kept is None else before * kept[at]

        breaks = tiebreak if known else None
        # positions in `rows`, which is ascending: the same order as the photos'
        order_strong = _best_first(np.flatnonzero(strong), rank_by[strong], top, breaks)
        order_weak = _best_first(np.flatnonzero(weak), total[weak], top - len(order_strong), breaks)
        self._add_hits(result, query, known + shown_with, total, rows, order_strong, order_weak)
        return result

    def _season_look(self, query: Query, undated: np.ndarray, every: bool) -> Match | None:
        """The look of the query's season (SEASON_LOOKS: snow for «зимой», the autumn
        leaves for «осенью»; of two seasons typed, the first a term means) over the
        photos with no date taken (`undated`, ascending rows): a Match that scores no
        other photo, so that only those are ordered and explained by it. None where no
        term means the look."""
        for concept in query.season_looks:
            found = self.scorer.similarities(concept)
            if found is None or len(found[0]) == 0:
                continue
            scored = self.scorer.scores(found[0], found[1], every)
            keep = np.isin(scored.rows, undated, assume_unique=True)
            return Match(concept, found[0], found[1],
                         Scored(scored.rows[keep], scored.scores[keep], scored.best[keep],
                                scored.sure[keep], Capped.none()))
        return None

    def _matches(self, query: Query, result: SearchResult, min_score: float,
                 every: bool) -> list[Match]:
        """Each concept of the query that some term means, scored over the photos it
        reaches; the words that none does go to result.unknown and result.unmatched."""
        known: list[Match] = []
        for position, concept in enumerate(query.include):
            if self._names_kind_of_place(query.include, position):
                continue  # «острова» of «Канарские острова»: part of the place's name
            named = self.people.named_by(concept)
            if named:
                known.append(self._person_match(concept, named, min_score, every))
                continue
            found = self.scorer.similarities(concept)
            if found is None:
                result.unknown.append(concept.text)
                result.suggestions[concept.text] = self.suggest(concept.text)
                continue
            terms, sims, nearest = found
            if not result.related:
                result.related = nearest
            faint = (len(query.include) > 1 and min_score == MIN_SCORE
                     and len(sims) > 0 and sims.max() < MIN_SCORE)
            if len(terms) == 0 or faint:
                # a real word, but nothing in the vocabulary means it ("жираф"): it
                # cannot rank photos, so it does not dilute the other words either. Nor
                # does a word beside others that a term means only so faintly that no
                # photo could match it strongly («белая» ~ черный медведь at 0.06):
                # «белая собака» is every dog, not every dog made weak. Alone, such a
                # word keeps its faint matches as weak ones («новорожденный» ~ младенец)
                result.unmatched.append(concept.text)
                continue
            scored = self.scorer.scores(terms, sims, every)
            scored, adults = self.adult_faces.lower(terms, sims, scored, every)
            scored, held = self.person_fallback.cap(terms, sims, scored, every)
            # a strong match also scores min_score: many sure tags reached through a
            # faint meaning match («дождь» -> снег at similarity 0.08) stay weak
            sure = scored.sure & (scored.scores >= min_score)
            if min_score != MIN_SCORE:  # --min-score: the user's own bar, for every kind
                sure = scored.scores >= min_score
            known.append(Match(concept, terms, sims, scored._replace(sure=sure), adults=adults,
                               held=held))
        return known

    def _names_kind_of_place(self, concepts: tuple[Concept, ...], position: int) -> bool:
        """A word that says what kind of place («остров», «область», «берег»: words.
        PLACE_KIND_WORDS) beside a word that names a place of this index's photos (GPS):
        «Канарские острова», «остров Бали», «Московская область». It is part of the
        place's name, as indexing reads the name, not a coast a photo must show too:
        «острова» reaches the coast, and every inland photo of a Canaries trip was weak.
        Alone, or beside words no place has («пляж остров»), it is searched as it is."""
        concept = concepts[position]
        if len(concept.lemmas) != 1 or concept.lemmas[0] not in PLACE_KIND_WORDS:
            return False
        if self._place_lemmas is None:
            self._place_lemmas = frozenset(key.partition(":")[2] for key in self.index.word_labels
                                           if key.startswith("place:"))
        return any(0 <= near < len(concepts) and len(concepts[near].lemmas) == 1
                   and concepts[near].lemmas[0] in self._place_lemmas
                   and concepts[near].lemmas[0] not in PLACE_KIND_WORDS
                   for near in (position - 1, position + 1))

    def _person_match(self, concept, named: list[int], min_score: float, every: bool) -> Match:
        """A concept that names people: their faces first; photos of a tag sharing the
        word (the lion class for a person named Лев) stay, weak and below them."""
        person = self.people.match(named)
        scores, sure = person.scores.copy(), person.sure & (person.scores >= min_score)
        found = self.scorer.similarities(concept)
        terms = np.zeros(0, np.int64)
        sims = np.zeros(0, np.float32)
        best = np.zeros(len(self.index), np.int64)
        if found is not None and len(found[0]):
            terms, sims = found[0], found[1]
            tags = self.scorer.scores(terms, sims, every=True)  # over every photo, as the faces
            np.maximum(scores, tags.scores * 0.5, out=scores)
            best = tags.best
        rows = np.arange(len(self.index)) if every else np.flatnonzero((scores > 0) | sure)
        scored = Scored(rows, scores[rows], best[rows], sure[rows], Capped.none())
        return Match(concept, terms, sims, scored, person)

    def _exclude(self, query: Query, result: SearchResult, rows: np.ndarray,
                 total: np.ndarray, strong: np.ndarray, plausible: np.ndarray, every: bool
                 ) -> tuple[np.ndarray, np.ndarray | None]:
        """`-word`: drops the photos sure to show it from `strong` and `plausible` (in
        place; all aligned with `rows`); returns the scores it leaves and what it leaves
        of each photo's score (None: no `-word`)."""
        kept: np.ndarray | None = None
        for concept in query.exclude:
            found = self.scorer.similarities(concept)
            if found is None:
                result.unknown.append(f"-{concept.text}")
                continue
            # a word for children (a woman, a man) leaves out the faces found that say
            # so, not every person its alias reaches (Terms.exclusion_weights)
            weights = self.terms.exclusion_weights
            reach = np.diff(weights.ptr)[found[0]] > 0
            neg, _ = align(rows, self.scorer.scores(found[0][reach], found[1][reach], every,
                                                    weights), len(self.index))
            if kept is None:
                kept = np.ones(len(rows), np.float32)
            dropped = plausible & (neg >= EXCLUDE_AT)
            result.excluded += int(dropped.sum())
            plausible &= ~dropped
            strong &= ~dropped
            kept = kept * (1.0 - np.minimum(neg, 1.0))  # a faint match to -word still costs rank
            total = total * kept
        return total, kept

    def _add_hits(self, result: SearchResult, query: Query, known: list[Match],
                  total: np.ndarray, rows: np.ndarray, order_strong: np.ndarray,
                  order_weak: np.ndarray) -> None:
        """The shown photos (positions in `rows`), each with the evidence of every
        concept it matched."""
        shown = rows[np.concatenate([order_strong, order_weak])]
        # every shown photo's tags in every column a concept reached, looked up at once
        tags_of = [self.explainer.shown_tags(shown, k.terms) if len(k.terms) else {}
                   for k in known]
        found = [k.scored.lookup(shown) for k in known]  # for the shown photos only
        for i, (position, is_weak) in enumerate(
                [(p, False) for p in order_strong] + [(p, True) for p in order_weak]):
            row = int(rows[position])
            evidence = tuple(self._evidence(row, k, tags, int(best[i]))
                             for k, tags, (scores, best) in zip(known, tags_of, found)
                             if scores[i] > 0)
            clock = bool(query.hours or query.not_hours)  # «снято 24.12.2021 09:15 (EXIF)»
            date = ("" if not query.date_filtered else
                    self.dates.unsure_text(row, clock) if is_weak and self.dates.needs_exif(query)
                    else f"снято {self.dates.text(row, clock)}")
            result.hits.append(Hit(row, self.index.paths[row], float(total[position]),
                                   evidence, is_weak, date))

    def _evidence(self, row: int, match: Match, tags, best: int) -> Evidence:
        person: PersonMatch | None = match.person  # type: ignore[assignment]
        if person is not None and person.similarity[row] > 0:
            return self.explainer.face(match.concept, person.name,
                                       float(person.similarity[row]), bool(person.sure[row]))
        evidence = self.explainer.evidence(row, match.concept, match.terms, match.sims, best, tags)
        if _holds(match.adults, row):
            evidence = replace(evidence, adult_faces=ADULT_FACES_WEIGHT)
        if _holds(match.held, row):
            # the fallback held to a related word's worth (person_fallback.py): the
            # weight shown is what the score is, so the explanation multiplies out to it
            score = float(match.scored.lookup(np.array([row], np.int64))[0][0])
            rest = evidence.similarity * evidence.adult_faces * evidence.confidence
            evidence = replace(evidence, weight=score / rest if rest else 0.0)
        return evidence

    def suggest(self, word: str) -> list[str]:
        """Known words spelled like an unknown one: "кошька" -> ["кошка"]."""
        if self._known_words is None:
            words = {w for t in self.terms.terms for w in t.split()}
            self._known_words = sorted(words)
        return difflib.get_close_matches(word, self._known_words, n=3, cutoff=0.7)

    def tag_names(self, rows: list[int], floor: float = 0.01
                  ) -> list[list[tuple[str, float, bool]]]:
        """Each photo's tags by their Russian names, best first: (name, probability,
        region), for a page of tiles (Explainer.tag_names)."""
        return self.explainer.tag_names(rows, floor)


def _holds(rows: np.ndarray | None, row: int) -> bool:
    """Whether an ascending array of photos holds this one."""
    if rows is None or not len(rows):
        return False
    at = min(int(np.searchsorted(rows, row)), len(rows) - 1)
    return bool(rows[at] == row)
