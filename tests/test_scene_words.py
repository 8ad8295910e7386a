"""Place and weather words without a scene label of their own (issue 28): «камни», «дождь»,
«молния», «аэропорт», «вокзал» reach the labels whose photos show them; found on real photos."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from photofinder.index import load as load_index
from photofinder.scoring import SURE
from photofinder.vocabulary import load_vocabulary

from .conftest import run_cli, run_here, search_json

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
# held-out fifth of scenes-train (training/train_heads.py, seed 0): never trained on
BADLANDS = SHARED / "scenes-train" / "miniplaces" / "badlands" / "train_00000065.jpg"
CUMULONIMBUS = SHARED / "scenes-train" / "ccsn_clouds" / "Cb" / "Cb-N055.jpg"
UMBRELLA = SHARED / "coco-dev" / "000000360960.jpg"   # [person, umbrella]: a city pavement
WET_STREET = SHARED / "coco-dev" / "000000114692.jpg"  # [person, umbrella, car...]: wet cobbles
KITCHEN = SHARED / "coco-dev" / "000000090122.jpg"    # [oven, refrigerator, ...]


@pytest.mark.parametrize("word, label, relation", [
    ("камни", "scene:badlands", "related"),
    ("камни", "n09246464", "related"),          # cliff
    ("дождь", "scene:storm_clouds", "related"),
    ("дождь", "n04507155", "related"),          # umbrella
    ("молния", "scene:storm_clouds", "related"),
    ("аэропорт", "n02690373", "related"),       # airliner
    ("вокзал", "n03895866", "related"),         # passenger car
    ("водопад", "scene:river", "related"),     # besides its own label: rivers have falls
    ("скалы", "scene:rocks", "related"),        # besides the badlands, named so
    ("вокзал", "scene:subway_station", "related"),
    ("вокзал", "scene:railroad_track", "related"),
    ("свадьба", "scene:banquet_hall", "related"),  # besides the groom and the gown
    ("университет", "scene:auditorium", "related"),
    ("аудитория", "scene:classroom", "related"),     # a university's teaching room too
    ("лекционный зал", "scene:classroom", "related"),
])
def test_a_place_or_weather_word_reaches_the_labels_that_show_it(word, label, relation):
    vocab = load_vocabulary()
    links = dict(zip(vocab.terms, vocab.links))[word]
    assert any(vocab.labels[k.label].key == label and k.relation == relation for k in links)
    # a related word stands outside the label's chain: explanations stay true
    assert word not in vocab.labels[vocab.index_of_key[label]].broader


@pytest.mark.parametrize("word, label", [("дождь", "scene:rain"), ("ливень", "scene:rain"),
                                         ("снег", "scene:snow"), ("аэропорт", "scene:airport"),
                                         ("молния", "scene:lightning"), ("радуга", "scene:rainbow"),
                                         ("водопад", "scene:waterfall"), ("салют", "scene:fireworks"),
                                         ("фейерверк", "scene:fireworks"), ("елка", "scene:christmas_tree"),
                                         ("озеро", "scene:lake"), ("пруд", "scene:lake"), ("луна", "scene:moon"),
                                         ("полнолуние", "scene:moon"), ("трава", "scene:grass"),
                                         ("камни", "scene:rocks"), ("валуны", "scene:rocks"),
                                         # Mini Places' second half: rooms, halls and places
                                         ("аудитория", "scene:auditorium"),
                                         ("лекционный зал", "scene:auditorium"),
                                         ("музей", "scene:museum"), ("метро", "scene:subway_station"),
                                         ("кладбище", "scene:cemetery"), ("каток", "scene:ice_rink"),
                                         ("больница", "scene:hospital_room"),
                                         ("детский сад", "scene:kindergarten"),
                                         ("конференц-зал", "scene:conference_room"),
                                         ("железная дорога", "scene:railroad_track"),
                                         ("взлетная полоса", "scene:airport"),
                                         # round fifteen: palms and monuments
                                         ("пальма", "scene:palm_trees"), ("памятник", "scene:monument"),
                                         ("статуя", "scene:monument"), ("скульптура", "scene:monument"),
                                         # round sixteen: a university campus outdoors
                                         ("университет", "scene:campus"), ("кампус", "scene:campus"),
                                         ("студенческий городок", "scene:campus")])
def test_rain_snow_and_airport_are_labels_of_their_own(word, label):
    vocab = load_vocabulary()
    links = dict(zip(vocab.terms, vocab.links))[word]
    assert any(vocab.labels[k.label].key == label and k.relation in ("name", "synonym")
               for k in links)


def test_the_river_is_not_reached_through_dams():
    vocab = load_vocabulary()
    links = dict(zip(vocab.terms, vocab.links))["река"]
    # neither the dam scene nor ImageNet's dam class: a dam photo is not what «река» asks
    assert not any(vocab.labels[k.label].key in ("scene:dam", "n03160309") for k in links)


def test_the_new_words_pass_the_vocabulary_check():
    proc = run_cli("vocabulary", "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the child, man and woman tags from faces; the group from the detector's boxes
    assert "«человек», по лицам 3, «группа людей»," in proc.stdout, proc.stdout[:300]
    for word in ("камни", "дождь", "молния", "аэропорт", "вокзал", "снег", "ливень", "снегопад",
                 "радуга", "гроза"):
        assert f"без вектора: {word}\n" not in proc.stdout  # found by meaning too


@dataclass(frozen=True)
class Part:
    """Some of the held-out photos: searched in the one index of them all, and the hits
    kept to these. A photo's score is its own (no score depends on the other photos),
    so each test sees what an index of these photos alone shows, and the file makes one
    index instead of eleven (about 30 s of the suite)."""

    index_dir: Path
    paths: frozenset[str]


_EVERY: list[Path] = []


def _photos(*photos: Path) -> list[Path]:
    """A test's photos, registered for the one index."""
    _EVERY.extend(p for p in photos if p not in _EVERY)
    return list(photos)


@pytest.fixture(scope="module")
def held_out(tmp_path_factory) -> tuple[Path, dict[Path, str]]:
    """A real index of copies of every registered photo (a temp folder, never the
    repository), each source folder's in a subfolder of its own so that two photos of one
    name never meet; and where each photo's copy is."""
    if not all(p.is_file() for p in _EVERY):
        pytest.skip(f"no real evaluation photos at {SHARED} (only on the developers' machines)")
    folder = tmp_path_factory.mktemp("held_out")
    sources = sorted({p.parent for p in _EVERY})
    copies = {}
    for photo in _EVERY:
        copy = folder / f"s{sources.index(photo.parent):02d}" / photo.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(photo, copy)
        copies[photo] = str(copy)
    index_dir = tmp_path_factory.mktemp("held_out_index")
    run_here("index", str(folder), "--index", str(index_dir), check=True)
    return index_dir, copies


def _part(held_out: tuple[Path, dict[Path, str]], photos: list[Path]) -> Part:
    index_dir, copies = held_out
    return Part(index_dir, frozenset(copies[p] for p in photos))


def _search(part: Part, query: str) -> list[dict]:
    """search_json on the part's photos alone."""
    return [h for h in search_json(part.index_dir, query, "--top", "1000")
            if h["path"] in part.paths]


WEATHER_PHOTOS = _photos(BADLANDS, CUMULONIMBUS, UMBRELLA, WET_STREET, KITCHEN)


@pytest.fixture(scope="module")
def weather_index(held_out) -> Part:
    return _part(held_out, WEATHER_PHOTOS)


def _tag(part: Part, photo: Path, key: str) -> float:
    """The probability the index holds for one label of one photo (0 if none)."""
    index = load_index(part.index_dir)
    row = next(i for i, p in enumerate(index.paths) if p in part.paths and Path(p).name == photo.name)
    labels, scores, _ = index.tags.row(row)
    return next((float(s) for c, s in zip(labels, scores) if index.labels[c] == key), 0.0)


def _strong(hits: list[dict]) -> list[str]:
    return [Path(h["path"]).name for h in hits if not h.get("weak")]


def test_stones_find_bare_rock_first_and_say_why(weather_index):
    hits = _search(weather_index, "камни")
    assert _strong(hits)[0] == BADLANDS.name
    assert hits[0]["why"].startswith("камни: ")   # the rocks label judged by eye


def test_rain_finds_an_umbrella_and_storm_clouds_but_not_a_kitchen(weather_index):
    hits = _search(weather_index, "дождь")
    strong, every = _strong(hits), [Path(h["path"]).name for h in hits]
    assert UMBRELLA.name in strong and KITCHEN.name not in strong
    umbrella = next(h for h in hits if Path(h["path"]).name == UMBRELLA.name)
    assert umbrella["why"].startswith("дождь ← зонт: "), umbrella["why"]
    assert CUMULONIMBUS.name in every      # through «тучи», at least as a weak match
    assert [Path(h["path"]).name for h in _search(weather_index, "молния")][0] == CUMULONIMBUS.name


def test_a_wet_street_is_found_by_the_rain_head_itself(weather_index):
    """«ливень» reaches only the rain label (not the umbrella): the wet street with
    umbrellas is found through the rain head's own tag; a dry pavement under an
    umbrella, the badlands and the kitchen are not sure matches."""
    hits = _search(weather_index, "ливень")
    strong = _strong(hits)
    assert strong == [WET_STREET.name], hits
    assert hits[0]["why"].startswith("ливень ← дождь: "), hits[0]["why"]
    assert "(дождь 0." in hits[0]["why"]


# held-out fifth of scenes-train (seed 0): two roads in fog (DAWN), a clear highway
FOGGY_ROADS = [SHARED / "scenes-train" / "dawn_fog" / "fog" / f"foggy-{n}.jpg" for n in ("003", "012")]
HIGHWAY = SHARED / "scenes-train" / "miniplaces" / "highway" / "train_00000033.jpg"
CUMULUS = SHARED / "scenes-train" / "ccsn_clouds" / "Cu" / "Cu-N057.jpg"


FOG_PHOTOS = _photos(*FOGGY_ROADS, HIGHWAY, CUMULUS, KITCHEN)


@pytest.fixture(scope="module")
def fog_index(held_out) -> Part:
    return _part(held_out, FOG_PHOTOS)


def test_a_road_in_fog_is_both_fog_and_a_road(fog_index):
    """Fog is an attribute beside the place: inside the places' softmax a foggy road was
    "fog" and nothing else, so «дорога» missed it. Now both foggy roads come right after
    the clear highway, each with 0.30 for a highway (0.25–0.30 for «дорога», at the
    strong results' bar: the one with cars' headlights close in the fog, foggy-003, is
    also 0.44 a parking lot; foggy-012 was 0.302 with the heads before the sea fog,
    0.300 after — a thousandth either side of the bar, so the bar is not asserted)."""
    fog = {Path(h["path"]).name for h in _search(fog_index, "туман") if not h.get("weak")}
    assert fog == {p.name for p in FOGGY_ROADS}
    hits = _search(fog_index, "дорога")
    names = [Path(h["path"]).name for h in hits]
    assert names[0] == HIGHWAY.name and HIGHWAY.name in _strong(hits)
    assert set(names[1:3]) == {p.name for p in FOGGY_ROADS}
    assert all(h["score"] > 0.2 for h in hits[:3])
    assert KITCHEN.name not in names


def test_clouds_find_the_sky_photo_first_and_not_the_kitchen(fog_index):
    hits = _search(fog_index, "облака")
    assert _strong(hits)[0] == CUMULUS.name, hits
    assert KITCHEN.name not in _strong(hits)


@pytest.mark.parametrize("word, label", [
    ("пасмурно", "scene:clouds"), ("облачный", "scene:clouds"), ("дождливый", "scene:rain"),
    ("туманный", "scene:fog"), ("метель", "scene:snow"), ("грозовой", "scene:lightning"),
    ("солнечно", "scene:clear_sky"), ("вечер", "scene:night"),
])
def test_how_people_say_the_weather_reaches_its_label(word, label):
    vocab = load_vocabulary()
    links = dict(zip(vocab.terms, vocab.links))[word]
    assert any(vocab.labels[k.label].key == label for k in links)


def test_a_foggy_morning_and_an_overcast_day_find_the_fog_and_the_clouds(fog_index):
    """«день» has no tag and is set aside; «утро» is the hours of the EXIF date, which
    orders and hides nothing: these photos have none, so the foggy roads come first
    among the weak results, each saying that its date is unknown."""
    def names(query: str, weak: bool = False) -> list[str]:
        return [Path(h["path"]).name for h in _search(fog_index, query)
                if bool(h.get("weak")) is weak]

    assert set(names("туман")) == {p.name for p in FOGGY_ROADS} and names("туманное утро") == []
    morning = [h for h in _search(fog_index, "туманное утро") if h.get("weak")]
    assert {Path(h["path"]).name for h in morning[:2]} == set(names("туман"))
    assert all("дата съёмки неизвестна" in h["why"] for h in morning)
    # the clouds head also finds the clear highway's few white clouds (judged "clouds"),
    # after the sky of cumulus
    assert names("пасмурный день") == names("облака") and names("облака")[0] == CUMULUS.name


# coco-dev (never trained on): a seafront under grey clouds behind a parking meter, and
# people resting on a snowy summit under a clear blue sky
CLOUDY_SEAFRONT = SHARED / "coco-dev" / "000000333956.jpg"  # [parking meter]
SNOWY_SUMMIT = SHARED / "coco-dev" / "000000188417.jpg"     # [person, backpack, skis...]


SKY_PHOTOS = _photos(CLOUDY_SEAFRONT, SNOWY_SUMMIT, KITCHEN)


@pytest.fixture(scope="module")
def sky_index(held_out) -> Part:
    return _part(held_out, SKY_PHOTOS)


def test_clouds_and_snow_behind_people_and_things_are_found(sky_index):
    """Clouds and snow in an everyday photo, not a photo of the sky or of a snowfield: the
    heads learned them from landscapes judged by eye (training/manifests/judged.csv),
    where they had taken every cloudy coast for a negative. The heads before gave the
    seafront 0.05 for clouds and the summit 0.09 for snow."""
    clouds = _strong(_search(sky_index, "облака"))
    assert CLOUDY_SEAFRONT.name in clouds and KITCHEN.name not in clouds
    snow = _search(sky_index, "снег")
    assert _strong(snow)[0] == SNOWY_SUMMIT.name, snow
    assert snow[0]["why"].startswith("снег: "), snow[0]["why"]
    assert KITCHEN.name not in _strong(snow) and CLOUDY_SEAFRONT.name not in _strong(snow)


# held-out fifth of scenes-train (seed 0), judged by eye: a lake at sunset with reeds, a
# pond on a golf course; a sandy sea beach (Mini Places' coast)
LAKE_AT_SUNSET = SHARED / "scenes-train" / "sunrise_sunset" / "sunset" / "24.jpg"
GOLF_POND = SHARED / "scenes-train" / "miniplaces" / "golf_course" / "train_00000298.jpg"
SEA_BEACH = SHARED / "scenes-train" / "miniplaces" / "coast" / "train_00000305.jpg"


LAKE_PHOTOS = _photos(LAKE_AT_SUNSET, GOLF_POND, SEA_BEACH, KITCHEN)


@pytest.fixture(scope="module")
def lake_index(held_out) -> Part:
    return _part(held_out, LAKE_PHOTOS)


def test_a_lake_is_found_by_a_label_of_its_own_and_the_sea_is_not_a_lake(lake_index):
    """No folder of lakes exists: the lake head learned from lakes judged by eye among
    rivers, swamps, valleys and golf courses (training/manifests/judged.csv). Before it,
    «озеро» had only ImageNet's lakeside (0.17 and 0.37 on these two)."""
    hits = _search(lake_index, "озеро")
    assert set(_strong(hits)[:2]) == {LAKE_AT_SUNSET.name, GOLF_POND.name}, hits
    assert all(h["why"].startswith("озеро: ") for h in hits[:2]), hits[:2]
    assert SEA_BEACH.name not in _strong(hits) and KITCHEN.name not in _strong(hits)
    assert _strong(_search(lake_index, "пруд"))[:2] == _strong(hits)[:2]


# round thirty, imagenet-samples photos: the scene softmax has no lake, so a lake's water
# went to "river" (the bench by a lake: river 0.97); and the aquarium head (one source,
# phone photos of fish tanks) likes rock and dark water (a cliff dwelling 0.91, a cougar
# on rocks 0.86)
BENCH_BY_A_LAKE = SHARED / "imagenet-samples" / "n03891251_park_bench.JPEG"
ELEPHANTS_AT_A_RIVER = SHARED / "imagenet-samples" / "n02504458_African_elephant.JPEG"
CLIFF_DWELLING = SHARED / "imagenet-samples" / "n03042490_cliff_dwelling.JPEG"
COUGAR_ON_ROCKS = SHARED / "imagenet-samples" / "n02125311_cougar.JPEG"

WATER_AND_ROCK_PHOTOS = _photos(BENCH_BY_A_LAKE, ELEPHANTS_AT_A_RIVER, CLIFF_DWELLING,
                                COUGAR_ON_ROCKS, KITCHEN)


@pytest.fixture(scope="module")
def water_and_rock_index(held_out) -> Part:
    return _part(held_out, WATER_AND_ROCK_PHOTOS)


def test_a_lake_is_no_river(water_and_rock_index):
    """The river yields its share to the lake head (heads.YIELDS_TO): «река» finds the
    elephants crossing a river and not the lake shore, which «озеро» finds."""
    river = _search(water_and_rock_index, "река")
    assert _strong(river) == [ELEPHANTS_AT_A_RIVER.name], [(h["path"], h["why"]) for h in river]
    lake = _search(water_and_rock_index, "озеро")
    assert _strong(lake)[:1] == [BENCH_BY_A_LAKE.name], [(h["path"], h["why"]) for h in lake]


def test_what_the_aquarium_head_likes_outdoors_is_no_interior(water_and_rock_index):
    """The aquarium is no longer a kind of «помещение»: «интерьер» found the rock the
    aquarium head likes (5 of its first 20 on the everyday photos); the kitchen stays."""
    hits = _search(water_and_rock_index, "интерьер")
    assert _strong(hits) == [KITCHEN.name], [(h["path"], h["why"]) for h in hits]


# held-out fifth of scenes-train (seed 0), filed under mountain: snow above a dark
# forest, and snow and rock with no tree
FORESTED_MOUNTAIN = SHARED / "scenes-train" / "15scene" / "mountain" / "test_image_0140.jpg"
BARE_MOUNTAIN = SHARED / "scenes-train" / "15scene" / "mountain" / "train_image_0220.jpg"
MOUNTAIN_PHOTOS = _photos(FORESTED_MOUNTAIN, BARE_MOUNTAIN)


@pytest.fixture(scope="module")
def mountain_index(held_out) -> Part:
    return _part(held_out, MOUNTAIN_PHOTOS)


def test_the_forest_on_a_mountain_is_found(mountain_index):
    """The softmax called the forested mountain a mountain (forest 0.09, weak); read apart
    from the land it covers (heads.LAND_COVER) the forest is found, the bare one is not,
    and «горы» finds both."""
    forest = _search(mountain_index, "лес")
    assert _strong(forest) == [FORESTED_MOUNTAIN.name], [(h["path"], h["why"]) for h in forest]
    assert forest[0]["why"].startswith("лес: "), forest[0]["why"]
    mountains = _search(mountain_index, "горы")
    assert sorted(_strong(mountains)) == sorted([FORESTED_MOUNTAIN.name, BARE_MOUNTAIN.name])


# land behind what the photo is of (tagging.REGION_PLACES): a town under a mountain, seen
# by a webcam (held-out fifth of scenes-train, seed 0: the heads read the whole photo as
# the webcams' "day" and the mountain 0.21, found before only with five other tags
# added up), and a meadow where two people fly a kite with a pine forest behind it
# (coco-dev: the whole photo's forest 0.03, a weak match)
TOWN_UNDER_A_MOUNTAIN = SHARED / "scenes-train" / "amos_daynight" / "day" / "test_20151103_064532.jpg"
MEADOW_BY_A_FOREST = SHARED / "coco-dev" / "000000278528.jpg"
BEHIND_PHOTOS = _photos(TOWN_UNDER_A_MOUNTAIN, MEADOW_BY_A_FOREST, KITCHEN)


@pytest.fixture(scope="module")
def behind_index(held_out) -> Part:
    return _part(held_out, BEHIND_PHOTOS)


def test_a_mountain_and_a_forest_behind_the_photo_are_found_by_its_regions(behind_index):
    """The windows above the town see the mountain (0.84), the ones along the meadow's
    edge the forest (0.71): each is a sure match, first, explained by the regions' tag
    («(фрагмент)»); the kitchen is neither."""
    mountains = _search(behind_index, "горы")
    assert _strong(mountains)[:1] == [TOWN_UNDER_A_MOUNTAIN.name], [(h["path"], h["why"]) for h in mountains]
    assert "горы (фрагмент)" in mountains[0]["why"], mountains[0]["why"]
    forest = _search(behind_index, "лес")
    assert _strong(forest) == [MEADOW_BY_A_FOREST.name], [(h["path"], h["why"]) for h in forest]
    assert "лес (фрагмент)" in forest[0]["why"], forest[0]["why"]
    assert KITCHEN.name not in _strong(mountains)


# held-out fifth of scenes-train (seed 0), judged by eye as showing clouds: a stone
# church under white clouds, and a black-and-white main street under a cloudy sky; and
# a hill over maize under a clear blue sky (the whole photo's clouds 0.25, 0.20, 0.07)
CHURCH_UNDER_CLOUDS = SHARED / "scenes-train" / "miniplaces" / "church_outdoor" / "train_00000681.jpg"
TOWN_UNDER_CLOUDS = SHARED / "scenes-train" / "15scene" / "insidecity" / "test_image_0139.jpg"
CLEAR_OVER_MAIZE = SHARED / "scenes-train" / "miniplaces" / "corn_field" / "train_00000305.jpg"
CLOUD_PHOTOS = _photos(CHURCH_UNDER_CLOUDS, TOWN_UNDER_CLOUDS, CLEAR_OVER_MAIZE, KITCHEN)


@pytest.fixture(scope="module")
def cloud_index(held_out) -> Part:
    return _part(held_out, CLOUD_PHOTOS)


def test_clouds_over_a_church_and_a_town_are_read_from_the_sky(cloud_index):
    """The heads read the church and the street as what they are and the clouds weakly;
    the grey-white cells with edges at the top of their skies (photos.cloud_fraction)
    make both sure «облака», explained by the clouds tag. The clear sky over the maize
    and the kitchen's ceiling are no clouds."""
    hits = _search(cloud_index, "облака")
    assert sorted(_strong(hits)) == sorted([CHURCH_UNDER_CLOUDS.name, TOWN_UNDER_CLOUDS.name]), \
        [(h["path"], h["why"]) for h in hits]
    assert all(h["why"].startswith("облака: ") for h in hits[:2]), [h["why"] for h in hits[:2]]
    clear = _search(cloud_index, "ясное небо")
    assert _strong(clear)[:1] == [CLEAR_OVER_MAIZE.name], [(h["path"], h["why"]) for h in clear]


# imagenet-samples: a flowering plant in a tub on a porch (ImageNet's "pot", a flowerpot),
# and a slow cooker, the other pot the classifier could take it for. «цветы» says the
# houseplants and the flowers in pots too («поливать цветы»), as it says the ones in a vase
FLOWERPOT = SHARED / "imagenet-samples" / "n03991062_pot.JPEG"
SLOW_COOKER = SHARED / "imagenet-samples" / "n03133878_Crock_Pot.JPEG"
FLOWERPOT_PHOTOS = _photos(FLOWERPOT, SLOW_COOKER, KITCHEN)


@pytest.fixture(scope="module")
def flowerpot_index(held_out) -> Part:
    return _part(held_out, FLOWERPOT_PHOTOS)


def test_flowers_in_a_pot_are_flowers(flowerpot_index):
    """The flowerpot (0.89 on a region) and the detector's potted plant are related words
    of «цветы», as the vase is: the porch's flowers come first and surely, explained by
    the pot; the slow cooker and the kitchen are no sure match."""
    for query in ("цветы", "цветок"):
        hits = _search(flowerpot_index, query)
        assert _strong(hits) == [FLOWERPOT.name], [(h["path"], h["why"]) for h in hits]
        assert hits[0]["why"].startswith("цветы ← цветочный горшок: "), hits[0]["why"]


# held-out fifth of scenes-train (seed 0): a daytime webcam frame of a town square, from
# the source of the training-only "day" class (heads.UNNAMED_PLACES)
WEBCAM_SQUARE = SHARED / "scenes-train" / "amos_daynight" / "day" / "test_20151102_055603.jpg"
STREET_PHOTOS = _photos(WEBCAM_SQUARE, BARE_MOUNTAIN, KITCHEN)


@pytest.fixture(scope="module")
def street_index(held_out) -> Part:
    return _part(held_out, STREET_PHOTOS)


def test_a_street_the_head_took_for_a_webcam_day_is_a_street(street_index):
    """The softmax gave the square 0.83 "day" (a class with no name) and the street
    0.12, a weak match; as a share of the named places the street is 0.71."""
    hits = _search(street_index, "улица")
    assert _strong(hits) == [WEBCAM_SQUARE.name], [(h["path"], h["why"]) for h in hits]
    assert hits[0]["why"].startswith("улица: "), hits[0]["why"]


# held-out fifth of scenes-train (seed 0), judged by eye (training/manifests/judged.csv):
# the low sun over a river and behind a lighthouse, a golf course at dusk, a lawn, a
# canyon's rock walls, and a lighthouse by day (no sunset, no grass, no rocks)
MINIPLACES = SHARED / "scenes-train" / "miniplaces"
RIVER_AT_SUNSET = MINIPLACES / "river" / "train_00000513.jpg"
LIGHTHOUSE_AT_SUNSET = MINIPLACES / "lighthouse" / "train_00000657.jpg"
DAY_LIGHTHOUSE = MINIPLACES / "lighthouse" / "train_00000665.jpg"
GOLF_AT_DUSK = MINIPLACES / "golf_course" / "val_00004583.jpg"
LAWN = MINIPLACES / "yard" / "train_00000105.jpg"
ROCKY_CANYON = MINIPLACES / "canyon" / "train_00000193.jpg"
# dusk and night outside the night folders: a lit fountain, a skyline over tail lights,
# an abbey under star trails
FOUNTAIN_AT_DUSK = MINIPLACES / "fountain" / "train_00000753.jpg"
SKYLINE_AT_DUSK = MINIPLACES / "skyscraper" / "train_00000345.jpg"
ABBEY_UNDER_STARS = MINIPLACES / "abbey" / "val_00003772.jpg"


JUDGED_PHOTOS = _photos(RIVER_AT_SUNSET, LIGHTHOUSE_AT_SUNSET, DAY_LIGHTHOUSE, GOLF_AT_DUSK, LAWN,
                        ROCKY_CANYON, KITCHEN, FOUNTAIN_AT_DUSK, SKYLINE_AT_DUSK, ABBEY_UNDER_STARS)


@pytest.fixture(scope="module")
def judged_index(held_out) -> Part:
    return _part(held_out, JUDGED_PHOTOS)


def _every(hits: list[dict]) -> list[str]:
    return [Path(h["path"]).name for h in hits]


def test_a_sunset_is_found_behind_a_lighthouse_and_the_lighthouse_by_day_is_not(judged_index):
    """The sunset is an attribute now: a lighthouse at sunset is a lighthouse *and* a
    sunset. As a place of the softmax it had to be one of the two, and the heads before
    did not find the lighthouse for «закат» at all."""
    hits = _search(judged_index, "закат")
    assert _strong(hits)[0] == RIVER_AT_SUNSET.name, hits
    assert hits[0]["why"].startswith("закат: "), hits[0]["why"]
    assert LIGHTHOUSE_AT_SUNSET.name in _every(hits)
    for daylight in (DAY_LIGHTHOUSE, LAWN, KITCHEN):
        assert daylight.name not in _every(hits)
    assert {LIGHTHOUSE_AT_SUNSET.name, DAY_LIGHTHOUSE.name} <= set(_strong(_search(judged_index, "маяк")))


def test_grass_is_a_label_of_its_own(judged_index):
    """«трава» had no label: it reached the field, golf course and yard as a related word
    (and found neither photo here). Now grass judged by eye in every outdoor folder."""
    hits = _search(judged_index, "трава")
    assert _strong(hits)[:2] == [GOLF_AT_DUSK.name, LAWN.name], hits
    assert all(h["why"].startswith("трава: ") for h in hits[:2]), hits[:2]
    for bare in (ROCKY_CANYON, DAY_LIGHTHOUSE, KITCHEN):
        assert bare.name not in _strong(hits)


def test_rocks_are_found_by_a_label_of_their_own(judged_index):
    """«камни» reached rocks only through the places and things that have them (a canyon,
    a cliff, a stone wall: «камни ← каньон»); now rock and stones judged by eye."""
    hits = _search(judged_index, "камни")
    assert _strong(hits)[0] == ROCKY_CANYON.name, hits
    assert hits[0]["why"].startswith("камни: "), hits[0]["why"]
    for smooth in (LAWN, GOLF_AT_DUSK, DAY_LIGHTHOUSE, KITCHEN):
        assert smooth.name not in _strong(hits)
    assert _strong(_search(judged_index, "валуны"))[0] == ROCKY_CANYON.name


def test_dusk_and_night_are_found_in_any_folder(judged_index):
    """«ночь» was a place learned from two webcams over cities: it found none of these
    three. Now an attribute, with dark skies and lamp-lit scenes judged by eye in every
    outdoor folder; the fountain at dusk is still a fountain."""
    hits = _search(judged_index, "ночь")
    assert set(_strong(hits)[:3]) == {FOUNTAIN_AT_DUSK.name, SKYLINE_AT_DUSK.name,
                                      ABBEY_UNDER_STARS.name}, hits
    assert all(h["why"].startswith("ночь: ") for h in hits[:3]), hits[:3]
    for daylight in (DAY_LIGHTHOUSE, LAWN, KITCHEN, ROCKY_CANYON):
        assert daylight.name not in _strong(hits)
    assert FOUNTAIN_AT_DUSK.name in _strong(_search(judged_index, "фонтан"))


# Mini Places' second half: places with labels of their own now, found on photos of other
# cameras (coco-dev, imagenet-samples), never trained on
BATHROOM = SHARED / "coco-dev" / "000000188421.jpg"      # [bottle, sink, toilet, vase]
TRAIN_ON_TRACKS = SHARED / "coco-dev" / "000000184321.jpg"  # [train]
HOCKEY_RINK = SHARED / "imagenet-samples" / "n04019541_puck.JPEG"  # players on the ice
LIBRARY = SHARED / "imagenet-samples" / "n03661043_library.JPEG"


PLACES_PHOTOS = _photos(BATHROOM, TRAIN_ON_TRACKS, HOCKEY_RINK, LIBRARY, KITCHEN)


@pytest.fixture(scope="module")
def places_index(held_out) -> Part:
    return _part(held_out, PLACES_PHOTOS)


@pytest.mark.parametrize("word, photo", [("ванная", BATHROOM), ("железная дорога", TRAIN_ON_TRACKS),
                                         ("каток", HOCKEY_RINK), ("коньки", HOCKEY_RINK)])
def test_a_place_from_mini_places_other_half_is_found_by_its_own_label(places_index, word, photo):
    """«каток» had no label at all; «ванная» and «железная дорога» reached these photos
    only through the things in them (a bathtub, a toilet, a train). Each is now a place
    label of its own, trained on another camera's photos (Mini Places)."""
    hits = _search(places_index, word)
    assert _strong(hits)[0] == photo.name, hits
    # and its own place label alone is sure of it. Not "the first tag the explanation
    # names": the train on the tracks (0.76 x a broader word's 0.8 = 0.605) and the
    # railway (0.61 with round thirty-eight's heads, 0.60 with the next) take turns there
    label = next(c for c in load_vocabulary().labels
                 if c.kind == "scene" and word in (c.ru, *c.synonyms))
    assert _tag(places_index, photo, label.key) >= SURE["scene"], hits[0]["why"]
    others = {BATHROOM, TRAIN_ON_TRACKS, HOCKEY_RINK, LIBRARY, KITCHEN} - {photo}
    assert not {p.name for p in others} & set(_strong(hits))


PATIO = SHARED / "imagenet-samples" / "n03899768_patio.JPEG"          # a house's tiled porch
MOBILE_HOME = SHARED / "imagenet-samples" / "n03776460_mobile_home.JPEG"
TOYSHOP = SHARED / "imagenet-samples" / "n04462240_toyshop.JPEG"


HOUSES_PHOTOS = _photos(PATIO, MOBILE_HOME, TOYSHOP, KITCHEN)


@pytest.fixture(scope="module")
def houses_index(held_out) -> Part:
    return _part(held_out, HOUSES_PHOTOS)


def test_a_private_house_in_colour_is_found_by_the_suburb_label(houses_index):
    """«частный дом» learned from 15-Scene's black-and-white suburbs alone: a colour
    house's porch scored 0.01 for it. Colour houses from two more sources (US listings,
    Wikimedia's craftsman bungalows) and black-and-white twins of every colour photo
    make it 0.85 (training/train_heads.py GREY_TWINS)."""
    hits = _search(houses_index, "частный дом")
    strong = _strong(hits)
    assert {PATIO.name, MOBILE_HOME.name} <= set(strong[:2]), hits
    assert any(m["tag"]["label"] == "scene:suburb" for m in hits[0]["matches"]), hits[0]["why"]
    assert TOYSHOP.name not in strong and KITCHEN.name not in strong



# a fish tank and fish under water (imagenet-samples) against close-ups of things (coco-dev)
JELLYFISH_TANK = SHARED / "imagenet-samples" / "n01910747_jellyfish.JPEG"  # a desktop tank
GOLDFISH = SHARED / "imagenet-samples" / "n01443537_goldfish.JPEG"
DESK_AT_NIGHT = SHARED / "coco-dev" / "000000294920.jpg"  # [wine glass, laptop, book...]
MUFFIN = SHARED / "coco-dev" / "000000245760.jpg"          # [cake, dining table]
BREAKFAST_BOWL = SHARED / "coco-dev" / "000000025986.jpg"  # [bowl, broccoli, donut, cup]


CLOSE_UP_PHOTOS = _photos(JELLYFISH_TANK, GOLDFISH, DESK_AT_NIGHT, MUFFIN, BREAKFAST_BOWL)


@pytest.fixture(scope="module")
def close_up_index(held_out) -> Part:
    return _part(held_out, CLOSE_UP_PHOTOS)


def test_a_close_up_of_a_thing_is_no_aquarium(close_up_index, sample_index):
    """The place softmax must call every photo some place, and the aquarium (one source:
    phone photos of fish tanks) took the photos no place fits: its probability on a desk
    at night 0.65, a muffin 0.51, a breakfast bowl 0.37, the top place of 46 of coco-dev's
    160 photos (food, desks), and 0.33 on `make run`'s cat. A training-only close-up class (dishes, pets'
    faces, things on a desk; train_heads.CLOSE_UPS) is their home now, and the fish
    tanks stay «аквариум»."""
    hits = _search(close_up_index, "аквариум")
    assert set(_strong(hits)) == {JELLYFISH_TANK.name, GOLDFISH.name}, \
        [(h["path"], h["why"]) for h in hits]
    assert "chelsea.png" not in _strong(search_json(sample_index, "аквариум"))


# round fifteen: palms and monuments, attributes of their own (imagenet-samples, never trained on)
CAMELS_UNDER_PALMS = SHARED / "imagenet-samples" / "n02437312_Arabian_camel.JPEG"  # a palm oasis
COLUMN_WITH_STATUE = SHARED / "imagenet-samples" / "n03903868_pedestal.JPEG"       # a memorial column
BELL_COTE = SHARED / "imagenet-samples" / "n02825657_bell_cote.JPEG"               # a stone chapel
MOSQUE = SHARED / "imagenet-samples" / "n03788195_mosque.JPEG"
SEASHORE = SHARED / "imagenet-samples" / "n09428293_seashore.JPEG"                 # a bay, no palms


LANDMARKS_PHOTOS = _photos(CAMELS_UNDER_PALMS, COLUMN_WITH_STATUE, BELL_COTE, MOSQUE, SEASHORE)


@pytest.fixture(scope="module")
def landmarks_index(held_out) -> Part:
    return _part(held_out, LANDMARKS_PHOTOS)


def test_palms_and_a_statue_are_found_by_their_own_words(landmarks_index):
    """«пальма» and «статуя» reached no label at all (benchmarks/everyday_words.py); a
    palm head (tree-species palms, palm beaches, coast photos seen to show palms:
    training/manifests/seen.csv) and a monument head (statues from nine sources) find
    them, and not the chapel, the mosque or a bay without palms."""
    palms = _search(landmarks_index, "пальма")
    assert _strong(palms)[:1] == [CAMELS_UNDER_PALMS.name], palms
    assert palms[0]["matches"][0]["tag"]["label"] == "scene:palm_trees", palms[0]["why"]
    statue = _search(landmarks_index, "статуя")
    assert _strong(statue) == [COLUMN_WITH_STATUE.name], statue
    assert statue[0]["matches"][0]["tag"]["label"] == "scene:monument", statue[0]["why"]
    for word in ("пальма", "статуя", "памятник"):
        strong = set(_strong(_search(landmarks_index, word)))
        assert not strong & {BELL_COTE.name, MOSQUE.name, SEASHORE.name}, (word, strong)


# round twenty-nine: the tags regions gave count by their best (scoring.term_mass);
# imagenet-samples photos on which their sum put the wrong photo first
CORAL_REEF = SHARED / "imagenet-samples" / "n09256479_coral_reef.JPEG"  # a reef, no fish to see
TENCH = SHARED / "imagenet-samples" / "n01440764_tench.JPEG"             # a fish held up by an angler
CHURCH = SHARED / "imagenet-samples" / "n03028079_church.JPEG"

REGION_PHOTOS = _photos(CORAL_REEF, GOLDFISH, TENCH, CHURCH, BELL_COTE)


@pytest.fixture(scope="module")
def region_index(held_out) -> Part:
    return _part(held_out, REGION_PHOTOS)


def test_many_faint_region_tags_do_not_outrank_one_sure_thing(region_index):
    """A reef's windows each see some fish a little (puffer 0.40, eel, gar...): their
    classes' best windows summed to 0.99 for «рыба», above photos of a fish (0.84-0.86).
    And the chapel's bell cote with two weaker tags capped «церковь» at 1.00 above the
    church itself (0.99). Regions count by their best tag now."""
    fish = _search(region_index, "рыба")
    names = [Path(h["path"]).name for h in fish]
    assert names[:2] in ([GOLDFISH.name, TENCH.name], [TENCH.name, GOLDFISH.name]), \
        [(h["path"], h["why"]) for h in fish]
    reef = next((h for h in fish if Path(h["path"]).name == CORAL_REEF.name), None)
    assert reef is None or reef["score"] < min(h["score"] for h in fish[:2])
    church = _search(region_index, "церковь")
    assert _strong(church)[:2] == [CHURCH.name, BELL_COTE.name], [(h["path"], h["why"]) for h in church]


CITY_STREET = SHARED / "coco-dev" / "000000344067.jpg"  # [person, bicycle, car...]: a Japanese street


CAMPUS_PHOTOS = _photos(CITY_STREET, KITCHEN)


@pytest.fixture(scope="module")
def campus_index(held_out) -> Part:
    return _part(held_out, CAMPUS_PHOTOS)


def test_a_street_the_campus_head_likes_stays_a_street(campus_index):
    """The campus (round sixteen: «университет», «кампус») is an attribute beside the
    place, not a place of the softmax: as a place it took the street's share of city
    photos (this street went from «улица» 0.92 to a weak 0.25, «город» on coco-dev judged by
    eye 0.88 -> 0.77). The campus head scores this street high, and it stays a street."""
    street = _search(campus_index, "улица")
    assert _strong(street)[:1] == [CITY_STREET.name], street
    assert street[0]["matches"][0]["tag"]["label"] == "scene:street", street[0]["why"]
    campus = _search(campus_index, "университет")
    assert campus[0]["matches"][0]["tag"]["label"] == "scene:campus", campus[0]["why"]
    assert KITCHEN.name not in _strong(campus), campus



# held-out fifth of scenes-train (seed 0), never trained on: roads under yellow and red
# leaves (copies of others of the set are marked in training/manifests/seen.csv), green
# forest roads of the same web set, and two it gets wrong: a sunlit lime-green road the
# head scores 0.70 and a backlit autumn road 0.20 (indexed, not asserted)
_ROADS = SHARED / "scenes-train" / "road_images" / "forest_roads"
AUTUMN_ROADS = [_ROADS / "hiawatha-national-forest-fall-color-100220120018.jpg",
                _ROADS / "forest-road-fallen-leaves-japan-3648x2736_103418.jpg"]
GREEN_ROADS = [_ROADS / "5afbc4a5b6357955d6f57c1dfcb154da.jpg", _ROADS / "cool-forest-road-wallpaper-1.jpg"]
MISSED_ROADS = [_ROADS / "Forest+Road+Wallpapers+2.jpg", _ROADS / "forest-road-36166-36991-hd-wallpapers.jpg"]


AUTUMN_PHOTOS = _photos(*AUTUMN_ROADS, *GREEN_ROADS, *MISSED_ROADS, KITCHEN)


@pytest.fixture(scope="module")
def autumn_index(held_out) -> Part:
    return _part(held_out, AUTUMN_PHOTOS)


@pytest.mark.parametrize("query", ["осенний лес", "листопад", "золотая осень", "осенние листья"])
def test_autumn_words_find_the_yellow_forest_and_not_the_green_one(autumn_index, query):
    """Round nineteen's autumn-leaves head: «осенний лес» is the look a user remembers,
    not the months of a date (these web photos have none): the autumn roads are sure
    matches, explained by the label, and the green roads and the kitchen are not."""
    hits = _search(autumn_index, query)
    strong = _strong(hits)
    assert {p.name for p in AUTUMN_ROADS} <= set(strong), hits
    assert not {p.name for p in GREEN_ROADS} & set(strong) and KITCHEN.name not in strong
    assert hits[0]["why"].startswith(f"{query} ← осенняя листва: "), hits[0]["why"]


# held-out fifth of scenes-train (seed 0), greyscale 15-Scene: a mountain under snow the
# head is unsure of as a mountain (0.43 for «горы»), and a bare rocky valley it is sure of
SNOWY_MOUNTAIN = SHARED / "scenes-train" / "15scene" / "mountain" / "test_image_0202.jpg"
SNOWLESS_MOUNTAIN = SHARED / "scenes-train" / "15scene" / "mountain" / "test_image_0158.jpg"
WINTER_PHOTOS = _photos(SNOWY_MOUNTAIN, SNOWLESS_MOUNTAIN)


@pytest.fixture(scope="module")
def winter_index(held_out) -> Part:
    return _part(held_out, WINTER_PHOTOS)


def test_mountains_in_winter_with_no_date_taken_are_the_snowy_ones(winter_index):
    """«горы зимой» over copies with no EXIF date: their file's month is when they were
    copied (this month, whatever it is), so neither is a winter photo for sure, and the
    look of winter orders them: the snowy mountain first, though «горы» alone puts the
    bare valley first; each says why and that its date is unknown."""
    mountains = [Path(h["path"]).name for h in _search(winter_index, "горы")]
    assert mountains.index(SNOWLESS_MOUNTAIN.name) < mountains.index(SNOWY_MOUNTAIN.name)
    winter = _search(winter_index, "горы зимой")
    assert _strong(winter) == [], [(h["path"], h["why"]) for h in winter]
    assert Path(winter[0]["path"]).name == SNOWY_MOUNTAIN.name, [(h["path"], h["why"]) for h in winter]
    assert "; зима ← снег: " in winter[0]["why"], winter[0]["why"]
    assert "дата съёмки неизвестна (у файла " in winter[0]["why"]
    assert SNOWLESS_MOUNTAIN.name in {Path(h["path"]).name for h in winter}


def test_roads_in_autumn_with_no_date_taken_are_the_yellow_ones(autumn_index):
    """«дорога осенью» over the same copies: the look of autumn orders them (none has a
    date taken, and the month the test runs in makes none an autumn photo): both autumn
    roads before both green ones, each saying why."""
    hits = _search(autumn_index, "дорога осенью")
    assert _strong(hits) == [], [(h["path"], h["why"]) for h in hits]
    order = [Path(h["path"]).name for h in hits]
    assert max(order.index(p.name) for p in AUTUMN_ROADS) < min(order.index(p.name) for p in GREEN_ROADS), \
        [(h["path"], h["why"]) for h in hits]
    assert "; осенняя листва: " in hits[0]["why"], hits[0]["why"]
