"""Small heads on the tagger's pooled features: scenes, people, and the compact
features kept for "similar photos". NumPy only: a head is a matrix product.

One file per offline tagger, `data/heads/<tagger>.npz`, made by `make train-heads`
(training/train_heads.py) from ../shared/data and loaded without pickle (heads trained
for another tagger, such as ResNet50 with its real weights, go to models/heads/). It holds:

- `pca_mean` [C], `pca_components` [D, C]: the photo's whole-photo pooled features are
  projected to D = 256 dimensions and stored as float16 (512 bytes a photo): enough
  for similar photos and duplicates, and for training a new head later without
  tagging the photos again;
- `scene_keys` [S], `scene_weight` [D, S], `scene_bias` [S]: a multinomial logistic
  regression over the scene labels on the projected features, temperature-calibrated;
  keys the vocabulary does not name (training-only contrasts such as "day") are
  computed for the softmax and not stored;
- `attribute_keys` [A], `attribute_weight` [D, A], `attribute_bias` [A] (optional):
  weather and sky that any place can have (clouds, fog, rain, snow, lightning...),
  each an independent calibrated logistic regression: in the softmax a rainy street's
  "rain" took the probability of "street" (coco-dev's «город» 0.84 -> 0.59 when the
  rain and snow photos joined it), a foggy road was "fog" and not "highway";
- `person_weight` [D], `person_bias`: the person score, a calibrated logistic
  regression on the projected features. The face detector, ImageNet classes that imply
  a person (clothing, sport gear) and the strongest region were measured as further
  evidence and add nothing on coco-dev (benchmarks/people.py), so they are not used.

A head file is made for one input size of one tagger (`input_size`), checked on load.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from .config import INPUT_SIDES, data_path, models_dir
from .errors import ModelUnavailableError

HEADS_FORMAT = 1
FEATURE_DIM = 256
# A place of the softmax -> the attribute that names its photos more precisely, and takes
# its share. The softmax has no lake (the lake became an attribute head, trained on
# lakes judged by eye), so a lake's still water gives its probability to "river": on the
# 543 everyday test photos (benchmarks/everyday_photos.py) the river column averaged 0.25
# on the lakes and 0.25 on the rivers, the lake head 0.57 and 0.06. river x (1 - lake):
# «река» AP 0.46 -> 0.66 there (0.43 -> 0.53 at 256 px, EfficientNet-Lite0 0.42 -> 0.63),
# «озеро» unchanged.
YIELDS_TO = {"river": "lake"}
# Land cover read apart from the land it covers. The softmax makes a forested mountain
# either a forest or a mountain, and mostly says mountain: on the everyday test photos 52
# of the 86 forests ranked below 40th for «лес», their first places mountain and river. A
# forest class is read as if the landforms and waters it grows on or beside were not among
# the places: p / (the named places' sum without them), at most 1 since p is part of that
# sum. «лес» AP 0.575 -> 0.711 there (256 px 0.546 -> 0.617, EfficientNet-Lite0 0.540 ->
# 0.637); on scenes-train's held-out fifth, whose truth is the forest folders alone,
# 0.806 -> 0.796. The square root of that sum in place of the sum gained less (0.636), and
# fields read the same way lost («поле» 0.724 -> 0.656): not taken (benchmarks/forest.py).
LAND_COVER = ("forest", "rainforest", "bamboo_forest", "forest_road")
COVERED_LAND = ("mountain", "valley", "river", "waterfall")
# A road read apart from the land it crosses, the same way: the softmax made a road
# through a valley, fields or a desert mostly valley, field or desert, and «дорога» found
# 8 of the 15 everyday test photos' roads below the 40th place, after forests with no road.
# p / (the named places' sum without the land and water a road runs by), both from the
# places before the forest's rule, the sum taken as ROAD_SHARE_FLOOR where less: a field
# with a 1 % road in it is no road (unbounded, 13 photos of no road folder of
# scenes-train's held-out fifth became sure roads, 4 before). The snowy road stays as the
# softmax gives it: read so, snowy mountains with no road became sure roads. Measured by
# benchmarks/roads.py (round thirty-three); its figures are in docs/benchmarks.md.
ROADS = ("highway",)
CROSSED_LAND = ("mountain", "valley", "open_country", "corn_field", "desert", "coast",
                "river", "waterfall")
ROAD_SHARE_FLOOR = 0.25
# Training-only classes whose photos are places the head was never told the name of: the
# day-time webcam frames (streets, squares, car parks, harbours) that came with the night
# ones (train_heads.TRAINING_ONLY). Their share is not "no place", so the named places are
# read as shares of the named places alone: p / (their sum), the sum taken as 0.1 where it
# is less, so that no share grows more than tenfold. A city seen from a roof or a tower,
# as those webcams see it, gave "day" what was the city's: «город» on the everyday test
# photos 0.712 -> 0.783 (256 px 0.672 -> 0.768, EfficientNet-Lite0 0.696 -> 0.740: 12 of
# their 13 photos with "day" over 0.3 are such views), coco-dev unchanged. Unbounded, the
# city gained more (0.805, 0.782, 0.809), but a 1 % remainder was read as certainty: Paris
# from above was «трущобы» 0.58 (0.04 now), and on scenes-train's held-out fifth
# «небоскрёб» fell 0.859 -> 0.815 (0.846 bounded). The sky alone and the close-up are no
# place and are not set aside: read apart from them too, «пляж» fell 0.650 -> 0.616
# (benchmarks/unnamed_places.py).
UNNAMED_PLACES = ("day",)
NAMED_SHARE_FLOOR = 0.1


def heads_file(tagger: str) -> Path:
    """Heads a user trained (models/heads/, e.g. for ResNet50 with its real weights)
    come before the ones shipped in the package."""
    own = models_dir() / "heads" / f"{tagger}.npz"
    return own if own.is_file() else data_path("heads") / f"{tagger}.npz"


def heads_available(tagger: str) -> bool:
    return heads_file(tagger).is_file()


# taggers whose heads ship inside the package: a missing file is a broken install
SHIPPED_HEADS = ("efficientnet-lite0", "efficientnet-lite2")


def heads_for(tagger: str) -> Heads | None:
    """The tagger's heads, or None for a tagger that has none (ResNet50 until a user
    trains them: it then tags objects only, and `photofinder index` says so). A damaged
    file, or a missing one that should have shipped, is ModelUnavailableError (exit 5):
    indexing on without scenes and people would be a silent loss."""
    if tagger not in SHIPPED_HEADS and not heads_available(tagger):
        return None
    return load_heads(tagger)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))


@dataclass(frozen=True)
class Heads:
    tagger: str
    input_size: int
    digest: str                      # what the index records: heads of another file do not mix
    pca_mean: np.ndarray             # [C]
    pca_components: np.ndarray       # [D, C]
    scene_keys: tuple[str, ...]      # "coast", ... (vocabulary key "scene:coast")
    scene_weight: np.ndarray         # [D, S]
    scene_bias: np.ndarray           # [S]
    person_weight: np.ndarray        # [D]
    person_bias: float
    attribute_keys: tuple[str, ...] = ()     # "rain", "fog"...: independent of the place
    attribute_weight: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    attribute_bias: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    @property
    def tag_keys(self) -> tuple[str, ...]:
        """The keys of scenes()'s columns: the softmax's, then the attributes'."""
        return self.scene_keys + self.attribute_keys

    def project(self, pooled: np.ndarray) -> np.ndarray:
        """[..., C] pooled features -> [..., D] compact features (float32)."""
        return (pooled - self.pca_mean) @ self.pca_components.T

    def scenes(self, features: np.ndarray) -> np.ndarray:
        """[B, D] projected features -> [B, S + A] calibrated probabilities: the scene
        softmax, then each attribute's own probability (tag_keys names the columns). The
        named places are read as shares of the named places alone (UNNAMED_PLACES), the
        forest apart from the mountain it covers (LAND_COVER), a road apart from the land
        it crosses (ROADS), and a place an attribute
        names more precisely yields it its share (YIELDS_TO)."""
        logits = features @ self.scene_weight + self.scene_bias
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        places = e / e.sum(axis=1, keepdims=True)
        unnamed = [self.scene_keys.index(k) for k in UNNAMED_PLACES if k in self.scene_keys]
        if unnamed:
            # the named places' sum itself, not 1 - the unnamed ones': no cancellation
            # (and no share of a webcam-like photo's 1 % remainder grown past tenfold)
            named = np.delete(places, unnamed, axis=1).sum(axis=1, keepdims=True)
            kept = places[:, unnamed]
            places /= np.maximum(named, NAMED_SHARE_FLOOR)
            places[:, unnamed] = kept   # never stored (the vocabulary has no name for it)
        read = places.copy()   # each rule reads the places as the softmax gave them
        for cover, land, floor in ((LAND_COVER, COVERED_LAND, 1e-30),
                                   (ROADS, CROSSED_LAND, ROAD_SHARE_FLOOR)):
            covers = [self.scene_keys.index(k) for k in cover if k in self.scene_keys]
            covered = [self.scene_keys.index(k) for k in land if k in self.scene_keys]
            if covers and covered:
                # the sum of the other named places itself, not 1 - the covered land's: no
                # cancellation where a bare mountain is 0.999999
                rest = np.delete(read, covered + unnamed, axis=1).sum(axis=1, keepdims=True)
                places[:, covers] = np.minimum(read[:, covers] / np.maximum(rest, floor), 1.0)
        if not self.attribute_keys:
            return places
        scores = np.concatenate(
            [places, _sigmoid(features @ self.attribute_weight + self.attribute_bias)], axis=1)
        keys = self.tag_keys
        for place, attribute in YIELDS_TO.items():
            if place in keys and attribute in keys:
                scores[:, keys.index(place)] *= 1.0 - scores[:, keys.index(attribute)]
        return scores

    def person(self, features: np.ndarray) -> np.ndarray:
        """[B, D] projected features -> [B] probability that a person is in the photo."""
        return _sigmoid(features @ self.person_weight + self.person_bias)


def load_heads(tagger: str) -> Heads:
    """The heads for a tagger (heads_file). ModelUnavailableError (exit 5) in one line
    when the file is missing or damaged. Read once per file version."""
    path = heads_file(tagger)
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        version = 0
    return _load_heads(path, tagger, version)


@cache
def _load_heads(path: Path, tagger: str, version: int) -> Heads:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelUnavailableError(
            f"нет файла голов {path} для модели {tagger}: сцены и люди не размечаются; "
            "обучите их командой `make train-heads` или выберите --tagger efficientnet-lite2"
        ) from None
    except OSError as exc:
        raise ModelUnavailableError(f"не удалось прочитать {path}: {exc.strerror}") from None
    try:
        import io

        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            a = {k: npz[k] for k in npz.files}
        if int(a["format"]) != HEADS_FORMAT or str(a["tagger"]) != tagger:
            raise ValueError("format or tagger")
        d, c = a["pca_components"].shape
        s = len(a["scene_keys"])
        n_attributes = len(a.get("attribute_keys", ()))
        if not (a["pca_mean"].shape == (c,) and a["scene_weight"].shape == (d, s)
                and a["scene_bias"].shape == (s,) and a["person_weight"].shape == (d,)
                and a["person_bias"].shape == ()
                and (not n_attributes or (a["attribute_weight"].shape == (d, n_attributes)
                                          and a["attribute_bias"].shape == (n_attributes,)))):
            raise ValueError("shapes")
        heads = Heads(
            tagger=tagger, input_size=int(a["input_size"]),
            digest=hashlib.sha256(raw).hexdigest()[:12],
            pca_mean=a["pca_mean"].astype(np.float32),
            pca_components=a["pca_components"].astype(np.float32),
            scene_keys=tuple(str(k) for k in a["scene_keys"]),
            scene_weight=a["scene_weight"].astype(np.float32),
            scene_bias=a["scene_bias"].astype(np.float32),
            person_weight=a["person_weight"].astype(np.float32),
            person_bias=float(a["person_bias"]),
            attribute_keys=tuple(str(k) for k in a.get("attribute_keys", ())),
            attribute_weight=a.get("attribute_weight", np.zeros((d, 0))).astype(np.float32),
            attribute_bias=a.get("attribute_bias", np.zeros(0)).astype(np.float32))
    except Exception as exc:  # noqa: BLE001 - a damaged file of any kind: one line
        raise ModelUnavailableError(
            f"файл голов {path} повреждён ({type(exc).__name__}): переустановите photofinder "
            "или обучите заново `make train-heads`") from None
    if not all(np.isfinite(x).all() for x in (heads.pca_mean, heads.pca_components,
                                                heads.scene_weight, heads.scene_bias,
                                                heads.person_weight, heads.person_bias,
                                                heads.attribute_weight, heads.attribute_bias)):
        raise ModelUnavailableError(f"файл голов {path} повреждён (не числа)")
    expected = _heads_input_size(tagger)
    if expected is not None and heads.input_size != expected:
        # features of another input size shift enough to make the scenes and people wrong
        raise ModelUnavailableError(
            f"файл голов {path} обучен на входе {heads.input_size} px, а модель {tagger} "
            f"даёт признаки на {expected} px: обучите головы заново `make train-heads`")
    return heads


def _heads_input_size(tagger: str) -> int | None:
    """The input side a tagger's heads are trained on: the regions mode's, which the
    whole-photo mode uses too (indexer._heads_for says why). None: a tagger not known."""
    sides = INPUT_SIDES.get(tagger)
    return sides[1] if sides else None
