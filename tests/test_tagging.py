"""How one photo's whole-photo and region probabilities become its ImageNet tags."""

from __future__ import annotations

import numpy as np
import pytest

from photofinder.detector import COCO_CLASSES, Detection
from photofinder.heads import load_heads
from photofinder.index import Index
from photofinder.tagging import (
    CLOUD_GAIN,
    CLOUD_WEIGHT,
    REGION_PLACES,
    REGION_WEIGHT,
    SKY_KEY,
    SKY_MOST,
    WHOLE_PHOTO_CLASSES,
    Columns,
    cloudy_probability,
    combine_tags,
    group_probability,
    sky_probability,
)
from photofinder.vocabulary import load_vocabulary

BOTTLE, SEASHORE, CAT = 440, 978, 285   # beer bottle, seashore, Egyptian cat


@pytest.fixture(scope="module")
def columns() -> Columns:
    return Columns(Index(tagger={"name": "t", "weights": ""}, vectors="", vocabulary=""),
                   load_vocabulary(), None)


def _tags(probs: np.ndarray, columns: Columns) -> dict[int, tuple[float, bool]]:
    labels, scores, region = combine_tags(probs, columns, None, None)
    class_of = {int(c): k for k, c in enumerate(columns.imagenet)}
    return {class_of[int(c)]: (float(s), bool(r)) for c, s, r in zip(labels, scores, region)}


PERSON, CHAIR = COCO_CLASSES.index("person"), COCO_CLASSES.index("chair")


def _box(score: float, height: float = 0.5, cls: int = PERSON) -> Detection:
    return Detection(cls, score, (0.1, 0.2, 0.3, 0.2 + height))


def test_a_group_is_three_people_or_more_each_box_counted_by_its_score():
    # three sure people: the chance all three are people
    assert group_probability([_box(0.9)] * 3) == pytest.approx(0.9 ** 3)
    # two sure people are no group however sure; a third doubtful one adds its doubt
    assert group_probability([_box(0.95), _box(0.95)]) == 0.0
    assert group_probability([_box(0.95), _box(0.95), _box(0.3)]) == pytest.approx(0.95 ** 2 * 0.3)
    # many doubtful boxes (a crowd the detector half sees) add up: six at 0.5 -> 42/64
    assert group_probability([_box(0.5)] * 6) == pytest.approx(42 / 64)
    # specks under GROUP_MIN_HEIGHT and other classes are no one
    assert group_probability([_box(0.9), _box(0.9), _box(0.9, height=0.02)]) == 0.0
    assert group_probability([_box(0.9), _box(0.9), _box(0.9, cls=CHAIR)]) == 0.0


def test_an_object_several_regions_see_is_surer_than_one_region_alone(columns):
    probs = np.zeros((14, 1000), np.float32)
    probs[0, BOTTLE] = 0.05            # small in the whole photo
    probs[[3, 7, 9], BOTTLE] = 0.8     # three overlapping windows see it
    probs[0, CAT] = 0.35               # the main subject, from the whole photo
    probs[5, CAT] = 0.6                # one window alone says less than the whole photo
    tags = _tags(probs, columns)
    one_window = probs.copy()
    one_window[[7, 9], BOTTLE] = 0.0
    alone = _tags(one_window, columns)[BOTTLE][0]
    # each window's vote counts REGION_WEIGHT in a noisy-OR: three agreeing windows are
    # surer than one, one is less sure than it says itself
    assert tags[BOTTLE] == (pytest.approx(1 - (1 - REGION_WEIGHT * 0.8) ** 3), True)
    assert alone == pytest.approx(REGION_WEIGHT * 0.8) and alone < 0.8 and tags[BOTTLE][0] > alone
    assert tags[CAT] == (pytest.approx(0.35), False)


def test_a_landscape_class_keeps_the_whole_photos_probability(columns):
    assert SEASHORE in WHOLE_PHOTO_CLASSES
    probs = np.zeros((14, 1000), np.float32)
    probs[0, SEASHORE] = 0.2
    probs[1:, SEASHORE] = 0.9          # every corner "looks like" a seashore
    assert _tags(probs, columns)[SEASHORE] == (pytest.approx(0.2), False)


def test_without_regions_the_whole_photo_decides(columns):
    probs = np.zeros((1, 1000), np.float32)
    probs[0, CAT] = 0.4
    probs[0, BOTTLE] = 0.005           # under the floor: not kept
    assert _tags(probs, columns) == {CAT: (pytest.approx(0.4), False)}


def test_sky_is_sure_from_a_quarter_of_the_photo_and_only_outdoors():
    heads = load_heads("efficientnet-lite2")
    index = Index(tagger={"name": "t", "weights": ""}, vectors="", vocabulary="")
    columns = Columns(index, load_vocabulary(), heads)
    keys = list(heads.tag_keys)
    assert columns.sky == index.labels.index(SKY_KEY)
    assert {keys[i] for i in np.flatnonzero(columns.indoor)} >= {"kitchen", "bedroom", "office",
                                                                 "restaurant", "supermarket"}
    assert not columns.indoor[[keys.index(k) for k in ("coast", "street", "clouds")]].any()
    street, kitchen = np.zeros(len(keys)), np.zeros(len(keys))
    street[keys.index("street")], kitchen[keys.index("kitchen")] = 1.0, 0.9
    assert sky_probability(0.30, street, columns.indoor) == pytest.approx(SKY_MOST)
    assert sky_probability(0.10, street, columns.indoor) == pytest.approx(0.4 * SKY_MOST)
    assert sky_probability(0.30, kitchen, columns.indoor) == pytest.approx(0.1 * SKY_MOST)  # a ceiling
    # a close-up (the heads' training-only class) shows no open sky: a blue tablecloth
    close_up = np.zeros(len(keys))
    close_up[keys.index("close_up")] = 0.9
    assert sky_probability(0.30, close_up, columns.indoor) == pytest.approx(0.1 * SKY_MOST)
    labels, scores, _ = combine_tags(np.zeros((1, 1000)), columns, street, None, sky=0.4)
    assert dict(zip(labels.tolist(), scores.tolist()))[columns.sky] == pytest.approx(0.4)


def test_clouds_over_a_street_are_read_from_the_sky_and_not_from_a_ceiling():
    """The head reads a street under clouds as a street (clouds 0.1); the sky's grey-white
    cells (photos.cloud_fraction, a tenth of the frame) add CLOUD_WEIGHT x min(1,
    CLOUD_GAIN x 0.1) by a noisy-OR. A kitchen's white ceiling adds almost nothing: the
    heads are sure it is indoors. No cells, no change."""
    heads = load_heads("efficientnet-lite2")
    columns = Columns(Index(tagger={"name": "t", "weights": ""}, vectors="", vocabulary=""),
                      load_vocabulary(), heads)
    keys = list(heads.tag_keys)
    assert keys[columns.clouds] == "clouds"
    street, kitchen = np.zeros(len(keys)), np.zeros(len(keys))
    street[keys.index("street")], street[keys.index("clouds")] = 0.9, 0.1
    kitchen[keys.index("kitchen")], kitchen[keys.index("clouds")] = 0.95, 0.1
    seen = CLOUD_WEIGHT * min(1.0, CLOUD_GAIN * 0.1)
    assert cloudy_probability(0.1, 0.1, street, columns.indoor) == pytest.approx(1 - 0.9 * (1 - seen))
    assert cloudy_probability(0.1, 0.1, kitchen, columns.indoor) == pytest.approx(
        1 - 0.9 * (1 - 0.05 * seen))

    def clouds_tag(scenes: np.ndarray, fraction: float) -> float:
        labels, scores, region = combine_tags(np.zeros((1, 1000)), columns, scenes, None,
                                              clouds=fraction)
        tags = dict(zip(labels.tolist(), scores.tolist()))
        assert not region.any()
        return tags[int(columns.scenes[columns.clouds])]

    assert clouds_tag(street, 0.1) == pytest.approx(1 - 0.9 * (1 - seen))
    assert clouds_tag(street, 0.0) == pytest.approx(0.1)
    assert clouds_tag(kitchen, 0.1) < 0.12


def test_mountains_behind_the_people_are_read_on_the_regions_the_beach_is_not():
    """The heads read the whole photo: friends on a beach with hills behind them are the
    beach (0.8) and hardly mountains (0.05). Three windows above them see the hills (0.7):
    the mountain tag is their noisy-OR, REGION_WEIGHT a vote, marked as a region's. The
    beach and the coast are not read on the regions (REGION_PLACES): a corner of sand or
    water is no beach, however sure of it."""
    heads = load_heads("efficientnet-lite2")
    columns = Columns(Index(tagger={"name": "t", "weights": ""}, vectors="", vocabulary=""),
                      load_vocabulary(), heads)
    keys = list(heads.tag_keys)
    assert set(REGION_PLACES) == {"mountain", "forest"}
    assert sorted(keys[i] for i in columns.region_places) == sorted(REGION_PLACES)
    whole = np.zeros(len(keys), np.float32)
    whole[keys.index("coast")], whole[keys.index("mountain")] = 0.8, 0.05
    regions = np.zeros((13, len(keys)), np.float32)
    regions[:, keys.index("coast")] = 0.9
    regions[[0, 4, 5], keys.index("mountain")] = 0.7
    column_of = {int(columns.scenes[i]): keys[i] for i in range(len(keys)) if columns.scenes[i] >= 0}

    def tags(scene_regions):
        labels, scores, region = combine_tags(np.zeros((14, 1000)), columns, whole, None,
                                              scene_regions=scene_regions)
        return {column_of[int(c)]: (float(s), bool(r))
                for c, s, r in zip(labels, scores, region) if int(c) in column_of}

    read = tags(regions)
    assert read["mountain"] == (pytest.approx(1 - (1 - REGION_WEIGHT * 0.7) ** 3), True)
    assert read["coast"] == (pytest.approx(0.8), False)
    # without regions (--no-regions) the whole photo alone, as before
    assert tags(None) == {"coast": (pytest.approx(0.8), False),
                          "mountain": (pytest.approx(0.05), False)}
    # regions that see less than the whole photo change nothing
    assert tags(regions * 0.01)["mountain"] == (pytest.approx(0.05), False)


def test_a_photo_of_the_sky_comes_before_a_photo_with_the_most_sky(sample_index, tmp_path):
    """«небо»: a photo the scene head calls clouds (0.9, «облака» is a kind of «небо»)
    ranks above a street photo whose pixels are all open sky (the sky tag at its most,
    SKY_MOST): the real search on an index with these two photos' tags."""
    from photofinder import index as index_store
    from photofinder.vocabulary import SCENE_PREFIX

    from .conftest import index_of_tags, search_json

    heads = load_heads("efficientnet-lite2")
    vocabulary = load_vocabulary()
    columns = Columns(Index(tagger={"name": "t", "weights": ""}, vectors="", vocabulary=""),
                      vocabulary, heads)
    street = np.zeros(len(heads.tag_keys))
    street[list(heads.tag_keys).index("street")] = 1.0
    most_sky = sky_probability(1.0, street, columns.indoor)
    clouds, sky = vocabulary.index_of_key[SCENE_PREFIX + "clouds"], vocabulary.index_of_key[SKY_KEY]
    real = index_store.load(sample_index)
    idx = index_of_tags(["/photos/clouds.jpg", "/photos/street.jpg"], [[clouds], [sky]],
                        [[0.9], [most_sky]], tagger=real.tagger, terms=real.terms,
                        term_keys=real.term_keys, term_vectors=real.term_vectors)
    idx.vocabulary = real.vocabulary
    index_store.save(idx, tmp_path / "ix")
    hits = search_json(tmp_path / "ix", "небо")
    assert [h["path"] for h in hits] == ["/photos/clouds.jpg", "/photos/street.jpg"], hits


def test_weather_is_an_attribute_beside_the_place_not_one_of_the_places():
    """Weather and the sky's clouds are heads of their own: a rainy street keeps its
    «улица» (in the softmax the rain photos took the street's probability: coco-dev
    «город» 0.84 -> 0.59), a foggy road its «дорога». With the shipped heads, a photo
    surely rainy by the rain head's own logit still has the places' whole probability,
    and rain is that logit's, nothing less."""
    heads = load_heads("efficientnet-lite2")
    weather = ("sunset", "night", "clouds", "storm_clouds", "fog", "rain", "snow", "lightning", "rainbow",
               "fireworks", "christmas_tree", "campfire", "snowman", "lake", "grass", "rocks", "autumn_leaves",
               "moon", "starry_sky", "palm_trees", "monument", "campus")
    assert heads.attribute_keys == weather and not set(weather) & set(heads.scene_keys)
    r = weather.index("rain")
    rng = np.random.default_rng(0)
    features = rng.normal(0, 3, (5, heads.scene_weight.shape[0])).astype(np.float32)
    # move every photo along the rain head's direction until it is surely rainy (logit 4)
    rain = heads.attribute_weight[:, r]
    logit = features @ rain + heads.attribute_bias[r]
    features += np.outer(4.0 - logit, rain / (rain @ rain)).astype(np.float32)
    p = heads.scenes(features)
    assert p.shape == (5, len(heads.tag_keys))
    places = len(heads.scene_keys)
    np.testing.assert_allclose(p[:, places + r], 1 / (1 + np.exp(-4.0)), rtol=1e-4)  # its own
    # the places keep their share of the named places (heads.UNNAMED_PLACES), the river
    # only what the lake head leaves it (heads.YIELDS_TO), the forests their share apart
    # from the land they cover (heads.LAND_COVER), the highway apart from the land it
    # crosses (heads.ROADS)
    logits = features @ heads.scene_weight + heads.scene_bias
    softmax = np.exp(logits - logits.max(axis=1, keepdims=True))
    softmax /= softmax.sum(axis=1, keepdims=True)
    day = heads.tag_keys.index("day")
    softmax[:, :day] /= np.maximum(1 - softmax[:, [day]], 0.1)
    softmax[:, day + 1:] /= np.maximum(1 - softmax[:, [day]], 0.1)
    river = heads.tag_keys.index("river")
    forests = [heads.tag_keys.index(k)
               for k in ("forest", "rainforest", "bamboo_forest", "forest_road", "highway")]
    others = [k for k in range(places) if k != river and k not in forests]
    np.testing.assert_allclose(p[:, others], softmax[:, others], rtol=1e-4, atol=1e-7)
    assert (p[:, river] <= softmax[:, river] + 1e-7).all()  # the rules: test_models.py
    assert (p[:, forests] >= softmax[:, forests] - 1e-7).all() and (p[:, forests] <= 1).all()
    # probabilities (float32: a logit past ~17 on these far-off random photos is 1.0 exactly)
    assert ((p[:, places:] >= 0) & (p[:, places:] <= 1)).all()
