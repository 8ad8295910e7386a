from __future__ import annotations

from datetime import date

import pytest

from photofinder.errors import QueryError
from photofinder.query import Lemmatizer, parse_query


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


@pytest.mark.parametrize("typed, lemma", [
    ("кошки", "кошка"), ("Кошку", "кошка"), ("собаками", "собака"), ("пиццу", "пицца"),
    ("ёжик", "ежик"), ("ЁЖ", "еж"), ("самолёты", "самолет"),
])
def test_word_forms_reduce_to_the_dictionary_form(lemmatizer, typed, lemma):
    query = parse_query(typed, lemmatizer)
    assert [c.lemmas for c in query.include] == [(lemma,)]


def test_known_phrase_stays_one_concept(lemmatizer):
    query = parse_query("плюшевые мишки", lemmatizer, {("плюшевый", "мишка")})
    assert [c.lemmas for c in query.include] == [("плюшевый", "мишка")]
    assert [c.text for c in query.include] == ["плюшевые мишки"]


def test_separate_words_are_separate_concepts(lemmatizer):
    query = parse_query("собака, кошка!", lemmatizer, {("плюшевый", "мишка")})
    assert [c.lemmas for c in query.include] == [("собака",), ("кошка",)]


def test_minus_excludes(lemmatizer):
    query = parse_query("животное -собака -кошки", lemmatizer)
    assert [c.lemmas for c in query.include] == [("животное",)]
    assert [c.lemmas for c in query.exclude] == [("собака",), ("кошка",)]


@pytest.mark.parametrize("text, include, exclude", [
    ("пляж без людей", [("пляж",)], [("человек",)]),
    ("небо без облаков", [("небо",)], [("облако",)]),
    ("животные кроме собак", [("животное",)], [("собака",)]),
    ("без людей пляж", [("пляж",)], [("человек",)]),
    ("кошка без", [("кошка",)], []),                      # nothing after it: nothing left out
    ("море без -людей", [("море",)], [("человек",)]),      # said twice, left out once
])
def test_without_and_except_exclude_what_follows_as_a_minus_does(lemmatizer, text, include,
                                                                 exclude):
    """«без» and «кроме» were stop words, so «пляж без людей» asked for people."""
    query = parse_query(text, lemmatizer)
    assert [c.lemmas for c in query.include] == include
    assert [c.lemmas for c in query.exclude] == exclude


def test_without_takes_a_whole_known_phrase_and_a_year(lemmatizer):
    query = parse_query("парк без детской площадки", lemmatizer, {("детский", "площадка")})
    assert [c.lemmas for c in query.include] == [("парк",)]
    assert [c.lemmas for c in query.exclude] == [("детский", "площадка")]
    query = parse_query("кофе кроме 2019", lemmatizer)
    assert query.years == frozenset() and query.not_years == {2019}


def test_only_what_to_leave_out_is_said_as_such(lemmatizer):
    with pytest.raises(QueryError, match="только из исключений"):
        parse_query("без людей", lemmatizer)


def test_hyphenated_word_is_not_an_exclusion(lemmatizer):
    query = parse_query("рыба-ангел", lemmatizer)
    assert [c.words for c in query.include] == [("рыба-ангел",)]
    assert query.exclude == ()


@pytest.mark.parametrize("text", ["", "   ", "!!!", "«»—…", "-кошка"])
def test_nothing_to_search_is_a_clear_error(lemmatizer, text):
    with pytest.raises(QueryError):
        parse_query(text, lemmatizer)


def test_a_phrase_knows_its_adjectives(lemmatizer):
    """The search keeps a phrase from matching its own adjective by meaning."""
    assert [lemmatizer.is_adjective(w) for w in ("морской", "комнатный", "зимний")] == [True] * 3
    assert not any(lemmatizer.is_adjective(w) for w in ("лев", "растение", "для", "dog", "2019"))


@pytest.mark.parametrize("typed, words", [
    ("café", ("café",)), ("Київ", ("київ",)), ("Straße", ("straße",)), ("Ελλάδα", ("ελλάδα",)),
    ("東京", ("東京",)), ("Cafe\u0301", ("café",)),           # decomposed (macOS names): composed
    ("Е\u0308жик", ("ежик",)), ("и\u0306огурт", ("йогурт",)),  # ё folded, й kept whole
])
def test_a_word_is_a_run_of_letters_and_digits_of_any_script(lemmatizer, typed, words):
    query = parse_query(typed, lemmatizer)
    assert [c.words for c in query.include] == [words]


def test_a_folder_name_in_any_script_is_found_by_the_word_typed(lemmatizer):
    """The words of a folder and a file name are cut like a query's words, so «café»
    and «Київ» find `Café Київ/Straße.jpg` (they used to be «caf», «ки» and «stra»)."""
    from photofinder.words import path_words

    keys = path_words("/photos/Cafe\u0301 Київ/Straße.jpg", ["/photos"], lemmatizer)
    assert keys == ["folder:café", "folder:київ", "folder:café київ", "file:straße"]
    for typed in ("café", "КИЇВ", "straße"):
        (concept,) = parse_query(typed, lemmatizer).include
        assert any(k.endswith(":" + concept.lemmas[0]) for k in keys)


@pytest.mark.parametrize("text, include, months, not_months", [
    ("море летом", ["море"], {6, 7, 8}, set()),
    ("осенний лес", ["лес"], {9, 10, 11}, set()),
    ("весной в парке", ["парке"], {3, 4, 5}, set()),
    ("лес зимой", ["лес"], {12, 1, 2}, set()),
    ("зимний лес", ["зимний", "лес"], set(), set()),   # winter's look: snow (a scene word)
    ("кофе -лето", ["кофе"], set(), {6, 7, 8}),
])
def test_a_season_is_months(lemmatizer, text, include, months, not_months):
    q = parse_query(text, lemmatizer)
    assert [c.text for c in q.include] == include
    assert (set(q.months), set(q.not_months)) == (months, not_months)


@pytest.mark.parametrize("text, include, months", [
    ("осенний лес", ["осенний лес"], set()), ("золотая осень", ["золотая осень"], set()),
    ("лес осенью", ["лес"], {9, 10, 11}), ("осенний кофе", ["кофе"], {9, 10, 11}),
    ("осенний лес 2019", ["осенний лес"], set()),
])
def test_a_season_inside_a_known_term_is_its_look_not_its_months(lemmatizer, text, include, months):
    """«осенний лес» and «золотая осень» are terms of the autumn-leaves label: the yellow
    trees a user remembers, whatever the date (a downloaded or scanned photo has none); a
    season word outside such a term still means the months of the date taken."""
    phrases = {("осенний", "лес"), ("золотой", "осень")}
    q = parse_query(text, lemmatizer, phrases)
    assert [c.text for c in q.include] == include
    assert set(q.months) == months and q.by_season is bool(months)


MORNING, DAYTIME = set(range(5, 12)), set(range(12, 18))


@pytest.mark.parametrize("text, include, hours, not_hours", [
    ("море утром", ["море"], MORNING, set()),
    ("утренний кофе", ["кофе"], MORNING, set()),
    ("кофе днём", ["кофе"], DAYTIME, set()),
    ("утро", [], MORNING, set()),                      # alone: every photo of that time
    ("обед в полдень", ["обед"], {11, 12, 13}, set()),
    ("кофе -утро", ["кофе"], set(), MORNING),
    ("кофе кроме утра", ["кофе"], set(), MORNING),
    ("день рождения", ["день рождения"], set(), set()),  # a known term, not the daytime
    ("пасмурный день", ["пасмурный", "день"], set(), set()),  # the noun: filler, not hours
    ("вечером на море", ["вечером", "море"], set(), set()),  # the night's look (a scene word)
])
def test_a_time_of_day_is_hours(lemmatizer, text, include, hours, not_hours):
    """«утром», «днём», «в полдень»: the hours of the date taken (with words they order,
    SearchEngine), as the months of a season."""
    q = parse_query(text, lemmatizer, {("день", "рождение")})
    assert [c.text for c in q.include] == include
    assert (set(q.hours), set(q.not_hours)) == (hours, not_hours)
    assert q.dated is bool(hours) and q.date_filtered is bool(hours or not_hours)


def test_a_time_of_day_left_out_alone_is_only_an_exclusion(lemmatizer):
    with pytest.raises(QueryError, match="только из исключений"):
        parse_query("без утра", lemmatizer)


@pytest.mark.parametrize("text, by_season", [
    ("осенний лес", True), ("море летом", True), ("лес в октябре", False),
    ("лес осенью 2019", False), ("осенью в октябре", False), ("кофе -лето", False),
])
def test_a_season_alone_is_told_from_a_month_or_a_year(lemmatizer, text, by_season):
    """Only a season's months leave a photo with no date taken among the weak results."""
    assert parse_query(text, lemmatizer).by_season is by_season


@pytest.mark.parametrize("typed, lemma", [
    ("в парке", "парк"), ("парков", "парк"), ("с цветами", "цветок"), ("белка", "белка"),
    ("на озерах", "озеро"), ("тортов", "торт"), ("в пустыне", "пустыня"), ("носки", "носок"),
])
def test_a_word_with_several_readings_is_read_as_the_vocabulary_word(lemmatizer, typed, lemma):
    """pymorphy3's first reading of «парке» is a parka, of «цветами» colours, of «белка»
    a protein: none is a word of the vocabulary, so «в парке» found nothing but the
    amusement park by meaning (0.02). The first reading that is a vocabulary word wins."""
    query = parse_query(typed, lemmatizer)
    assert [c.lemmas for c in query.include] == [(lemma,)]


def test_a_reading_is_preferred_only_when_it_is_a_vocabulary_word():
    """With nothing preferred, pymorphy3's first reading stays (the rule before)."""
    plain = Lemmatizer(prefer=())
    assert (plain.lemma("парке"), plain.lemma("цветами"), plain.lemma("белка")) == ("парка", "цвета", "белок")


@pytest.mark.parametrize("text, looks", [
    ("горы зимой", ("зима",)), ("кофе зимой", ("зима",)),
    ("зимой", ()),                    # alone: the months by the file too, nothing to order
    ("горы зимой 2019", ()),          # a year: a filter by the date, not by a season alone
    ("лес осенью", ("осенний листва",)), ("осенний кофе", ("осенний листва",)),
    ("море летом", ()), ("сад весной", ()),   # no look of their own: their months alone
    ("горы -зимой", ()),
])
def test_winter_and_autumn_with_words_bring_their_look_for_photos_with_no_date(
        lemmatizer, text, looks):
    """«зимой», «осенью» beside words are their months and, for a photo with no date
    taken, the look of the season (when.SEASON_LOOKS: the snow, the autumn leaves);
    spring and summer have no look to go by."""
    q = parse_query(text, lemmatizer)
    assert tuple(" ".join(c.lemmas) for c in q.season_looks) == looks



# a Monday in December: the summer and autumn have ended, the winter has begun
DECEMBER = date(2026, 12, 7)


@pytest.mark.parametrize("text, today, periods", [
    ("кошка в прошлом году", DECEMBER, [(date(2025, 1, 1), date(2026, 1, 1))]),
    ("кошка в этом году", DECEMBER, [(date(2026, 1, 1), date(2027, 1, 1))]),
    ("кошка в позапрошлом году", DECEMBER, [(date(2024, 1, 1), date(2025, 1, 1))]),
    ("прошлогодний снег", DECEMBER, [(date(2025, 1, 1), date(2026, 1, 1))]),
    ("море прошлым летом", DECEMBER, [(date(2026, 6, 1), date(2026, 9, 1))]),
    ("море этим летом", DECEMBER, [(date(2026, 6, 1), date(2026, 9, 1))]),
    ("море прошлым летом", date(2026, 7, 15), [(date(2025, 6, 1), date(2025, 9, 1))]),
    ("море этим летом", date(2026, 7, 15), [(date(2026, 6, 1), date(2026, 9, 1))]),
    ("снег прошлой зимой", DECEMBER, [(date(2025, 12, 1), date(2026, 3, 1))]),
    ("снег этой зимой", DECEMBER, [(date(2026, 12, 1), date(2027, 3, 1))]),
    ("снег прошлой зимой", date(2027, 4, 2), [(date(2026, 12, 1), date(2027, 3, 1))]),
    ("лес позапрошлой осенью", DECEMBER, [(date(2025, 9, 1), date(2025, 12, 1))]),
    ("кофе в прошлом месяце", DECEMBER, [(date(2026, 11, 1), date(2026, 12, 1))]),
    ("кофе в прошлом месяце", date(2027, 1, 20), [(date(2026, 12, 1), date(2027, 1, 1))]),
    ("кофе на прошлой неделе", DECEMBER, [(date(2026, 11, 30), date(2026, 12, 7))]),
    ("кофе на этой неделе", date(2026, 12, 10), [(date(2026, 12, 7), date(2026, 12, 14))]),
    ("дети вчера", DECEMBER, [(date(2026, 12, 6), date(2026, 12, 7))]),
    ("елка в прошлом декабре", DECEMBER, [(date(2025, 12, 1), date(2026, 1, 1))]),
    ("море в прошлом июле", DECEMBER, [(date(2026, 7, 1), date(2026, 8, 1))]),
    ("море этим июлем", date(2026, 3, 3), [(date(2025, 7, 1), date(2025, 8, 1))]),
    ("сегодня", DECEMBER, [(date(2026, 12, 7), date(2026, 12, 8))]),
    ("кошка", DECEMBER, []),
])
def test_dates_said_from_today(lemmatizer, text, today, periods):
    """«в прошлом году», «прошлым летом», «вчера»: spans of days from `today`; "прошлый"
    is the last that has ended, "этот" the last that has begun. The words are no concepts."""
    q = parse_query(text, lemmatizer, today=today)
    assert list(q.periods) == periods
    assert all(w not in {"прошлом", "этом", "прошлым", "прошлой", "вчера", "году"}
               for c in q.include for w in c.words)
    assert q.dated is bool(periods) and not q.by_season


def test_a_date_said_from_today_can_be_left_out(lemmatizer):
    q = parse_query("кофе -вчера", lemmatizer, today=DECEMBER)
    assert q.periods == () and q.not_periods == ((date(2026, 12, 6), date(2026, 12, 7)),)
    q = parse_query("море без прошлого года", lemmatizer, today=DECEMBER)
    assert [c.words for c in q.include] == [("море",)]
    assert q.not_periods == ((date(2025, 1, 1), date(2026, 1, 1)),)
    with pytest.raises(QueryError, match="только из исключений"):
        parse_query("-вчера", lemmatizer, today=DECEMBER)


@pytest.mark.parametrize("text, years", [
    ("море 2018-2020", {2018, 2019, 2020}), ("море 2018–2020", {2018, 2019, 2020}),
    ("море 2018—2020", {2018, 2019, 2020}), ("море 2018 - 2019", {2018, 2019}),
    ("море с 2018 по 2020 год", {2018, 2019, 2020}), ("море от 2015 до 2016 года", {2015, 2016}),
    ("море 2020-2018", {2018, 2019, 2020}),          # either way round
    ("море 1900-2100", {1900, 2100}),                 # over a century: the two years alone
    ("море 2019", {2019}),
])
def test_a_span_of_years_is_every_year_in_it(lemmatizer, text, years):
    q = parse_query(text, lemmatizer)
    assert set(q.years) == years and [c.words for c in q.include] == [("море",)]


def test_a_negative_span_of_years_is_left_out(lemmatizer):
    q = parse_query("кофе -2018-2019", lemmatizer)
    assert set(q.not_years) == {2018, 2019} and not q.years
    q = parse_query("кофе 2019 -2020", lemmatizer)   # a year, and another left out
    assert set(q.years) == {2019} and set(q.not_years) == {2020}



@pytest.mark.parametrize("text, periods, not_periods", [
    ("кофе 19.07.2019", [(date(2019, 7, 19), date(2019, 7, 20))], []),
    ("кофе 19.07.19", [(date(2019, 7, 19), date(2019, 7, 20))], []),
    ("кофе 1.5.2020", [(date(2020, 5, 1), date(2020, 5, 2))], []),
    ("кофе 2019-07-19", [(date(2019, 7, 19), date(2019, 7, 20))], []),
    ("кофе 07.2019", [(date(2019, 7, 1), date(2019, 8, 1))], []),
    ("кофе -19.07.2019", [], [(date(2019, 7, 19), date(2019, 7, 20))]),
])
def test_a_day_written_in_figures_is_that_day(lemmatizer, text, periods, not_periods):
    """«19.07.2019», «2019-07-19», «07.2019»: the day or the month of that year, as people
    write them (the dots cut them into numbers that nothing means)."""
    q = parse_query(text, lemmatizer)
    assert list(q.periods) == periods and list(q.not_periods) == not_periods
    assert [c.words for c in q.include] == [("кофе",)] and not q.years


@pytest.mark.parametrize("text, years, months, words", [
    ("кофе 2019г", {2019}, set(), [("кофе",)]),
    ("все фото за 2019", {2019}, set(), []),           # «все» is no concept
    ("море июнь-август", set(), {6, 7, 8}, [("море",)]),
    ("снег ноябрь-февраль", set(), {11, 12, 1, 2}, [("снег",)]),   # across the new year
    ("рыба-ангел", set(), set(), [("рыба-ангел",)]),   # a hyphenated word stays one
])
def test_more_ways_to_write_a_year_or_months(lemmatizer, text, years, months, words):
    q = parse_query(text, lemmatizer)
    assert set(q.years) == years and set(q.months) == months
    assert [c.words for c in q.include] == words


@pytest.mark.parametrize("text, words, groups", [
    ("кошка или собака", [("кошка",), ("собака",)], [[0, 1]]),
    ("кошка/собака", [("кошка",), ("собака",)], [[0, 1]]),
    ("кошка либо собака", [("кошка",), ("собака",)], [[0, 1]]),
    ("кошка или собака на пляже", [("кошка",), ("собака",), ("пляже",)], [[0, 1], [2]]),
    ("кошка и собака", [("кошка",), ("собака",)], [[0], [1]]),
    ("кошка или", [("кошка",)], [[0]]),
    ("-кошка или собака", [("собака",)], [[0]]),
])
def test_или_joins_the_concepts_either_side(lemmatizer, text, words, groups):
    q = parse_query(text, lemmatizer)
    assert [c.words for c in q.include] == words and q.groups == groups


@pytest.mark.parametrize("text, include, exclude", [
    ("собака не на пляже", [("собака",)], [("пляже",)]),   # past the stop words
    ("люди не в помещении", [("люди",)], [("помещении",)]),
    ("пляж без людей", [("пляж",)], [("людей",)]),
])
def test_не_negates_the_next_word_that_means_something(lemmatizer, text, include, exclude):
    q = parse_query(text, lemmatizer)
    assert [c.words for c in q.include] == include and [c.words for c in q.exclude] == exclude
