"""Typos (photofinder/spelling.py): a vocabulary word with one slip of the finger, searched
as a user would type it; how often it is searched as the word meant.

    .venv/bin/python benchmarks/spelling.py [--seed 0]

Every one-word Russian term of the vocabulary of five letters or more gets one typo,
drawn with a fixed seed: a letter left out, a letter doubled, two neighbours swapped, or a
letter replaced by a neighbouring key of ЙЦУКЕН. Each is searched on coco-dev's index (the
one coco.py makes) through the real SearchEngine: a typo that is itself a word the search
knows is searched as typed; for the others, the reading the search would try
(spelling.correction, with the engine's own words) is counted: the word meant, another
word (a wrong guess), or no guess. Whether the mended query then finds a photo depends
on the index (coco-dev has no abbey), so it is not what is counted. Half a minute.
"""

from __future__ import annotations

import random
import re

from evaluation import coco_engine, coco_parser

from photofinder.spelling import KEYBOARD_ROWS, correction


def neighbours(letter: str) -> list[str]:
    """The keys beside a letter on its own row of ЙЦУКЕН."""
    for row in KEYBOARD_ROWS:
        if letter in row:
            i = row.index(letter)
            return [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
    return []


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word))
    kind = rng.choice(["left out", "doubled", "swapped", "neighbour"])
    if kind == "left out":
        return word[:i] + word[i + 1:]
    if kind == "doubled":
        return word[:i] + word[i] + word[i:]
    if kind == "swapped" and i + 1 < len(word) and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    keys = neighbours(word[i])
    return word[:i] + rng.choice(keys) + word[i + 1:] if keys else word[:i] + word[i + 1:]


def main() -> int:
    parser = coco_parser(__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    engine = coco_engine(args)
    if engine is None:
        return 0
    lemmatizer = engine.lemmatizer
    keys = engine.terms.one_word_keys
    words = sorted(k for k in keys if re.fullmatch(r"[а-я]{5,}", k))
    rng = random.Random(args.seed)
    outcomes: dict[str, list[str]] = {"meant": [], "other": [], "no guess": [], "known": []}
    for word in words:
        typed = typo(word, rng)
        if typed == word:
            continue
        # as the search does: only a word it does not know is mended (this index has no
        # photo for many terms, so whether the mended query finds one is not the test)
        result = engine.search(typed, top=1)
        if typed not in result.unknown and not result.read_as:
            outcomes["known"].append(typed)
            continue
        spelt = correction(typed, lemmatizer.is_known, lemmatizer.lemma, keys.__contains__)
        if spelt is None:
            outcomes["no guess"].append(typed)
        elif spelt == word or lemmatizer.lemma(spelt) == word:
            outcomes["meant"].append(typed)
        else:
            outcomes["other"].append(f"{typed} → {spelt} ({word})")
    total = sum(map(len, outcomes.values()))
    print(f"{total} vocabulary words of five letters or more with one typo (seed {args.seed}):")
    for name, what in [("meant", "read as the word meant"), ("other", "read as another word"),
                       ("no guess", "no guess (none, or two as likely)"),
                       ("known", "the typo is a word the search knows: searched as typed")]:
        found = outcomes[name]
        print(f"  {what}: {len(found)} ({len(found) / total:.1%})"
              + (": " + ", ".join(found[:12]) if name != "meant" and found else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
