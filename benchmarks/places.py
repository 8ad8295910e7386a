"""Places from GPS: do Russian place words find exactly the photos taken there?

    .venv/bin/python benchmarks/places.py [--per-place 5] [--keep]

Builds a dev set from ../shared/data/coco-dev (copies in a temp folder, never in the
repo): for each of 35 places in Russia and abroad (4 of them named by their region: Бали,
Крит, Канары, Крым; Адлер and Красная Поляна, parts of Sochi that GeoNames lists apart,
and Туапсе, up the same coast, which is not; a lake, an island, a mountain, a spit and a
valley no town is called by, Байкал, Ольхон, Эльбрус, Кижи, Куршская коса, Каппадокия,
and the cities near them that are not there; names of several words, some of them
everyday words: Минеральные Воды, Набережные Челны), a few photos given that place's GPS
(scattered over the town, as a phone's fixes are), some with a 2019 EXIF date; plus
photos with no GPS, with 0/0, and with broken GPS (a zero denominator, latitude 95°).
Indexes them with the real CLI, then for each Russian place query (city, country, region,
another case, a short form, with a year) compares the STRONG results with the photos
taken there: precision and recall per query and over all; and how many strong results
of everyday words («вода», «поляна») only a place's name made strong. Also prints the geocoder's
lookups per second and the memory of the place table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COCO = REPO.parent / "shared" / "data" / "coco-dev"
sys.path.insert(0, str(REPO))

# place: (latitude, longitude, scatter in km, the place's words as a person means them)
PLACES = {
    "sochi": (43.5855, 39.7231, 3.0, {"Сочи", "Россия", "Краснодарский край"}),
    "kazan": (55.7961, 49.1064, 4.0, {"Казань", "Россия", "Татарстан"}),
    "moscow": (55.7558, 37.6173, 8.0, {"Москва", "Россия"}),
    "khimki": (55.8890, 37.4450, 1.5, {"Химки", "Россия", "Подмосковье"}),
    "istra": (55.9160, 36.8600, 1.5, {"Истра", "Россия", "Подмосковье"}),
    "spb": (59.9343, 30.3351, 5.0, {"Санкт-Петербург", "Россия"}),
    "ekb": (56.8389, 60.6057, 4.0, {"Екатеринбург", "Россия"}),
    "istanbul": (41.0082, 28.9784, 5.0, {"Стамбул", "Турция"}),
    "antalya": (36.8969, 30.7133, 3.0, {"Анталья", "Турция"}),
    "paris": (48.8566, 2.3522, 3.0, {"Париж", "Франция"}),
    "rome": (41.9028, 12.4964, 3.0, {"Рим", "Италия"}),
    "new-york": (40.7128, -74.0060, 4.0, {"Нью-Йорк", "США"}),
    "tbilisi": (41.7151, 44.8271, 3.0, {"Тбилиси", "Грузия"}),
    "minsk": (53.9006, 27.5590, 3.0, {"Минск", "Беларусь"}),
    # regions abroad a trip is named by (places.json's reviewed admin1 names)
    "bali": (-8.5069, 115.2625, 3.0, {"Убуд", "Бали", "Индонезия"}),
    "crete": (35.5138, 24.0180, 2.0, {"Ханья", "Крит", "Греция"}),
    "tenerife": (28.1227, -16.7260, 2.0, {"Адехе", "Канары", "Испания"}),
    "yalta": (44.4952, 34.1663, 2.0, {"Ялта", "Крым"}),
    # parts of Sochi GeoNames lists as towns of their own (places.json "parts"), and a
    # town of the same coast that is not Sochi
    "adler": (43.4286, 39.9239, 2.0, {"Адлер", "Сочи", "Россия", "Краснодарский край"}),
    "krasnaya-polyana": (43.6795, 40.2040, 1.0,
                         {"Красная Поляна", "Сочи", "Россия", "Краснодарский край"}),
    "tuapse": (44.1010, 39.0830, 2.0, {"Туапсе", "Россия", "Краснодарский край"}),
    # lakes, islands and mountains a trip is named by (places.json "areas"), and the
    # cities near them that are not there
    "listvyanka": (51.8540, 104.8650, 1.5, {"Листвянка", "Байкал", "Россия"}),
    "olkhon": (53.1950, 107.3400, 2.0, {"Хужир", "Ольхон", "Байкал", "Россия"}),
    "irkutsk": (52.2870, 104.2810, 3.0, {"Иркутск", "Россия"}),
    "terskol": (43.2570, 42.5130, 1.5, {"Терскол", "Эльбрус", "Россия"}),
    "nalchik": (43.4850, 43.6070, 2.0, {"Нальчик", "Россия"}),
    "kizhi": (62.0670, 35.2230, 0.5, {"Кижи", "Карелия", "Россия"}),
    "petrozavodsk": (61.7890, 34.3590, 2.0, {"Петрозаводск", "Карелия", "Россия"}),
    "curonian-spit": (55.1560, 20.8600, 1.0, {"Рыбачий", "Куршская коса", "Россия"}),
    "goreme": (38.6430, 34.8290, 1.0, {"Гореме", "Каппадокия", "Турция"}),
    # names of several words, some of them everyday words («Минеральные Воды»)
    "nizhny-novgorod": (56.3269, 44.0059, 4.0, {"Нижний Новгород", "Россия"}),
    "veliky-novgorod": (58.5215, 31.2755, 2.0, {"Великий Новгород", "Россия"}),
    "mineralnye-vody": (44.2103, 43.1353, 1.5,
                        {"Минеральные Воды", "Россия", "Ставропольский край"}),
    "naberezhnye-chelny": (55.7436, 52.3958, 3.0, {"Набережные Челны", "Татарстан", "Россия"}),
    "sharm": (27.9158, 34.3300, 2.0, {"Шарм-эль-Шейх", "Египет"}),
}
DATED = {"kazan", "sochi"}          # half of their photos are from 2019, the rest 2021
# query -> the place word it means (a photo is relevant when its place has that word)
QUERIES = {
    "Сочи": "Сочи", "в Сочи": "Сочи", "Казань": "Казань", "из Казани": "Казань",
    "Москва": "Москва", "в Москве": "Москва", "Санкт-Петербург": "Санкт-Петербург", "Санкт Петербург": "Санкт-Петербург",
    "Петербург": "Санкт-Петербург", "Питер": "Санкт-Петербург", "СПб": "Санкт-Петербург",
    "Екатеринбург": "Екатеринбург", "Химки": "Химки", "Подмосковье": "Подмосковье",
    "Россия": "Россия", "по России": "Россия", "Турция": "Турция", "в Турции": "Турция",
    "Стамбул": "Стамбул", "Анталья": "Анталья", "Париж": "Париж", "в Париже": "Париж",
    "Франция": "Франция", "Италия": "Италия", "Рим": "Рим", "Нью-Йорк": "Нью-Йорк", "Нью Йорк": "Нью-Йорк",
    "США": "США", "Америка": "США", "в Штатах": "США", "Тбилиси": "Тбилиси", "Грузия": "Грузия",
    "Минск": "Минск", "Беларусь": "Беларусь", "Татарстан": "Татарстан",
    "Бали": "Бали", "на Бали": "Бали", "Индонезия": "Индонезия", "Крит": "Крит",
    "на Крите": "Крит", "Канары": "Канары", "на Канарах": "Канары",
    "Канарские острова": "Канары", "Испания": "Испания", "Крым": "Крым", "в Крыму": "Крым",
    "Ялта": "Ялта", "Адлер": "Адлер", "Красная Поляна": "Красная Поляна",
    "Туапсе": "Туапсе", "Краснодарский край": "Краснодарский край",
    "Байкал": "Байкал", "на Байкале": "Байкал", "Ольхон": "Ольхон", "на Ольхоне": "Ольхон",
    "Иркутск": "Иркутск", "Эльбрус": "Эльбрус", "Кижи": "Кижи", "Карелия": "Карелия",
    "Куршская коса": "Куршская коса", "Каппадокия": "Каппадокия",
    "Нижний Новгород": "Нижний Новгород", "в Нижнем Новгороде": "Нижний Новгород",
    "Нижний": "Нижний Новгород", "Великий Новгород": "Великий Новгород",
    "Минеральные Воды": "Минеральные Воды", "Минводы": "Минеральные Воды",
    "Набережные Челны": "Набережные Челны", "Челны": "Набережные Челны",
    "Шарм-эль-Шейх": "Шарм-эль-Шейх", "Шарм": "Шарм-эль-Шейх", "Египет": "Египет",
}
# everyday words that are also a word of a place's name: a photo taken there is not
# one that shows them (a strong result explained by its place is counted as wrong)
EVERYDAY_WORDS = ("вода", "поляна", "красный", "великий", "набережная", "шейх")
DATED_QUERIES = {"Казань 2019": ("Казань", 2019), "Сочи 2019": ("Сочи", 2019),
                 "Сочи 2021": ("Сочи", 2021)}


def _rational(value: float) -> tuple:
    from PIL import TiffImagePlugin

    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = (value - d - m / 60) * 3600
    return (TiffImagePlugin.IFDRational(d, 1), TiffImagePlugin.IFDRational(m, 1),
            TiffImagePlugin.IFDRational(Fraction(s).limit_denominator(10000)))


def write_photo(src: Path, dst: Path, gps: dict | None, year: int | None) -> None:
    """A copy of a real photo with GPS (as a phone writes it) and a date taken."""
    from PIL import Image

    img = Image.open(src)
    exif = img.getexif()
    if gps is not None:
        exif[0x8825] = gps
    if year is not None:
        exif.get_ifd(0x8769)[0x9003] = f"{year}:07:14 12:00:00"
    img.save(dst, exif=exif, quality=90)


def gps_block(latitude: float, longitude: float) -> dict:
    return {1: "N" if latitude >= 0 else "S", 2: _rational(latitude),
            3: "E" if longitude >= 0 else "W", 4: _rational(longitude)}


def scatter(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    r, a = km * math.sqrt(rng.random()), rng.random() * 2 * math.pi
    return (lat + r * math.cos(a) / 111.0,
            lon + r * math.sin(a) / (111.0 * math.cos(math.radians(lat))))


def build(folder: Path, per_place: int) -> dict[str, dict]:
    """Writes the photos; returns path -> {"words": the place's words, "year": …}."""
    from PIL import TiffImagePlugin

    rng = random.Random(7)
    sources = sorted(COCO.glob("*.jpg"))
    rng.shuffle(sources)
    truth: dict[str, dict] = {}
    k = 0
    for n, (place, (lat, lon, km, words)) in enumerate(PLACES.items()):
        for j in range(per_place):
            year = (2019 if j % 2 == 0 else 2021) if place in DATED else None
            # a folder named for nothing: «sochi/» would be «Сочи» by its name
            dst = folder / f"trip{n:02d}" / f"IMG_{k:04d}.jpg"
            dst.parent.mkdir(parents=True, exist_ok=True)
            write_photo(sources[k % len(sources)], dst, gps_block(*scatter(rng, lat, lon, km)), year)
            truth[str(dst.resolve())] = {"words": words, "year": year}
            k += 1
    bad = {
        "no-gps": None,
        "zero": {1: "N", 2: (0, 0, 0), 3: "E", 4: (0, 0, 0)},
        "zero-denominator": {1: "N", 2: (TiffImagePlugin.IFDRational(1, 0), 0, 0),
                             3: "E", 4: (39, 0, 0)},
        "out-of-range": {1: "N", 2: (95, 0, 0), 3: "E", 4: (39, 0, 0)},
    }
    for kind, gps in bad.items():
        for _ in range(per_place):
            dst = folder / "unknown" / f"{kind}_{k:04d}.jpg"
            dst.parent.mkdir(parents=True, exist_ok=True)
            write_photo(sources[k % len(sources)], dst, gps, 2019)
            truth[str(dst.resolve())] = {"words": set(), "year": 2019}
            k += 1
    return truth


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photofinder", *args], capture_output=True,
                          text=True, cwd=REPO, check=False)


def strong_hits(index_dir: Path, query: str) -> list[dict]:
    proc = cli("search", query, "--index", str(index_dir), "--json", "--top", "1000")
    if proc.returncode != 0:
        raise SystemExit(f"search {query!r} failed: {proc.stderr.strip()}")
    return [hit for hit in json.loads(proc.stdout) if not hit.get("weak")]


def strong_paths(index_dir: Path, query: str) -> set[str]:
    return {hit["path"] for hit in strong_hits(index_dir, query)}


def by_place(hit: dict) -> bool:
    """A result its place's name makes strong: its best evidence is a place word."""
    return any((m.get("tag") or {}).get("label", "").startswith("place:")
               for m in hit.get("matches", [])[:1])


def geocoder_figures() -> None:
    import numpy as np

    from photofinder.places import load_places

    load_places()  # the cached copy exists after indexing
    t0 = time.perf_counter()
    table = load_places()
    load_s = time.perf_counter() - t0
    tracemalloc.start()  # a second load, measured apart: tracing slows it down
    load_places()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rng = np.random.default_rng(0)
    points = np.column_stack([rng.uniform(35, 65, 5000), rng.uniform(-10, 140, 5000)])
    t0 = time.perf_counter()
    for lat, lon in points:
        table.place_of(float(lat), float(lon))
    per = (time.perf_counter() - t0) / len(points)
    print(f"place table: {len(table.names):,} places, loaded in {load_s:.2f} s, "
          f"{peak / 2**20:.0f} MB at most while loading (tracemalloc)")
    print(f"lookups: {1 / per:,.0f} per second ({per * 1000:.2f} ms a photo), "
          f"over 5,000 random points in 35–65°N, 10°W–140°E")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-place", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep the temp folder and print it")
    args = ap.parse_args()
    if not COCO.is_dir():
        print(f"no coco-dev photos at {COCO}: nothing to measure")
        return 0
    work = Path(tempfile.mkdtemp(prefix="photofinder-places-"))
    try:
        photos, index_dir = work / "photos", work / "index"
        truth = build(photos, args.per_place)
        t0 = time.perf_counter()
        proc = cli("index", str(photos), "--index", str(index_dir))
        if proc.returncode != 0:
            raise SystemExit(f"index failed: {proc.stderr.strip()}")
        print(f"indexed {len(truth)} photos in {time.perf_counter() - t0:.1f} s "
              f"({sum(1 for t in truth.values() if t['words'])} with a place, the rest no, "
              "zero or broken GPS)")
        rows, tp_all, fp_all, fn_all = [], 0, 0, 0
        queries = {q: (word, None) for q, word in QUERIES.items()} | DATED_QUERIES
        for query, (word, year) in queries.items():
            relevant = {p for p, t in truth.items()
                        if word in t["words"] and (year is None or t["year"] == year)}
            found = strong_paths(index_dir, query)
            tp, fp, fn = len(found & relevant), len(found - relevant), len(relevant - found)
            tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            rows.append((query, len(relevant), precision, recall))
        print(f"{'query':<18} {'photos':>6} {'precision':>9} {'recall':>7}")
        for query, n, precision, recall in rows:
            mark = "" if precision >= 0.95 and recall >= 0.95 else "   <"
            print(f"{query:<18} {n:>6} {precision:>9.3f} {recall:>7.3f}{mark}")
        print(f"over all {len(rows)} queries: precision {tp_all / max(tp_all + fp_all, 1):.3f}, "
              f"recall {tp_all / max(tp_all + fn_all, 1):.3f}; "
              f"queries with both >= 0.95: {sum(p >= 0.95 and r >= 0.95 for _, _, p, r in rows)}"
              f" of {len(rows)}")
        wrong = {word: sum(by_place(hit) for hit in strong_hits(index_dir, word))
                 for word in EVERYDAY_WORDS}
        print("everyday words made strong by a place's name (should be 0): "
              + ", ".join(f"«{w}» {n}" for w, n in wrong.items())
              + f"; in all {sum(wrong.values())}")
        geocoder_figures()
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
