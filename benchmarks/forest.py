"""The forest read apart from the land it covers: the rules tried in round thirty-one.

    .venv/bin/python benchmarks/forest.py

The places' softmax makes a forested mountain either a forest or a mountain, and mostly
says mountain. The shipped heads read each forest class as if the landforms and waters
a forest grows on or beside were not among the places (heads.LAND_COVER, COVERED_LAND).
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

import json
from collections.abc import Callable

import numpy as np
from evaluation import REPO, build_index, engine_for, mean, score_queries
from everyday_kinds import TRUTH, word_figures
from everyday_photos import everyday_engine
from scenes import SCENES, hand_judged, held_out_folder

import photofinder.heads as heads_module
from photofinder.heads import COVERED_LAND, LAND_COVER, load_heads
from photofinder.tagging import SCENE_FLOOR

FIELDS = ("open_country", "corn_field")


def read_apart(places: np.ndarray, keys: list[str], cover: tuple[str, ...],
               covered: tuple[str, ...], power: float = 1.0) -> dict[str, np.ndarray]:
    """The cover classes' columns divided by (the places' sum without the covered land)
    to the given power."""
    rest = np.delete(places, [keys.index(k) for k in covered], axis=1).sum(axis=1)
    return {k: np.minimum(places[:, keys.index(k)] / np.maximum(rest, 1e-30) ** power, 1.0)
            for k in cover}


Rule = Callable[[np.ndarray, list[str]], dict[str, np.ndarray]]
RULES: dict[str, Rule] = {
    "the softmax's forest (before)": lambda p, keys: {k: p[:, keys.index(k)] for k in LAND_COVER},
    "apart from the mountain and valley": lambda p, keys: read_apart(
        p, keys, LAND_COVER, ("mountain", "valley")),
    "apart from the mountain, valley, river, waterfall (shipped)": lambda p, keys: read_apart(
        p, keys, LAND_COVER, COVERED_LAND),
    "the same, the square root of the rest": lambda p, keys: read_apart(
        p, keys, LAND_COVER, COVERED_LAND, 0.5),
    "the shipped one, and the fields read so too": lambda p, keys: {
        **read_apart(p, keys, LAND_COVER, COVERED_LAND), **read_apart(p, keys, FIELDS, COVERED_LAND)},
}
SHIPPED = "apart from the mountain, valley, river, waterfall (shipped)"
SETS = (("as published, Lite2", "efficientnet-lite2", True),
        ("256 px, Lite2", "efficientnet-lite2", False),
        ("as published, Lite0", "efficientnet-lite0", True))
EVERYDAY_WORDS = ("лес", "горы", "поле", "дорога")
SCENE_WORDS = ("лес", "джунгли", "горы", "долина", "река", "водопад", "поле")


def softmax_places(engine, tagger: str) -> tuple[np.ndarray, list[str]]:
    """[n, S] every photo's place softmax from the features the index stores, with the
    shipped rules left out, and the places' keys."""
    heads = load_heads(tagger)
    shipped = heads_module.LAND_COVER, heads_module.YIELDS_TO
    heads_module.LAND_COVER, heads_module.YIELDS_TO = (), {}
    try:
        scores = heads.scenes(np.asarray(engine.index.features, np.float32))
    finally:
        heads_module.LAND_COVER, heads_module.YIELDS_TO = shipped
    return scores[:, :len(heads.scene_keys)], list(heads.scene_keys)


def with_rule(engine, stored, places: np.ndarray, keys: list[str], rule: Rule) -> None:
    idx = engine.index
    idx.tags = stored.with_columns(
        {idx.labels.index(f"scene:{k}"): v.astype(np.float32) for k, v in rule(places, keys).items()
         if f"scene:{k}" in idx.labels}, SCENE_FLOOR)


def everyday(truth: dict) -> int:
    for name, tagger, full in SETS:
        engine = everyday_engine(tagger, full)
        if engine is None:  # not gathered here: said
            continue
        stored = engine.index.tags
        shipped = word_figures(engine, truth, EVERYDAY_WORDS)
        places, keys = softmax_places(engine, tagger)
        print(f"\n{name}: {len(engine.index)} everyday photos (AP; 13 place, sky and weather "
              "words; 35 words of every kind)")
        print("| forest columns | «лес» | «горы» | «поле» | «дорога» | 13 words MAP / MRR | "
              "35 words MAP / MRR |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for rule, make in RULES.items():
            with_rule(engine, stored, places, keys, make)
            f = word_figures(engine, truth, EVERYDAY_WORDS)
            print(f"| {rule} | {f['лес']:.3f} | {f['горы']:.3f} | {f['поле']:.3f} | "
                  f"{f['дорога']:.3f} | {f['13 MAP']:.3f} / {f['13 MRR']:.3f} | "
                  f"{f['35 MAP']:.3f} / {f['35 MRR']:.3f} |")
            if rule == SHIPPED and any(abs(f[k] - shipped[k]) > 0.005 for k in f):
                print(f"  the shipped rule gives {f}, the shipped index {shipped}: not the same")
                return 1
        engine.index.tags = stored
    return 0


def held_out_scenes(tagger: str = "efficientnet-lite2") -> None:
    if not SCENES.is_dir():
        print(f"\nskipped: no scenes-train at {SCENES}")
        return
    engine = engine_for(build_index(held_out_folder(0), f"scenes-{tagger}-0", ["--tagger", tagger]))
    queries = json.loads((REPO / "benchmarks" / "scene_queries.json").read_text(encoding="utf-8"))
    relevant, ignored = hand_judged(engine.index.paths, queries)
    queries = [q for q in queries if q["relevant"] or "hand" in q]
    stored = engine.index.tags
    places, keys = softmax_places(engine, tagger)
    table = []
    for rule, make in RULES.items():
        with_rule(engine, stored, places, keys, make)
        table.append((rule, score_queries(engine, queries, relevant, ignored)))
    engine.index.tags = stored
    words = [w for w in SCENE_WORDS if any(r["query"] == w for r in table[0][1])]
    print(f"\nheld-out fifth of scenes-train: {len(engine.index)} photos, {len(table[0][1])} "
          "words with a label (AP)")
    print("| forest columns | " + " | ".join(f"«{w}»" for w in words) + " | all words MAP |")
    print("| --- |" + " --- |" * (len(words) + 1))
    for rule, rows in table:
        ap = {r["query"]: r["ap"] for r in rows}
        print(f"| {rule} | " + " | ".join(f"{ap[w]:.3f}" for w in words)
              + f" | {mean(r['ap'] for r in rows):.3f} |")


def main() -> int:
    if everyday(json.loads(TRUTH.read_text(encoding="utf-8"))):
        return 1
    held_out_scenes()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
