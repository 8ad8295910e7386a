"""Turning what a person typed into concepts to look for, and dates to filter by.

"Собака на пляже 2019 -кошки" -> include [собака, пляж], exclude [кошка], years {2019}.
A word is a run of letters and digits of any script (café, Київ, 2019), hyphens inside
it kept (рыба-ангел). Words are lower-cased, ё is folded to е, and each Russian word is
reduced to its dictionary form (pymorphy3), so "кошки", "кошку" and "кошками" all mean
"кошка"; other words stay as typed. Adjacent words that together form a known term
("плюшевый мишка") stay one concept; other words are separate concepts. Prepositions, conjunctions and words like "фото" are not concepts ("собака на
пляже" means a dog and a beach). A year (1900-2100) or a span of them ("2018-2020"), a
date said from today ("в прошлом году", "прошлым летом", "вчера"), a month name in any form
("декабрь", "в декабре") or a season ("летом", "осенний") filters by when the photo was
taken, and a time of day ("утром", "днём") orders by it (the time words: when.py),
unless it is part of a known term («осенний лес», «золотая осень»: the look of autumn, a scene label;
«день рождения»).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .errors import ModelUnavailableError, QueryError
from .when import (
    HOURS_OF_WORD,
    MONTHS_OF_WORD,
    SEASON_LOOKS,
    SEASONS,
    Span,
    join_year_spans,
    month_span,
    relative_periods,
    written_days,
    year_of,
    years_of_span,
)

# [^\W_]: any Unicode letter or digit (\w without the underscore), not only ASCII and
# Russian: «café» was «caf» and «Київ» «ки»
_TOKEN = re.compile(r"-?[^\W_]+(?:-[^\W_]+)*")
MAX_QUERY_CHARS = 500

# Not concepts: prepositions, conjunctions, particles, pronouns, and words that only
# say "a photo of". Compared after lemmatising (so "фотографии", "моей" are caught).
STOP_WORDS = frozenset("""
в во на с со у и или а но под над за из изо от по к ко о об обо около возле рядом при для
без кроме через между перед среди вокруг вдоль внутри сквозь про до после как где когда что
это этот тот весь все всё мой наш свой твой ваш его ее их я мы ты вы он она они же ли бы не ни
фото фотография фотка снимок картинка изображение год
""".split())
# Words that exclude what follows them, as `-слово` does: «пляж без людей» is a beach with
# nobody on it, «животные кроме собак» every animal but the dogs. Read as stop words they
# asked for the very thing the user meant to leave out. They negate the next word, or the
# known phrase that starts there («без детской площадки»), or the year («кроме 2019»).
NEGATING = frozenset({"без", "кроме", "не"})   # «не» too: «пляж не в сезон», «не кошка»
# Words that join two concepts as alternatives («кошка или собака», «кошка/собака»): the
# concept before and the one after, either of which a photo may show. Read as stop words,
# «кошка или собака» asked for a cat and a dog in one photo.
EITHER_WORDS = frozenset({"или", "либо"})
_SLASH = re.compile(r"(?<=\w)\s*/\s*(?=\w)")


def normalize(text: str) -> str:
    """Lower case, ё as е, composed (NFC): macOS writes file names decomposed, «й» as
    «и» and a combining breve, which would cut a word in two."""
    return unicodedata.normalize("NFC", text).lower().replace("ё", "е")


class Lemmatizer:
    """Dictionary forms of Russian words, via pymorphy3 (loads once, ~0.3 s).

    A word with several readings gets the first (most likely) one whose dictionary form
    is a word of the package's vocabulary, else pymorphy3's first: «в парке» is the park,
    not a parka (pymorphy3's first reading), «с цветами» flowers, not colours, «белка» a
    squirrel, not a protein («белок»). Over every form of every vocabulary word (29,459),
    853 forms reach their vocabulary word this way and none moves from one vocabulary
    word to another (benchmarks/word_forms.py)."""

    def __init__(self, prefer: Collection[str] | None = None) -> None:
        try:
            import pymorphy3
        except ImportError:  # a broken install: one line and exit 5, not a traceback
            raise ModelUnavailableError("не установлен пакет pymorphy3 (словарные формы слов): "
                                        "`pip install pymorphy3 pymorphy3-dicts-ru`") from None

        self._morph = pymorphy3.MorphAnalyzer(lang="ru")
        self._prefer = None if prefer is None else frozenset(prefer)
        self.lemma = lru_cache(maxsize=65536)(self._lemma)

    def _preferred(self) -> frozenset[str]:
        if self._prefer is None:  # the package's words, once (the vocabulary is cached)
            from .vocabulary import load_vocabulary

            vocabulary = load_vocabulary()
            self._prefer = frozenset(w for text in [*vocabulary.terms, *vocabulary.aliases]
                                     for w in re.findall(r"[а-я-]+", normalize(text)))
        return self._prefer

    def _lemma(self, word: str) -> str:
        if not re.fullmatch(r"[а-я-]+", word):
            return word  # Latin and digits stay as typed
        readings = self._morph.parse(word)
        preferred = self._preferred()
        for reading in readings:
            form = normalize(reading.normal_form)
            # a surname reading («Комаров») is no reason to leave the common word
            if form in preferred and not {"Surn", "Name", "Patr"} & reading.tag.grammemes:
                return form
        return normalize(readings[0].normal_form)

    def name_forms(self, word: str) -> frozenset[str]:
        """The word and the dictionary forms it has as a first name, surname or
        patronymic: «Маши», «Машей» -> маша (not «махать», another reading of «маши»)."""
        word = normalize(word)
        if not re.fullmatch(r"[а-я-]+", word):
            return frozenset({word})
        return frozenset({word} | {normalize(p.normal_form) for p in self._morph.parse(word)
                                   if {"Name", "Surn", "Patr"} & p.tag.grammemes})

    def normal_forms(self, word: str) -> list[str]:
        """Every dictionary form a word may have, most likely first («лесок»: леска,
        the fishing line's genitive plural, then лесок)."""
        word = normalize(word)
        if not re.fullmatch(r"[а-я-]+", word):
            return [word]
        return list(dict.fromkeys(normalize(p.normal_form) for p in self._morph.parse(word)))

    def is_first_name(self, word: str) -> bool:
        """Whether the dictionary knows a word as a first name («Мишенька»); not a
        surname («чаёк» is also the Чайкас' genitive), nor pymorphy3's guesses for a word
        it lacks («мотоциклик»)."""
        word = normalize(word)
        return re.fullmatch(r"[а-я-]+", word) is not None and any(
            p.is_known and "Name" in p.tag.grammemes for p in self._morph.parse(word))

    def is_known(self, word: str) -> bool:
        return self._morph.word_is_known(word)

    def is_place_or_first_name(self, word: str) -> bool:
        """Whether the dictionary's likeliest reading of a word is a place or a first
        name («сочи», «маша»): not an everyday word with a rare place among its readings
        («море»), nor a surname."""
        word = normalize(word)
        return re.fullmatch(r"[а-я-]+", word) is not None and self._morph.word_is_known(word) \
            and bool({"Geox", "Name"} & self._morph.parse(word)[0].tag.grammemes)

    def is_name_word(self, word: str) -> bool:
        """Whether a word of a place's name is a name of its own, not an everyday word:
        the dictionary lacks it («Куала», «Эл»), or knows it, in the form a search reads
        it as, as a place, a first name or a surname («Новгород», «Челны», «Сергиев»).
        «Минеральные», «Воды», «Красная», «Поляна» are everyday words."""
        word = normalize(word)
        if not re.fullmatch(r"[а-я-]+", word) or not self._morph.word_is_known(word):
            return True
        lemma = self.lemma(word)
        return any({"Geox", "Name", "Surn", "Patr"} & p.tag.grammemes
                   for p in self._morph.parse(word) if normalize(p.normal_form) == lemma)

    def is_vocabulary_word(self, word: str) -> bool:
        """Whether a word is one of the vocabulary's («бигль», «бордер-колли»)."""
        return normalize(word) in self._preferred()

    def is_adjective(self, lemma: str) -> bool:
        """Whether a dictionary form is a full adjective (морской, зимний)."""
        return re.fullmatch(r"[а-я-]+", lemma) is not None and \
            self._morph.parse(lemma)[0].tag.POS == "ADJF"

    def key(self, text: str) -> tuple[str, ...]:
        """The lemma sequence that identifies a term or a phrase."""
        return tuple(self.lemma(w) for w in words_of(text))


def words_of(text: str) -> list[str]:
    return [t.lstrip("-") for t in _TOKEN.findall(normalize(text)) if t.lstrip("-")]


@dataclass(frozen=True)
class Concept:
    words: tuple[str, ...]   # as typed, normalised: ("плюшевые", "мишки")
    lemmas: tuple[str, ...]  # ("плюшевый", "мишка")

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Query:
    text: str
    include: tuple[Concept, ...]
    exclude: tuple[Concept, ...]
    years: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    not_years: frozenset[int] = frozenset()     # `-2019`: not taken that year
    not_months: frozenset[int] = frozenset()    # `-декабрь`: not taken that month
    # the months asked for came from season words alone («лес осенью», «море летом»): no
    # month name, no year. A season is often the look the user remembers, so a photo with
    # no date taken stays among the weak results (dates.PhotoDates.unsure)
    by_season: bool = False
    hours: frozenset[int] = frozenset()         # «утром»: taken at these hours (EXIF)
    not_hours: frozenset[int] = frozenset()     # «-утро»: not taken at these hours
    # the looks of the season words typed (SEASON_LOOKS: «зимой» -> зима), only beside
    # words and when the months are a season's alone: what orders the undated photos
    # (the first that a term means)
    season_looks: tuple[Concept, ...] = ()
    # days said from today («в прошлом году», «вчера»): [from, to) spans, any of them
    periods: tuple[Span, ...] = ()
    not_periods: tuple[Span, ...] = ()
    # each concept's group where «или» joined some («кошка или собака на пляже»: (0, 0, 1)):
    # a photo needs one concept of every group; () when every concept is a group alone
    either: tuple[int, ...] = ()   # «-вчера», «без прошлого года»

    @property
    def dated(self) -> bool:
        """A year, a month, days said from today or a time of day asked for: alone, it
        lists every photo of that time."""
        return bool(self.years or self.months or self.hours or self.periods)

    @property
    def groups(self) -> list[list[int]]:
        """The concepts' positions by group, in order: [[0, 1], [2]] for «кошка или собака
        на пляже»; each concept alone when no «или» joined them."""
        if not self.either:
            return [[i] for i in range(len(self.include))]
        out: dict[int, list[int]] = {}
        for i, group in enumerate(self.either):
            out.setdefault(group, []).append(i)
        return list(out.values())

    @property
    def date_filtered(self) -> bool:
        return self.dated or bool(self.not_years or self.not_months or self.not_hours
                                  or self.not_periods)


def parse_query(text: str, lemmatizer: Lemmatizer,
                known_phrases: Collection[tuple[str, ...]] = (),
                today: date | None = None) -> Query:
    """Parses a query; dates said from today («в прошлом году») from `today` (the
    computer's date when None). Raises QueryError when nothing is left to search for."""
    text = text.strip()[:MAX_QUERY_CHARS]
    today = today or date.today()
    include: list[tuple[str, str]] = []
    exclude: list[tuple[str, str]] = []
    years: set[int] = set()
    months: set[int] = set()
    not_years: set[int] = set()
    not_months: set[int] = set()
    hours: set[int] = set()
    not_hours: set[int] = set()
    month_named = False
    looks: list[Concept] = []   # SEASON_LOOKS of the season words typed
    words: list[tuple[bool, str, str]] = []   # (negative, word, lemma), years taken out
    negated: list[int] = []   # positions of the words right after «без» or «кроме»
    after_negating = False
    text_left, periods, not_periods = written_days(_SLASH.sub(" или ", normalize(text)))
    tokens = _TOKEN.findall(join_year_spans(text_left))
    tokens, relative, not_relative = relative_periods(tokens, lemmatizer.lemma, today, NEGATING)
    periods += relative
    not_periods += not_relative
    for token in tokens:
        word = token.lstrip("-")
        if not word:
            continue
        negative = token.startswith("-") or after_negating
        # a negating word waits past the stop words for what it negates: «не на пляже»
        after_negating = not token.startswith("-") and (
            word in NEGATING or (after_negating and word in STOP_WORDS
                                 and word not in EITHER_WORDS))
        if (year := year_of(word)) is not None:
            (not_years if negative else years).add(year)
            continue
        if span := years_of_span(word):   # «2018-2020»
            (not_years if negative else years).update(span)
            continue
        if month_names := month_span(word, lemmatizer.lemma):   # «июнь-август»: June to August
            (not_months if negative else months).update(month_names)
            month_named |= not negative
            continue
        if negative and not token.startswith("-"):
            negated.append(len(words))
        words.append((negative, word, lemmatizer.lemma(word)))
    max_len = max((len(p) for p in known_phrases), default=1)
    words = _negate_phrases(words, negated, known_phrases, max_len)
    in_phrase = _in_known_phrases(words, known_phrases, max_len)
    for i, (negative, word, lemma) in enumerate(words):
        # the word as typed first: the adverb «зимой» is a time, its noun «зима» a look;
        # a season inside a known term is its look («осенний лес», «золотая осень»:
        # yellow leaves, whatever the date), alone it is the months
        time_word = word if word in MONTHS_OF_WORD else lemma
        if time_word in MONTHS_OF_WORD and i not in in_phrase:
            (not_months if negative else months).update(MONTHS_OF_WORD[time_word])
            month_named |= not negative and time_word not in SEASONS
            if not negative and time_word in SEASON_LOOKS:
                look = tuple(SEASON_LOOKS[time_word].split())
                looks.append(Concept(look, tuple(lemmatizer.lemma(w) for w in look)))
            continue
        hour_word = word if word in HOURS_OF_WORD else lemma
        if hour_word in HOURS_OF_WORD and i not in in_phrase:  # «день рождения» is a term
            (not_hours if negative else hours).update(HOURS_OF_WORD[hour_word])
            continue
        (exclude if negative else include).append((word, lemma))
    if not include and not (years or months or hours or periods):
        if exclude or not_years or not_months or not_hours or not_periods:
            raise QueryError("запрос только из исключений: добавьте, что искать, например «животное -собака»")
        raise QueryError("пустой запрос: введите слово, например «кошка»")
    concepts, either = _alternatives(include, known_phrases, max_len)
    if not concepts and not (years or months or hours or periods):
        if exclude or not_years or not_months or not_hours or not_periods:  # «без людей»: only what to leave out
            raise QueryError("запрос только из исключений: добавьте, что искать, например «пляж без людей»")
        raise QueryError("в запросе только служебные слова: введите, что искать, например «кошка»")
    by_season = bool(months) and not month_named and not years and not periods
    return Query(text, concepts, _segment(exclude, known_phrases, max_len),
                 frozenset(years), frozenset(months), frozenset(not_years), frozenset(not_months),
                 by_season=by_season, hours=frozenset(hours), not_hours=frozenset(not_hours),
                 season_looks=tuple(dict.fromkeys(looks)) if by_season and concepts else (),
                 periods=tuple(periods), not_periods=tuple(not_periods),
                 either=either if len(set(either)) < len(either) else ())


def _alternatives(include: list[tuple[str, str]], phrases: Collection[tuple[str, ...]],
                  max_len: int) -> tuple[tuple[Concept, ...], tuple[int, ...]]:
    """The concepts of the words to look for, and each one's group: «или» puts the concept
    after it in the group of the one before it (either will do); the others have a group
    of their own (all must match)."""
    chunks: list[list[tuple[str, str]]] = [[]]
    for word, lemma in include:
        if word in EITHER_WORDS:
            chunks.append([])
        else:
            chunks[-1].append((word, lemma))
    concepts: list[Concept] = []
    groups: list[int] = []
    for k, chunk in enumerate(chunks):
        for j, concept in enumerate(_segment(chunk, phrases, max_len)):
            joined = k > 0 and j == 0 and bool(concepts)
            groups.append(groups[-1] if joined else len(set(groups)))
            concepts.append(concept)
    return tuple(concepts), tuple(groups)


def _negate_phrases(words: list[tuple[bool, str, str]], starts: list[int],
                    phrases: Collection[tuple[str, ...]], max_len: int
                    ) -> list[tuple[bool, str, str]]:
    """The words with each known phrase that starts at a negated word negated whole."""
    lemmas = [lemma for _, _, lemma in words]
    for start in starts:
        n = next((n for n in range(min(max_len, len(words) - start), 1, -1)
                  if tuple(lemmas[start:start + n]) in phrases), 1)
        for i in range(start + 1, start + n):
            words[i] = (True, words[i][1], words[i][2])
    return words


def _term_spans(lemmas: list[str], phrases: Collection[tuple[str, ...]], max_len: int,
                sign: list[bool] | None = None) -> list[tuple[int, int]]:
    """(start, length) of consecutive spans by greedy longest match of known multi-word
    terms; every other word is a span of one. With `sign`, a term never joins an
    excluded word to an included one."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(lemmas):
        n = next((n for n in range(min(max_len, len(lemmas) - i), 1, -1)
                  if tuple(lemmas[i:i + n]) in phrases
                  and (sign is None or len(set(sign[i:i + n])) == 1)), 1)
        spans.append((i, n))
        i += n
    return spans


def _in_known_phrases(words: list[tuple[bool, str, str]], phrases: Collection[tuple[str, ...]],
                      max_len: int) -> set[int]:
    """Positions of the words that belong to a known multi-word term of one sign."""
    spans = _term_spans([lemma for _, _, lemma in words], phrases, max_len,
                        [negative for negative, _, _ in words])
    return {i for start, n in spans if n > 1 for i in range(start, start + n)}


def _segment(tokens: list[tuple[str, str]], phrases: Collection[tuple[str, ...]],
             max_len: int) -> tuple[Concept, ...]:
    """Greedy longest match of known multi-word terms ("поле для гольфа" keeps its
    "для"); other words stand alone, and a lone stop word is dropped."""
    concepts: list[Concept] = []
    for i, n in _term_spans([lemma for _, lemma in tokens], phrases, max_len):
        lemmas = tuple(lemma for _, lemma in tokens[i:i + n])
        if n > 1 or not (lemmas[0] in STOP_WORDS or tokens[i][0] in STOP_WORDS):
            concepts.append(Concept(tuple(w for w, _ in tokens[i:i + n]), lemmas))
    # the same concept typed twice counts once
    return tuple(dict.fromkeys(concepts))
