"""The term table: every vocabulary term's lemma key and word vector.

Computed once per index by the indexer and stored in it; the search recomputes it
only when the package's vocabulary changed since. Its own module so that the search
path never imports the indexer (and with it decoding and the tagger's helpers).
"""

from __future__ import annotations

import numpy as np

from .query import Lemmatizer
from .vectors import WordVectors, phrase_vector
from .vocabulary import Vocabulary


def term_table(vocabulary: Vocabulary, vectors: WordVectors,
               lemmatizer: Lemmatizer) -> tuple[list[str], list[str], np.ndarray]:
    """Every vocabulary term, its lemma key and its unit vector (zeros where unknown)."""
    terms = vocabulary.terms
    keys = [" ".join(lemmatizer.key(t)) for t in terms]
    table = np.zeros((len(terms), vectors.dim), np.float32)
    for i, term in enumerate(terms):
        vec = phrase_vector(vectors, term.split())
        if vec is not None:
            table[i] = vec
    return terms, keys, table
