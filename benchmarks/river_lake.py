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

from collections.abc import Callable

import numpy as np
from place_rules import everyday_tables, lake_head, softmax_places

RiverRule = Callable[[np.ndarray, np.ndarray], np.ndarray]


def river_rule(make: RiverRule):
    """A place rule: the river column made from the softmax's river (the named places'
    share, the lake rule left out) and the lake head."""
    def rule(engine, tagger: str) -> dict[str, np.ndarray]:
        places, keys = softmax_places(engine, tagger)
        return {"river": make(places[:, keys.index("river")], lake_head(engine, tagger))}
    return rule


RULES = {
    "the softmax's river (before)": river_rule(lambda river, lake: river),
    "river x (1 - 0.5 lake)": river_rule(lambda river, lake: river * (1 - 0.5 * lake)),
    "river x (1 - lake) (shipped)": river_rule(lambda river, lake: river * (1 - lake)),
    "river x (1 - max(0, lake - river))": river_rule(
        lambda river, lake: river * (1 - np.maximum(0, lake - river))),
    "river halved where the lake is higher": river_rule(
        lambda river, lake: np.where(lake > river, river / 2, river)),
}
SHIPPED = "river x (1 - lake) (shipped)"
WORDS = ("река", "озеро", "водопад")


def main() -> int:
    return everyday_tables("river column", RULES, SHIPPED, WORDS)


if __name__ == "__main__":
    raise SystemExit(main())
