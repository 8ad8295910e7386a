"""Word forms a query is typed in: «в парке», «с собаками», «кошек» as well as «кошка».

    .venv/bin/python benchmarks/word_forms.py [--tagger efficientnet-lite2]

Takes the one-noun queries of benchmarks/coco_queries.json («велосипед», «кошка»...),
puts each noun into the forms people type after a preposition or in the plural (pymorphy3
inflects it: plural, «в/на» + prepositional, «с» + instrumental, genitive plural), and
runs every form on coco-dev's index (the one coco.py makes) twice: with the lemmatizer
reading a word as pymorphy3's first reading (the rule before) and with the first reading
that is a vocabulary word (query.Lemmatizer). A form's photos are its noun's. Prints MAP
and MRR per rule, and every form whose reading the rule changes.
"""

from __future__ import annotations

import json
import sys

from evaluation import REPO, SHARED, coco_index, coco_parser, mean, score_queries

sys.path.insert(0, str(REPO))

import pymorphy3  # noqa: E402

from photofinder import index as index_store  # noqa: E402
from photofinder.query import Lemmatizer  # noqa: E402
from photofinder.search import SearchEngine  # noqa: E402
from photofinder.vectors import load_vectors  # noqa: E402
from photofinder.vocabulary import load_vocabulary  # noqa: E402

# (grammemes, the word before it): how a noun is typed in a query besides its own form
FORMS = [({"plur", "nomn"}, ""), ({"sing", "loct"}, "в"), ({"sing", "ablt"}, "с"),
         ({"plur", "ablt"}, "с"), ({"plur", "gent"}, "")]


def forms_of(noun: str, morph: pymorphy3.MorphAnalyzer) -> list[str]:
    readings = [p for p in morph.parse(noun) if p.normal_form == noun and p.tag.POS == "NOUN"
                and not {"Surn", "Name", "Patr"} & p.tag.grammemes]  # not «Котов»'s forms
    if not readings:
        return []
    typed = []
    for grammemes, before in FORMS:
        form = readings[0].inflect(grammemes)
        if form is not None and form.word != noun:
            typed.append(f"{before} {form.word.replace('ё', 'е')}".strip())
    return list(dict.fromkeys(typed))


def engine(index_dir, lemmatizer: Lemmatizer) -> SearchEngine:
    idx = index_store.load(index_dir)
    idx.vocabulary = ""  # recompute the terms' keys with this lemmatizer, not the stored ones
    return SearchEngine(idx, load_vocabulary(), load_vectors(idx.vectors), lemmatizer)


def main() -> int:
    args = coco_parser(__doc__.splitlines()[0]).parse_args()
    index_dir = coco_index(args)
    if index_dir is None:
        return 0
    labels = json.loads((SHARED / "coco-dev" / "labels.json").read_text(encoding="utf-8"))
    morph = pymorphy3.MorphAnalyzer(lang="ru")
    base = [q for q in json.loads((REPO / "benchmarks" / "coco_queries.json").read_text("utf-8"))
            if q.get("categories") and " " not in q["query"]]
    queries = [{"query": form, "kind": q["query"], "categories": q["categories"]}
               for q in base for form in forms_of(q["query"].replace("ё", "е"), morph)]

    def relevant(q: dict, path: str) -> bool:
        from pathlib import Path

        held = set(labels.get(Path(path).name, []))
        return all(c in held for c in q["categories"])

    before, after = Lemmatizer(prefer=()), Lemmatizer()
    rows = {rule: score_queries(engine(index_dir, lem), queries, relevant)
            for rule, lem in (("first reading", before), ("vocabulary word first", after))}
    print(f"\n{len(queries)} forms of {len(base)} one-noun queries over coco-dev")
    print("| rule | forms | MAP | MRR |\n| --- | --- | --- | --- |")
    for rule, scored in rows.items():
        print(f"| {rule} | {len(scored)} | {mean(r['ap'] for r in scored):.3f} | "
              f"{mean(r['rr'] for r in scored):.3f} |")
    typed = score_queries(engine(index_dir, after), [{**q, "query": q["query"].replace("ё", "е")}
                                                      for q in base], relevant)
    print(f"(the {len(typed)} nouns as written in coco_queries.json: MAP "
          f"{mean(r['ap'] for r in typed):.3f}, MRR {mean(r['rr'] for r in typed):.3f})")
    old = {r["query"]: r for r in rows["first reading"]}
    print("\nforms the rule reads differently (AP before -> after):")
    for r in rows["vocabulary word first"]:
        word = r["query"].split()[-1]
        if before.lemma(word) != after.lemma(word):
            print(f"  {r['query']:<22} {before.lemma(word)} -> {after.lemma(word)}: "
                  f"{old[r['query']]['ap']:.2f} -> {r['ap']:.2f}")
    every_form(before, after, morph)
    return 0


def every_form(before: Lemmatizer, after: Lemmatizer, morph: pymorphy3.MorphAnalyzer) -> None:
    """Over every form of every word of the vocabulary (its terms and aliases): how many
    the rule reads as a vocabulary word that the rule before did not, and how many it
    moves from one vocabulary word to another (the risk of the rule)."""
    import re

    from photofinder.query import normalize

    vocabulary = load_vocabulary()
    words = {w for text in [*vocabulary.terms, *vocabulary.aliases]
             for w in re.findall(r"[а-я-]+", normalize(text))}
    forms = set(words)
    for word in words:
        for reading in morph.parse(word)[:1]:
            forms.update(normalize(f.word) for f in reading.lexeme)
    changed = [f for f in forms if before.lemma(f) != after.lemma(f)]
    moved = [f for f in changed if before.lemma(f) in words]
    print(f"\nevery form of every vocabulary word: {len(forms)}; read differently {len(changed)}, "
          f"of them moved from one vocabulary word to another {len(moved)}"
          + (f": {sorted(moved)[:20]}" if moved else ""))


if __name__ == "__main__":
    raise SystemExit(main())
