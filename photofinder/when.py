"""The words of a query that say when: years and spans of them, days written in figures,
months, seasons, times of day, and dates said from today («в прошлом году», «вчера»), as
the months, hours or spans of days they mean. Pure text and dates: query.parse_query
reads a query with them, dates.PhotoDates filters the photos by what they mean.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date, timedelta

Span = tuple[date, date]   # [from, to) days

MONTHS = {
    "январь": 1, "февраль": 2, "март": 3, "апрель": 4, "май": 5, "июнь": 6, "июль": 7,
    "август": 8, "сентябрь": 9, "октябрь": 10, "ноябрь": 11, "декабрь": 12,
}
# Seasons are the months of the date taken, as the northern hemisphere counts them
# ("море летом", "лес осенью", "-весна"): no model sees a season in the pixels. Winter
# is the exception, because it has a look: «зима» and «зимний» stay a scene word (snow,
# snowy roads, ski slopes; scenes.json), and only the adverb «зимой» is a time
# ("кофе зимой": coffee in December-February, not coffee in the snow). Autumn's look, its
# yellow leaves, is a scene label reached by its terms («осенний лес», «золотая осень»);
# a season word alone reaches a look only to order the photos with no date taken
# (SEASON_LOOKS).
SEASONS = {
    "весна": (3, 4, 5), "весенний": (3, 4, 5), "лето": (6, 7, 8), "летний": (6, 7, 8),
    "осень": (9, 10, 11), "осенний": (9, 10, 11), "зимой": (12, 1, 2),
}
# A season with a look of its own, typed with words («горы зимой», «парк осенью»), also
# orders the photos with no date taken by that look (SearchEngine: the snowy mountains,
# the yellow park first among them): their file's month is when they were copied, so the
# look is all there is to go by. The photos taken then (EXIF) need no look: «кофе зимой»
# is still the coffee of December to February, snow or none. Spring and summer have no
# label of their own to look for.
SEASON_LOOKS = {"зимой": "зима", "осень": "осенняя листва", "осенний": "осенняя листва"}
# every word that names a time of year: the months it means
MONTHS_OF_WORD: dict[str, tuple[int, ...]] = {
    **{name: (number,) for name, number in MONTHS.items()}, **SEASONS}
# Times of day with no look of their own are the hours of the date taken, from the
# camera's clock (EXIF: local time): «море утром», «кофе днём», «-утро». With words they
# order rather than filter (SearchEngine: the photos taken then first, those taken at
# another hour or with no EXIF date below the divider): «туманное утро» is fog first,
# and a fog at half past twelve is still found. A file's time is when it was copied, so
# it never counts. Not here: the noun «день», filler more often than a time («пасмурный
# день», «солнечный день», «день города»), «дневной» (daylight is a look), and «вечер»
# and «ночь», which have a look, the night scene (scenes.json), and find a dark street
# in a downloaded photo too. Hours: whole hours, from the first to the last.
MORNING, DAYTIME, NOON = frozenset(range(5, 12)), frozenset(range(12, 18)), frozenset(range(11, 14))
HOURS_OF_WORD: dict[str, frozenset[int]] = {
    "утро": MORNING, "утром": MORNING, "утренний": MORNING, "поутру": MORNING,
    "днем": DAYTIME, "полдень": NOON,
}
_YEAR = re.compile(r"(19\d\d|20\d\d|2100)(?:-?(?:й|го|году|год|г))?")   # «2019г» too
# A span of years, «2018-2020», «2018–2020», «с 2018 по 2020», «от 2018 до 2020 года»: every
# year from the first to the last (read as two years, «2018—2020» left out 2019, and
# «2018-2020» was a word that nothing means). Joined into one word before the words are
# split; either way round, and a span of over a century is its two years alone.
_YEAR_WORD = r"(19\d\d|20\d\d|2100)(?:-?(?:й|го|году|год|года|г))?"
# (a hyphen with a space before it and none after is a minus: «кофе 2019 -2020» is 2019,
# and not 2020)
_YEAR_SPAN_TEXT = re.compile(
    rf"(?<![\w-])(?:(?:с|от)\s+)?{_YEAR_WORD}"
    rf"(?:\s*[‐‑‒–—]\s*|-|\s+-\s+|\s+(?:по|до)\s+){_YEAR_WORD}(?!\w)")
_YEAR_SPAN = re.compile(r"(19\d\d|20\d\d|2100)-(19\d\d|20\d\d|2100)")
MAX_YEAR_SPAN = 100
# A day written as people write it, «19.07.2019», «19.07.19», «2019-07-19», or a month of a
# year, «07.2019»: the span of that day or month (a minus before it leaves it out). Taken
# out of the text before the words are split (the dots would cut it into numbers).
_DAY_TEXT = re.compile(
    r"(?<![\w.-])(-?)(?:(\d{1,2})\.(\d{1,2})\.((?:19|20)?\d\d)|((?:19|20)\d\d)-(\d\d)-(\d\d)"
    r"|(\d{1,2})\.((?:19|20)\d\d))(?![\w.])")
# Dates said from today («в прошлом году», «прошлым летом», «в этом месяце», «вчера»):
# a modifier's dictionary form, then the unit's; each becomes a span of days (from, to
# exclusive) that filters as a year does, by the EXIF date or else the file's. "Прошлый"
# is the last one that has ended, "этот" the last one that has begun: in December both
# «прошлым летом» and «этим летом» are this year's summer, «прошлой зимой» the winter
# before this one.
RELATIVE_MODIFIERS = {"этот": 0, "это": 0, "текущий": 0, "нынешний": 0,
                      "прошлый": -1, "прошлое": -1, "минувший": -1, "прошедший": -1,
                      "позапрошлый": -2}
RELATIVE_UNITS = frozenset({"год", "месяц", "неделя", "лето", "осень", "зима", "весна",
                            *MONTHS})   # «в прошлом декабре»: the last December that has ended
RELATIVE_DAYS = {"сегодня": 0, "вчера": -1, "позавчера": -2}
RELATIVE_ADJECTIVES = {"прошлогодний": ("год", -1), "позапрошлогодний": ("год", -2)}
SEASON_START = {"весна": 3, "лето": 6, "осень": 9, "зима": 12}   # three months from it


def year_of(word: str) -> int | None:
    """The year a word names («2019», «2019-го», «2019г»), or None."""
    year = _YEAR.fullmatch(word)
    return int(year.group(1)) if year else None


def years_of_span(word: str) -> list[int]:
    """Every year of a span joined by join_year_spans («2018-2020»), either way round; a
    span of over a century is its two years alone; [] for any other word."""
    span = _YEAR_SPAN.fullmatch(word)
    if not span:
        return []
    first, last = sorted((int(span.group(1)), int(span.group(2))))
    return list(range(first, last + 1)) if last - first <= MAX_YEAR_SPAN else [first, last]


def join_year_spans(text: str) -> str:
    """The text with each span of years written as one word, «2018-2020»."""
    return _YEAR_SPAN_TEXT.sub(r"\1-\2", text)


def written_days(text: str) -> tuple[str, list[Span], list[Span]]:
    """The text without the days and months of a year written in figures (_DAY_TEXT), and
    their spans: asked for, and left out. A date that is no date (31.02.2019) stays text."""
    periods: list[Span] = []
    not_periods: list[Span] = []

    def take(m: re.Match) -> str:
        minus, d, mo, y, iso_y, iso_mo, iso_d, month, month_year = m.groups()
        try:
            if d is not None:
                year = int(y) + (2000 if len(y) == 2 else 0)
                first = date(year, int(mo), int(d))
                span = (first, first + timedelta(days=1))
            elif iso_y is not None:
                first = date(int(iso_y), int(iso_mo), int(iso_d))
                span = (first, first + timedelta(days=1))
            else:
                first = date(int(month_year), int(month), 1)
                span = (first, _add_months(first, 1))
        except ValueError:
            return m.group()
        (not_periods if minus else periods).append(span)
        return " "

    return _DAY_TEXT.sub(take, text), periods, not_periods


def month_span(word: str, lemma: Callable[[str], str]) -> list[int]:
    """The months of «июнь-август» (from the first to the last, «ноябрь-февраль» across
    the new year); [] for any other word."""
    parts = word.split("-")
    if len(parts) != 2:
        return []
    first, last = (MONTHS.get(lemma(p)) for p in parts)
    if first is None or last is None:
        return []
    return [(first - 1 + k) % 12 + 1 for k in range((last - first) % 12 + 1)]


def relative_periods(tokens: list[str], lemma: Callable[[str], str], today: date,
                     negating: Collection[str]) -> tuple[list[str], list[Span], list[Span]]:
    """The tokens without the dates said from today, and those dates as spans of days:
    asked for, and left out (after a minus, or a `negating` word: «без», «кроме»)."""
    periods: list[Span] = []
    not_periods: list[Span] = []
    kept: list[str] = []
    lemmas = [lemma(t.lstrip("-")) for t in tokens]
    i = 0
    while i < len(tokens):
        word, step, span = lemmas[i], 1, None
        if word in RELATIVE_DAYS:
            day = today + timedelta(days=RELATIVE_DAYS[word])
            span = (day, day + timedelta(days=1))
        elif word in RELATIVE_ADJECTIVES:
            span = _relative_span(*RELATIVE_ADJECTIVES[word], today)
        elif (word in RELATIVE_MODIFIERS and i + 1 < len(tokens)
              and lemmas[i + 1] in RELATIVE_UNITS):
            span, step = _relative_span(lemmas[i + 1], RELATIVE_MODIFIERS[word], today), 2
        if span is None:
            kept.append(tokens[i])
            i += 1
            continue
        negative = any(t.startswith("-") for t in tokens[i:i + step])
        if kept and kept[-1] in negating:   # «без прошлого года»
            kept.pop()
            negative = True
        (not_periods if negative else periods).append(span)
        i += step
    return kept, periods, not_periods


def _relative_span(unit: str, back: int, today: date) -> Span:
    """[from, to) of the unit `back` steps from today's (0: the one that has begun, -1:
    the last that has ended before today's, -2 the one before that)."""
    if unit == "год":
        return date(today.year + back, 1, 1), date(today.year + back + 1, 1, 1)
    if unit == "месяц":
        first = _add_months(date(today.year, today.month, 1), back)
        return first, _add_months(first, 1)
    if unit == "неделя":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=back)
        return monday, monday + timedelta(weeks=1)
    # a season or a month named: the last one that has begun; "прошлый" the last that
    # has ended (in July, last year's summer), "позапрошлый" the one before that
    month, length = (SEASON_START[unit], 3) if unit in SEASON_START else (MONTHS[unit], 1)
    first = date(today.year, month, 1)
    if first > today:
        first = date(first.year - 1, month, 1)
    if back < 0:
        if _add_months(first, length) > today:   # the one that has begun has not ended
            first = date(first.year - 1, month, 1)
        first = date(first.year + back + 1, month, 1)
    return first, _add_months(first, length)


def _add_months(first: date, months: int) -> date:
    """The first day of the month `months` after (or before) `first`'s."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
