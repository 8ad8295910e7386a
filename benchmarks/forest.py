"""The forest read apart from the land it covers: the rules tried in round thirty-one.

    .venv/bin/python benchmarks/forest.py

The places' softmax makes a forested mountain either a forest or a mountain, and mostly
says mountain. The shipped heads read each forest class as if the landforms and waters
a forest grows on or beside were not among the places (heads.LAND_COVER, COVERED_LAND);
the places are the named ones as shipped (heads.UNNAMED_PLACES, benchmarks/unnamed_places.py).
This recomputes every photo's softmax from the compact features the index stores (no
photo tagged again), puts the forest columns of each rule in place of the stored ones,
and runs the everyday words through the real SearchEngine: the 13 place, sky and weather
words of everyday_photos.py and the 22 of everyday_kinds.py. On the everyday test photos
as published and at 256 px with EfficientNet-Lite2, and as published with Lite0 (each
skipped where its photos are not gathered); then «лес» and its neighbours on the
held-out fifth of scenes-train, whose truth for «лес» is the forest folders alone (a
forested mountain filed under mountain counts against it). The shipped rule must give
the shipped index's figures. A last row reads the fields (open_country, corn_field)
the same way: the rule is for land cover over a landform, and a field is not that.
"""

from __future__ import annotations

import numpy as np
from place_rules import everyday_tables, held_out_table, read_apart, softmax_places

from photofinder.heads import COVERED_LAND, LAND_COVER

FIELDS = ("open_country", "corn_field")


def forests(cover: tuple[str, ...] = LAND_COVER, covered: tuple[str, ...] = COVERED_LAND,
            power: float = 1.0, fields: bool = False):
    """A rule: the forest classes (and the fields) read apart from the covered land."""
    def rule(engine, tagger: str) -> dict[str, np.ndarray]:
        places, keys = softmax_places(engine, tagger)
        if not covered:
            return {k: places[:, keys.index(k)] for k in cover}
        columns = read_apart(places, keys, cover, covered, power=power)
        if fields:
            columns.update(read_apart(places, keys, FIELDS, covered))
        return columns
    return rule


RULES = {
    "the softmax's forest (before)": forests(covered=()),
    "apart from the mountain and valley": forests(covered=("mountain", "valley")),
    "apart from the mountain, valley, river, waterfall (shipped)": forests(),
    "the same, the square root of the rest": forests(power=0.5),
    "the shipped one, and the fields read so too": forests(fields=True),
}
SHIPPED = "apart from the mountain, valley, river, waterfall (shipped)"
EVERYDAY_WORDS = ("лес", "горы", "поле", "дорога")
SCENE_WORDS = ("лес", "джунгли", "горы", "долина", "река", "водопад", "поле")


def main() -> int:
    if everyday_tables("forest columns", RULES, SHIPPED, EVERYDAY_WORDS):
        return 1
    held_out_table("forest columns", RULES, SCENE_WORDS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
