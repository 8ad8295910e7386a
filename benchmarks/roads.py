"""The road read apart from the land it crosses: the rules tried in round thirty-three.

    .venv/bin/python benchmarks/roads.py

The places' softmax makes a road through a valley either a road or a valley, and mostly
says valley: on the everyday test photos, «дорога» found 7 of its 15 roads in the first
15 and the rest from the 42nd down (a road across lavender fields, a dirt track between
meadows, a highway at night), while forests with no road took the places between them
(the forest-road class learned forests). This recomputes every photo's softmax from the
compact features the index stores (no photo tagged again), reads the highway and snowy
road class (and, tried, the snowy road) the way the shipped heads read a forest (heads.LAND_COVER: as if the land a
road crosses were not among the places; heads.ROADS as shipped, grown fourfold at most),
and runs the everyday words through the real SearchEngine, as benchmarks/forest.py does;
then the road words on the held-out fifth of scenes-train, and how many of its photos of
no road folder each rule makes a sure road. The shipped rule must give the shipped
index's figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from evaluation import REPO, build_index, engine_for
from place_rules import everyday_tables, held_out_table, read_apart, softmax_places
from scenes import SCENES, held_out_folder

from photofinder.heads import CROSSED_LAND, ROAD_SHARE_FLOOR, ROADS  # noqa: E402
from photofinder.scoring import SURE

LAND = ("mountain", "valley", "open_country", "corn_field", "desert", "coast")
WATER = ("river", "waterfall")
assert set(LAND + WATER) == set(CROSSED_LAND)


def roads(crossed: tuple[str, ...] = (), floor: float = 1e-30,
          read: tuple[str, ...] = ROADS):
    """A rule: the `read` road classes read apart from `crossed` (none: as the softmax
    says), the rest taken as `floor` where less (a share grown at most 1 / floor times);
    the other road classes as the softmax gives them."""
    def rule(engine, tagger: str) -> dict[str, np.ndarray]:
        places, keys = softmax_places(engine, tagger)
        columns = {k: places[:, keys.index(k)] for k in ALL_ROADS}
        if crossed:
            columns.update(read_apart(places, keys, read, crossed, floor=floor))
        return columns
    return rule


ALL_ROADS = ("highway", "snowy_road")
RULES = {
    "the softmax's road (before)": roads(),
    "apart from the mountain and valley": roads(("mountain", "valley")),
    "apart from the land: mountain, valley, fields, desert, coast": roads(LAND),
    "apart from the land and the water, unbounded": roads(LAND + WATER),
    "the same, grown tenfold at most": roads(LAND + WATER, 0.1),
    "the same, fourfold at most (shipped)": roads(LAND + WATER, ROAD_SHARE_FLOOR),
    "the same, twice at most": roads(LAND + WATER, 0.5),
    "fourfold at most, the snowy road too": roads(LAND + WATER, ROAD_SHARE_FLOOR, ALL_ROADS),
}
SHIPPED = "the same, fourfold at most (shipped)"
EVERYDAY_WORDS = ("дорога", "горы", "поле", "лес", "пустыня", "пляж")
SCENE_WORDS = ("дорога", "трасса", "шоссе", "горы", "долина", "поле", "пустыня", "море")


def false_roads(tagger: str = "efficientnet-lite2") -> None:
    """On scenes-train's held-out fifth: the photos of no road folder that each rule makes
    a sure road (a road column of SURE["scene"] or more), the way a user sees them as
    strong results of «дорога», «трасса»."""
    if not SCENES.is_dir():
        return
    engine = engine_for(build_index(held_out_folder(0), f"scenes-{tagger}-0", ["--tagger", tagger]))
    query = next(q for q in json.loads((REPO / "benchmarks" / "scene_queries.json")
                                       .read_text(encoding="utf-8")) if q["query"] == "дорога")
    folders = ["/".join(Path(p).name.split("__")[:2]) for p in engine.index.paths]
    road = np.array([f in query["relevant"] for f in folders])
    known = ~np.array([f in query.get("unknown", ()) for f in folders])
    print("\nheld-out fifth: sure roads (a road column of 0.3 or more) in road folders / in others")
    for name, make in RULES.items():
        sure = np.max(np.stack(list(make(engine, tagger).values())), axis=0) >= SURE["scene"]
        print(f"| {name} | {int((sure & road).sum())} of {int(road.sum())} | "
              f"{int((sure & ~road & known).sum())} of {int((~road & known).sum())} |")


def main() -> int:
    if everyday_tables("road columns", RULES, SHIPPED, EVERYDAY_WORDS):
        return 1
    held_out_table("road columns", RULES, SCENE_WORDS)
    false_roads()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
