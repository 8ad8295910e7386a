"""Where photofinder keeps its models and its index.

In a source checkout (the usual way to run it: `make run`) the repository's own
`models/` and `index/` folders are used, as the README describes. An installed copy
uses the XDG folders. Both can be overridden with environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path

# here, not in tagger.py: the command line lists them, and a search must not import
# the tagger's module (Pillow, the model code) to print its help
TAGGER_NAMES = ("auto", "resnet50", "efficientnet-lite0", "efficientnet-lite2")

# Input sides: the model's own resolution when only the whole photo is classified, and
# about 1.25x that when regions are pooled too, so a region of the feature map still
# sees an object at a size the classifier knows. Chosen on coco-dev (benchmarks/regions.py).
# Here for the same reason, and so that heads.py checks a heads file without importing
# tagger.py (which imports heads.py to choose a model: the two imported each other).
INPUT_SIDES = {  # variant: (whole photo only, with regions)
    "efficientnet-lite0": (224, 288),
    "efficientnet-lite2": (260, 320),
    "resnet50": (224, 288),
}

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIR = _PACKAGE_DIR.parent


def _in_checkout() -> bool:
    return (_CHECKOUT_DIR / "pyproject.toml").is_file() and (_CHECKOUT_DIR / "models").is_dir()


def default_index_dir() -> Path:
    """The index folder used when `--index` is not given."""
    if env := os.environ.get("PHOTOFINDER_INDEX"):
        return Path(env).expanduser()
    if _in_checkout():
        return _CHECKOUT_DIR / "index"
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "photofinder" / "index"


def models_dir() -> Path:
    """Where downloaded model weights (ResNet50) are looked for and saved."""
    if env := os.environ.get("PHOTOFINDER_MODELS"):
        return Path(env).expanduser()
    if _in_checkout():
        return _CHECKOUT_DIR / "models"
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "photofinder" / "models"


def data_path(name: str) -> Path:
    """A data file shipped inside the package (vocabulary, JSON Schema)."""
    return _PACKAGE_DIR / "data" / name
