"""Words people type about their own photos that reach no label at all.

    .venv/bin/python benchmarks/everyday_words.py [--tagger efficientnet-lite2]

benchmarks/everyday_words.txt holds 182 everyday words of a family's photos (outings,
food, feasts, the dacha, flowers, animals, weather, sport), since round twenty-three 48
more for who is in them (family, friends, trades), and since round twenty-four 121 more
(feasts and events, the town, nature, home, food, hobbies, transport, animals, things),
each written before looking at what the vocabulary has. Each is searched on coco-dev's index (the one coco.py makes);
a word whose search says «не связано ни с одной меткой» or «неизвестно» reaches no label
by name, alias, related word or meaning, so it can find nothing in any library. Prints
how many, and which: the list to work through. Words of a season («весна», «осень») are
date filters and are left out of the count (coco-dev has no dates).
"""

from __future__ import annotations

from evaluation import REPO, coco_engine, coco_parser

WORDS = REPO / "benchmarks" / "everyday_words.txt"
SEASONS = {"весна", "лето", "осень", "зима"}


def main() -> int:
    args = coco_parser(__doc__.splitlines()[0]).parse_args()
    engine = coco_engine(args)
    if engine is None:
        return 0
    words = [w.strip() for w in WORDS.read_text(encoding="utf-8").splitlines()
             if w.strip() and w.strip() not in SEASONS]
    unlinked = []
    for word in words:
        result = engine.search(word, top=1)
        if result.unknown or result.unmatched:
            unlinked.append(word)
    print(f"{len(words)} everyday words: {len(unlinked)} reach no label "
          f"({len(words) - len(unlinked)} do)")
    print("  " + ", ".join(unlinked))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
