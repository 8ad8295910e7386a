"""Beyond tags: similar photos, duplicates, XMP keywords other tools read, the words
people already wrote (folders, file names, keywords in the file), dates. Real photos,
the real tagger, the real CLI; ExifTool as the independent reader of the sidecars."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from PIL import Image

from .conftest import run_cli, run_here, search_json

FAST = "efficientnet-lite0"


def _exiftool(*args: str) -> list[dict]:
    tool = shutil.which("exiftool")
    if tool is None:
        pytest.skip("ExifTool is not installed (Debian: libimage-exiftool-perl; .ci/run installs it)")
    proc = subprocess.run([tool, "-j", "-struct", *args], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


@pytest.fixture(scope="module")
def library(sample_photos, tmp_path_factory) -> tuple[Path, Path]:
    """Sample photos in named folders, copies of two of them, dated and keyworded photos."""
    root = tmp_path_factory.mktemp("library")
    wedding = root / "Свадьба Маши"
    trips = root / "Поездки" / "Сочи 2019"
    for folder in (wedding, trips):
        folder.mkdir(parents=True)
    shutil.copy(sample_photos / "chelsea.png", wedding / "IMG_0001.png")
    shutil.copy(sample_photos / "coffee.png", trips / "IMG_0002.png")
    shutil.copy(sample_photos / "rocket.jpg", root / "запуск ракеты.jpg")
    shutil.copy(sample_photos / "astronaut.png", root / "IMG_0003.png")
    shutil.copy(sample_photos / "motorcycle_left.png", root / "IMG_0004.png")
    # copies: resized, recompressed, re-saved as another format
    with Image.open(sample_photos / "chelsea.png") as img:
        img.convert("RGB").resize((img.width // 2, img.height // 2)).save(root / "cat small.jpg", quality=70)
    with Image.open(sample_photos / "astronaut.png") as img:
        img.convert("RGB").save(root / "astronaut copy.jpg", quality=60)
    # a photo with a date and keywords inside it, as a camera and digiKam leave them
    with Image.open(sample_photos / "coffee.png") as img:
        dated = img.convert("RGB")
    exif = dated.getexif()
    exif.get_ifd(0x8769)[0x9003] = "2021:12:24 09:15:00"
    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
           '"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>'
           '<rdf:li>Рождество</rdf:li></rdf:Bag></dc:subject></rdf:Description></rdf:RDF>'
           '</x:xmpmeta>')
    dated.save(root / "IMG_0005.jpg", exif=exif, xmp=xmp.encode("utf-8"), quality=92)
    # every file written in June 2020, so the date tests do not depend on today's date
    # (a photo without EXIF is dated by its file time)
    june_2020 = 1591963200  # 2020-06-12 12:00 UTC
    for photo in root.rglob("*.*"):
        os.utime(photo, (june_2020, june_2020))
    index_dir = tmp_path_factory.mktemp("library_index")
    run_here("index", str(root), "--index", str(index_dir), "--tagger", FAST, check=True)
    return root, index_dir


# --- words people wrote ------------------------------------------------------------------
def test_a_folder_word_finds_its_photo_and_says_so(library):
    root, index_dir = library
    hits = search_json(index_dir, "свадьба")
    assert Path(hits[0]["path"]).name == "IMG_0001.png"
    assert "папка: Свадьба Маши" in hits[0]["why"]
    assert Path(search_json(index_dir, "сочи")[0]["path"]).name == "IMG_0002.png"


def test_file_names_and_keywords_inside_the_photo_are_words_too(library):
    root, index_dir = library
    hits = search_json(index_dir, "запуск")  # no tag means it: only the file name says it
    assert [Path(h["path"]).name for h in hits] == ["запуск ракеты.jpg"]
    assert "имя файла: запуск ракеты" in hits[0]["why"]
    hits = search_json(index_dir, "рождество")
    assert Path(hits[0]["path"]).name == "IMG_0005.jpg"
    assert "ключевое слово: рождество" in hits[0]["why"]


@pytest.fixture(scope="module")
def occasions(sample_photos, tmp_path_factory) -> tuple[Path, Path]:
    """Folders named for an occasion, as people name them, and a keyword of two words."""
    root = tmp_path_factory.mktemp("occasions")
    new_year, birthday = root / "Новый год у бабушки", root / "2019" / "День рождения Саши"
    for folder in (new_year, birthday):
        folder.mkdir(parents=True)
    shutil.copy(sample_photos / "coffee.png", new_year / "IMG_0001.png")
    shutil.copy(sample_photos / "rocket.jpg", birthday / "IMG_0002.jpg")
    with Image.open(sample_photos / "astronaut.png") as img:
        golf = img.convert("RGB")
    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
           '"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>'
           '<rdf:li>Поле для гольфа</rdf:li></rdf:Bag></dc:subject></rdf:Description>'
           '</rdf:RDF></x:xmpmeta>')
    golf.save(root / "IMG_0003.jpg", xmp=xmp.encode("utf-8"), quality=92)
    # named in English and in transliteration, as people name folders too
    for folder, photo in (("Masha birthday", "motorcycle_left.png"), ("Sochi 2019", "camera.png"),
                          ("more photos", "coins.png")):
        (root / folder).mkdir()
        shutil.copy(sample_photos / photo, root / folder / f"IMG_{folder[:4]}{Path(photo).suffix}")
    index_dir = tmp_path_factory.mktemp("occasions_index")
    run_here("index", str(root), "--index", str(index_dir), "--tagger", FAST, check=True)
    return root, index_dir


@pytest.mark.parametrize("query, names, why", [
    ("новый год", {"IMG_0001.png"}, "новый год ← папка: Новый год у бабушки"),
    ("на Новый год", {"IMG_0001.png"}, "новый год ← папка: Новый год у бабушки"),
    ("день рождения", {"IMG_0002.jpg", "IMG_Mash.png"}, "день рождения ← папка: День рождения Саши"),
    ("поле для гольфа", {"IMG_0003.jpg"}, "поле для гольфа ← ключевое слово: поле для гольф"),
    # English and transliterated names: «birthday», «Masha», «Sochi»
    ("день рождения", {"IMG_0002.jpg", "IMG_Mash.png"}, "день рождения ← папка: Masha birthday"),
    ("Маша", {"IMG_Mash.png"}, "маша ← папка: Masha birthday"),
    ("Сочи", {"IMG_Soch.png"}, "сочи ← папка: Sochi 2019"),
])
def test_a_phrase_finds_the_folder_or_keyword_that_says_it(occasions, query, names, why):
    """«новый год», «день рождения» are one term each, which no single word of the folder
    «Новый год у бабушки» was: the folder found nothing. Nor did «Сочи» find `Sochi 2019`."""
    root, index_dir = occasions
    hits = [h for h in search_json(index_dir, query) if not h.get("weak")]
    assert {Path(h["path"]).name for h in hits} == names
    assert any(why in h["why"] for h in hits), [h["why"] for h in hits]


def test_an_english_word_is_not_read_as_a_russian_one(occasions):
    """`more photos` is no «море»: a Latin word is read as Russian only through the table
    of English words, or as a place's or a first name's transliteration."""
    root, index_dir = occasions
    assert not [h for h in search_json(index_dir, "море") if "папка" in h["why"]]


def test_a_folders_words_in_a_row_do_not_join_a_querys_words(occasions):
    """The folder's "год у бабушка" is a key, not a phrase a query is read by: «кошка
    собака» stays two words whatever a folder is called (only places' names are)."""
    from photofinder import index as index_store
    from photofinder.search import SearchEngine
    from photofinder.vectors import load_vectors
    from photofinder.vocabulary import load_vocabulary

    root, index_dir = occasions
    idx = index_store.load(index_dir)
    assert "folder:год у бабушка" in idx.word_labels
    engine = SearchEngine(idx, load_vocabulary(), lambda: load_vectors(idx.vectors))
    assert ("новый", "год") in engine.terms.phrases     # the vocabulary's own
    assert ("год", "у", "бабушка") not in engine.terms.phrases


def test_an_index_made_before_phrases_gains_them_on_the_next_run(occasions, tmp_path):
    """An older index (the folder words one by one) makes every photo's folder and file
    words again from its path on the next `photofinder index`, saying so once."""
    from photofinder import index as index_store

    root, index_dir = occasions
    old = tmp_path / "old"
    shutil.copytree(index_dir, old)
    idx = index_store.load(old)
    idx.set_words({i: [k for k in idx.words_of(i) if " " not in k] for i in range(len(idx))})
    idx.written = ""
    index_store.save(idx, old)
    assert [h for h in search_json(old, "новый год") if not h.get("weak")] == []
    proc = run_here("index", "--index", str(old), "--tagger", FAST, check=True)
    assert "слова папок и имён файлов составлены заново: 6 фото" in proc.stderr + proc.stdout
    assert "новых 0, изменённых 0, без изменений 6" in proc.stdout
    hits = [h for h in search_json(old, "новый год") if not h.get("weak")]
    assert [Path(h["path"]).name for h in hits] == ["IMG_0001.png"]
    again = run_here("index", "--index", str(old), "--tagger", FAST, check=True)
    assert "составлены заново" not in again.stderr + again.stdout


# --- dates --------------------------------------------------------------------------------
def test_a_year_or_a_month_filters_by_the_date_taken(library):
    root, index_dir = library
    dated = [Path(h["path"]).name for h in search_json(index_dir, "кофе 2021")]
    assert dated == ["IMG_0005.jpg"]
    assert [Path(h["path"]).name for h in search_json(index_dir, "декабрь")] == ["IMG_0005.jpg"]
    assert "24.12.2021 (EXIF)" in search_json(index_dir, "кофе в декабре")[0]["why"]
    assert search_json(index_dir, "кофе 1999") == []
    # photos without EXIF are dated by their file time
    june = {Path(h["path"]).name for h in search_json(index_dir, "июнь")}
    assert "IMG_0002.png" in june and "IMG_0005.jpg" not in june


def test_a_season_is_the_months_of_the_date_taken(library):
    """«летом», «осенний», «-лето»: the months of the date taken (Northern seasons); the
    adverb «зимой» too, while «зима» stays the look of snow (a scene word)."""
    root, index_dir = library
    summer = {Path(h["path"]).name for h in search_json(index_dir, "летом")}
    assert "IMG_0002.png" in summer and "IMG_0005.jpg" not in summer  # June 2020 / 24.12.2021
    winter = search_json(index_dir, "кофе зимой")
    assert [Path(h["path"]).name for h in winter if not h.get("weak")] == ["IMG_0005.jpg"]
    assert "24.12.2021 (EXIF)" in winter[0]["why"]
    assert [h for h in search_json(index_dir, "осенний кофе") if not h.get("weak")] == []
    names = {Path(h["path"]).name for h in search_json(index_dir, "кофе -лето")}
    assert "IMG_0005.jpg" in names and "IMG_0002.png" not in names


def test_a_season_does_not_rule_out_a_photo_with_no_date_taken(library):
    """The coffee copied without EXIF is dated June by its file, which says when it was
    copied, not taken: «кофе зимой» keeps it below the divider instead of dropping it (on
    a folder of downloaded photos «лес осенью» found nothing). A month named stays a
    filter by the file's time, and so does a season alone (it would list every photo)."""
    root, index_dir = library
    weak = [h for h in search_json(index_dir, "кофе зимой") if h.get("weak")]
    assert Path(weak[0]["path"]).name == "IMG_0002.png"
    assert "; дата съёмки неизвестна (у файла " in weak[0]["why"]  # its file: June 2020
    assert [Path(h["path"]).name for h in search_json(index_dir, "кофе в декабре")] == ["IMG_0005.jpg"]
    assert "IMG_0002.png" not in {Path(h["path"]).name for h in search_json(index_dir, "зимой")}


def test_a_span_of_years_is_every_year_in_it(library):
    """«2020-2021», «2020—2022», «с 2019 по 2020»: every year from the first to the last
    (read as two years, «2019—2021» left out 2020, and «2020-2021» was a word that nothing
    means): the coffee of 24.12.2021 (EXIF) and the one whose file is of June 2020. A day
    or a month written in figures is that day or month."""
    root, index_dir = library

    def coffee(query: str) -> set[str]:
        return {Path(h["path"]).name for h in search_json(index_dir, query) if not h.get("weak")}

    assert coffee("кофе 2020-2021") == {"IMG_0002.png", "IMG_0005.jpg"}
    assert coffee("кофе 2019—2021") == {"IMG_0002.png", "IMG_0005.jpg"}
    assert coffee("кофе 2021–2022") == {"IMG_0005.jpg"}
    assert coffee("кофе с 2019 по 2020 год") == {"IMG_0002.png"}
    assert coffee("кофе 2022-2024") == set()
    # a day or a month written in figures, months from one to another, «2020г»
    assert coffee("кофе 24.12.2021") == {"IMG_0005.jpg"}
    assert coffee("кофе 2021-12-24") == {"IMG_0005.jpg"}
    assert coffee("кофе 25.12.2021") == set()
    assert coffee("кофе 06.2020") == {"IMG_0002.png"}
    assert coffee("кофе май-июль") == {"IMG_0002.png"}
    assert coffee("кофе 2020г") == {"IMG_0002.png"}


@pytest.fixture(scope="module")
def last_and_this_year(sample_photos, tmp_path_factory) -> Path:
    """Two copies of the coffee with no EXIF date: one whose file is of the middle of last
    year, one of now (dates said from today, so the files are dated from today too)."""
    root = tmp_path_factory.mktemp("years")
    old, new = root / "old.png", root / "new.png"
    for photo in (old, new):
        shutil.copy(sample_photos / "coffee.png", photo)
    last_year = datetime(date.today().year - 1, 6, 15, 12).timestamp()
    os.utime(old, (last_year, last_year))
    index_dir = tmp_path_factory.mktemp("years_index")
    run_here("index", str(root), "--index", str(index_dir), "--tagger", FAST, check=True)
    return index_dir


def test_last_year_and_this_year_are_said_from_today(last_and_this_year):
    """«в прошлом году», «в этом году», «прошлогодний»: the years from today's date, like a
    year typed (the EXIF date, else the file's); the search says which days it took."""
    index_dir = last_and_this_year
    year = date.today().year

    def names(query: str) -> list[str]:
        return [Path(h["path"]).name for h in search_json(index_dir, query) if not h.get("weak")]

    assert names("кофе в прошлом году") == ["old.png"]
    assert names("прошлогодний кофе") == ["old.png"]
    assert names("кофе в этом году") == ["new.png"]
    assert names("кофе без прошлого года") == ["new.png"]
    # nothing of those days: said so, not «ничего не найдено; близкие слова: …»
    out = run_here("search", "кофе позавчера", "--index", str(index_dir), check=True).stdout
    assert "за эти даты ничего не найдено (без дат нашлось бы фото: " in out, out
    assert "близкие слова" not in out
    out = run_here("search", "кофе в прошлом году", "--index", str(index_dir), check=True).stdout
    assert f"снято с 01.01.{year - 1} по 31.12.{year - 1}" in out, out
    assert f"снято 15.06.{year - 1} (дата файла)" in out, out


def test_a_file_copied_in_the_season_is_not_taken_then(library):
    """The coffee with no EXIF date was copied in June: «кофе летом» must not call it
    taken in the summer (a folder copied in December is not a winter). It stays below the
    divider, as in any other month, with its file's date said as the file's; the EXIF
    coffee of December is no summer at all. «летом» alone still lists it by its file."""
    root, index_dir = library
    summer = search_json(index_dir, "кофе летом")
    assert [h for h in summer if not h.get("weak")] == []
    copied = next(h for h in summer if Path(h["path"]).name == "IMG_0002.png")
    assert "; дата съёмки неизвестна (у файла " in copied["why"]
    assert "(дата файла)" not in copied["why"]
    assert "IMG_0005.jpg" not in {Path(h["path"]).name for h in summer}
    assert "IMG_0002.png" in {Path(h["path"]).name for h in search_json(index_dir, "летом")}


def test_a_time_of_day_is_the_hour_the_camera_says(library):
    """«утром», «днём», «-утро»: the hours of the EXIF date (the coffee dated 24.12.2021
    09:15). With words an hour orders and hides nothing: the coffee with no EXIF date
    (its file says when it was copied) and a coffee taken at another hour stay below the
    divider, each saying why."""
    root, index_dir = library
    morning = search_json(index_dir, "кофе утром")
    assert [Path(h["path"]).name for h in morning if not h.get("weak")] == ["IMG_0005.jpg"]
    assert "снято 24.12.2021 09:15 (EXIF)" in morning[0]["why"]
    weak = [h for h in morning if h.get("weak")]
    assert Path(weak[0]["path"]).name == "IMG_0002.png"
    assert "; дата съёмки неизвестна (у файла " in weak[0]["why"]
    afternoon = search_json(index_dir, "кофе днём")
    assert [h for h in afternoon if not h.get("weak")] == []
    late = next(h for h in afternoon if Path(h["path"]).name == "IMG_0005.jpg")
    assert "снято 24.12.2021 09:15 (EXIF)" in late["why"]
    # alone, a time lists the photos the camera says were taken then: the coffee, and the
    # cat, whose PNG has no EXIF but an XMP photoshop:DateCreated of 09.02.2009 09:11
    # (scikit-image's file as shipped; before round thirty-three it had no date)
    assert [Path(h["path"]).name for h in search_json(index_dir, "утро")] == [
        "IMG_0005.jpg", "IMG_0001.png"]
    names = {Path(h["path"]).name for h in search_json(index_dir, "кофе кроме утра")}
    assert "IMG_0005.jpg" not in names and "IMG_0002.png" in names


def test_a_time_of_day_that_finds_nothing_says_the_others_have_no_clock(library):
    """«днём» alone finds nothing here (the two dated photos were taken in the morning);
    it says why: the other photos' time is unknown, not later in the day. It said only
    «ничего не найдено»."""
    import numpy as np

    from photofinder import index as index_store

    root, index_dir = library
    undated = int(np.sum(index_store.load(index_dir).taken <= 0))
    assert undated >= 5
    proc = run_here("search", "днём", "--index", str(index_dir))
    said = proc.stdout + proc.stderr
    assert (f"ничего не найдено: время суток известно только из EXIF, а у {undated} фото "
            "даты съёмки в нём нет") in said, said
    # a year with it, or words: the year's or the words' own notes, not this one
    assert "время суток" not in (lambda p: p.stdout + p.stderr)(
        run_here("search", "днём 2019", "--index", str(index_dir)))


def test_a_year_or_a_month_after_a_minus_leaves_those_photos_out(library):
    root, index_dir = library
    coffee = {Path(h["path"]).name for h in search_json(index_dir, "кофе")}
    assert {"IMG_0002.png", "IMG_0005.jpg"} <= coffee
    # unquoted, as a shell passes it: the minus reaches the query, not argparse
    for query in (["кофе", "-2021"], ["кофе -декабрь"]):
        proc = run_cli("search", *query, "--index", str(index_dir), "--json", check=True)
        names = {Path(h["path"]).name for h in json.loads(proc.stdout)}
        assert "IMG_0005.jpg" not in names and "IMG_0002.png" in names, query
        assert "неизвестно" not in proc.stderr
    assert run_cli("search", "-2021", "--index", str(index_dir)).returncode == 2


# --- similar photos -------------------------------------------------------------------------
def test_a_resized_copy_outside_the_index_finds_its_original_first(library, sample_photos, tmp_path):
    root, index_dir = library
    outside = tmp_path / "cat.jpg"
    with Image.open(sample_photos / "chelsea.png") as img:
        img.convert("RGB").resize((200, 150)).save(outside, quality=80)
    proc = run_cli("similar", str(outside), "--index", str(index_dir), "--json", check=True)
    hits = json.loads(proc.stdout)
    assert {Path(h["path"]).name for h in hits[:2]} == {"IMG_0001.png", "cat small.jpg"}
    assert set(hits[0]) == {"path", "score"}
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert "вычислены сейчас" in proc.stderr  # tagged on the fly, said once


def test_similar_to_a_photo_in_the_index_leaves_out_the_photo_itself(library):
    root, index_dir = library
    proc = run_cli("similar", str(root / "IMG_0003.png"), "--index", str(index_dir), "--top", "3",
                   check=True)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("похожие на") and "astronaut copy.jpg" in lines[1]
    assert all("IMG_0003.png" not in line for line in lines[1:])


# --- duplicates ------------------------------------------------------------------------------
def test_copies_are_grouped_and_unrelated_photos_are_not(library):
    root, index_dir = library
    proc = run_cli("duplicates", "--index", str(index_dir), "--json", check=True)
    groups = [sorted(Path(p).name for p in g["photos"]) for g in json.loads(proc.stdout)]
    # IMG_0005.jpg is the coffee photo re-saved as a JPEG with a date and a keyword
    assert sorted(groups) == [["IMG_0001.png", "cat small.jpg"], ["IMG_0002.png", "IMG_0005.jpg"],
                              ["IMG_0003.png", "astronaut copy.jpg"]]
    text = run_cli("duplicates", "--index", str(index_dir), check=True).stdout
    assert "групп почти одинаковых фото: 3" in text


# --- XMP sidecars ------------------------------------------------------------------------------
EXISTING_SIDECAR = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:Rating="4">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Челси на диване</rdf:li></rdf:Alt></dc:title>
   <dc:subject><rdf:Bag><rdf:li>семья</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def test_xmp_keywords_are_merged_into_sidecars_other_tools_read(sample_photos, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("chelsea.png", "coffee.png", "rocket.jpg", "coins.png"):
        shutil.copy(sample_photos / name, photos / name)
    shutil.copy(sample_photos / "coffee.png", photos / "rocket.png")  # same stem as rocket.jpg
    (photos / "chelsea.png.xmp").write_text(EXISTING_SIDECAR, encoding="utf-8")
    index_dir = tmp_path / "ix"
    run_here("index", str(photos), "--index", str(index_dir), "--tagger", FAST, check=True)
    photo_bytes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                   for p in photos.iterdir() if p.suffix != ".xmp"}

    dry = run_cli("export", "--xmp", "--index", str(index_dir), "--dry-run", check=True)
    assert "ничего не записано" in dry.stdout
    assert sorted(p.name for p in photos.glob("*.xmp")) == ["chelsea.png.xmp"]

    run_cli("export", "--xmp", "--index", str(index_dir), check=True)
    # an existing sidecar (IMG.ext.xmp) is used; a new one is IMG.xmp, or IMG.ext.xmp
    # where two photos share a stem
    assert sorted(p.name for p in photos.glob("*.xmp")) == [
        "chelsea.png.xmp", "coffee.xmp", "coins.xmp", "rocket.jpg.xmp", "rocket.png.xmp"]
    [chelsea] = _exiftool(str(photos / "chelsea.png.xmp"))
    subjects = _as_list(chelsea.get("Subject"))
    assert chelsea["Rating"] == 4 and chelsea["Title"] == "Челси на диване"  # kept
    assert "семья" in subjects                                               # kept
    assert any("кошка" in s for s in subjects), subjects                     # ours
    tree = _as_list(chelsea.get("HierarchicalSubject"))
    assert any(h.startswith("животное|") for h in tree)
    # a cat is a pet and a mammal, two chains: a pet is no kind of mammal (a goldfish)
    assert any(h.startswith("животное|домашнее животное|питомец|кошка|") for h in tree), tree
    assert any(h.startswith("животное|млекопитающее|") for h in tree), tree
    assert not any("млекопитающее|домашнее животное" in h for h in tree), tree
    [coffee] = _exiftool(str(photos / "coffee.xmp"))
    assert "эспрессо" in _as_list(coffee.get("Subject"))
    # a colour tag is the photo's, not a thing's: no keyword; black and white is one
    assert "красный" not in _as_list(coffee.get("Subject"))
    [coins] = _exiftool(str(photos / "coins.xmp"))
    assert "черно-белый" in _as_list(coins.get("Subject"))
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in photos.iterdir() if p.suffix != ".xmp"} == photo_bytes  # photos untouched

    # a re-run replaces only our own keywords: the user's stay, ours are not doubled
    again = run_cli("export", "--xmp", "--index", str(index_dir), check=True)
    assert "без изменений 5" in again.stdout
    [chelsea_again] = _exiftool(str(photos / "chelsea.png.xmp"))
    assert sorted(_as_list(chelsea_again["Subject"])) == sorted(subjects)


# the layout photofinder <= 0.2.0 left after merging into an ExifTool sidecar: the
# property twice, which ExifTool reports as "Duplicate XMP property" and will not edit
BROKEN_BY_AN_OLDER_MERGE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:lr="http://ns.adobe.com/lightroom/1.0/">
  <lr:hierarchicalSubject><rdf:Bag><rdf:li>люди|Гагарин</rdf:li></rdf:Bag></lr:hierarchicalSubject>
 </rdf:Description>
 <rdf:Description rdf:about="" xmlns:lr="http://ns.adobe.com/lightroom/1.0/">
  <lr:hierarchicalSubject><rdf:Bag><rdf:li>космос|скафандр</rdf:li></rdf:Bag></lr:hierarchicalSubject>
 </rdf:Description>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def test_xmp_merges_into_exiftool_sidecars_links_and_long_names(sample_photos, tmp_path):
    """A sidecar ExifTool wrote (one rdf:Description per namespace) gets our keywords in
    its own lr:hierarchicalSubject, and ExifTool still reads and edits it; a sidecar that
    is a symlink stays one; photo names of 242-255 bytes get their sidecar too."""
    tool = shutil.which("exiftool")
    if tool is None:
        pytest.skip("ExifTool is not installed (Debian: libimage-exiftool-perl; .ci/run installs it)")
    photos, elsewhere = tmp_path / "photos", tmp_path / "synced"
    photos.mkdir()
    elsewhere.mkdir()
    shutil.copy(sample_photos / "coffee.png", photos / "coffee.png")
    shutil.copy(sample_photos / "chelsea.png", photos / "chelsea.png")
    shutil.copy(sample_photos / "astronaut.png", photos / "astronaut.png")
    long_names = ["р" * 121 + ".jpg", "р" * 125 + "x.jpg"]  # 246 and 255 bytes
    for name in long_names:
        shutil.copy(sample_photos / "rocket.jpg", photos / name)
    subprocess.run([tool, "-q", "-o", str(photos / "coffee.xmp"), "-XMP-dc:Subject=утро",
                    "-XMP-lr:HierarchicalSubject=время|утро", "-XMP-xmp:Rating=3"], check=True)
    (elsewhere / "chelsea.xmp").write_text(EXISTING_SIDECAR, encoding="utf-8")
    (photos / "chelsea.xmp").symlink_to(elsewhere / "chelsea.xmp")
    (photos / "astronaut.xmp").write_text(BROKEN_BY_AN_OLDER_MERGE, encoding="utf-8")
    index_dir = tmp_path / "ix"
    run_here("index", str(photos), "--index", str(index_dir), "--tagger", FAST, check=True)

    proc = run_cli("export", "--xmp", "--index", str(index_dir), check=True)
    assert "пропущено 0" in proc.stdout, proc.stdout + proc.stderr

    [coffee] = _exiftool(str(photos / "coffee.xmp"))
    assert coffee["Rating"] == 3 and "утро" in _as_list(coffee["Subject"])
    tree = _as_list(coffee["HierarchicalSubject"])
    assert "время|утро" in tree and any(h.endswith("|эспрессо") for h in tree), tree
    for sidecar in ("coffee.xmp", "astronaut.xmp"):   # ExifTool edits it: nothing duplicated
        edit = subprocess.run([tool, "-overwrite_original", "-XMP-dc:Subject+=Дача",
                               str(photos / sidecar)], capture_output=True, text=True)
        assert edit.returncode == 0 and "Duplicate" not in edit.stderr, edit.stderr
        assert "Дача" in _as_list(_exiftool(str(photos / sidecar))[0]["Subject"])
    [astronaut] = _exiftool(str(photos / "astronaut.xmp"))
    assert {"люди|Гагарин", "космос|скафандр"} <= set(_as_list(astronaut["HierarchicalSubject"]))

    assert (photos / "chelsea.xmp").is_symlink()                  # the link stays a link
    [chelsea] = _exiftool(str(elsewhere / "chelsea.xmp"))         # its target got ours
    assert "семья" in _as_list(chelsea["Subject"])
    assert any("кошка" in s for s in _as_list(chelsea["Subject"]))

    for name in long_names:
        sidecar = photos / (name[:-4] + ".xmp")
        assert len(os.fsencode(sidecar.name)) == len(os.fsencode(name))
        assert _as_list(_exiftool(str(sidecar))[0].get("Subject")), name
    assert not list(photos.glob(".*.tmp")) and not list(elsewhere.glob(".*.tmp"))
