"""From one forward pass to the rows an index stores: tags, compact features.

NumPy only (the tagger that made the Analysis is the only torch code). Every kind of
tag is a column source with its own label keys, written into the index's label columns:

- ImageNet classes: per class the larger of the whole photo's probability and a
  noisy-OR of the regions' in which each region's vote counts half (REGION_WEIGHT;
  measured against the best region's, a plain noisy-OR and the mean in
  benchmarks/regions.py), the whole photo's only for landscape classes; every class
  above IMAGENET_FLOOR is kept, at most MAX_IMAGENET_TAGS, and a tag a region gave is
  marked as one;
- scenes: the scene head's calibrated probabilities above SCENE_FLOOR; for the places of
  REGION_PLACES (mountains, forests) the larger of the whole photo's and the regions'
  noisy-OR, as for ImageNet, marked as a region where the regions said it;
- person: the people head's calibrated probability, joined by a noisy-OR with the
  detector's best "person" box when there is a detector (person_probability), above
  PERSON_FLOOR;
- a group of people (`group`, «группа людей», «толпа»): how likely the detector's person
  boxes hold three people or more (group_probability), above PERSON_FLOOR, where there
  is a detector;
- sky (`scene:sky`, «небо»): how much open sky the pixels show, weighed by how sure
  the scene head is that the photo is outdoors (sky_probability), above SCENE_FLOOR;
- COCO objects (`object:<name>`): the detector's best score per class above
  detector.DETECTION_FLOOR, marked as a region («(фрагмент)») when its box leaves
  part of the photo out (WHOLE_BOX);
- a screenshot (`scene:screenshot`, «скриншот»): 1.0 where the file says so or is named
  so (screenshots.py), whatever the model;
- colours (`scene:colour_<name>`, «красный»): the basic colours of the photo's main
  things and of the whole photo, and whether it is black and white
  (colours.colour_scores), above COLOUR_FLOOR, marked as a region when an object's box
  said it more surely.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clips import pooled, strongest
from .colours import TAG_KEYS, colour_scores, object_boxes
from .heads import Heads
from .index import Index, Rows, Tags
from .tagger import Analysis
from .vocabulary import (
    COLOUR_PREFIX,
    GROUP_KEY,
    IMAGENET_CLASSES,
    OBJECT_PREFIX,
    PERSON_KEY,
    SCENE_PREFIX,
    Vocabulary,
)

IMAGENET_FLOOR = 0.01     # a faint tag still ranks a photo above one with no trace of it
# ImageNet classes that name a landscape or a place rather than an object in it (alp,
# cliff, seashore, lakeside, valley, volcano, a pier...): a corner of a photo that looks
# like a seashore is not a seashore, so these keep the whole photo's probability only.
# Measured on held-out scene photos: scene words' MAP 0.71 -> 0.72 (benchmarks/scenes.py).
WHOLE_PHOTO_CLASSES = np.array([460, 536, 540, 718, 958, 970, 972, 973, 974, 975, 976, 977,
                                978, 979, 980, 984])
MAX_IMAGENET_TAGS = 32
# A region's probability counts this much in the noisy-OR over the regions: one window
# alone says less than the whole photo (a small view is overconfident, and the best of
# 13 is the luckiest), several overlapping windows that agree say more. Measured on the
# cached passes of coco-dev, imagenet-samples and the held-out scene photos against the
# best region alone (MAP / MRR): coco 0.466/0.758 -> 0.482/0.771, imagenet
# 0.920/0.972 -> 0.938/0.978, scenes 0.709/0.950 -> 0.711/0.949 (the sky tag and the
# related words in); a plain noisy-OR (1.0) gained on coco but lost on the other two;
# 0.4 and 0.6 within 0.012 of these (benchmarks/region_weight.py).
REGION_WEIGHT = 0.5
# The heads' places read on the regions too, each region's vote counted as the ImageNet
# classes' are (REGION_WEIGHT, a noisy-OR): land that stands behind what the photo is of.
# The heads read the whole photo, and in people's own albums the people, a town or a
# beach in front take it: hills behind friends were the beach or the town, and «горы»
# found 8 such photos of people's own albums with AP 0.26. A window above the people
# sees the hills. Measured by the real index (benchmarks/everyday_kinds.py --full and
# --fresh; benchmarks/region_places.py): «горы» 0.922 -> 0.952 on the 543 everyday
# photos, 0.26 -> 0.55 on the 135 of people's own albums; «лес» 0.705 -> 0.782, 0.60 ->
# 0.65. The other places lost their own word or one above them when read so: a street
# («дорога», its broader word, 0.48 -> 0.21), the coast («море» on the albums 0.81 ->
# 0.72), a river or a waterfall («река» 0.66 -> 0.62, 0.59), a desert, a road (a bridge:
# 5 photos, too few to tell); a field gained («поле» 0.74 -> 0.80) but became a sure tag
# of 112 of the 543 photos (32 before), where 28 show a field: a lawn in a corner is no
# field. The cost, on coco-dev: 4 more sure «горы» and none of them mountains (a wall of
# dark trees, a hazy plain).
REGION_PLACES = ("mountain", "forest")
SCENE_FLOOR = 0.02
PERSON_FLOOR = 0.02
# A detected person the faces step looks at again (person_boxes): on 80 coco-dev photos
# a detection above 0.3 was right 88 % of the time (detector.DETECTION_FLOOR).
PERSON_BOX_FLOOR = 0.3
SKY_KEY = SCENE_PREFIX + "sky"
# A quarter of the photo in open sky is as sure as the sky tag gets, SKY_MOST: below
# what a photo *of* the sky scores through its clouds or sunset label (0.8 as a broader
# word x ~0.9), so those come first and photos with some sky after them. 11 % of the
# frame (a strip above a street) reaches the 0.3 at which a scene tag is a match
# (search.SURE). Measured on cached passes (MAP of «небо»; coco-dev judged by eye /
# held-out scenes-train, whose truth is the cloud and sunset folders): no sky tag
# 0.16 / 0.99; SKY_MOST 1: 0.66 / 0.51; 0.7: 0.65 / 0.85; 0.5: 0.63 / 0.89.
SKY_SURE_FRACTION = 0.25
SKY_MOST = 0.7
CLOUDS_KEY = SCENE_PREFIX + "clouds"
# Clouds read from the pixels too (photos.cloud_fraction): the heads know clouds as the
# subject of a photo and miss them above people, a town or a field. What the grey-white
# sky adds to the head's clouds (a noisy-OR, cloudy_probability): CLOUD_WEIGHT at most,
# reached from 1 / CLOUD_GAIN of the frame, times how sure the heads are the photo is
# outdoors (a white ceiling is no cloud). Measured by benchmarks/sky_clouds.py.
CLOUD_GAIN = 4.0
CLOUD_WEIGHT = 0.5
INDOORS = "помещение"   # the broader word of every room, shop and hall in scenes.json
# The heads' classes whose photos show no open sky that are not under «помещение»: a
# close-up of a dish or a cat (training-only: a blue tablecloth, a white wall behind are
# not the sky), and a fish tank's blue water (the aquarium is no «интерьер», round thirty)
NO_SKY_CLASSES = ("close_up", "aquarium")
# What the tags of an index depend on besides the model and its heads: a stored
# identity with another value makes every photo stale, tagged again (indexer). river-1:
# the river yields its share to the lake (heads.YIELDS_TO), in the same heads file;
# forest-1: the forest is read apart from the land it covers (heads.LAND_COVER);
# named-1: the places are shares of the named places (heads.UNNAMED_PLACES); group-1:
# a group of people from the detector's person boxes (group_probability); screenshot-1:
# screenshots from their files (screenshots.py); road-1: a road read apart from the land
# it crosses (heads.ROADS); region-place-1: mountains and forests read on the regions too
# (REGION_PLACES); clouds-1: clouds read from the sky's pixels too (cloudy_probability).
EVIDENCE = ("sky-1,person-2,colour-1,river-1,forest-1,named-1,group-1,screenshot-1,road-1,"
            "region-place-1,clouds-1")
SCREENSHOT_KEY = SCENE_PREFIX + "screenshot"
# A group is this many people or more: «толпа», «группа людей», «много людей».
GROUP_SIZE = 3
# A person box counts toward a group from this share of the photo's height: a speck the
# detector calls a person is often no one (a post, a pattern), and a passer-by far away is
# not who the photo is of. Measured by AP of «группа людей» (three or more people judged
# by eye, benchmarks/groups.py): coco-dev / the everyday photos 0.922 / 0.622 with every
# box, 0.948 / 0.890 from 1/20, 0.973 / 0.788 from 1/10 (a concert's or a festival's
# crowd of small people lost).
GROUP_MIN_HEIGHT = 0.05
# a colour on 3.5 % of an object's box or 5 % of the photo at the least (scoring.SURE
# ["scene"] 0.3 makes it a match from 10.5 % and 15 %); fainter ones would be a tag on
# almost every photo for every colour
COLOUR_FLOOR = 0.1
# A detection whose box covers at least this share of the photo is the photo, not a
# part of it: not marked as a region.
WHOLE_BOX = 0.8


@dataclass(frozen=True)
class Decoded:
    """One photo, decoded once for every use."""

    pixels: np.ndarray      # uint8 [S, S, 3], the model's input; a video: [F, S, S, 3]
    dhash: int              # photos.difference_hash: near-duplicates
    taken: int              # photos.date_taken: EXIF date, 0 if unknown
    file_hash: int          # photos.content_hash: moved and renamed photos
    texts: tuple[str, ...] = ()  # photos.embedded_texts: keywords and titles in the file
    sky: float = 0.0        # photos.sky_fraction of the model's input
    frame_skies: tuple[float, ...] = ()  # a video: each frame's sky fraction
    clouds: float = 0.0     # photos.cloud_fraction of the model's input
    frame_clouds: tuple[float, ...] = ()  # a video: each frame's cloud fraction
    duration: float = 0.0   # a video's length in seconds
    video: bool = False
    gps: tuple[float, float] | None = None  # where it was taken (places.gps_of_image)
    # the object detector's input (its own size), like pixels; None: no detector
    detector_pixels: np.ndarray | None = None
    # the file says it is a screenshot, or is named like one (screenshots.py)
    screenshot: bool = False

    @property
    def images(self) -> np.ndarray:
        """The model's inputs, [F, S, S, 3]: one for a photo, a video's frames."""
        return self.pixels if self.pixels.ndim == 4 else self.pixels[None]

    @property
    def detector_images(self) -> np.ndarray:
        """The detector's inputs, [F, D, D, 3], one per image of `images`."""
        p = self.detector_pixels
        assert p is not None
        return p if p.ndim == 4 else p[None]


class Columns:
    """Where each model output goes among an index's label columns (-1: not stored, a
    head's training-only class the vocabulary does not name)."""

    def __init__(self, index: Index, vocabulary: Vocabulary, heads: Heads | None,
                 objects: tuple[str, ...] = ()) -> None:
        """objects: the detector's class names in its order (detector.COCO_CLASSES), ()
        without a detector; a class the vocabulary does not name is not stored."""
        self.imagenet = np.array([index.label_column(c.key)
                                  for c in vocabulary.labels[:IMAGENET_CLASSES]], np.int32)
        self.person = index.label_column(PERSON_KEY) if heads is not None else -1
        keys = [SCENE_PREFIX + k for k in (heads.tag_keys if heads is not None else ())]
        self.scenes = np.array([index.label_column(k) if k in vocabulary.index_of_key else -1
                                for k in keys], np.int32)
        self.sky = (index.label_column(SKY_KEY)
                    if heads is not None and SKY_KEY in vocabulary.index_of_key else -1)
        # the head's places read on the regions too (positions among the head's columns)
        self.region_places = np.array([i for i, k in enumerate(keys)
                                       if k.removeprefix(SCENE_PREFIX) in REGION_PLACES], np.int64)
        # the head's labels that are indoors (or close-ups): what says a white ceiling is
        # not sky
        self.indoor = indoor_mask(heads.tag_keys if heads is not None else (), vocabulary)
        # the head's clouds, which the sky's grey-white cells may add to (cloudy_probability)
        self.clouds = next((i for i, k in enumerate(keys) if k == CLOUDS_KEY), -1)
        # the colour tags are made with the sky's (both need the heads, EVIDENCE)
        self.colours = np.array([
            index.label_column(key) if heads is not None and key in vocabulary.index_of_key
            else -1 for key in (SCENE_PREFIX + COLOUR_PREFIX + c for c in TAG_KEYS)], np.int32)
        # a screenshot comes from the file, with or without heads
        self.screenshot = (index.label_column(SCREENSHOT_KEY)
                           if SCREENSHOT_KEY in vocabulary.index_of_key else -1)
        # a group of people comes from the detector's person boxes
        self.group = (index.label_column(GROUP_KEY)
                      if objects and GROUP_KEY in vocabulary.index_of_key else -1)
        self.objects = np.array([
            index.label_column(OBJECT_PREFIX + name)
            if OBJECT_PREFIX + name in vocabulary.index_of_key else -1 for name in objects],
            np.int32)


def person_probability(head: float, objects: list | None) -> float:
    """The person tag: the people head's probability or the detector's best "person"
    score, either one enough (a noisy-OR). The head reads the whole photo and misses
    small and partly seen people; the detector finds those boxes but is cautious (a
    score of 0.5 found 39-90 % of the people-train sources' people, 0-2 % false on
    theirs without). Measured on coco-dev (never trained on), AP of «человек»'s
    evidence / precision and recall at SURE["person"] 0.5: head 0.946 / 0.88 / 0.81,
    detector 0.982 / 1.00 / 0.53, the larger 0.971 / 0.89 / 0.88, this 0.978 / 0.87 /
    0.96 (benchmarks/people.py)."""
    if not objects:
        return head
    seen = max((d.score for d in objects if d.name == "person"), default=0.0)
    return 1.0 - (1.0 - head) * (1.0 - seen)


def group_probability(objects: list) -> float:
    """How likely the photo shows a group, GROUP_SIZE people or more: the chance that at
    least that many of the detector's person boxes (each at least GROUP_MIN_HEIGHT of the
    photo tall) are people, each box's score taken as its own chance (a Poisson-binomial
    tail). Three boxes at 0.5 make 0.13, six make 0.66; one sure person and one likely one
    are no group however sure."""
    scores = [d.score for d in objects
              if d.name == "person" and d.box[3] - d.box[1] >= GROUP_MIN_HEIGHT]
    if len(scores) < GROUP_SIZE:
        return 0.0
    # at_most[k]: the chance that k of the boxes so far are people, for k < GROUP_SIZE
    at_most = np.zeros(GROUP_SIZE)
    at_most[0] = 1.0
    for p in scores:
        at_most[1:] = at_most[1:] * (1.0 - p) + at_most[:-1] * p
        at_most[0] *= 1.0 - p
    return float(min(1.0, max(0.0, 1.0 - at_most.sum())))


def person_boxes(objects: list) -> np.ndarray:
    """The boxes of the people the detector is fairly sure of (PERSON_BOX_FLOOR), best
    first, float32 [k, 4] in fractions of its input: where the faces step looks again
    for faces too small to find in the whole photo (faces.DlibFaceFinder)."""
    boxes = [d.box for d in objects if d.name == "person" and d.score >= PERSON_BOX_FLOOR]
    return np.array(boxes, np.float32).reshape(-1, 4)


def region_votes(probs: np.ndarray, weight: float = REGION_WEIGHT, axis: int = 0) -> np.ndarray:
    """The regions' noisy-OR along `axis`, each region's probability a vote of `weight`
    (REGION_WEIGHT): how the ImageNet classes and REGION_PLACES are read on the regions."""
    return 1 - np.prod(1 - weight * probs, axis=axis)


def indoor_mask(head_keys: tuple[str, ...] | list[str], vocabulary: Vocabulary) -> np.ndarray:
    """bool [S + A]: the heads' labels (keys without SCENE_PREFIX) that are indoors, under
    INDOORS, or NO_SKY_CLASSES: their share of the softmax is how sure the heads are that
    the photo shows no sky."""
    return np.array([k in NO_SKY_CLASSES
                     or (SCENE_PREFIX + k in vocabulary.index_of_key
                         and INDOORS in vocabulary.labels[vocabulary.index_of_key[SCENE_PREFIX + k]].broader)
                     for k in head_keys], bool)


def cloudy_probability(head: float, fraction: float, scenes: np.ndarray,
                       indoor: np.ndarray) -> float:
    """The clouds tag: the head's clouds, or the sky's grey-white cells
    (photos.cloud_fraction), either one enough (a noisy-OR), the cells counting
    CLOUD_WEIGHT at most, from 1 / CLOUD_GAIN of the frame, times the heads' probability
    that the photo is outdoors."""
    outdoors = min(1.0, max(0.0, 1.0 - float(scenes[indoor].sum())))
    seen = CLOUD_WEIGHT * min(1.0, CLOUD_GAIN * fraction) * outdoors
    return 1.0 - (1.0 - head) * (1.0 - seen)


def sky_probability(fraction: float, scenes: np.ndarray, indoor: np.ndarray) -> float:
    """How sure the sky tag is: photos.sky_fraction, at its most (SKY_MOST) from
    SKY_SURE_FRACTION of the frame, times the scene head's probability that the photo
    is not indoors."""
    outdoors = 1.0 - float(scenes[indoor].sum())
    return SKY_MOST * min(1.0, fraction / SKY_SURE_FRACTION) * min(1.0, max(0.0, outdoors))


def combine_tags(probs: np.ndarray, columns: Columns, scenes: np.ndarray | None,
               person: float | None, region_weight: float = REGION_WEIGHT,
               sky: float | None = None, objects: list | None = None,
               colours: tuple[np.ndarray, np.ndarray] | None = None,
               screenshot: bool = False, scene_regions: np.ndarray | None = None,
               clouds: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One photo's (label columns, scores, region flags).

    probs: [1 + R, 1000] the whole photo's and each region's ImageNet probabilities.
    objects: the detector's detections (detector.Detection), best first; None: no detector.
    colours: colours.colour_scores of the photo (scores, from an object's box); None: none.
    screenshot: the file is a screenshot (Decoded.screenshot).
    scene_regions: [R, S + A] the heads' probabilities on each region (REGION_PLACES'
    columns are read), None: regions off or no heads.
    clouds: photos.cloud_fraction of the photo (cloudy_probability).
    """
    whole = probs[0]
    best = np.maximum(whole, region_votes(probs[1:], region_weight))
    best[WHOLE_PHOTO_CLASSES] = whole[WHOLE_PHOTO_CLASSES]
    keep = np.flatnonzero(best >= IMAGENET_FLOOR)
    keep = keep[np.argsort(-best[keep], kind="stable")[:MAX_IMAGENET_TAGS]]
    labels = [columns.imagenet[keep]]
    scores = [best[keep]]
    region = [best[keep] > whole[keep]]
    if scenes is not None:
        shown, from_region = scenes.copy(), np.zeros(len(scenes), bool)
        if scene_regions is not None and len(scene_regions) and columns.region_places.size:
            cols = columns.region_places
            votes = region_votes(scene_regions[:, cols], region_weight)
            shown[cols] = np.maximum(scenes[cols], votes)
            from_region[cols] = votes > scenes[cols]
        if clouds > 0 and columns.clouds >= 0:
            shown[columns.clouds] = cloudy_probability(float(scenes[columns.clouds]), clouds,
                                                       scenes, columns.indoor)
        s = np.flatnonzero((shown >= SCENE_FLOOR) & (columns.scenes >= 0))
        labels.append(columns.scenes[s])
        scores.append(shown[s])
        region.append(from_region[s])
    if person is not None and person >= PERSON_FLOOR:
        labels.append(np.array([columns.person], np.int32))
        scores.append(np.array([person], np.float32))
        region.append(np.zeros(1, bool))
    if sky is not None and sky >= SCENE_FLOOR and columns.sky >= 0:
        labels.append(np.array([columns.sky], np.int32))
        scores.append(np.array([sky], np.float32))
        region.append(np.zeros(1, bool))
    if objects is not None and columns.group >= 0:
        group = group_probability(objects)
        if group >= PERSON_FLOOR:
            labels.append(np.array([columns.group], np.int32))
            scores.append(np.array([group], np.float32))
            region.append(np.zeros(1, bool))
    if objects:
        best: dict[int, object] = {}
        for d in objects:  # best first: the first of a class is its best
            if columns.objects[d.cls] >= 0:
                best.setdefault(int(columns.objects[d.cls]), d)
        labels.append(np.array(list(best), np.int32))
        scores.append(np.array([d.score for d in best.values()], np.float32))
        region.append(np.array([d.area < WHOLE_BOX for d in best.values()], bool))
    if screenshot and columns.screenshot >= 0:
        labels.append(np.array([columns.screenshot], np.int32))
        scores.append(np.ones(1, np.float32))
        region.append(np.zeros(1, bool))
    if colours is not None:
        shown, from_box = colours
        c = np.flatnonzero((shown >= COLOUR_FLOOR) & (columns.colours >= 0))
        labels.append(columns.colours[c])
        scores.append(shown[c])
        region.append(from_box[c])
    return (np.concatenate(labels).astype(np.int32), np.concatenate(scores).astype(np.float32),
            np.concatenate(region))


def rows_for(analysis: Analysis, decoded: list[Decoded], columns: Columns,
             heads: Heads | None, paths: list[str], sizes: list[int], mtimes: list[int],
             hashes: list[int], region_weight: float = REGION_WEIGHT,
             objects: list[list] | None = None) -> Rows:
    """The index rows of a batch of photos from its one Analysis, made of every photo's
    `images` in order (a video's frames: its tags clips.strongest, features clips.pooled).
    objects: the detector's detections of every image, in the same order (None: none)."""
    counts = [len(d.images) for d in decoded]
    scenes = person = regional = None
    features = np.zeros((len(decoded), 0), np.float16)
    if heads is not None:
        projected = heads.project(analysis.pooled[:, 0])
        scenes, person = heads.scenes(projected), heads.person(projected)
        windows = analysis.pooled.shape[1] - 1
        if windows and columns.region_places.size:   # [B, R, S + A]
            regional = heads.scenes(heads.project(analysis.pooled[:, 1:].reshape(
                -1, analysis.pooled.shape[2]))).reshape(len(projected), windows, -1)
        features = pooled(projected.astype(np.float16), counts)
    rows, image = [], 0
    for d, count in zip(decoded, counts):
        # a video's frames are tagged like photos, then made one row (clips.strongest)
        frames = []
        for k in range(image, image + count):
            fraction = d.frame_skies[k - image] if d.frame_skies else d.sky
            clouds = d.frame_clouds[k - image] if d.frame_clouds else d.clouds
            frames.append(combine_tags(
                analysis.probs[k], columns, None if scenes is None else scenes[k],
                None if person is None else person_probability(
                    float(person[k]), None if objects is None else objects[k]), region_weight,
                None if scenes is None else sky_probability(fraction, scenes[k], columns.indoor),
                None if objects is None else objects[k],
                None if scenes is None else colour_scores(
                    d.images[k - image], object_boxes(objects[k]) if objects is not None else ()),
                d.screenshot, None if regional is None else regional[k], clouds))
        rows.append(strongest(frames))
        image += count
    return Rows(paths=paths, sizes=np.asarray(sizes, np.int64),
                mtimes=np.asarray(mtimes, np.int64), hashes=np.asarray(hashes, np.uint64),
                tags=Tags.from_rows(rows), features=features,
                dhash=np.array([d.dhash for d in decoded], np.uint64),
                taken=np.array([d.taken for d in decoded], np.int64),
                duration=np.array([d.duration for d in decoded], np.float32),
                video=np.array([d.video for d in decoded], bool),
                gps=np.array([d.gps or (np.nan, np.nan) for d in decoded], np.float32).reshape(-1, 2))
