"""The real loaders: ResNet50 from a local state dict, FastText from a .bin file, the heads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from photofinder.errors import ModelUnavailableError
from photofinder.photos import model_input
from photofinder.tagger import load_tagger
from photofinder.vectors import FastTextVectors, load_vectors

from .conftest import TAGGER, run_cli, run_here, search_json

RUSSIAN_TEXT = """кошка сидит на окне и смотрит на птицу . кот спит на диване .
собака бежит за мячом . пес лает на кошку . кошки любят рыбу .
чашка кофе стоит на столе . утром я пью кофе из чашки . эспрессо крепкий кофе .
мотоцикл едет по дороге . ракета летит в космос . автобус везет людей .
""" * 40


@pytest.fixture(scope="module")
def tiny_fasttext(tmp_path_factory) -> Path:
    fasttext = pytest.importorskip("fasttext")
    folder = tmp_path_factory.mktemp("fasttext")
    corpus = folder / "corpus.txt"
    corpus.write_text(RUSSIAN_TEXT, encoding="utf-8")
    model = fasttext.train_unsupervised(str(corpus), model="skipgram", dim=16, epoch=5,
                                        minCount=1, minn=2, maxn=4, thread=1, verbose=0)
    path = folder / "tiny.ru.bin"
    model.save_model(str(path))
    return path


def test_fasttext_gives_unknown_words_a_vector_from_subwords(tiny_fasttext):
    vectors = FastTextVectors(tiny_fasttext)
    assert vectors.dim == 16
    assert "кошечка" not in vectors.known_words()
    vec = vectors.get("кошечка")  # never seen: built from its character n-grams
    assert vec is not None and np.linalg.norm(vec) > 0
    cat, cup = vectors.get("кошка"), vectors.get("чашка")
    cos = lambda a, b: float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))  # noqa: E731
    assert cos(vec, cat) > cos(vec, cup)


def test_index_and_search_with_fasttext_vectors(sample_photos, tiny_fasttext, tmp_path):
    index_dir = tmp_path / "ix"
    run_here("index", str(sample_photos), "--index", str(index_dir), "--tagger", TAGGER,
             "--vectors", f"fasttext:{tiny_fasttext}", check=True)
    meta = json.loads((index_dir / "index.json").read_text(encoding="utf-8"))
    assert meta["vectors"] == f"fasttext:{tiny_fasttext.resolve()}"
    assert Path(search_json(index_dir, "кошка")[0]["path"]).name == "chelsea.png"
    # a word the tiny model never saw still gets a vector and an answer, not an error
    proc = run_here("search", "кошечки", "--index", str(index_dir), check=True)
    assert "неизвестно" not in proc.stdout


def test_fasttext_rejects_a_file_that_is_not_a_model(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelUnavailableError):
        load_vectors(f"fasttext:{bad}")


def test_resnet50_loads_a_local_state_dict_with_weights_only(tmp_path, sample_photos):
    torch = pytest.importorskip("torch")
    from torchvision.models import resnet50

    weights = tmp_path / "resnet50-local.pth"
    torch.save(resnet50(weights=None).state_dict(), weights)  # same shapes as IMAGENET1K_V2
    tagger = load_tagger("resnet50", weights)
    assert tagger.name == "resnet50" and tagger.preprocess.size == 288 and tagger.regions
    batch = np.stack([model_input(sample_photos / "chelsea.png", tagger.preprocess)] * 2)
    analysis = tagger.analyze(batch)
    assert analysis.probs.shape == (2, 14, 1000)  # the whole photo and 13 regions
    assert analysis.pooled.shape == (2, 14, 2048)
    assert np.allclose(analysis.probs.sum(axis=2), 1.0, atol=1e-4)


def test_resnet50_refuses_weights_of_another_model(tmp_path):
    torch = pytest.importorskip("torch")
    weights = tmp_path / "other.pth"
    torch.save({"fc.weight": torch.zeros(10, 10)}, weights)
    with pytest.raises(ModelUnavailableError, match="не веса ResNet50"):
        load_tagger("resnet50", weights)


def test_auto_uses_the_bundled_model_when_resnet50_is_absent(monkeypatch, tmp_path):
    monkeypatch.setenv("PHOTOFINDER_MODELS", str(tmp_path))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    tagger = load_tagger("auto")
    assert tagger.name == "efficientnet-lite2"


def test_auto_keeps_the_bundled_model_when_resnet50_has_weights_but_no_heads(monkeypatch, tmp_path):
    """ResNet50's weights alone would lose scenes and people: auto stays on Lite2."""
    torch = pytest.importorskip("torch")
    from torchvision.models import resnet50

    from photofinder.tagger import RESNET50_V2_FILE, choose_variant

    torch.save(resnet50(weights=None).state_dict(), tmp_path / RESNET50_V2_FILE)
    monkeypatch.setenv("PHOTOFINDER_MODELS", str(tmp_path))
    assert choose_variant("auto", None) == "efficientnet-lite2"
    assert choose_variant("resnet50", None) == "resnet50"


def _unfolded_twin(tagger, model, features, classify):
    """The same model as `tagger`, batch norms left in place."""
    from photofinder.tagger import TorchTagger

    return TorchTagger(tagger.name, model, features, classify, tagger.preprocess,
                       tagger.weights, tagger.regions)


def test_folded_batch_norms_change_no_tag_of_a_real_photo(sample_photos, tmp_path):
    """fold_batch_norms (a speed-up) keeps every output of both model families."""
    torch = pytest.importorskip("torch")
    from efficientnet_lite_pytorch import EfficientNet
    from torchvision.models import resnet50

    from photofinder.tagger import _lite_weights_file, fold_batch_norms

    lite = load_tagger("efficientnet-lite0")
    model = EfficientNet.from_name("efficientnet-lite0", image_size=lite.preprocess.size)
    model.load_state_dict(torch.load(_lite_weights_file("efficientnet-lite0"), weights_only=True))
    twins = [(lite, _unfolded_twin(lite, model, model.extract_features, model._fc))]

    net = resnet50(weights=None)
    for bn in (m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)):
        bn.running_mean.uniform_(-0.5, 0.5)   # statistics a fold must carry over
        bn.running_var.uniform_(0.5, 2.0)
    torch.save(net.state_dict(), tmp_path / "resnet50.pth")
    resnet = load_tagger("resnet50", tmp_path / "resnet50.pth")
    net.eval()
    trunk = torch.nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool,
                                net.layer1, net.layer2, net.layer3, net.layer4)
    twins.append((resnet, _unfolded_twin(resnet, net, trunk, net.fc)))
    assert fold_batch_norms(resnet50(weights=None).eval()) == 53   # every one of ResNet50's

    for folded, unfolded in twins:
        assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded._model.modules())
        batch = np.stack([model_input(sample_photos / name, folded.preprocess)
                          for name in ("chelsea.png", "coffee.png")])
        a, b = folded.analyze(batch), unfolded.analyze(batch)
        assert np.allclose(a.pooled, b.pooled, rtol=1e-3, atol=1e-3 * np.abs(b.pooled).max())
        assert np.abs(a.probs - b.probs).max() < 1e-3
        assert (a.probs.argmax(axis=2) == b.probs.argmax(axis=2)).all()


@pytest.mark.parametrize("regions, size, count", [(True, 288, 14), (False, 224, 1)])
def test_bundled_tagger_names_the_cat(sample_photos, regions, size, count):
    from photofinder.vocabulary import load_vocabulary

    tagger = load_tagger("efficientnet-lite0", regions=regions)
    assert tagger.preprocess.size == size
    analysis = tagger.analyze(model_input(sample_photos / "chelsea.png", tagger.preprocess)[None])
    assert analysis.probs.shape == (1, count, 1000)
    top = int(analysis.probs[0, 0].argmax())
    assert load_vocabulary().labels[top].en in {"tabby", "tiger cat", "Egyptian cat"}


@pytest.mark.parametrize("device, message", [
    ("gpu", "неизвестное устройство"), ("mps", "неизвестное устройство"),
    ("cuda:7", "cuda"), ("cuda", "cuda")])
def test_bad_devices_are_one_line(tmp_path, device, message):
    proc = run_cli("index", str(tmp_path), "--index", str(tmp_path / "ix"), "--device", device)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr


def test_resnet50_without_heads_says_so_and_tags_objects_only(tmp_path, sample_photos):
    """No scene or people head ships for ResNet50: `photofinder index` says it in one
    note, the index records it, and the photos are still tagged with ImageNet classes."""
    torch = pytest.importorskip("torch")
    import json

    from torchvision.models import resnet50

    from .conftest import run_cli

    weights = tmp_path / "resnet50-random.pth"
    torch.save(resnet50(weights=None).state_dict(), weights)
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "chelsea.png").write_bytes((sample_photos / "chelsea.png").read_bytes())
    env = {"PHOTOFINDER_MODELS": str(tmp_path / "models"), "TORCH_HOME": str(tmp_path)}
    proc = run_cli("index", str(photos), "--index", str(tmp_path / "ix"), "--tagger", "resnet50",
                   "--weights", str(weights), check=True, env=env)
    assert "для модели resnet50 нет голов сцен и людей" in proc.stderr
    meta = json.loads((tmp_path / "ix" / "index.json").read_text(encoding="utf-8"))
    assert meta["tagger"]["name"] == "resnet50" and meta["tagger"]["heads"] == "none"
    export = tmp_path / "tags.json"
    run_cli("export", "--index", str(tmp_path / "ix"), "--out", str(export), check=True)
    kinds = {t["kind"] for p in json.loads(export.read_text())["photos"] for t in p["tags"]}
    # ImageNet classes (and the COCO detector's objects, which need no heads), never a
    # scene or a person score
    assert "imagenet" in kinds and not kinds & {"scene", "person"}


def test_navec_loads_the_same_vectors_as_its_own_loader():
    """photofinder reads navec without its unused precompute: the vectors must not change."""
    import importlib.resources

    from navec import Navec

    from photofinder.vectors import NAVEC_FILE, NavecVectors

    ours = NavecVectors()
    stock = Navec.load(str(importlib.resources.files("natasha") / "data" / "emb" / NAVEC_FILE))
    for word in ("кошка", "море", "свадьба", "небоскреб"):
        np.testing.assert_array_equal(ours.get(word), stock.get(word))
    assert ours.get("несуществующееслово") is None and len(ours.known_words()) == 250_002


# --- the scene and people heads ------------------------------------------------------
def _damaged_heads(tmp_path: Path, tagger: str, **changes) -> Path:
    """A copy of the shipped heads of `tagger` in a models folder, with some arrays
    replaced: what a bit flip or a head trained for another input would leave."""
    from photofinder.config import data_path

    with np.load(data_path("heads") / f"{tagger}.npz") as npz:
        arrays = {k: npz[k] for k in npz.files}
    for name, change in changes.items():
        arrays[name] = change(arrays[name].copy())
    models = tmp_path / "models"
    (models / "heads").mkdir(parents=True)
    np.savez(models / "heads" / f"{tagger}.npz", **arrays)
    return models


def _nan_at_first(a: np.ndarray) -> np.ndarray:
    a.flat[0] = np.nan
    return a


@pytest.mark.parametrize("array", ["pca_mean", "pca_components", "scene_weight",
                                   "scene_bias", "person_weight", "person_bias",
                                   "attribute_weight", "attribute_bias"])
def test_heads_with_a_number_that_is_not_finite_are_refused(array, tmp_path, monkeypatch):
    from photofinder.heads import load_heads

    models = _damaged_heads(tmp_path, "efficientnet-lite2", **{array: _nan_at_first})
    monkeypatch.setenv("PHOTOFINDER_MODELS", str(models))
    with pytest.raises(ModelUnavailableError, match=r"повреждён \(не числа\)"):
        load_heads("efficientnet-lite2")


def test_heads_made_before_the_weather_attributes_still_load(tmp_path, monkeypatch):
    """A user's heads file without attribute arrays (trained before rain and snow were
    heads of their own): the places as before, no attribute columns."""
    from photofinder.config import data_path
    from photofinder.heads import load_heads

    with np.load(data_path("heads") / "efficientnet-lite2.npz") as npz:
        arrays = {k: npz[k] for k in npz.files if not k.startswith("attribute_")}
    (tmp_path / "heads").mkdir()
    np.savez(tmp_path / "heads" / "efficientnet-lite2.npz", **arrays)
    monkeypatch.setenv("PHOTOFINDER_MODELS", str(tmp_path))
    heads = load_heads("efficientnet-lite2")
    assert heads.tag_keys == heads.scene_keys and "rain" not in heads.tag_keys
    features = np.zeros((2, heads.scene_weight.shape[0]), np.float32)
    assert heads.scenes(features).shape == (2, len(heads.scene_keys))


def test_heads_with_attributes_of_the_wrong_shape_are_refused(tmp_path, monkeypatch):
    from photofinder.heads import load_heads

    models = _damaged_heads(tmp_path, "efficientnet-lite2",
                            attribute_bias=lambda a: a[:1])
    monkeypatch.setenv("PHOTOFINDER_MODELS", str(models))
    with pytest.raises(ModelUnavailableError, match="повреждён"):
        load_heads("efficientnet-lite2")


def test_heads_of_another_input_size_are_refused(tmp_path, monkeypatch):
    from photofinder.heads import load_heads

    assert load_heads("efficientnet-lite2").input_size == 320  # the shipped ones load
    models = _damaged_heads(tmp_path, "efficientnet-lite2", input_size=lambda a: np.array(260))
    monkeypatch.setenv("PHOTOFINDER_MODELS", str(models))
    with pytest.raises(ModelUnavailableError, match="на входе 260 px.*на 320 px"):
        load_heads("efficientnet-lite2")


@pytest.mark.parametrize("change", ["input_size", "person_bias"])
def test_a_head_file_for_another_input_or_with_nan_stops_index_in_one_line(
        change, sample_photos, tmp_path):
    damage = {"input_size": lambda a: np.array(224), "person_bias": _nan_at_first}[change]
    models = _damaged_heads(tmp_path, "efficientnet-lite0", **{change: damage})
    proc = run_cli("index", str(sample_photos), "--index", str(tmp_path / "ix"),
                   "--tagger", "efficientnet-lite0", env={"PHOTOFINDER_MODELS": str(models)})
    assert proc.returncode == 5, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("photofinder:")]
    assert len(lines) == 1 and "файл голов" in lines[0]
    assert not (tmp_path / "ix" / "index.json").exists()  # nothing half-made


def test_every_shipped_model_file_is_in_the_package_data():
    """A wheel carries only the package data pyproject.toml names: data/children.npz was
    in none of its patterns, so an installed (not editable) photofinder had no child score."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later

    root = Path(__file__).resolve().parents[1]
    patterns = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["photofinder"]
    data = root / "photofinder"
    shipped = {p for pattern in patterns for p in data.glob(pattern)}
    files = {p for p in (data / "data").rglob("*") if p.is_file() and p.suffix != ".py"
             and "__pycache__" not in p.parts}
    assert files - shipped == set(), sorted(str(p.relative_to(data)) for p in files - shipped)


FORESTS = ("forest", "rainforest", "bamboo_forest", "forest_road")
ROADS = ("highway",)


def _softmax(heads, features: np.ndarray) -> np.ndarray:
    """The places' softmax worked out here (float64)."""
    logits = (features @ heads.scene_weight + heads.scene_bias).astype(np.float64)
    softmax = np.exp(logits - logits.max(axis=1, keepdims=True))
    return softmax / softmax.sum(axis=1, keepdims=True)


def _named_places(heads, features: np.ndarray) -> np.ndarray:
    """Each place a share of the places other than the webcam days, grown tenfold at
    the most (heads.UNNAMED_PLACES): what the forest and river rules start from."""
    softmax = _softmax(heads, features)
    return softmax / np.maximum(1 - softmax[:, [heads.scene_keys.index("day")]], 0.1)


def _named_without(heads, named: np.ndarray, land: list[str]) -> np.ndarray:
    """The sum of the named places other than `land` (and the webcam days): what a forest's
    or a road's share is divided by. Not 1 - the land's: where the day is over 0.9 the
    named places' tenfold cap leaves their sum below 1 (a random photo of the round
    thirty-nine heads is one)."""
    scene = len(heads.scene_keys)
    left_out = [heads.scene_keys.index(k) for k in (*land, "day")]
    return np.delete(named[:, :scene], left_out, axis=1).sum(axis=1)


def _features_with_logits(heads, logits: dict[str, float]) -> np.ndarray:
    """[1, D] features whose places' logits are the given ones (0 for the rest), up to one
    shift of them all, which the softmax does not see."""
    wanted = np.zeros(len(heads.scene_keys))
    for key, logit in logits.items():
        wanted[heads.scene_keys.index(key)] = logit
    # a softmax's weights are fixed only up to a shift of every class alike, so the
    # weight matrix is singular along it (its smallest singular value ~1e-8, the next ~0.9):
    # solved along that direction too, the features grew to ~3e7 and float32 rounding
    # moved the logits by ~2. rcond drops it: the logits come out shifted by one constant.
    return np.linalg.lstsq(heads.scene_weight.T.astype(np.float64), wanted - heads.scene_bias,
                           rcond=1e-6)[0][None].astype(np.float32)


def test_the_river_yields_its_share_to_the_lake():
    """The scene softmax has no lake, so a lake's water gave "river" its probability
    (heads.YIELDS_TO): the river column is its share times (1 - the lake head's), the
    other places and every attribute as they were."""
    from photofinder.heads import load_heads

    heads = load_heads("efficientnet-lite2")
    keys = heads.tag_keys
    river, lake = keys.index("river"), keys.index("lake")
    features = np.random.default_rng(0).normal(size=(64, heads.scene_weight.shape[0])) \
        .astype(np.float32)
    scores = heads.scenes(features)
    named = _named_places(heads, features)
    lake_head = 1 / (1 + np.exp(-(features @ heads.attribute_weight + heads.attribute_bias)))
    np.testing.assert_allclose(scores[:, river],
                               named[:, river] * (1 - lake_head[:, lake - len(heads.scene_keys)]),
                               rtol=1e-4, atol=1e-7)
    others = [k for k in range(len(heads.scene_keys))
              if keys[k] not in ("river", "day", *FORESTS, *ROADS)]
    np.testing.assert_allclose(scores[:, others], named[:, others], rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(scores[:, len(heads.scene_keys):], lake_head, rtol=1e-4, atol=1e-7)


def test_the_named_places_take_the_share_of_the_webcam_days():
    """"day" is a training-only class of daytime webcam frames with no place label
    (heads.UNNAMED_PLACES): a street much like them gave "day" its share. Each named
    place is now its share of the named places (they sum to 1 before the forest and
    river rules), grown tenfold at the most: a photo that is all "day" is no place."""
    from photofinder import heads as heads_module
    from photofinder.heads import load_heads

    heads = load_heads("efficientnet-lite2")
    keys = heads.scene_keys
    street = _features_with_logits(heads, {"day": 8.0, "street": 6.0, "highway": 4.0})
    before = _softmax(heads, street)[0, keys.index("street")]
    now = heads.scenes(street)[0, keys.index("street")]
    assert before < 0.2 and now > 0.6, (before, now)
    np.testing.assert_allclose(now, _named_places(heads, street)[0, keys.index("street")], rtol=1e-3)

    features = np.random.default_rng(2).normal(size=(128, heads.scene_weight.shape[0])) \
        .astype(np.float32)
    saved = heads_module.LAND_COVER, heads_module.ROADS, heads_module.YIELDS_TO
    heads_module.LAND_COVER, heads_module.ROADS, heads_module.YIELDS_TO = (), (), {}
    try:
        named_only = heads.scenes(features)
    finally:
        heads_module.LAND_COVER, heads_module.ROADS, heads_module.YIELDS_TO = saved
    without_day = [k for k in range(len(keys)) if keys[k] != "day"]
    np.testing.assert_allclose(named_only[:, without_day].sum(axis=1), 1.0, rtol=1e-4)
    all_day = _features_with_logits(heads, {"day": 12.0, "street": 5.0})
    day_softmax = _softmax(heads, all_day)[0]
    assert 1 - day_softmax[keys.index("day")] < 0.01
    np.testing.assert_allclose(heads.scenes(all_day)[0, keys.index("street")],
                               10 * day_softmax[keys.index("street")], rtol=1e-3)
    assert heads.scenes(all_day)[0, keys.index("street")] < 0.1
    # the day's own column is the softmax's (never stored: the vocabulary has no name)
    np.testing.assert_allclose(heads.scenes(street)[0, keys.index("day")],
                               _softmax(heads, street)[0, keys.index("day")], rtol=1e-3)


def test_the_forest_is_read_apart_from_the_land_it_covers():
    """A forested mountain was mostly "mountain" in the softmax (heads.LAND_COVER): each
    forest class is its share of the named places divided by their sum without the
    mountain, valley, river and waterfall; never above 1, never below its own share."""
    from photofinder.heads import load_heads

    heads = load_heads("efficientnet-lite2")
    keys = heads.tag_keys
    rng = np.random.default_rng(1)
    features = rng.normal(size=(256, heads.scene_weight.shape[0])).astype(np.float32)
    scores = heads.scenes(features)
    named = _named_places(heads, features)
    rest = _named_without(heads, named, ["mountain", "valley", "river", "waterfall"])
    for forest in FORESTS:
        column = keys.index(forest)
        expected = named[:, column] / rest
        np.testing.assert_allclose(scores[:, column], expected, rtol=1e-3, atol=1e-7)
        assert (scores[:, column] <= 1).all() and (scores[:, column] >= named[:, column] - 1e-7).all()
    # a mountain and nothing else (every other place's logit equal, the mountain's 60
    # higher): the other places sum to 1e-26, and the forest is one of ~100 of them, not
    # a division of rounding errors
    mountain = heads.scenes(_features_with_logits(heads, {"mountain": 60.0}))
    assert np.isfinite(mountain).all()
    assert mountain[0, keys.index("mountain")] > 0.99
    assert 0.001 < mountain[0, keys.index("forest")] < 0.05


def test_a_road_is_read_apart_from_the_land_it_crosses():
    """A road through a valley, fields or a desert was mostly the valley, the field or
    the desert in the softmax (heads.ROADS): each road class is its share of the named
    places divided by their sum without the land and water a road runs by (both taken
    before the forest's rule), grown fourfold at most; never above 1, never below its
    own share."""
    from photofinder.heads import CROSSED_LAND, ROAD_SHARE_FLOOR, load_heads

    heads = load_heads("efficientnet-lite2")
    keys = heads.tag_keys
    features = np.random.default_rng(3).normal(size=(256, heads.scene_weight.shape[0])) \
        .astype(np.float32)
    scores = heads.scenes(features)
    named = _named_places(heads, features)
    rest = _named_without(heads, named, list(CROSSED_LAND))
    for road in ROADS:
        column = keys.index(road)
        np.testing.assert_allclose(scores[:, column],
                                   named[:, column] / np.maximum(rest, ROAD_SHARE_FLOOR),
                                   rtol=1e-3, atol=1e-7)
        assert (scores[:, column] <= 1).all() and (scores[:, column] >= named[:, column] - 1e-7).all()
    # a highway across a valley: the softmax says valley, the road is read as a road
    across = _features_with_logits(heads, {"valley": 7.5, "highway": 6.0, "forest": 2.0})
    before = _named_places(heads, across)[0, keys.index("highway")]
    now = heads.scenes(across)[0, keys.index("highway")]
    assert before < 0.3 and now > 0.6, (before, now)
    # a field with a faint road in it: grown fourfold at most, still no sure road
    field = _features_with_logits(heads, {"open_country": 9.0, "highway": 4.5})
    assert heads.scenes(field)[0, keys.index("highway")] <= 4 * _named_places(heads, field)[
        0, keys.index("highway")] + 1e-6 < 0.3
