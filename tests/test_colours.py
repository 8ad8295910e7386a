"""Colour words: «красная машина», «белая собака» (photofinder/colours.py)."""

from __future__ import annotations

import numpy as np
import pytest

from photofinder.colours import (
    COLOURS,
    TAG_KEYS,
    cell_colours,
    colour_scores,
    monochrome_score,
    object_boxes,
    shares,
)
from photofinder.vocabulary import SCENE_PREFIX, load_vocabulary

from .conftest import TAGGER, run_here, search_json

# one plain colour per basic colour word, as a photo of it would show it
SWATCHES = {
    "red": (200, 30, 30), "orange": (240, 130, 20), "yellow": (245, 215, 40),
    "green": (40, 150, 60), "light_blue": (120, 190, 240), "blue": (20, 40, 160),
    "purple": (120, 50, 170), "pink": (240, 150, 190), "brown": (110, 70, 30),
    "white": (245, 245, 240), "grey": (128, 128, 128), "black": (15, 15, 15),
}


@pytest.mark.parametrize("name", COLOURS)
def test_each_basic_colour_is_named(name):
    pixels = np.full((64, 64, 3), SWATCHES[name], np.uint8)
    assert COLOURS[int(np.bincount(cell_colours(pixels).ravel()).argmax())] == name


def test_a_taxi_yellow_is_yellow_and_a_ginger_coat_orange():
    """Hues between orange and yellow: a taxi's in the sun (hue ~41°) is «желтый», a
    ginger dog's or cat's (~28°) «рыжий»: with the border at 42° the New York cab of
    imagenet-samples was orange."""
    taxi = np.full((8, 8, 3), (235, 170, 30), np.uint8)
    ginger = np.full((8, 8, 3), (200, 120, 50), np.uint8)
    assert COLOURS[cell_colours(taxi)[0, 0]] == "yellow"
    assert COLOURS[cell_colours(ginger)[0, 0]] == "orange"


def test_an_objects_box_says_its_colour_and_is_marked_a_region():
    """A red car on a third of a grey street: too little red for the photo, but its box
    is red, and the tag says it came from a part of the photo."""
    pixels = np.full((96, 96, 3), 128, np.uint8)
    pixels[40:80, 10:40] = (200, 30, 30)
    red = COLOURS.index("red")
    assert shares(cell_colours(pixels))[red] < 0.2
    whole, from_box = colour_scores(pixels)
    assert whole[red] < 0.3 and not from_box.any()
    boxed, from_box = colour_scores(pixels, [(10 / 96, 40 / 96, 40 / 96, 80 / 96)])
    assert boxed[red] == 1.0 and from_box[red]
    assert boxed[COLOURS.index("grey")] == whole[COLOURS.index("grey")]


def test_the_colours_of_the_two_main_things_count_not_of_every_small_one():
    """The cat and the sofa say the photo's colours; a keyboard in a corner, a doubtful
    box and a speck do not."""
    from photofinder.detector import Detection

    cat = Detection(15, 0.8, (0.2, 0.2, 0.8, 0.9))
    sofa = Detection(57, 0.5, (0.0, 0.5, 1.0, 1.0))
    keyboard = Detection(66, 0.9, (0.0, 0.0, 0.2, 0.2))
    doubtful = Detection(56, 0.2, (0.0, 0.0, 1.0, 1.0))
    speck = Detection(39, 0.9, (0.5, 0.5, 0.55, 0.55))
    assert object_boxes([keyboard, doubtful, speck, sofa, cat]) == [cat.box, sofa.box]


def test_a_black_and_white_photo_is_told_from_a_colour_photo_of_grey_things():
    """A grey print has no coloured pixel; a snowfield with one red jacket in it does."""
    rng = np.random.default_rng(0)
    grey = np.repeat(rng.integers(0, 256, (96, 96, 1), dtype=np.uint8), 3, axis=2)
    assert monochrome_score(grey) == 1.0
    jacket = grey.copy()
    jacket[40:56, 40:52] = (200, 30, 30)
    assert monochrome_score(jacket) == 0.0
    scores, from_box = colour_scores(grey)
    assert scores[TAG_KEYS.index("monochrome")] == 1.0 and not from_box.any()


def test_every_colour_has_a_russian_word_in_the_vocabulary():
    vocab = load_vocabulary()
    names = {vocab.labels[vocab.index_of_key[SCENE_PREFIX + "colour_" + c]].ru for c in TAG_KEYS}
    assert names == {"красный", "оранжевый", "желтый", "зеленый", "голубой", "синий",
                     "фиолетовый", "розовый", "коричневый", "белый", "серый", "черный",
                     "черно-белый"}


# --- real photos: imagenet-samples' dogs and cars, colours judged by eye
# (benchmarks/colour_truth.json)
CARS = {"n03100240_convertible": "red", "n04285008_sports_car": "red", "n02930766_cab": "yellow",
        "n03670208_limousine": "black", "n03770679_minivan": "grey"}
DOGS = {"n02111500_Great_Pyrenees": "white", "n02104029_kuvasz": "white",
        "n02111277_Newfoundland": "black", "n02099712_Labrador_retriever": "black",
        "n02093991_Irish_terrier": "brown"}


@pytest.fixture(scope="module")
def dogs_and_cars(imagenet_samples, tmp_path_factory):
    root = tmp_path_factory.mktemp("colours")
    photos = root / "photos"
    photos.mkdir()
    for stem in [*CARS, *DOGS]:
        (photos / f"{stem}.JPEG").symlink_to(imagenet_samples / f"{stem}.JPEG")
    run_here("index", str(photos), "--index", str(root / "ix"), "--tagger", TAGGER, check=True)
    return root / "ix"


def _strong(index_dir, query: str) -> list[str]:
    return [h["path"].rsplit("/", 1)[1].removesuffix(".JPEG")
            for h in search_json(index_dir, query) if not h.get("weak")]


def test_a_red_car_is_found_before_the_other_cars(dogs_and_cars):
    red = _strong(dogs_and_cars, "красная машина")
    assert set(red[:2]) == {"n03100240_convertible", "n04285008_sports_car"}
    assert "n02930766_cab" not in red and "n03670208_limousine" not in red
    assert _strong(dogs_and_cars, "желтое такси")[:1] == ["n02930766_cab"]
    assert _strong(dogs_and_cars, "желтая машина")[:1] == ["n02930766_cab"]
    # the colour is one more word: «машина» alone still finds every car
    assert set(_strong(dogs_and_cars, "машина")) == set(CARS)


def test_a_white_dog_and_black_dogs(dogs_and_cars):
    white = _strong(dogs_and_cars, "белая собака")
    assert white[0] == "n02111500_Great_Pyrenees"
    assert "n02099712_Labrador_retriever" not in white
    black = _strong(dogs_and_cars, "черные собаки")
    assert {"n02111277_Newfoundland", "n02099712_Labrador_retriever"} <= set(black)
    assert not any(name in black for name in CARS)


def test_the_black_sea_is_the_sea_not_black_things(dogs_and_cars):
    """«Черное море», «Красное море» are seas people travel to: one term each (aliases),
    never the colour beside the sea."""
    proc = run_here("search", "Черное море", "--index", str(dogs_and_cars), check=True)
    assert "черный" not in proc.stdout and "черное море" in proc.stdout
