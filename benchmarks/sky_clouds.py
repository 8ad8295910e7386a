"""Clouds over people, a town or a field, read from the pixels of the sky (round forty-one).

    .venv/bin/python benchmarks/sky_clouds.py [--held-out]

The heads read clouds as the subject of a photo: a sky photo, a landscape under a cloudy
sky. Over people, a street or a field the clouds are a strip at the top and the head says
little: «облака» found the 23 cloudy photos of people's own albums (extract.EVERYDAY_FRESH)
with AP 0.63, coco-dev's 7 with 0.46. photos.cloud_fraction measures the grey-white cells
with edges in the top third of the photo that the top edge reaches through sky, as
photos.sky_fraction measures the open sky. A
rule makes the clouds tag the noisy-OR of the head's clouds and WEIGHT x min(1, GAIN x
that fraction) x how sure the heads are that the photo is outdoors (a white ceiling is no
cloud), and the clear sky (derived.clear_sky_scores) is made again from it. Every word is
searched through the real SearchEngine: the everyday photos (the 543 tuned on, the 135 of
people's own albums, both taggers, as published; their truth judged by eye), coco-dev's
scene words judged by eye, and with --held-out scenes-train's held-out fifth (its truth is
the folders: a cloudy sky over another folder's photo counts as a miss there). The
fractions are computed from the photos decoded as `index` decodes them, cached in build/.
The shipped rule (tagging.CLOUD_GAIN, CLOUD_WEIGHT) must give the shipped index's figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

import numpy as np
from evaluation import REPO, SHARED, build_index, engine_for, mean, score_queries
from everyday_kinds import TRUTH
from everyday_photos import everyday_engine
from place_rules import figures, held_out_table, rule_table

from photofinder.decoding import decode
from photofinder.derived import clear_sky_scores
from photofinder.heads import load_heads
from photofinder.photos import CLOUD_ROWS, CLOUD_SATURATION, CLOUD_VALUE
from photofinder.scoring import SURE
from photofinder.tagger import load_tagger
from photofinder.tagging import CLOUD_GAIN, CLOUD_WEIGHT, SCENE_FLOOR, indoor_mask
from photofinder.vocabulary import SCENE_PREFIX, load_vocabulary

CLOUDS = SCENE_PREFIX + "clouds"
WORDS = ("облака", "пасмурно", "небо", "ясное небо", "туман", "снег")
GRID = ((2.0, 0.5), (4.0, 0.5), (8.0, 0.5), (4.0, 0.3), (4.0, 0.7))


def fractions(engine, tagger: str) -> np.ndarray:
    """[n] photos.cloud_fraction of every photo of the index, as `index` decodes it."""
    paths = list(engine.index.paths)
    key = zlib.crc32("\n".join(paths).encode())
    # the rule's constants in the name: a cache of another rule's fractions is not read
    rule_key = zlib.crc32(f"{CLOUD_SATURATION},{CLOUD_VALUE},{CLOUD_ROWS}".encode())
    cache = REPO / "build" / f"cloud-fraction-{tagger}-{len(paths)}-{key:08x}-{rule_key:08x}.npy"
    if cache.is_file():
        return np.load(cache)
    prep = load_tagger(tagger).preprocess
    print(f"decoding {len(paths)} photos for their skies...", flush=True)
    out = np.zeros(len(paths), np.float32)
    for i, p in enumerate(paths):
        d = decode(Path(p), prep)
        out[i] = 0.0 if isinstance(d, Exception) else d.clouds   # photos.cloud_fraction
    cache.parent.mkdir(exist_ok=True)
    np.save(cache, out)
    return out


def rule(gain: float | None, weight: float = 0.0):
    """(engine, tagger) -> the clouds and clear-sky columns; gain None: the head alone."""
    def columns(engine, tagger: str) -> dict[str, np.ndarray]:
        heads = load_heads(tagger)
        scenes = heads.scenes(np.asarray(engine.index.features, np.float32))
        keys = list(heads.tag_keys)
        head = scenes[:, keys.index("clouds")]
        if gain is None:
            clouds = head
        else:
            outdoors = np.clip(1.0 - scenes[:, indoor_mask(keys, load_vocabulary())].sum(1), 0, 1)
            seen = np.minimum(1.0, gain * fractions(engine, tagger)) * outdoors
            clouds = 1.0 - (1.0 - head) * (1.0 - weight * seen)
        idx = engine.index
        tags = engine.index.tags.with_columns({idx.labels.index(CLOUDS): clouds}, SCENE_FLOOR)
        return {"clouds": clouds, "clear_sky": clear_sky_scores(tags, idx.labels)}
    return columns


SHIPPED = f"shipped: gain {CLOUD_GAIN:g}, weight {CLOUD_WEIGHT:g}"
RULES = {"the head alone (before)": rule(None),
         **{f"gain {g:g}, weight {w:g}": rule(g, w) for g, w in GRID},
         SHIPPED: rule(CLOUD_GAIN, CLOUD_WEIGHT)}


def table(name: str, engine, tagger: str, figures_of) -> int:
    """One set's table (place_rules.rule_table), with how many photos the clouds are a
    sure tag of."""
    return rule_table(f"{name}: AP; how many photos the clouds are a sure tag of", engine,
                      tagger, RULES, SHIPPED, WORDS, figures_of,
                      ("sure clouds",
                       lambda rule, columns: str(int((columns["clouds"] >= SURE["scene"]).sum()))))


def coco_figures(engine) -> tuple[dict[str, float], float, float]:
    truth = json.loads((REPO / "benchmarks" / "coco_scene_truth.json").read_text(encoding="utf-8"))
    queries = [{"query": w, "kind": "scene", "photos": set(p)} for w, p in truth["words"].items()]
    rows = score_queries(engine, queries, lambda q, path: Path(path).name in q["photos"])
    return ({r["query"]: r["ap"] for r in rows}, mean(r["ap"] for r in rows),
            mean(r["rr"] for r in rows))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--held-out", action="store_true",
                    help="also scenes-train's held-out fifth (decodes its 4,081 photos)")
    args = ap.parse_args()
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    for name, tagger, fresh in (("the 543 everyday photos, Lite2", "efficientnet-lite2", False),
                                ("people's own albums (135), Lite2", "efficientnet-lite2", True),
                                ("the 543 everyday photos, Lite0", "efficientnet-lite0", False),
                                ("people's own albums (135), Lite0", "efficientnet-lite0", True)):
        engine = everyday_engine(tagger, True, fresh)
        if engine is not None and table(name, engine, tagger, lambda e: figures(e, truth)):
            return 1
    coco = SHARED / "coco-dev"
    if coco.is_dir():
        engine = engine_for(build_index([coco], "coco-efficientnet-lite2", []))
        if table("coco-dev's scene words judged by eye, Lite2", engine, "efficientnet-lite2",
                 coco_figures):
            return 1
    if args.held_out:
        held_out_table("rule", RULES, WORDS, regions=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
