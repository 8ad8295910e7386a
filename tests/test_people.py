"""People by name, end to end through the real CLI: real LFW photos (faces-dev), the
real tagger and face models, a real index on disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from photofinder.index import TERM_DTYPES
from tests.conftest import TAGGER, run_cli, run_here, search_json

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FACES_DEV = DATA / "faces-dev" / "photos"
LION = DATA / "imagenet-samples" / "n02129165_lion.JPEG"
SEA = DATA / "imagenet-samples" / "n09428293_seashore.JPEG"
PEOPLE = {"Al_Gore": 4, "Sophia_Loren": 4, "Hugh_Grant": 4}
STRANGERS = ("other__1.jpg", "other__2.jpg")


def _faces_or_skip() -> None:
    from photofinder.faces import faces_available

    if not faces_available():
        pytest.skip("dlib-bin / face-recognition-models are not installed")
    if not FACES_DEV.is_dir() or not LION.is_file():
        pytest.skip(f"no faces-dev or imagenet-samples photos under {DATA}")


def _copy_photos(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for person, count in PEOPLE.items():
        for k in range(1, count + 1):
            shutil.copy(FACES_DEV / f"{person}__{k}.jpg", folder)
    for name in STRANGERS:
        shutil.copy(FACES_DEV / name, folder)
    shutil.copy(LION, folder)
    shutil.copy(SEA, folder)
    return folder


@pytest.fixture(scope="module")
def people_index(tmp_path_factory) -> tuple[Path, Path]:
    """(photos, index) indexed once; tests that change names work on copies."""
    _faces_or_skip()
    root = tmp_path_factory.mktemp("people")
    photos = _copy_photos(root / "photos")
    index = root / "index"
    proc = run_here("index", str(photos), "--index", str(index), "--tagger", TAGGER, check=True)
    assert "лица: найдено" in proc.stdout
    return photos, index


def _copy_index(index: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    return copy


def _people(index: Path) -> list[dict]:
    return json.loads(run_here("people", "--index", str(index), "--json", check=True).stdout)


def _names(hits: list[dict]) -> list[str]:
    return [Path(h["path"]).name for h in hits]


def test_index_groups_each_person_and_never_mixes(people_index):
    _, index = people_index
    people = _people(index)
    assert all(p["name"] is None for p in people)
    for person in people:
        owners = {Path(s).name.split("__")[0] for s in person["samples"]}
        assert len(owners) == 1, f"a group mixes people: {person['samples']}"
    # each of the three people has a group holding at least three of their four photos
    for name in PEOPLE:
        assert any(p["photos"] >= 3 and Path(p["samples"][0]).name.startswith(name)
                   for p in people), name


def test_name_a_photo_then_search_the_name_in_two_cases(people_index, tmp_path):
    photos, shared = people_index
    index = _copy_index(shared, tmp_path)
    proc = run_cli("people", "--index", str(index), "name", str(photos / "Al_Gore__1.jpg"),
                   "Маша", check=True)
    assert "Маша" in proc.stdout
    run_cli("people", "name", str(photos / "Hugh_Grant__1.jpg"), "Борис",  # --index last
            "--index", str(index), check=True)
    for query in ("Маша", "с Машей", "Маши"):
        hits = search_json(index, query, "--top", "5")
        strong = [h for h in hits if not h.get("weak")]
        assert len(strong) >= 3, query
        assert all(n.startswith("Al_Gore") for n in _names(strong)), (query, _names(hits))
        assert strong[0]["why"].startswith("Маша: лицо, сходство 0.")
    hits = search_json(index, "Бориса", "--top", "4")
    assert all(n.startswith("Hugh_Grant") for n in _names(hits)[:3])
    named = {p["name"]: p for p in _people(index) if p["name"]}
    assert set(named) == {"Маша", "Борис"} and named["Маша"]["photos"] >= 3
    # an unnamed person is not reached by a made-up word
    proc = run_here("search", "Софи", "--index", str(index), "--json")
    assert not any("Sophia" in h["path"] for h in json.loads(proc.stdout or "[]"))


def test_a_name_combines_with_other_words_and_outranks_a_class(people_index, tmp_path):
    photos, shared = people_index
    index = _copy_index(shared, tmp_path)
    run_cli("people", "--index", str(index), "name", str(photos / "Hugh_Grant__1.jpg"), "Лев",
            check=True)
    hits = search_json(index, "лев", "--top", "20")
    names = _names(hits)
    assert all(n.startswith("Hugh_Grant") for n in names[:3])
    assert LION.name in names  # the lion class stays, after the person
    assert names.index(LION.name) > max(i for i, n in enumerate(names) if n.startswith("Hugh"))
    run_cli("people", "--index", str(index), "name", str(photos / "Al_Gore__2.jpg"), "Маша",
            check=True)
    hits = search_json(index, "Маша Лев", "--top", "8")
    # nobody is in a photo with both: each person's photos still come before anything else
    assert {n.split("__")[0] for n in _names(hits)[:6]} == {"Al_Gore", "Hugh_Grant"}
    # «Маша море» with no photo of her at the sea: her photos before the sea without her
    names = _names(search_json(index, "Маша море", "--top", "8"))
    assert SEA.name in names
    assert all(n.startswith("Al_Gore") for n in names[:names.index(SEA.name)])
    assert names.index(SEA.name) >= 3


def test_rename_merge_remove_and_forget(people_index, tmp_path):
    photos, shared = people_index
    index = _copy_index(shared, tmp_path)
    run_cli("people", "--index", str(index), "name", str(photos / "Sophia_Loren__1.jpg"),
            "Софи", check=True)
    sophie = next(p for p in _people(index) if p["name"] == "Софи")
    run_cli("people", "--index", str(index), "rename", str(sophie["id"]), "Софья", check=True)
    assert [p["name"] for p in _people(index) if p["id"] == sophie["id"]] == ["Софья"]
    assert search_json(index, "Софьи", "--top", "3")
    # merge the Al Gore group into Софья's: every photo of both under her name
    gore = next(p for p in _people(index) if Path(p["samples"][0]).name.startswith("Al_Gore"))
    run_cli("people", "--index", str(index), "merge", str(gore["id"]), str(sophie["id"]),
            check=True)
    merged = next(p for p in _people(index) if p["id"] == sophie["id"])
    assert merged["photos"] == sophie["photos"] + gore["photos"]
    # take one photo's face back out: it no longer answers the name
    wrong = photos / "Al_Gore__1.jpg"
    run_cli("people", "--index", str(index), "remove", str(wrong), check=True)
    assert wrong.name not in _names(search_json(index, "Софья", "--top", "20"))
    # forget: no faces, no people, the name is an unknown word again; photos all stay
    proc = run_cli("people", "--index", str(index), "forget", check=True)
    assert "удалено лиц" in proc.stdout
    assert _people(index) == []
    assert not search_json(index, "Софья", "--top", "5")
    proc = run_cli("index", "--index", str(index), check=True)  # stays off after forget
    assert "лица: найдено" not in proc.stdout and _people(index) == []
    assert len(search_json(index, "лев", "--top", "40")) >= 1


def test_people_errors_are_one_line(people_index, tmp_path):
    photos, shared = people_index
    index = _copy_index(shared, tmp_path)
    cases = [
        (("name", "9999", "Маша"), "нет человека с номером 9999"),
        (("name", str(photos / LION.name), "Маша"), "на фото не найдено лиц"),
        (("name", str(tmp_path / "elsewhere.jpg"), "Маша"), "фото нет в индексе"),
        (("name", str(photos / "Al_Gore__1.jpg"), "Маша", "--face", "5"), "--face от 1 до"),
        (("merge", "9998", "9999"), "нет человека с номером"),
    ]
    for args, message in cases:
        proc = run_cli("people", "--index", str(index), *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert "Traceback" not in proc.stderr


def test_an_index_before_faces_gets_them_on_the_next_run_and_keeps_every_photo(
        people_index, tmp_path):
    _, shared = people_index
    index = _copy_index(shared, tmp_path)
    meta = json.loads((index / "index.json").read_text())
    for name in [n for n in meta["files"] if n.startswith("face_") or n in TERM_DTYPES]:
        (index / meta["files"].pop(name)["file"]).unlink()   # format 4 had no face arrays ...
    del meta["faces"], meta["term_lists"]           # ... nor faces (nor format 6's term lists)
    meta["version"] = 4
    (index / "index.json").write_text(json.dumps(meta, ensure_ascii=False))
    photos_before = len(search_json(index, "человек", "--top", "100"))
    assert _people(index) == []                # read as format 3: no faces yet
    proc = run_cli("index", "--index", str(index), check=True)
    assert "без изменений 16" in proc.stdout and "лица: найдено" in proc.stdout
    assert len(_people(index)) >= 3
    assert json.loads((index / "index.json").read_text())["version"] == 6
    assert len(search_json(index, "человек", "--top", "100")) == photos_before
    proc = run_cli("index", "--index", str(index), "--no-faces", check=True)
    assert "лица: найдено" not in proc.stdout and len(_people(index)) >= 3


def test_export_carries_faces_and_xmp_names_them_for_exiftool(people_index, tmp_path):
    """Last in this file: it writes sidecars beside the shared photos."""
    import subprocess

    photos, shared = people_index
    index = _copy_index(shared, tmp_path)
    run_cli("people", "--index", str(index), "name", str(photos / "Al_Gore__1.jpg"), "Маша",
            check=True)
    out = tmp_path / "tags.json"
    run_cli("export", "--index", str(index), "--out", str(out), check=True)
    doc = json.loads(out.read_text())
    by_name = {Path(p["path"]).name: p for p in doc["photos"]}
    face = by_name["Al_Gore__1.jpg"]["faces"][0]
    assert face["name"] == "Маша" and 0.2 < face["box"][0] < face["box"][2] < 0.8
    assert by_name[LION.name]["faces"] == []
    # a face is its box and person: its vector never leaves the index
    assert {tuple(sorted(f)) for p in doc["photos"] for f in p["faces"]} == {
        ("box", "name", "person")}
    jsonschema = pytest.importorskip("jsonschema")
    from photofinder.export import EXPORT_SCHEMA

    schema = json.loads((Path(__file__).resolve().parents[1] / "photofinder" / "data"
                         / EXPORT_SCHEMA).read_text())
    jsonschema.validate(doc, schema)

    if shutil.which("exiftool") is None:
        pytest.skip("exiftool is not installed (apt install libimage-exiftool-perl)")
    sidecar = photos / "Al_Gore__2.xmp"   # a sidecar another tool wrote first
    sidecar.write_text(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">'
        '<xmp:Rating>4</xmp:Rating><Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Дед</rdf:li>'
        '</rdf:Bag></Iptc4xmpExt:PersonInImage></rdf:Description></rdf:RDF></x:xmpmeta>',
        encoding="utf-8")
    for _ in range(2):  # the second run changes nothing
        run_cli("export", "--index", str(index), "--xmp", check=True)

    def exiftool(path: Path) -> dict:
        proc = subprocess.run(["exiftool", "-j", "-struct", "-XMP:all", str(path)],
                              capture_output=True, text=True, check=True)
        return json.loads(proc.stdout)[0]

    read = exiftool(sidecar)
    assert read["Rating"] == 4
    assert read["PersonInImage"] == ["Дед", "Маша"]
    regions = read["RegionInfo"]["RegionList"]
    assert [(r["Name"], r["Type"]) for r in regions] == [("Маша", "Face")]
    assert regions[0]["Area"]["Unit"] == "normalized" and 0.3 < regions[0]["Area"]["X"] < 0.7
    stranger = exiftool(photos / "other__1.xmp") if (photos / "other__1.xmp").exists() else {}
    assert "RegionInfo" not in stranger and "PersonInImage" not in stranger
