"""Diminutives people type about their photos: how many reach a label, with the rule
of photofinder/diminutives.py and without it; `--review` lists every word it applies to.

    .venv/bin/python benchmarks/diminutives.py [--review]

benchmarks/diminutive_words.txt holds 72 diminutives of a family's photos («котята»,
«речка», «тучки», «мамочка», «тортик»), written in round twenty-four from everyday speech
while the rule was written: a check of its reach, not an unbiased sample. Each is
searched on coco-dev's index (the one coco.py makes), once as the package does and once
with the rule switched off; a word reaches no label when its search says «не связано ни
с одной меткой» or «неизвестно». Prints the counts and the words each way.

`--review`: every dictionary form pymorphy3 knows (nouns, and the other parts of speech
a typed word may be read as) that the rule takes to a vocabulary term, grouped by the term (about 80 s). Read by eye: a wrong one («сорочка»,
a shirt, is no small «сорока») goes to diminutives.NOT_DIMINUTIVE or gets an alias.
"""

from __future__ import annotations

from collections import defaultdict

from evaluation import REPO, coco_engine, coco_parser

from photofinder import scoring
from photofinder.diminutives import base_term
from photofinder.query import Lemmatizer, normalize

WORDS = REPO / "benchmarks" / "diminutive_words.txt"


def reach(engine, words: list[str]) -> list[str]:
    """The words whose search reaches no label."""
    return [w for w in words if (r := engine.search(w, top=1)).unknown or r.unmatched]


def review(engine) -> None:
    import pymorphy3

    keys = engine.terms.one_word_keys
    lemmatizer = Lemmatizer()
    morph = pymorphy3.MorphAnalyzer(lang="ru")
    # every dictionary form of any part of speech: a typed word's other readings are tried too
    lemmas = {normalize(normal) for _, _, normal, _, _ in morph.dictionary.iter_known_words()}
    by_term: dict[str, list[str]] = defaultdict(list)
    for lemma in sorted(lemmas):
        base = base_term(lemma, keys)
        if base is not None and not lemmatizer.is_first_name(lemma):
            by_term[base].append(lemma)
    print(f"{len(lemmas)} dictionary forms: the rule takes {sum(map(len, by_term.values()))} of them "
          f"to {len(by_term)} vocabulary terms")
    for term in sorted(by_term):
        print(f"  {term} <- {' '.join(by_term[term])}")


def main() -> int:
    parser = coco_parser(__doc__.splitlines()[0])
    parser.add_argument("--review", action="store_true", help="list every word the rule takes")
    args = parser.parse_args()
    engine = coco_engine(args)
    if engine is None:
        return 0
    if args.review:
        review(engine)
        return 0
    words = [w.strip() for w in WORDS.read_text(encoding="utf-8").splitlines() if w.strip()]
    with_rule = reach(engine, words)
    real = scoring.base_term
    scoring.base_term = lambda lemma, terms: None  # the rule off, for the figure only
    try:
        without = reach(engine, words)
    finally:
        scoring.base_term = real
    for name, missed in (("without the rule", without), ("with the rule", with_rule)):
        print(f"{name}: {len(words) - len(missed)} of {len(words)} diminutives reach a label; "
              f"none: {', '.join(missed) or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
