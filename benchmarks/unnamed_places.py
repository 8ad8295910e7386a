"""The named places read apart from the ones the head has no name for: round thirty-one.

    .venv/bin/python benchmarks/unnamed_places.py

The places' softmax has training-only classes (train_heads.TRAINING_ONLY) whose share is
not stored: "day" (the day-time webcam frames that came with the night ones: streets,
squares, car parks with no place label), "sky_only" (the sky alone) and "close_up" (a
thing close up). The shipped heads read the named places as shares of the named places
without "day" (heads.UNNAMED_PLACES), no share grown past tenfold (NAMED_SHARE_FLOOR):
its photos are places, only unnamed. This
recomputes every photo's softmax from the compact features the index stores (no photo
tagged again), puts each rule's place columns in place of the stored ones (the forest
and river rules as shipped on top), and runs the words through the real SearchEngine:
the everyday test photos (35 words; as published and at 256 px with EfficientNet-Lite2,
as published with Lite0; each skipped where its photos are not gathered), coco-dev's
scene words judged by eye, and the held-out fifth of scenes-train. The shipped rule must
give the shipped index's figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from evaluation import REPO, SHARED, engine_for, mean, score_queries
from place_rules import everyday_tables, held_out_table, lake_head, put, read_apart, softmax_places

from photofinder.heads import (
    COVERED_LAND,
    CROSSED_LAND,
    LAND_COVER,
    NAMED_SHARE_FLOOR,
    ROAD_SHARE_FLOOR,
    ROADS,
)


def named_places(unnamed: tuple[str, ...], floor: float = NAMED_SHARE_FLOOR):
    """A rule: every named place read apart from `unnamed` (their sum taken as `floor`
    where less), with the forest, the road and the river as shipped on top."""
    def rule(engine, tagger: str) -> dict[str, np.ndarray]:
        places, keys = softmax_places(engine, tagger, unnamed, floor)
        columns = {k: places[:, i] for i, k in enumerate(keys) if k not in unnamed}
        columns.update(read_apart(places, keys, LAND_COVER, COVERED_LAND, unnamed))
        columns.update(read_apart(places, keys, ROADS, CROSSED_LAND, unnamed,
                                  floor=ROAD_SHARE_FLOOR))
        columns["river"] = columns["river"] * (1 - lake_head(engine, tagger))
        return columns
    return rule


RULES = {
    "the softmax's places (before)": named_places(()),
    "apart from the webcam days, unbounded": named_places(("day",), 1e-30),
    "apart from the webcam days, a share at most 20-fold": named_places(("day",), 0.05),
    "apart from the webcam days, a share at most 10-fold (shipped)": named_places(("day",)),
    "apart from the webcam days, a share at most 5-fold": named_places(("day",), 0.2),
    "apart from the sky alone": named_places(("sky_only",)),
    "apart from the days and the sky alone": named_places(("day", "sky_only")),
    "apart from the days, the sky alone and close-ups": named_places(("day", "sky_only", "close_up")),
}
SHIPPED = "apart from the webcam days, a share at most 10-fold (shipped)"
EVERYDAY_WORDS = ("город", "улица", "пляж", "поле", "снег")
SCENE_WORDS = ("город", "улица", "ночной город", "небоскрёб", "трущобы", "пляж", "поле")


def coco_scenes() -> None:
    index_dir = REPO / "build" / "eval-coco-efficientnet-lite2"
    if not (SHARED / "coco-dev").is_dir() or not index_dir.is_dir():
        print("\nskipped: coco-dev or its index (benchmarks/coco.py builds it) is not here")
        return
    engine = engine_for(index_dir)
    stored = engine.index.tags
    truth = json.loads((REPO / "benchmarks" / "coco_scene_truth.json").read_text(encoding="utf-8"))
    queries = [{"query": w, "photos": set(p)} for w, p in truth["words"].items()]
    print(f"\ncoco-dev, {len(queries)} scene and sky words judged by eye (MAP / MRR; photos "
          "shown as matches for «аквариум», which no photo shows)")
    print("| places | MAP / MRR | «аквариум» |")
    print("| --- | --- | --- |")
    try:
        for rule, make in RULES.items():
            put(engine, stored, make(engine, "efficientnet-lite2"), "efficientnet-lite2")
            rows = score_queries(engine, queries, lambda q, path: Path(path).name in q["photos"])
            false = engine.search("аквариум", top=len(engine.index)).strong_total
            print(f"| {rule} | {mean(r['ap'] for r in rows):.3f} / "
                  f"{mean(r['rr'] for r in rows):.3f} | {false} |")
    finally:
        engine.index.tags = stored


def main() -> int:
    if everyday_tables("places", RULES, SHIPPED, EVERYDAY_WORDS):
        return 1
    coco_scenes()
    held_out_table("places", RULES, SCENE_WORDS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
