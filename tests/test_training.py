"""The training tools that are not the package: gather.py rebuilds photos from a manifest
with git; the scene head's per-source balancing."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

TRAINING = Path(__file__).resolve().parents[1] / "training"
sys.path.insert(0, str(TRAINING))


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def mirror(tmp_path) -> tuple[Path, str]:
    """A local repository laid out as fetched ones are: <mirror>/<owner>+<name>/repo."""
    repo = tmp_path / "mirror" / "someone+lakes" / "repo"
    (repo / "data" / "lake").mkdir(parents=True)
    Image.new("RGB", (800, 400), (20, 90, 160)).save(repo / "data" / "lake" / "a.jpg")
    Image.new("RGB", (120, 300), (30, 120, 40)).save(repo / "data" / "lake" / "b.png")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "photos")
    commit = _git(repo, "rev-parse", "HEAD")
    # a later commit changes a photo: the manifest's commit is what is rebuilt
    Image.new("RGB", (800, 400), (255, 0, 0)).save(repo / "data" / "lake" / "a.jpg")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "changed")
    return tmp_path / "mirror", commit


def _manifest(path: Path, commit: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["repo", "commit", "path", "licence", "source", "label"])
        w.writerow(["someone/lakes", commit, "data/lake/a.jpg", "MIT", "lakes", "lake"])
        w.writerow(["someone/lakes", commit, "data/lake/b.png", "MIT", "lakes", "lake"])
    return path


def test_gather_rebuilds_small_photos_of_the_manifest_commit(mirror, tmp_path):
    mirror_dir, commit = mirror
    out = tmp_path / "gathered"
    proc = subprocess.run([sys.executable, str(TRAINING / "gather.py"), "--manifest",
                           str(_manifest(tmp_path / "m.csv", commit)), "--out", str(out),
                           "--mirror", str(mirror_dir), "--max-side", "256"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    photos = sorted((out / "lakes" / "lake").iterdir())
    assert [p.name for p in photos] == ["data__lake__a.jpg", "data__lake__b.jpg"]
    with Image.open(photos[0]) as a, Image.open(photos[1]) as b:
        assert a.format == "JPEG" and a.size == (256, 128) and b.size == (102, 256)
        assert a.getpixel((128, 64))[2] > 120   # the blue of the manifest's commit, not the red
    assert "2 written" in proc.stdout


def test_gather_writes_a_phone_photo_stored_sideways_upright(tmp_path):
    # A phone stores a portrait photo as a landscape frame with an EXIF orientation of 6
    # (turn it 90° clockwise). The gathered copy keeps no EXIF: written as stored, 91 of
    # the manifest's photos (a campus walk, bonfires, a sculpture trail) were sideways.
    repo = tmp_path / "mirror" / "someone+walk" / "repo"
    repo.mkdir(parents=True)
    stored = Image.new("RGB", (400, 300), (200, 200, 200))
    stored.paste((30, 120, 40), (0, 0, 100, 300))   # green along the stored frame's left edge
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(repo / "IMG_0001.jpg", exif=exif)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "walk")
    manifest = tmp_path / "m.csv"
    manifest.write_text("repo,commit,path,licence,source,label\n"
                        f"someone/walk,{_git(repo, 'rev-parse', 'HEAD')},IMG_0001.jpg,MIT,walk,campus\n",
                        encoding="utf-8")
    out = tmp_path / "gathered"
    proc = subprocess.run([sys.executable, str(TRAINING / "gather.py"), "--manifest", str(manifest),
                           "--out", str(out), "--mirror", str(tmp_path / "mirror"), "--max-side", "256"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with Image.open(out / "walk" / "campus" / "IMG_0001.jpg") as photo:
        assert photo.size == (192, 256)                 # upright: a portrait
        assert photo.getpixel((96, 10))[1] > 100        # the stored left edge is now the top
        assert photo.getpixel((96, 250))[1] < 220 and photo.getpixel((96, 250))[0] > 150


def test_gather_keeps_two_photos_whose_names_differ_only_in_extension(mirror, tmp_path):
    # vietnamese-landmark-classifier holds "sapa_rice_terrace (1).jpg" and "(1).png": both
    # were written as one JPEG name and the second photo was silently not gathered
    mirror_dir, commit = mirror
    repo = mirror_dir / "someone+lakes" / "repo"
    Image.new("RGB", (64, 64), (200, 200, 0)).save(repo / "data" / "lake" / "a.png")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a png")
    head = _git(repo, "rev-parse", "HEAD")
    manifest = tmp_path / "m.csv"
    with manifest.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["repo", "commit", "path", "licence", "source", "label"])
        w.writerow(["someone/lakes", head, "data/lake/a.jpg", "MIT", "lakes", "lake"])
        w.writerow(["someone/lakes", head, "data/lake/a.png", "MIT", "lakes", "lake"])
    out = tmp_path / "gathered"
    command = [sys.executable, str(TRAINING / "gather.py"), "--manifest", str(manifest),
               "--out", str(out), "--mirror", str(mirror_dir)]
    proc = subprocess.run(command, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    photos = sorted((out / "lakes" / "lake").iterdir())
    assert [p.name for p in photos] == ["data__lake__a.jpg", "data__lake__a_png.jpg"]
    with Image.open(photos[1]) as png:
        assert png.getpixel((10, 10))[2] < 60   # the yellow PNG, not the red JPEG again
    assert "2 written" in proc.stdout
    # a second run finds both written: nothing again, nothing lost
    again = subprocess.run(command, capture_output=True, text=True)
    assert "0 written" in again.stdout and len(list((out / "lakes" / "lake").iterdir())) == 2


def test_gather_names_three_people_s_images_snowman_jpg_apart_in_one_pooled_folder():
    # a pooled folder (snowman_blogs) holds many people's `snowman.jpg`: the third one was
    # written over the second, so the folder had fewer photos than its manifest rows
    from gather import out_names

    rows = [{"repo": f"{owner}/site", "path": path, "source": "snowman_blogs", "label": "snowman"}
            for owner, path in [("ann", "snowman.jpg"), ("bob", "snowman.jpg"),
                                ("cid", "snowman.jpg"), ("cid", "snowman.jpg"), ("dan", "a/b.jpg")]]
    names = out_names(rows)
    assert names[0] == "snowman.jpg" and names[1] == "snowman_jpg.jpg" and names[4] == "a__b.jpg"
    assert len(set(names)) == len(names) == 5


def test_gather_refuses_a_manifest_with_another_header(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("repo,path,label\nx/y,a.jpg,lake\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(TRAINING / "gather.py"), "--manifest", str(bad),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode != 0 and "header" in proc.stderr
    assert not (tmp_path / "o").exists()


LABELS = [{"key": "coast", "sources": ["a/coast", "b/coast"]},
          {"key": "fog", "sources": ["c/fog"]}]


def test_folder_balancing_gives_every_folder_the_same_weight():
    from train_heads import balance_weights

    folders = np.array(["a/coast"] * 6 + ["b/coast"] * 2 + ["c/fog"] * 4)
    w = balance_weights(folders, LABELS, "folder")
    totals = {f: w[folders == f].sum() for f in set(folders)}
    assert np.allclose(list(totals.values()), totals["c/fog"]) and np.isclose(w.mean(), 1)
    assert balance_weights(folders, LABELS, "none") is None


def test_label_balancing_gives_every_label_the_same_weight_shared_by_its_folders():
    from train_heads import balance_weights

    folders = np.array(["a/coast"] * 6 + ["b/coast"] * 2 + ["c/fog"] * 4)
    w = balance_weights(folders, LABELS, "label")
    coast = w[:8].sum()
    assert np.isclose(coast, w[8:].sum())                     # coast == fog
    assert np.isclose(w[:6].sum(), w[6:8].sum())              # a/coast == b/coast


def test_the_close_up_class_weighs_less_than_a_place():
    # close-ups (a dish, a cat's face) are the softmax's home for photos no place fits; at a
    # full label's weight they also took the office around a desk, the market around its fruit
    import train_heads
    from train_heads import CLOSE_UP_WEIGHT, CLOSE_UPS, balance_weights, scene_targets

    folders = np.array(["a/coast"] * 4 + ["c/fog"] * 4 + [CLOSE_UPS[0]] * 5 + [CLOSE_UPS[1]] * 3)
    y, keys = scene_targets(folders, LABELS)
    assert keys[y[-1]] == "close_up" and "close_up" in train_heads.TRAINING_ONLY.values()
    w = balance_weights(folders, LABELS, "label")
    assert 0 < CLOSE_UP_WEIGHT < 1
    assert np.isclose(w[8:].sum(), CLOSE_UP_WEIGHT * w[:4].sum())  # a share of the coast's
    assert np.isclose(w[8:13].sum(), w[13:].sum())                  # its sources alike
    assert np.isclose(w.mean(), 1)



def test_a_folder_gathered_later_moves_no_other_folders_held_out_photos():
    # the held-out fifth is what the benchmarks search: a new folder sorting before
    # others («miniplaces» before «moonphase») must leave their split as it was, or
    # photos the heads trained on would turn up among the held-out ones
    from train_heads import holdout_mask

    before = np.array(["aaa/x"] * 10 + ["zzz/moon"] * 30)
    after = np.array(["aaa/x"] * 10 + ["mmm/new"] * 25 + ["zzz/moon"] * 30)
    held_before = holdout_mask(before, 0, per_group=True)
    held_after = holdout_mask(after, 0, per_group=True)
    assert (held_before[before == "zzz/moon"] == held_after[after == "zzz/moon"]).all()
    assert held_after[after == "mmm/new"].sum() == 5 and held_before.sum() == 2 + 6
    # one stream through every group (scenes-train's split, which tests name) does move
    moved = holdout_mask(after, 0)[after == "zzz/moon"] != holdout_mask(before, 0)[before == "zzz/moon"]
    assert moved.any()

def test_hand_labels_make_a_cloudy_coast_a_clouds_photo_and_its_unjudged_neighbours_unknown():
    from train_heads import attribute_targets

    files = np.array(["s/mp/coast/1.jpg", "s/mp/coast/2.jpg", "s/mp/coast/3.jpg", "s/mp/coast/4.jpg",
                      "s/mp/kitchen/5.jpg", "s/cc/Cu/6.jpg", "s/cc/Cu/7.jpg"])
    folders = np.array(["/".join(f.split("/")[1:3]) for f in files])
    hand = {"s/mp/coast/1.jpg": {"sky": "C", "snow": "", "fog": "", "water": ""},
            "s/mp/coast/2.jpg": {"sky": "K", "snow": "S", "fog": "", "water": "LB"},
            "s/mp/coast/3.jpg": {"sky": "?", "snow": "", "fog": "", "water": "?"},
            "s/cc/Cu/6.jpg": {"sky": "N", "snow": "", "fog": "", "water": ""}}
    clouds = {"key": "clouds", "sources": ["cc/Cu"]}
    # judged cloudy: positive; clear: negative; unsure and the unjudged coast: unknown (-1);
    # the kitchen's folder was not judged: negative; a clouds folder stays positive
    assert attribute_targets(files, folders, clouds, hand).tolist() == [1, 0, -1, -1, 0, 1, 1]
    assert attribute_targets(files, folders, clouds, hand, unlabelled_unknown=False).tolist() == [
        1, 0, -1, 0, 0, 1, 1]
    snow = {"key": "snow", "sources": []}
    assert attribute_targets(files, folders, snow, hand).tolist() == [0, 1, 0, -1, 0, 0, -1]
    lake = {"key": "lake", "sources": []}               # judged only: "?" is unsure which water
    assert attribute_targets(files, folders, lake, hand).tolist() == [0, 1, -1, -1, 0, 0, -1]
    rain = {"key": "rain", "sources": ["mp/kitchen"]}   # not judged by hand: its folders only
    assert attribute_targets(files, folders, rain, hand).tolist() == [0, 0, 0, 0, 1, 0, 0]
    assert attribute_targets(files, folders, clouds, {}).tolist() == [0, 0, 0, 0, 0, 1, 1]


def test_a_sunset_judged_in_another_folder_is_a_sunset_and_dusk_is_not():
    from train_heads import attribute_targets

    files = np.array(["s/mp/lighthouse/1.jpg", "s/mp/lighthouse/2.jpg", "s/mp/lighthouse/3.jpg",
                      "s/mp/lighthouse/4.jpg", "s/ss/sunset/5.jpg", "s/ss/sunset/6.jpg"])
    folders = np.array(["/".join(f.split("/")[1:3]) for f in files])
    hand = {"s/mp/lighthouse/1.jpg": {"light": "U"}, "s/mp/lighthouse/2.jpg": {"light": "D"},
            "s/mp/lighthouse/3.jpg": {"light": "?"}, "s/ss/sunset/5.jpg": {"light": ""}}
    sunset = {"key": "sunset", "sources": ["ss/sunset"]}
    # the low sun judged in a lighthouse photo: positive; dusk: negative; unsure and the
    # unjudged lighthouse: unknown; a sunset folder's photo stays positive even where the
    # judge saw no low sun (a drawing of one), like the snow folders
    assert attribute_targets(files, folders, sunset, hand).tolist() == [1, 0, -1, -1, 1, 1]


def test_a_palm_seen_on_a_coast_photo_is_a_palm_and_the_coast_it_was_not_seen_on_is_not():
    from train_heads import attribute_targets

    files = np.array(["s/mp/coast/1.jpg", "s/mp/coast/2.jpg", "s/mp/coast/3.jpg", "s/mp/coast/4.jpg",
                      "s/tp/palm_trees/5.jpg"])
    folders = np.array(["/".join(f.split("/")[1:3]) for f in files])
    palms = {"key": "palm_trees", "sources": ["tp/palm_trees"]}
    seen = {"palm_trees": {"s/mp/coast/1.jpg": "P", "s/mp/coast/2.jpg": "N", "s/mp/coast/3.jpg": "?"}}
    # seen: positive; seen without: negative; unsure: unknown; its own folder stays positive
    assert attribute_targets(files, folders, palms, {}, seen=seen).tolist() == [1, 0, -1, 0, 1]
    assert attribute_targets(files, folders, palms, {}).tolist() == [0, 0, 0, 0, 1]
    # the palms seen say nothing of another attribute
    rain = {"key": "rain", "sources": []}
    assert attribute_targets(files, folders, rain, {}, seen=seen).tolist() == [0, 0, 0, 0, 0]


def test_the_photos_seen_by_eye_are_whole_folders_of_training_photos_and_known_attributes():
    # seen.csv's rule: every photo of a folder it names was looked at, so a folder half
    # looked at would leave palms unmarked as negatives (SEEN_BY_SCORE's attributes looked
    # at the negatives their first head scored highest instead: each of those rows must
    # still be a photo); and a row must name a real attribute and a photo a head trains
    # on (a renamed file would silently do nothing)
    from extract import DATA, EVERYDAY, EVERYDAY_FRESH, EVERYDAY_TEST, GATHERED
    from train_heads import JUDGED, SEEN, SEEN_BY_SCORE, judged_labels, scene_labels

    rows = list(csv.DictReader(SEEN.open(encoding="utf-8")))
    judged = judged_labels(JUDGED)
    attributes = {row["key"] for row in scene_labels() if row.get("attribute")}
    assert rows and {r["attribute"] for r in rows} <= attributes
    assert {r["code"] for r in rows} <= {"P", "N", "?"}
    assert len({(r["file"], r["attribute"]) for r in rows}) == len(rows)
    roots = {"gathered": GATHERED, "scenes-train": DATA / "scenes-train"}
    named: dict[Path, set[str]] = {}
    for r in rows:
        top, rest = r["file"].split("/", 1)
        folder, name = (roots[top] / rest).parent, rest.rsplit("/", 1)[1]
        if r["attribute"] in SEEN_BY_SCORE:
            assert not folder.is_dir() or (folder / name).is_file(), r["file"]
            continue
        if r["file"].split("/", 1)[1].rsplit("/", 1)[0] in (*EVERYDAY, *EVERYDAY_TEST, *EVERYDAY_FRESH):
            # an everyday folder's photos are judged one by one (judge.py's `also`): its
            # rows are photos judged by eye, and an unmarked one a negative
            assert r["file"] in judged, r["file"]
            continue
        named.setdefault(folder, set()).add(name)
    for folder, names in named.items():
        if folder.is_dir():   # absent in a clone without ../gathered or ../shared: nothing to compare
            assert names == {p.name for p in folder.iterdir() if p.is_file()}, folder


def test_judge_merges_the_new_columns_and_refuses_a_code_it_does_not_know(tmp_path):
    from judge import main as judge_main

    tiles = tmp_path / "tiles.csv"
    tiles.write_text("sheet,tile,file\nsheet_000,1,s/mp/yard/1.jpg\nsheet_000,2,s/mp/canyon/2.jpg\n",
                     encoding="utf-8")
    judged = tmp_path / "judged.csv"
    judged.write_text("file,sky,snow,fog,water\ns/mp/yard/1.jpg,C,,,\n", encoding="utf-8")
    verdicts = tmp_path / "v.csv"
    verdicts.write_text("sheet,tile,light,grass,rocks\nsheet_000,1,U,G,\nsheet_000,2,,?,X\n",
                        encoding="utf-8")

    def merge(*files: Path) -> int:
        argv = ["judge.py", "merge", "--tiles", str(tiles), "--judged", str(judged), *map(str, files)]
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(sys, "argv", argv)
            return judge_main()

    assert merge(verdicts) == 0
    rows = {r["file"]: r for r in csv.DictReader(judged.open(encoding="utf-8"))}
    # the earlier verdict (clouds) is kept beside the new columns
    assert rows["s/mp/yard/1.jpg"] == {"file": "s/mp/yard/1.jpg", "sky": "C", "snow": "", "fog": "",
                                       "water": "", "light": "U", "grass": "G", "rocks": ""}
    assert (rows["s/mp/canyon/2.jpg"]["grass"], rows["s/mp/canyon/2.jpg"]["rocks"]) == ("?", "X")
    before = judged.read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("sheet,tile,light\nsheet_000,1,Z\n", encoding="utf-8")
    assert merge(bad) == 1
    assert judged.read_text(encoding="utf-8") == before   # nothing half-written


def test_judge_writes_the_other_attributes_a_photo_shows_to_seen_and_refuses_an_unknown_key(tmp_path):
    # a COCO street in the rain, judged for its sky, would otherwise be a rain negative
    from judge import main as judge_main

    tiles = tmp_path / "tiles.csv"
    tiles.write_text("sheet,tile,file\nsheet_000,1,g/coco/everyday/1.jpg\n"
                     "sheet_000,2,g/coco/everyday/2.jpg\n", encoding="utf-8")
    judged, seen = tmp_path / "judged.csv", tmp_path / "seen.csv"
    seen.write_text("file,attribute,code\ng/x/coast/9.jpg,palm_trees,P\n"
                    "g/coco/everyday/1.jpg,snowman,N\n", encoding="utf-8")

    def merge(text: str) -> int:
        verdicts = tmp_path / "v.csv"
        verdicts.write_text(text, encoding="utf-8")
        argv = ["judge.py", "merge", "--tiles", str(tiles), "--judged", str(judged),
                "--seen", str(seen), str(verdicts)]
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(sys, "argv", argv)
            return judge_main()

    assert merge("sheet,tile,sky,also\nsheet_000,1,C,rain ?storm_clouds\nsheet_000,2,K,\n") == 0
    rows = [(r["file"], r["attribute"], r["code"]) for r in csv.DictReader(seen.open(encoding="utf-8"))]
    assert rows == [("g/x/coast/9.jpg", "palm_trees", "P"), ("g/coco/everyday/1.jpg", "snowman", "N"),
                    ("g/coco/everyday/1.jpg", "rain", "P"), ("g/coco/everyday/1.jpg", "storm_clouds", "?")]
    # a second look replaces the first one's marks of that photo; a negative looked at
    # among a head's top scores (SEEN_BY_SCORE) stays
    assert merge("sheet,tile,also\nsheet_000,1,palm_trees\n") == 0
    rows = [(r["file"], r["attribute"], r["code"]) for r in csv.DictReader(seen.open(encoding="utf-8"))]
    assert rows == [("g/x/coast/9.jpg", "palm_trees", "P"), ("g/coco/everyday/1.jpg", "snowman", "N"),
                    ("g/coco/everyday/1.jpg", "palm_trees", "P")]
    # unsure snow and fog are verdicts too (unknown to the heads), as in every other column
    assert merge("sheet,tile,snow,fog\nsheet_000,2,?,?\n") == 0
    verdict = next(r for r in csv.DictReader(judged.open(encoding="utf-8")) if r["file"].endswith("/2.jpg"))
    assert (verdict["snow"], verdict["fog"]) == ("?", "?")
    before = seen.read_text(encoding="utf-8"), judged.read_text(encoding="utf-8")
    assert merge("sheet,tile,also\nsheet_000,2,umbrella\n") == 1   # no such attribute
    assert (seen.read_text(encoding="utf-8"), judged.read_text(encoding="utf-8")) == before


def test_an_outdoor_folder_not_judged_yet_is_unknown_for_the_judged_attributes(monkeypatch):
    # its racecourse turf and runway clouds would otherwise be taught as no grass, no clouds
    import train_heads

    files = np.array(["s/mp/runway/1.jpg", "s/mp/runway/2.jpg", "s/mp/coast/3.jpg", "s/mp/kitchen/4.jpg"])
    folders = train_heads.folder_of(files)
    hand = {"s/mp/coast/3.jpg": {"sky": "C", "grass": "G"}}
    clouds = {"key": "clouds", "sources": []}
    assert train_heads.attribute_targets(files, folders, clouds, hand).tolist() == [0, 0, 1, 0]
    monkeypatch.setattr(train_heads, "NOT_YET_JUDGED", ("mp/runway",))
    assert train_heads.attribute_targets(files, folders, clouds, hand).tolist() == [-1, -1, 1, 0]


def test_a_night_folder_is_unknown_for_the_fireworks_it_may_show_and_a_negative_for_the_rest(monkeypatch):
    # a night city's fireworks and moon, unmarked, would teach the fireworks and the moon
    # "no"; the same photos stay negatives for what they cannot show (an aquarium)
    import train_heads

    files = np.array(["g/night_a/night/1.jpg", "g/night_a/night/2.jpg", "g/fw/fireworks/3.jpg",
                      "g/mp/kitchen/4.jpg"])
    folders = train_heads.folder_of(files)
    fireworks = {"key": "fireworks", "sources": ["fw/fireworks"]}
    aquarium = {"key": "aquarium", "sources": []}
    assert train_heads.attribute_targets(files, folders, fireworks, {}).tolist() == [0, 0, 1, 0]
    monkeypatch.setattr(train_heads, "MAY_SHOW", {"night_a/night": ("fireworks", "moon")})
    assert train_heads.attribute_targets(files, folders, fireworks, {}).tolist() == [-1, -1, 1, 0]
    assert train_heads.attribute_targets(files, folders, aquarium, {}).tolist() == [0, 0, 0, 0]


def test_every_folder_that_may_show_an_attribute_is_a_label_folder_and_the_attribute_real():
    # a misspelt folder or attribute in MAY_SHOW would silently leave the negatives as they were
    from train_heads import JUDGED_CODES, MAY_SHOW, scene_labels

    rows = scene_labels()
    folders = {folder for row in rows for folder in row["sources"]}
    attributes = {row["key"] for row in rows if row.get("attribute")}
    assert MAY_SHOW and set(MAY_SHOW) <= folders
    for keys in MAY_SHOW.values():
        # the judged ones are NOT_YET_JUDGED's: here only the others
        assert set(keys) <= attributes - set(JUDGED_CODES), keys


@pytest.mark.parametrize("narrower, broader", [("storm_clouds", "clouds"), ("starry_sky", "night"),
                                               ("snowman", "snow")])
def test_every_folder_of_a_narrower_sky_is_a_folder_of_the_broader_one_too(narrower, broader):
    # «облака» should find a storm sky and «ночь» the Milky Way: a storm or starry folder
    # left out of the broader label's sources would be no positive for its head, only a
    # photo it never hears of (the folders wait to be judged)
    from train_heads import scene_labels

    rows = {row["key"]: row for row in scene_labels()}
    assert set(rows[narrower]["sources"]) <= set(rows[broader]["sources"])


def test_every_outdoor_folder_a_head_learns_from_is_judged_or_waits_for_it():
    # The judged attributes (clouds, grass, snow...) learn every other photo as a negative
    # unless judged: an outdoor folder gathered and never judged teaches "no grass" on its
    # playgrounds and "no clouds" over its markets. Rooms (broader «помещение») show no sky
    # or grass, nor does a fish tank (tagging.NO_SKY_CLASSES: the aquarium is indoors but no
    # «интерьер»). An attribute's own folders are its positives but the others' negatives:
    # unjudged, the fireworks and the moon taught the night "no", the sky close-ups' red
    # clouds the sunset (Mini Places left out: night 0.45 -> 0.57, sunset 0.28 -> 0.38
    # once judged).
    # The everyday folders (extract.EVERYDAY) teach the attributes nothing but their
    # judgements, so they are judged photo by photo.
    from extract import EVERYDAY, EVERYDAY_TEST
    from train_heads import NEVER_USED, NOT_YET_JUDGED, folder_of, judged_labels, scene_labels

    from photofinder.tagging import INDOORS, NO_SKY_CLASSES

    judged = set(folder_of(list(judged_labels())))
    missing = [(row["key"], folder) for row in scene_labels()
               if INDOORS not in row.get("broader", []) and row["key"] not in NO_SKY_CLASSES
               for folder in row["sources"]
               if folder not in judged and folder not in NOT_YET_JUDGED
               and folder.split("/")[0] not in NEVER_USED]
    missing += [("everyday", folder) for folder in (*EVERYDAY, *EVERYDAY_TEST) if folder not in judged]
    assert not missing, f"judge them (training/judge.py) or list them in NOT_YET_JUDGED: {missing}"


def test_every_folder_a_head_learns_from_can_be_rebuilt():
    # A label's folders come from scenes-train (../shared/data) or from photos gathered
    # from public repositories, which only the manifest can bring back (gather.py):
    # the cvls_weather fog and cloudy folders once trained the shipped heads with no
    # manifest row, so nobody could rebuild them from git.
    from extract import CLOSE_UPS, EVERYDAY
    from gather import read_manifest
    from train_heads import NEVER_USED, scene_labels

    scenes_train = TRAINING.parent.parent / "shared" / "data" / "scenes-train"
    if not scenes_train.is_dir():
        pytest.skip(f"no {scenes_train}: scenes-train's folders cannot be told from gathered ones")
    shared = {f"{p.parent.name}/{p.name}" for p in scenes_train.glob("*/*") if p.is_dir()}
    manifest = read_manifest(TRAINING / "manifests" / "scenes.csv")
    gathered = {f"{row['source']}/{row['label']}" for row in manifest}
    missing = [(row["key"], folder) for row in scene_labels() for folder in row["sources"]
               if folder not in shared and folder not in gathered
               and folder.split("/")[0] not in NEVER_USED]
    missing += [("everyday", folder) for folder in EVERYDAY if folder not in gathered]
    missing += [("close_up", folder) for folder in CLOSE_UPS if folder not in gathered]
    assert not missing, f"no manifest row and not in scenes-train: {missing}"
    # a manifest row names a repository, a 40-hex commit and a licence (or "unstated")
    assert all(len(r["commit"]) == 40 and r["licence"] and "/" in r["repo"] for r in manifest)


def test_no_everyday_training_photo_is_one_of_coco_devs():
    # coco-dev (../shared/data/coco-dev) holds COCO photos of both train2017 and val2017:
    # two "train2017" photos of the gathered everyday folder were among them and were
    # left out of the manifest. A photo the heads train on must never be one they are
    # judged on (benchmarks/coco_scenes.py, judged.py).
    from extract import EVERYDAY
    from gather import read_manifest

    coco_dev = TRAINING.parent.parent / "shared" / "data" / "coco-dev"
    if not coco_dev.is_dir():
        pytest.skip(f"no coco-dev at {coco_dev}")
    manifest = read_manifest(TRAINING / "manifests" / "scenes.csv")
    everyday = {row["path"].rsplit("/", 1)[-1] for row in manifest
                if f"{row['source']}/{row['label']}" in EVERYDAY}
    assert len(everyday) >= 250
    assert not everyday & {p.name for p in coco_dev.glob("*.jpg")}


def test_no_training_photo_is_a_coco_val2017_photo_whatever_its_folder_says(tmp_path, monkeypatch):
    # Issue 28's hidden checks are made of COCO val2017. 31 photos of a repository's
    # "images/train2017" folder were val2017 photos (round twenty, by their ids): no
    # manifest may name one, and a gathered folder that still holds one (a clone gathered
    # before) must not hand it to training.
    import extract
    from gather import read_manifest

    ids = extract.coco_val2017_ids()
    assert len(ids) == 5000 and 397133 in ids and 9 not in ids   # 9: coco128's first photo
    for name in ("scenes.csv", "children.csv"):
        named = [row["path"] for row in read_manifest(TRAINING / "manifests" / name)
                 if extract.is_coco_val2017(row["path"], ids)]
        assert not named, (name, named[:3])
    folder = tmp_path / "coco_train2017" / "everyday"
    folder.mkdir(parents=True)
    for name in ("images__train2017__000000397133.jpg", "images__train2017__000000000009.jpg",
                 "IMG_20190501_123456.jpg"):
        (folder / name).write_bytes(b"")
    monkeypatch.setattr(extract, "GATHERED", tmp_path)
    paths, _, _ = extract.photo_set("gathered")
    assert [p.name for p in paths] == ["IMG_20190501_123456.jpg", "images__train2017__000000000009.jpg"]


def test_no_head_trains_on_the_everyday_test_photos(tmp_path, monkeypatch):
    # benchmarks/everyday_photos.py measures the words on them as on photos never seen:
    # the training set (extract.photo_set("gathered")) must not list them, even as the
    # everyday photos they are, and no label may name their folders
    import extract
    from train_heads import scene_labels

    assert not set(extract.EVERYDAY_TEST) & {s for row in scene_labels() for s in row["sources"]}
    assert not set(extract.EVERYDAY_TEST) & set(extract.EVERYDAY)
    for folder in (extract.EVERYDAY[0], extract.EVERYDAY_TEST[0]):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "a.jpg").write_bytes(b"")
    monkeypatch.setattr(extract, "GATHERED", tmp_path)
    assert [p.parent.parent.name for p in extract.photo_set("gathered")[0]] == [extract.EVERYDAY[0].split("/")[0]]
    assert [p.parent.parent.name for p in extract.photo_set("everyday")[0]] == [extract.EVERYDAY_TEST[0].split("/")[0]]


def test_a_black_and_white_photo_is_told_from_a_colour_one():
    # 15-Scene's photos are stored as RGB JPEGs whose channels differ by JPEG noise only
    from extract import is_grey

    rng = np.random.default_rng(0)
    grey = rng.integers(0, 255, (64, 64), dtype=np.uint8)
    noisy = np.stack([grey, grey, grey], axis=2).astype(np.int16) + rng.integers(-4, 5, (64, 64, 3))
    assert is_grey(Image.fromarray(grey).convert("RGB"))
    assert is_grey(Image.fromarray(noisy.clip(0, 255).astype(np.uint8)))
    colour = np.zeros((64, 64, 3), np.uint8)
    colour[..., 1] = 120   # a green lawn
    assert not is_grey(Image.fromarray(colour))


def test_every_colour_training_photo_has_a_black_and_white_twin_and_a_grey_one_none(tmp_path, monkeypatch):
    # Without twins the place head learned "grey -> one of 15-Scene's labels" (its photos
    # are all black and white). A twin trains only where its photo trains: a held-out
    # photo's twin is held out too; a photo that already was grey has none (it would be itself).
    import train_heads

    monkeypatch.setattr(train_heads, "CACHE", tmp_path)
    files = np.array(["scenes-train/15scene/forest/1.jpg", "scenes-train/mp/coast/2.jpg",
                      "gathered/g/coast/3.jpg", "gathered/g/coast/4.jpg"])
    features = np.arange(16, dtype=np.float16).reshape(4, 4)
    np.savez(tmp_path / "t-scenes-grey.npz", files=files[:2], features=features[:2] + 100,
             was_grey=np.array([True, False]))
    np.savez(tmp_path / "t-gathered-grey.npz", files=files[2:], features=features[2:] + 100,
             was_grey=np.array([False, False]))
    twins, has = train_heads.grey_twins("t", files)
    assert has.tolist() == [False, True, True, True]
    assert (twins[1:] == features[1:] + 100).all()

    folders = train_heads.folder_of(files)
    train = np.array([True, True, False, True])   # 3.jpg is held out
    z, trained_folders = train_heads.with_twins(features.astype(np.float32), folders, train, twins, has)
    assert len(z) == 3 + 2   # the three photos, the twins of 2.jpg and 4.jpg
    assert trained_folders.tolist() == ["15scene/forest", "mp/coast", "g/coast", "mp/coast", "g/coast"]
    assert not any((row == features[2] + 100).all() for row in z)


def test_the_gender_manifest_rebuilds_every_source_the_woman_score_learns_from():
    from gather import read_manifest
    from train_gender import TEST_ONLY

    manifest = read_manifest(TRAINING / "manifests" / "gender.csv")
    sources = {row["source"] for row in manifest}
    assert {"gender_fairface", "gender_pixabay"} <= sources and TEST_ONLY <= sources
    assert {row["label"] for row in manifest} == {"man", "woman"}
    assert all(len(r["commit"]) == 40 and r["licence"] and "/" in r["repo"] for r in manifest)
