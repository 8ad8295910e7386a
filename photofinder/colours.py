"""Colour tags: the basic colours of the objects in a photo, and of the photo itself.

«красная машина», «белая собака», «рыжая кошка»: a colour is what people remember of a
thing, and no classifier tag says it. Each of the 12 basic colours of Russian (голубой
and синий are two) is a tag `scene:colour_<name>`, made at indexing from the model's
input: the share of the photo's cells of that colour inside the boxes of its main things
(the detector's two most prominent objects), and in the whole photo, whichever says it
more surely. A query «красная машина» is then two concepts, like «собака на пляже»:
photos where both are sure come first.

One more tag says the photo is black and white («черно-белое фото»): no pixel has colour
(monochrome_score).

The colour is the photo's, not tied to one thing: a grey car beside a red bus matches
«красная машина» too. The boxes keep that rarer than the whole photo would (a red wall
behind a white car); without the detector (`--no-objects`) only the whole photo counts.
NumPy and Pillow only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from .vocabulary import COLOUR_PREFIX, MONOCHROME

__all__ = ["COLOURS", "COLOUR_PREFIX", "MONOCHROME", "TAG_KEYS", "cell_colours", "colour_scores",
           "monochrome_score", "object_boxes", "shares"]

# (key, what it covers): vocabulary's scenes.json names each `scene:colour_<key>`
COLOURS = ("red", "orange", "yellow", "green", "light_blue", "blue", "purple", "pink",
           "brown", "white", "grey", "black")
# one more tag beside the colours, MONOCHROME: a black-and-white photo («черно-белое
# фото»), an old print scanned or a photo taken so
TAG_KEYS = (*COLOURS, MONOCHROME)   # colour_scores' order
GRID = 48          # the photo is judged as a 48 x 48 grid of cell colours: texture averages out
# an object's box: its middle, where the object is (the corners are background)
BOX_MARGIN = 0.15
# Shares of the cells that make a colour sure (score 1): inside an object's box, and over
# the whole photo; chosen before measuring. Simulated on imagenet-samples' judged dogs
# and cars (benchmarks/colours.py's queries): a box sure from 0.5 lost 0.12 MAP, the
# photo sure only when all of it is that colour changed nothing (+0.002).
BOX_SURE_SHARE = 0.35
PHOTO_SURE_SHARE = 0.5
# objects smaller than this share of the photo are too few cells to say a colour
MIN_BOX_AREA = 0.02
# detections this sure or more lend their box (detector.py: 0.3 was right 88 % of the time)
BOX_MIN_SCORE = 0.3
# The colours of the photo's main things only: a keyboard's black beside a ginger cat is
# not what «черная кошка» asks. Simulated on the cached cells and detections of the
# judged photos (MAP of the colour queries), every box / the 2 most prominent / the 1:
# imagenet-samples 0.582 / 0.593 / 0.609, coco-dev's 7 queries 0.536 / 0.566 / 0.454.
MAX_BOXES = 2
# A black-and-white photo has no coloured pixel at all, where a colour photo of grey
# things (a snowfield, an engine) still has a few: the 99th percentile of the pixels'
# chroma (max - min channel, of 255) is at most MONO_SURE_CHROMA for a sure one, 0 from
# MONO_NONE_CHROMA. On coco-dev the 6 black-and-white photos (judged by eye) are at 0-15
# and the most colourless colour photo at 23; on imagenet-samples its 26 black-and-white
# photos are at 0, and colour photos of white or grey things (a toaster, a car mirror, bison in
# snow) at 14-19.
MONO_SURE_CHROMA = 10
MONO_NONE_CHROMA = 22


def cell_colours(pixels: np.ndarray) -> np.ndarray:
    """int8 [GRID, GRID]: each cell's basic colour (an index into COLOURS).

    pixels: uint8 [H, W, 3], the model's input. Hue, saturation and value of each cell's
    mean colour: dark cells are black whatever their hue, pale ones white or grey, the
    rest by hue, where a dark orange or red of low saturation is brown and a light,
    pale red is pink."""
    cells = Image.fromarray(np.ascontiguousarray(pixels)).resize((GRID, GRID), Image.Resampling.BOX)
    rgb = np.asarray(cells, np.float32) / 255.0
    value = rgb.max(axis=-1)
    chroma = value - rgb.min(axis=-1)
    saturation = chroma / np.maximum(value, 1e-3)
    hue = np.asarray(cells.convert("HSV"), np.float32)[..., 0] * (360.0 / 255.0)
    out = np.full(value.shape, COLOURS.index("grey"), np.int8)

    def put(mask: np.ndarray, name: str) -> None:
        out[mask] = COLOURS.index(name)

    chromatic = (saturation >= 0.22) & (chroma >= 0.1)
    red_hue = (hue < 12) | (hue >= 340)
    orange_hue = (hue >= 12) & (hue < 36)
    put(chromatic & red_hue, "red")
    put(chromatic & orange_hue, "orange")
    put(chromatic & (hue >= 36) & (hue < 70), "yellow")
    put(chromatic & (hue >= 70) & (hue < 165), "green")
    blueish = chromatic & (hue >= 165) & (hue < 255)
    light = ((value >= 0.7) & (saturation < 0.6)) | (hue < 200)   # or cyan
    put(blueish & light, "light_blue")
    put(blueish & ~light, "blue")
    put(chromatic & (hue >= 255) & (hue < 290), "purple")
    put(chromatic & (hue >= 290) & (hue < 340), "pink")
    put(chromatic & red_hue & (value >= 0.7) & (saturation < 0.5), "pink")
    # brown: a dark orange or yellow, or a dull dark red
    brown = chromatic & (
        ((orange_hue | (hue >= 36) & (hue < 55)) & (value < 0.6))
        | (orange_hue & (saturation < 0.45) & (value < 0.75))
        | (red_hue & (saturation < 0.55) & (value < 0.55)))
    put(brown, "brown")
    pale = ~chromatic
    put(pale & (value >= 0.75), "white")
    put(pale & (value < 0.3), "black")
    put(value < 0.2, "black")
    return out


def shares(cells: np.ndarray, box: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """float32 [len(COLOURS)]: the share of each colour among the cells of `box` (x0, y0,
    x1, y1 as fractions of the photo, its middle only: BOX_MARGIN), or of the photo."""
    if box is not None:
        x0, y0, x1, y1 = box
        dx, dy = (x1 - x0) * BOX_MARGIN, (y1 - y0) * BOX_MARGIN
        n = cells.shape[0]
        left, right = int(round((x0 + dx) * n)), int(round((x1 - dx) * n))
        top, bottom = int(round((y0 + dy) * n)), int(round((y1 - dy) * n))
        cells = cells[top:max(bottom, top + 1), left:max(right, left + 1)]
    counts = np.bincount(cells.ravel(), minlength=len(COLOURS)).astype(np.float32)
    return counts / max(1.0, float(counts.sum()))


def monochrome_score(pixels: np.ndarray) -> float:
    """How sure the photo is black and white, 0..1 (MONO_SURE_CHROMA)."""
    every_other = pixels[::2, ::2]
    red, green, blue = every_other[..., 0], every_other[..., 1], every_other[..., 2]
    # channel by channel: 8x faster than max(axis=-1) over the last axis of 3
    chroma = (np.maximum(np.maximum(red, green), blue)
              - np.minimum(np.minimum(red, green), blue)).ravel()   # uint8: max >= min
    k = int(0.99 * (len(chroma) - 1))
    top = float(np.partition(chroma, k)[k])
    return float(np.clip((MONO_NONE_CHROMA - top) / (MONO_NONE_CHROMA - MONO_SURE_CHROMA), 0.0, 1.0))


def colour_scores(pixels: np.ndarray, boxes: Sequence[tuple[float, float, float, float]] = ()
                  ) -> tuple[np.ndarray, np.ndarray]:
    """([len(TAG_KEYS)] how sure the photo shows each colour, and that it is black and
    white, 0..1; [len(TAG_KEYS)] bool: an object's box said it more surely than the
    whole photo, a «(фрагмент)»)."""
    cells = cell_colours(pixels)
    whole = np.minimum(1.0, shares(cells) / PHOTO_SURE_SHARE)
    best = whole.copy()
    for box in boxes:
        np.maximum(best, np.minimum(1.0, shares(cells, box) / BOX_SURE_SHARE), out=best)
    scores = np.append(best, monochrome_score(pixels)).astype(np.float32)
    return scores, np.append(best > whole, False)


def object_boxes(objects: Sequence) -> list[tuple[float, float, float, float]]:
    """The boxes of the photo's main things (detector.Detection): sure and large enough
    to say a colour, the MAX_BOXES most prominent (score x area)."""
    kept = [d for d in objects if d.score >= BOX_MIN_SCORE and d.area >= MIN_BOX_AREA]
    kept.sort(key=lambda d: d.score * d.area, reverse=True)
    return [d.box for d in kept[:MAX_BOXES]]
