"""A few real photos that ship inside scikit-image, for `make run` and the tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import ModelUnavailableError, UsageError

# Real photographs only (scikit-image's data folder also holds charts, text and
# microscopy); the names say what is in them.
SAMPLE_PHOTOS = (
    "chelsea.png",            # a tabby cat
    "coffee.png",             # a cup of coffee on a saucer
    "astronaut.png",          # Eileen Collins in a spacesuit
    "rocket.jpg",             # a rocket on the launch pad
    "motorcycle_left.png",    # a motorcycle (stereo pair, left view)
    "camera.png",             # a man with a camera on a tripod
    "coins.png",              # old coins
    "hubble_deep_field.jpg",  # galaxies
)


def samples_dir() -> Path:
    try:
        import skimage
    except ImportError:
        raise ModelUnavailableError("примеры фото берутся из scikit-image: `pip install scikit-image`") from None
    return Path(skimage.__file__).parent / "data"


def copy_samples(target: Path) -> list[Path]:
    """Copies the sample photos into `target` (kept if already there)."""
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} — не папка")
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in SAMPLE_PHOTOS:
        source = samples_dir() / name
        if source.is_file():
            dest = target / name
            if not dest.exists():
                shutil.copy2(source, dest)
            copied.append(dest)
    if not copied:
        raise ModelUnavailableError(f"в {samples_dir()} нет примеров фото")
    return copied
