"""A lake is no river: the rules tried in round thirty for the river column.

    .venv/bin/python benchmarks/river_lake.py

The places' softmax has no lake (the lake is an attribute head of its own), so a lake's
still water gave its probability to "river". The shipped heads multiply the river by one
minus the lake head's probability (heads.YIELDS_TO). This recomputes every photo's
softmax river and lake head from the compact features the index stores (no photo tagged
again), puts the river column of each rule in place of the stored one, and runs the
everyday words through the real SearchEngine: the 13 place, sky and weather words of
everyday_photos.py and the 22 of everyday_kinds.py («водопад» reaches the river as a
related word). On the everyday test photos as published and at 256 px with
EfficientNet-Lite2, and as published with Lite0 (each skipped where its photos are not
gathered). The shipped rule must give the shipped index's figures (checked: the stored
features are float16, the tags were made from float32).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
from everyday_kinds import TRUTH, word_figures
from everyday_photos import everyday_engine

import photofinder.heads as heads_module
from photofinder.heads import load_heads
from photofinder.tagging import SCENE_FLOOR

Rule = Callable[[np.ndarray, np.ndarray], np.ndarray]
RULES: dict[str, Rule] = {
    "the softmax's river (before)": lambda river, lake: river,
    "river x (1 - 0.5 lake)": lambda river, lake: river * (1 - 0.5 * lake),
    "river x (1 - lake) (shipped)": lambda river, lake: river * (1 - lake),
    "river x (1 - max(0, lake - river))": lambda river, lake: river * (1 - np.maximum(0, lake - river)),
    "river halved where the lake is higher": lambda river, lake: np.where(lake > river, river / 2, river),
}
SHIPPED = "river x (1 - lake) (shipped)"
WORDS = ("река", "озеро", "водопад")
SETS = (("as published, Lite2", "efficientnet-lite2", True),
        ("256 px, Lite2", "efficientnet-lite2", False),
        ("as published, Lite0", "efficientnet-lite0", True))


def softmax_river_and_lake(engine, tagger: str) -> tuple[np.ndarray, np.ndarray]:
    """[n] the softmax's own river and the lake head's probability of every photo, from
    the features the index stores, with the shipped rule left out."""
    heads = load_heads(tagger)
    shipped, heads_module.YIELDS_TO = heads_module.YIELDS_TO, {}
    try:
        scenes = heads.scenes(np.asarray(engine.index.features, np.float32))
    finally:
        heads_module.YIELDS_TO = shipped
    return scenes[:, heads.tag_keys.index("river")], scenes[:, heads.tag_keys.index("lake")]


def main() -> int:
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    for name, tagger, full in SETS:
        engine = everyday_engine(tagger, full)
        if engine is None:  # not gathered here: said
            continue
        idx = engine.index
        stored = idx.tags
        shipped = word_figures(engine, truth, WORDS)
        river, lake = softmax_river_and_lake(engine, tagger)
        column = idx.labels.index("scene:river")
        print(f"\n{name}: {len(idx)} everyday photos (AP; 13 place, sky and weather words; "
              "35 words of every kind)")
        print("| river column | «река» | «озеро» | «водопад» | 13 words MAP / MRR | 35 words MAP / MRR |")
        print("| --- | --- | --- | --- | --- | --- |")
        for rule, make in RULES.items():
            idx.tags = stored.with_column(column, make(river, lake).astype(np.float32), SCENE_FLOOR)
            f = word_figures(engine, truth, WORDS)
            print(f"| {rule} | {f['река']:.3f} | {f['озеро']:.3f} | {f['водопад']:.3f} | "
                  f"{f['13 MAP']:.3f} / {f['13 MRR']:.3f} | {f['35 MAP']:.3f} / {f['35 MRR']:.3f} |")
            if rule == SHIPPED and any(abs(f[k] - shipped[k]) > 0.005 for k in f):
                print(f"  the shipped rule gives {f}, the shipped index {shipped}: not the same")
                return 1
        idx.tags = stored
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
