"""What benchmarks/forest.py and benchmarks/unnamed_places.py share: a rule for the
places' columns, recomputed from the compact features an index stores (no photo tagged
again), put in place of the stored columns, and measured through the real SearchEngine
on the everyday test photos and on the held-out fifth of scenes-train.

A rule is a function (engine, tagger) -> {place key: [n] scores}; only the columns it
returns change. The places the index reads on the regions too (tagging.REGION_PLACES) are
read so on top of a rule's columns, as the index does, from the photos tagged again for
their regions (region_scenes, cached under build/).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from evaluation import REPO, build_index, engine_for, mean, score_queries
from everyday_kinds import TRUTH, truth_rows, word_figures
from everyday_photos import everyday_engine, scene_word_rows
from scenes import SCENES, hand_judged, held_out_folder

import photofinder.heads as heads_module
from photofinder.decoding import decode
from photofinder.heads import NAMED_SHARE_FLOOR, UNNAMED_PLACES, load_heads
from photofinder.tagger import load_tagger
from photofinder.tagging import REGION_PLACES, SCENE_FLOOR, region_votes

Rule = Callable[[object, str], dict[str, np.ndarray]]
SETS = (("as published, Lite2", "efficientnet-lite2", True),
        ("256 px, Lite2", "efficientnet-lite2", False),
        ("as published, Lite0", "efficientnet-lite0", True))


def softmax_places(engine, tagger: str, unnamed: tuple[str, ...] = UNNAMED_PLACES,
                   floor: float = NAMED_SHARE_FLOOR) -> tuple[np.ndarray, list[str]]:
    """[n, S] every photo's places from the features the index stores, with the forest,
    road and river rules left out (the named places read apart from `unnamed`, their sum
    taken as `floor` where less: as shipped unless told otherwise), and the places' keys."""
    heads = load_heads(tagger)
    names = ("LAND_COVER", "ROADS", "YIELDS_TO", "UNNAMED_PLACES", "NAMED_SHARE_FLOOR")
    shipped = [getattr(heads_module, name) for name in names]
    for name, value in zip(names, ((), (), {}, unnamed, floor)):
        setattr(heads_module, name, value)
    try:
        scores = heads.scenes(np.asarray(engine.index.features, np.float32))
    finally:
        for name, value in zip(names, shipped):
            setattr(heads_module, name, value)
    return scores[:, :len(heads.scene_keys)], list(heads.scene_keys)


def lake_head(engine, tagger: str) -> np.ndarray:
    """[n] the lake head's probability of every photo, from the features the index stores
    (an attribute: no place rule changes it)."""
    heads = load_heads(tagger)
    scores = heads.scenes(np.asarray(engine.index.features, np.float32))
    return scores[:, heads.tag_keys.index("lake")]


def read_apart(places: np.ndarray, keys: list[str], cover: tuple[str, ...],
               covered: tuple[str, ...], unnamed: tuple[str, ...] = UNNAMED_PLACES,
               power: float = 1.0, floor: float = 1e-30) -> dict[str, np.ndarray]:
    """The cover classes' columns divided by (the named places' sum without the covered
    land, taken as `floor` where less) to the given power."""
    left_out = [keys.index(k) for k in (*covered, *unnamed) if k in keys]
    rest = np.delete(places, left_out, axis=1).sum(axis=1)
    return {k: np.minimum(places[:, keys.index(k)] / np.maximum(rest, floor) ** power, 1.0)
            for k in cover}


def region_scenes(engine, tagger: str) -> np.ndarray:
    """[n, R, S + A] the heads' probabilities on each region of every photo of the index,
    tagged again (the index keeps no region features); cached under build/."""
    paths = list(engine.index.paths)
    key = zlib.crc32("\n".join(paths).encode())
    cache = REPO / "build" / f"region-scenes-{tagger}-{len(paths)}-{key:08x}.npz"
    if cache.is_file():
        return np.load(cache)["scenes"].astype(np.float32)
    model, heads = load_tagger(tagger), load_heads(tagger)
    print(f"tagging {len(paths)} photos again for their regions ({tagger})...", flush=True)
    out = []
    for start in range(0, len(paths), model.batch_size):
        batch = [decode(Path(p), model.preprocess) for p in paths[start:start + model.batch_size]]
        pooled = model.analyze(np.stack([d.pixels for d in batch])).pooled[:, 1:]
        scores = heads.scenes(heads.project(pooled.reshape(-1, pooled.shape[2])))
        out.append(scores.reshape(len(batch), pooled.shape[1], -1))
    scenes = np.concatenate(out)
    cache.parent.mkdir(exist_ok=True)
    np.savez_compressed(cache, scenes=scenes.astype(np.float16))
    return scenes


def with_regions(engine, tagger: str, columns: dict[str, np.ndarray],
                 places: tuple[str, ...] = REGION_PLACES) -> dict[str, np.ndarray]:
    """`places` among the columns the larger of their value and the regions' noisy-OR
    (tagging.combine_tags)."""
    read = [k for k in places if k in columns]
    if not read:
        return columns
    keys = list(load_heads(tagger).tag_keys)
    regions = region_scenes(engine, tagger)
    out = dict(columns)
    for k in read:
        out[k] = np.maximum(columns[k], region_votes(regions[:, :, keys.index(k)], axis=1))
    return out


def put(engine, stored, columns: dict[str, np.ndarray], tagger: str | None = None) -> None:
    """The index's tags with these place columns in place of the stored ones; tagger: the
    REGION_PLACES among them read on the regions too, as the index reads them (None: as
    given). The broad words' posting lists the index stores (scoring.term_lists: «горы»
    reaches more than BROAD_COLUMNS columns) were added up from the stored tags: left
    unused, every word is added up from the tags put here."""
    if tagger is not None:
        columns = with_regions(engine, tagger, columns)
    engine.scorer.term_lists = None
    idx = engine.index
    idx.tags = stored.with_columns(
        {idx.labels.index(f"scene:{k}"): v.astype(np.float32) for k, v in columns.items()
         if f"scene:{k}" in idx.labels}, SCENE_FLOOR)


Figures = tuple[dict[str, float], float, float]


def figures(engine, truth: dict) -> Figures:
    """AP of every scored word of the everyday photos (everyday_kinds' and
    everyday_photos' words), and MAP / MRR of all of them."""
    rows = truth_rows(engine, truth) + scene_word_rows(engine)
    return ({r["query"]: r["ap"] for r in rows}, mean(r["ap"] for r in rows),
            mean(r["rr"] for r in rows))


def rule_table(title: str, engine, tagger: str, rules: dict[str, Rule], shipped_rule: str,
               words: tuple[str, ...], figures_of: Callable[[object], Figures],
               sure: tuple[str, Callable[[str, dict[str, np.ndarray]], str]]) -> int:
    """One set's table: under each rule (its columns put in the index, as given), the AP
    of `words` the set scores, `sure`'s column (its heading, and its cell from the rule's
    name and columns) and the MAP / MRR of all its words. 1 where the shipped rule does
    not give the shipped index's figures."""
    stored = engine.index.tags
    shipped = figures_of(engine)
    shown = [w for w in words if w in shipped[0]]
    heading, cell = sure
    print(f"\n{title}; MAP / MRR of all {len(shipped[0])} words")
    print("| rule | " + " | ".join(f"«{w}»" for w in shown) + f" | {heading} | all words |")
    print("| --- |" + " --- |" * (len(shown) + 2))
    try:
        for rule, make in rules.items():
            columns = make(engine, tagger)
            put(engine, stored, columns)
            ap, map_, mrr = figures_of(engine)
            print(f"| {rule} | " + " | ".join(f"{ap[w]:.3f}" for w in shown)
                  + f" | {cell(rule, columns)} | {map_:.3f} / {mrr:.3f} |")
            if rule == shipped_rule and abs(map_ - shipped[1]) > 0.005:
                print(f"  the shipped rule gives MAP {map_:.3f}, the shipped index "
                      f"{shipped[1]:.3f}: not the same")
                return 1
    finally:
        engine.index.tags = stored
    return 0


def everyday_tables(what: str, rules: dict[str, Rule], shipped_rule: str,
                    words: tuple[str, ...]) -> int:
    """One table per everyday set: the AP of `words` and the 13 and 35 words' MAP / MRR
    under each rule. 1 where the shipped rule does not give the shipped index's figures."""
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    for name, tagger, full in SETS:
        engine = everyday_engine(tagger, full)
        if engine is None:  # not gathered here: said
            continue
        stored = engine.index.tags
        shipped = word_figures(engine, truth, words)
        print(f"\n{name}: {len(engine.index)} everyday photos (AP; MAP / MRR of the 13 place, "
              "sky and weather words and of all 35)")
        print(f"| {what} | " + " | ".join(f"«{w}»" for w in words) + " | 13 words | 35 words |")
        print("| --- |" + " --- |" * (len(words) + 2))
        try:
            for rule, make in rules.items():
                put(engine, stored, make(engine, tagger), tagger)
                f = word_figures(engine, truth, words)
                print(f"| {rule} | " + " | ".join(f"{f[w]:.3f}" for w in words)
                      + f" | {f['13 MAP']:.3f} / {f['13 MRR']:.3f} | {f['35 MAP']:.3f} / "
                      f"{f['35 MRR']:.3f} |")
                if rule == shipped_rule and any(abs(f[k] - shipped[k]) > 0.005 for k in f):
                    print(f"  the shipped rule gives {f}, the shipped index {shipped}: not the same")
                    return 1
        finally:
            engine.index.tags = stored
    return 0


def held_out_table(what: str, rules: dict[str, Rule], words: tuple[str, ...],
                   tagger: str = "efficientnet-lite2", regions: bool = True) -> None:
    """The AP of `words` and the MAP of every word with a label on scenes-train's
    held-out fifth (scenes.py's photos and truth) under each rule; regions: REGION_PLACES
    read on the regions on top of the rule's columns (put)."""
    if not SCENES.is_dir():
        print(f"\nskipped: no scenes-train at {SCENES}")
        return
    engine = engine_for(build_index(held_out_folder(0), f"scenes-{tagger}-0", ["--tagger", tagger]))
    queries = json.loads((REPO / "benchmarks" / "scene_queries.json").read_text(encoding="utf-8"))
    relevant, ignored = hand_judged(engine.index.paths, queries)
    queries = [q for q in queries if q["relevant"] or "hand" in q]
    stored = engine.index.tags
    table = []
    try:
        for rule, make in rules.items():
            put(engine, stored, make(engine, tagger), tagger if regions else None)
            table.append((rule, score_queries(engine, queries, relevant, ignored)))
    finally:
        engine.index.tags = stored
    shown = [w for w in words if any(r["query"] == w for r in table[0][1])]
    print(f"\nheld-out fifth of scenes-train: {len(engine.index)} photos, {len(table[0][1])} "
          "words with a label (AP)")
    print(f"| {what} | " + " | ".join(f"«{w}»" for w in shown) + " | all words MAP |")
    print("| --- |" + " --- |" * (len(shown) + 1))
    for rule, rows in table:
        ap = {r["query"]: r["ap"] for r in rows}
        print(f"| {rule} | " + " | ".join(f"{ap[w]:.3f}" for w in shown)
              + f" | {mean(r['ap'] for r in rows):.3f} |")
