"""Queries typed on the English layout (photofinder/layout.py): how many Russian words
are read back, and how many English words are mistaken for Russian ones.

    .venv/bin/python benchmarks/layout.py [--english N]

1. Every Russian term and alias of the vocabulary (the words a search can find), typed
   on the English keys: the share read back exactly as the word.
2. English words that must stay English: the words of the vocabulary's English label
   names (ImageNet, scenes, COCO: always here), and, where the `wordfreq` package is
   installed (`pip install wordfreq`; not a dependency of photofinder), the N most
   frequent English words (default 30,000). Prints each one the rule reads as Russian.
No index and no model: what is a Russian word is decided as in search (layout.russian_words:
the vocabulary's words, and pymorphy3's that navec has). A few seconds, plus wordfreq's list.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photofinder.layout import TO_ENGLISH, from_english_layout, russian_words  # noqa: E402
from photofinder.query import Lemmatizer, normalize  # noqa: E402
from photofinder.vectors import load_vectors  # noqa: E402
from photofinder.vocabulary import load_vocabulary  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--english", type=int, default=30000,
                        help="how many of wordfreq's most frequent English words")
    args = parser.parse_args()
    lemmatizer = Lemmatizer()
    vectors = load_vectors("navec")
    is_russian = russian_words(lemmatizer, lambda: vectors)
    vocabulary = load_vocabulary()

    words = sorted({normalize(t) for t in [*vocabulary.terms, *vocabulary.aliases]
                    if re.fullmatch(r"[а-яё -]+", normalize(t))})
    missed = [w for w in words if from_english_layout(w.translate(TO_ENGLISH), is_russian) != w]
    print(f"Russian terms typed on the English layout: {len(words) - len(missed)} of "
          f"{len(words)} read back exactly")
    if missed:
        print("  not read back: " + ", ".join(missed[:40]) + (" ..." if len(missed) > 40 else ""))

    english = {w for label in vocabulary.labels for w in re.findall(r"[a-z]+", label.en.lower())}
    lists = [("the vocabulary's English label names", sorted(english))]
    try:
        from wordfreq import top_n_list
    except ImportError:
        print("(wordfreq is not installed: only the label names' English words)")
    else:
        lists.append((f"wordfreq's {args.english:,} most frequent English words",
                      [w for w in top_n_list("en", args.english) if re.fullmatch(r"[a-z]+", w)]))
    for name, english_words in lists:
        read = [(w, r) for w in english_words if (r := from_english_layout(w, is_russian))]
        print(f"{name}: {len(english_words)} words, {len(read)} read as Russian"
              + (": " + ", ".join(f"{w} → {r}" for w, r in read) if read else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
