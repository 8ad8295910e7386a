"""What a user sees on real photos like theirs: cluttered COCO photos (several objects,
people from behind) and held-out scene photos, indexed with the default model through
the real CLI. Skips where ../shared/data is absent (a user's machine)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from photofinder.cli import WEAK_DIVIDER

from .conftest import run_here, search_json

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
COCO = SHARED / "coco-dev"
SCENES = SHARED / "scenes-train"
# coco-dev photos (their COCO objects in brackets)
BOTTLE_IN_OFFICE = "000000346638.jpg"    # [bottle, keyboard, mouse, tv]: the bottle is small
CLOCK_IN_SHOP = "000000581632.jpg"       # [bottle, clock, person]
ON_A_BENCH_FROM_BEHIND = "000000349184.jpg"  # [person, bench]: no face to see
UMBRELLA_FROM_BEHIND = "000000360960.jpg"    # [person, umbrella]: walking away
CAT_AND_LAPTOP = "000000119828.jpg"      # [cat, cell phone, cup, laptop, mouse, remote]: nobody
SKY_ABOVE_A_ROAD = "000000237568.jpg"    # [motorcycle, car, ...]: a road under a blue sky
LIT_KITCHEN = "000000090122.jpg"         # [oven, refrigerator, ...]: a bright ceiling, no sky
TENNIS_MATCH = "000000352257.jpg"        # [person, sports ball, tennis racket]
SKIER = "000000051712.jpg"               # [person, skis]
ZEBRA = "000000104455.jpg"               # [zebra]
DOG_WITH_FRISBEE = "000000524291.jpg"    # [dog, frisbee, person]: a border collie
# scenes-train photos of the held-out fifth (training/train_heads.py, seed 0): never trained on
SCENE_PHOTOS = {
    "море": "15scene/coast/test_image_0016.jpg",
    "лес": "15scene/forest/test_image_0230.jpg",
    "кухня": "miniplaces/kitchen/train_00000856.jpg",
    "закат": "sunrise_sunset/sunset/28.jpg",
    "туман": "dawn_fog/fog/haze-115.jpg",
}


COCO_PHOTOS = [BOTTLE_IN_OFFICE, CLOCK_IN_SHOP, ON_A_BENCH_FROM_BEHIND, UMBRELLA_FROM_BEHIND,
               CAT_AND_LAPTOP, SKY_ABOVE_A_ROAD, LIT_KITCHEN, TENNIS_MATCH, SKIER, ZEBRA,
               DOG_WITH_FRISBEE]


@pytest.fixture(scope="module")
def real_index(tmp_path_factory) -> Path:
    sources = [COCO / name for name in COCO_PHOTOS] + [SCENES / p for p in SCENE_PHOTOS.values()]
    if not all(p.is_file() for p in sources):
        pytest.skip(f"no real evaluation photos at {SHARED} (only on the developers' machines)")
    photos = tmp_path_factory.mktemp("real")
    for source in sources:  # copies in a temp folder, never in the repository
        shutil.copy(source, photos / (source.name if source.parent.parent == COCO.parent
                                      else f"{source.parent.name}_{source.name}"))
    index_dir = tmp_path_factory.mktemp("real_index")
    run_here("index", str(photos), "--index", str(index_dir), check=True)  # the default model
    return index_dir


def _names(hits: list[dict], strong_only: bool = True) -> list[str]:
    return [Path(h["path"]).name for h in hits if not (strong_only and h.get("weak"))]


@pytest.mark.parametrize("word", sorted(SCENE_PHOTOS))
def test_a_scene_word_finds_its_photo_first(real_index, word):
    hits = search_json(real_index, word)
    expected = Path(SCENE_PHOTOS[word])
    assert _names(hits)[0] == f"{expected.parent.name}_{expected.name}"
    assert hits[0]["matches"][0]["tag"]["label"].startswith("scene:")


def test_the_sea_is_explained_through_the_coast(real_index):
    why = search_json(real_index, "море")[0]["why"]
    assert why.startswith("море ← побережье: ") and "уверенность" in why


def test_a_small_secondary_object_is_found_from_a_region(real_index):
    hits = search_json(real_index, "бутылка")
    assert BOTTLE_IN_OFFICE in _names(hits)
    hit = next(h for h in hits if Path(h["path"]).name == BOTTLE_IN_OFFICE)
    assert "(фрагмент)" in hit["why"] and hit["matches"][0]["tag"]["region"]
    assert CLOCK_IN_SHOP in _names(search_json(real_index, "часы"))


def test_people_seen_from_behind_are_found_and_nobody_is_not(real_index):
    strong = _names(search_json(real_index, "человек", "--top", "20"))
    assert {ON_A_BENCH_FROM_BEHIND, UMBRELLA_FROM_BEHIND} <= set(strong)
    assert CAT_AND_LAPTOP not in strong


def test_an_object_and_a_scene_together_rank_the_photo_with_both_first(real_index):
    # The ranking, strong or weak: this desk's office sits at the sure level's edge (0.30
    # with round sixteen's heads, 0.297 with round seventeen's, the bar 0.3), and coco-dev's
    # judged truth does not count it among its three clear offices. Weak and strong have
    # a test of their own (test_weak_matches_come_after_a_divider_and_are_marked_weak).
    hits = search_json(real_index, "кошка в офисе")
    assert _names(hits, strong_only=False)[0] == CAT_AND_LAPTOP
    assert len(hits[0]["matches"]) == 2  # both words explained; «в» is no concept


def test_weak_matches_come_after_a_divider_and_are_marked_weak(real_index):
    hits = search_json(real_index, "человек", "--top", "20")
    flags = [bool(h.get("weak")) for h in hits]
    assert True in flags and False in flags
    assert flags == sorted(flags)  # every strong result before every weak one
    text = run_here("search", "человек", "--index", str(real_index), "--top", "20", check=True).stdout
    lines = text.splitlines()
    assert WEAK_DIVIDER in lines and "ещё слабых совпадений" in lines[0]
    assert lines.index(WEAK_DIVIDER) == 1 + 2 * flags.index(True)  # two lines per hit


def test_the_header_counts_every_strong_result_not_only_the_shown_ones(real_index):
    strong = _names(search_json(real_index, "человек", "--top", "20"))
    first = run_here("search", "человек", "--index", str(real_index), "--top", "1",
                    check=True).stdout.splitlines()[0]
    photos = len(COCO_PHOTOS) + len(SCENE_PHOTOS)
    assert first.startswith(f"«человек»: {len(strong)} из {photos} фото") and len(strong) > 1


def test_a_known_word_that_no_tag_means_is_said_not_dropped_silently(real_index):
    proc = run_here("search", "кошка на старте", "--index", str(real_index), check=True)
    assert "слово «старте» не связано ни с одной меткой" in proc.stdout
    assert CAT_AND_LAPTOP in proc.stdout.splitlines()[1]


def test_animals_without_people_leave_out_the_dog_with_its_owner(real_index):
    """«без» excludes what follows, as «-люди» does: read as a stop word it had asked for
    the people."""
    animals = _names(search_json(real_index, "животное", "--top", "20"))
    assert ZEBRA in animals and DOG_WITH_FRISBEE in animals
    alone = search_json(real_index, "животное без людей", "--top", "20")
    assert _names(alone)[0] == ZEBRA
    assert DOG_WITH_FRISBEE not in _names(alone, strong_only=False)
    assert _names(alone) == _names(search_json(real_index, "животное -люди", "--top", "20"))


def test_the_sky_above_a_road_is_found_and_a_kitchen_ceiling_is_not(real_index):
    hits = search_json(real_index, "небо", "--top", "20")
    assert SKY_ABOVE_A_ROAD in _names(hits)
    hit = next(h for h in hits if Path(h["path"]).name == SKY_ABOVE_A_ROAD)
    assert hit["matches"][0]["tag"]["label"] == "scene:sky" and hit["why"].startswith("небо: ")
    assert LIT_KITCHEN not in _names(hits, strong_only=False)
    names = _names(hits)  # a photo of the sky itself comes before a photo with some sky
    assert names.index("sunset_28.jpg") < names.index(SKY_ABOVE_A_ROAD)


@pytest.mark.parametrize("query, photo, why", [
    ("теннис", TENNIS_MATCH, "теннис ← ракетка: "),
    ("теннисисты", TENNIS_MATCH, "теннисист ← теннис ← ракетка: "),  # who plays, a word form
    ("лыжник", SKIER, "лыжник ← лыжный спорт ← лыжи: "),
])
def test_a_sport_or_who_plays_it_finds_the_photo_of_the_game(real_index, query, photo, why):
    """«теннис», «лыжник» are what people type for these photos; they reach the racket's
    and the skis' tags, not every photo of a person."""
    hits = search_json(real_index, query)
    assert _names(hits)[0] == photo and hits[0]["why"].startswith(why)
    assert ON_A_BENCH_FROM_BEHIND not in _names(hits)


@pytest.mark.parametrize("query, photos, why, other", [
    ("дикие животные", {ZEBRA}, "дикое животное ← зебра: ", DOG_WITH_FRISBEE),
    ("домашние животные", {DOG_WITH_FRISBEE, CAT_AND_LAPTOP}, "домашнее животное ← ", ZEBRA),
    ("зимний спорт", {SKIER}, "зимний спорт ← лыжи: ", TENNIS_MATCH),
])
def test_a_kind_of_animal_or_sport_is_not_every_animal_or_sport(real_index, query, photos, why,
                                                                other):
    """The adjective counts: «дикие животные» is the zebra before the dog, «зимний спорт»
    the skier before the tennis match. Before, «дикие» and «зимний» were words no tag
    meant, and every animal or sport came first at full score; now the other kind is at
    most a meaning match («животное» is near «дикое животное»), under half the score."""
    hits = search_json(real_index, query, "--top", "20")
    names = _names(hits, strong_only=False)
    assert set(names[:len(photos)]) == photos and hits[0]["why"].startswith(why)
    assert hits[0]["score"] > 0.7  # a broader or related word weighs 0.8
    assert all(h["score"] < hits[0]["score"] / 2 for h in hits if Path(h["path"]).name == other)


def test_an_adjective_reaches_its_noun_and_a_phrase_is_not_its_own_word(real_index):
    """«морские волны» is the sea (морской → море: before, «морские» was a word no tag
    meant and nothing was found); «морской лев» stays the animal, not the sea: a known
    phrase is not a match by meaning for one of its words."""
    coast = "coast_" + Path(SCENE_PHOTOS["море"]).name
    hits = search_json(real_index, "морские волны")
    assert _names(hits)[0] == coast and hits[0]["why"].startswith("морской ← море ← побережье: ")
    assert coast not in _names(search_json(real_index, "морской лев"), strong_only=False)


@pytest.mark.parametrize("query, photo, why", [
    ("лесок", "forest_test_image_0230.jpg", "лесок ← лес: "),   # first read as «леска»
    ("бутылочка", BOTTLE_IN_OFFICE, "бутылочка ← бутылка ← "),
    ("собачонка", DOG_WITH_FRISBEE, "собачонка ← собачка ← собака ← "),
])
def test_a_diminutive_finds_the_photo_of_its_plain_word(real_index, query, photo, why):
    """Diminutives the vocabulary lacks («лесок» reached nothing: pymorphy3 reads it as
    the genitive of «леска») find what the plain word finds, and say which word that was."""
    hits = search_json(real_index, query)
    assert _names(hits)[0] == photo and hits[0]["why"].startswith(why)
