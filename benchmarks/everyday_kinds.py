"""Every kind of word people type, on other people's ordinary photos no head trained on.

    .venv/bin/python benchmarks/everyday_kinds.py [--tagger efficientnet-lite2] [--full] [--fresh]

Issue 28's hidden personal photos are searched with words of every kind: who is in them
(«человек», «ребёнок», «женщина»), animals, things, places, sky and weather. Its hidden
figure (personal photos MAP 0.42 when last measured) mixes them all; everyday_photos.py
measures the place, sky and weather words alone. This measures the other kinds on the same
543 photos (training/extract.py's EVERYDAY_TEST: free photos of Pexels and Unsplash by
many photographers, never trained on), and then all of them together.

The truth is benchmarks/everyday_truth.json: 24 words, judged by eye photo by photo on
contact sheets before any of these searches was run (who judged, and the rules, are in
the file). A photo judged unsure for a word is left out of that word's ranking; a word
with fewer than 5 photos is not scored. Each word is searched as a user types it,
through the real index (build/eval-everyday-<tagger>, the one everyday_photos.py makes)
and the real SearchEngine. Prints AP, the first relevant rank and P@10 per word, MAP and
MRR per kind, and for every kind with the 13 place, sky and weather words.
--fresh: the same on extract.EVERYDAY_FRESH, 135 photos of people's own albums judged by
the same rules in round thirty-nine and never looked at while tuning (everyday_photos.py).
"""

from __future__ import annotations

import json

from evaluation import REPO, mean, print_misses, print_table, score_queries
from everyday_photos import MIN_RELEVANT, engine_from_command_line, judged_name, scene_word_rows

TRUTH = REPO / "benchmarks" / "everyday_truth.json"


def truth_rows(engine, truth: dict) -> list[dict]:
    kind_of = {word: kind for kind, words in truth["kinds"].items() for word in words}
    photos = truth["photos"]
    names = {p: judged_name(p) for p in engine.index.paths}
    missing = [n for n in names.values() if n not in photos]
    if missing:
        raise SystemExit(f"{len(missing)} photos of the index are not judged, e.g. {missing[0]}")

    def relevant(q: dict, path: str) -> bool:
        return q["query"] in photos[names[path]]["yes"]

    def unsure(q: dict, path: str) -> bool:
        return q["query"] in photos[names[path]]["unsure"]

    queries = [{"query": word, "kind": kind} for word, kind in kind_of.items()]
    rows = score_queries(engine, queries, relevant, unsure)
    return [r for r in rows if r["relevant"] >= MIN_RELEVANT]


def word_figures(engine, truth: dict, words: tuple[str, ...]) -> dict[str, float]:
    """MAP and MRR of everyday_photos.py's 13 place, sky and weather words and of all 35,
    and the AP of each of `words`: what a rule tried on the everyday photos moves."""
    scenes = scene_word_rows(engine)
    every = scenes + truth_rows(engine, truth)
    ap = {r["query"]: r["ap"] for r in every}
    return {"13 MAP": mean(r["ap"] for r in scenes), "13 MRR": mean(r["rr"] for r in scenes),
            "35 MAP": mean(r["ap"] for r in every), "35 MRR": mean(r["rr"] for r in every),
            **{w: ap[w] for w in words}}


def main() -> int:
    engine = engine_from_command_line(__doc__.splitlines()[0])
    if engine is None:  # the photos are not here: said
        return 0
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    rows = truth_rows(engine, truth)
    print(f"\nwords of every kind on {len(engine.index)} everyday photos no head trained on "
          f"(judged by eye), tagger {engine.index.tagger.get('name')}")
    print("| word | kind | relevant | AP | first relevant at | P@10 | shown (weak) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['query']} | {r['kind']} | {r['relevant']} | {r['ap']:.2f} | "
              f"{r['first'] or '-'} | {r['p10']:.1f} | {r['found']} ({r['weak']}) |")
    print_table(rows)
    scenes = [{**r, "kind": "place, sky, weather (everyday_photos.py)"}
              for r in scene_word_rows(engine)]
    print("\nwith everyday_photos.py's place, sky and weather words:")
    print_table(rows + scenes)
    print_misses(rows + scenes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
