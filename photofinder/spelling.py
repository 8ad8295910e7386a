"""A misspelt word read as the one word it was meant to be: «сабаки» -> собаки.

People type fast, and a search box forgives: «кошька», «мотацикл», «велосепед», «озиро»
found nothing but a suggestion to retype. `correction(word, ...)` looks one edit away
(a letter left out, doubled, swapped with its neighbour or mistyped: Norvig's edits)
for the vocabulary's words and the forms pymorphy3's dictionary knows of them, and
returns the one the likeliest slip reaches («сабаки» -> собаки: о and а sound alike;
«кошька» -> кошка, a key too many, before «конька», ш for н); none when two words are
as likely («гарод»: город or народ) or the word is short (three letters have too many
neighbours). The search engine reads a query so only when it found nothing strong as
typed (search.SearchEngine.search), and says so.
"""

from __future__ import annotations

from collections.abc import Callable

ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
MIN_LETTERS = 4
# a slip of the finger (a key's neighbour on ЙЦУКЕН) or of the ear (letters Russian
# spelling confuses: unstressed vowels, paired voiced and voiceless consonants) is the
# likelier typo; another letter in its place costs twice as much
KEYBOARD_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
_OFFSET = (0.0, 0.25, 0.75)   # how far each row of keys sits to the right of the one above
_KEY = {c: (row, col + _OFFSET[row]) for row, keys in enumerate(KEYBOARD_ROWS) for col, c in enumerate(keys)}
SOUND_ALIKE = ["ао", "еи", "иы", "ея", "еэ", "юу", "бп", "вф", "гк", "дт", "жш", "зс", "сц", "чщ", "ьъ"]
_ALIKE = {frozenset(pair) for pair in SOUND_ALIKE}


def replacement_cost(typed: str, meant: str) -> int:
    """1 for a neighbouring key or a letter that sounds alike, 2 for any other."""
    (row_a, x_a), (row_b, x_b) = _KEY.get(typed, (9, 0.0)), _KEY.get(meant, (9, 0.0))
    near = abs(row_a - row_b) <= 1 and abs(x_a - x_b) <= 1
    return 1 if near or frozenset((typed, meant)) in _ALIKE else 2


def one_edit_away(word: str) -> dict[str, int]:
    """Every string one deletion, transposition, replacement or insertion from `word`,
    with what the edit costs (the cheapest way, where two give the same string)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits: dict[str, int] = {}
    for a, b in splits:
        if b:
            edits[a + b[1:]] = 1                                  # a key pressed too many
            for c in ALPHABET:
                if c != b[0]:
                    candidate = a + c + b[1:]
                    edits[candidate] = min(edits.get(candidate, 2), replacement_cost(b[0], c))
        if len(b) > 1:
            edits.setdefault(a + b[1] + b[0] + b[2:], 1)          # two keys swapped
        for c in ALPHABET:
            edits.setdefault(a + c + b, 1)                        # a key left out
    edits.pop(word, None)
    return edits


def correction(word: str, is_known: Callable[[str], bool], lemma: Callable[[str], str],
               is_vocabulary_word: Callable[[str], bool]) -> str | None:
    """The form one edit from a misspelt `word` (lower case, ё as е) whose dictionary
    form is a vocabulary word: the cheapest such edit, when one dictionary form alone
    is reached that cheaply."""
    if len(word) < MIN_LETTERS or not all(c in ALPHABET for c in word):
        return None
    found: dict[str, tuple[int, str]] = {}   # dictionary form -> (cost, the form found)
    for candidate, cost in sorted(one_edit_away(word).items(), key=lambda e: (e[1], e[0])):
        if is_vocabulary_word(candidate):   # a term as it is («абайя»: no dictionary has it)
            found.setdefault(candidate, (cost, candidate))
        elif is_known(candidate) and is_vocabulary_word(base := lemma(candidate)):
            found.setdefault(base, (cost, candidate))
    if not found:
        return None
    cheapest = min(cost for cost, _ in found.values())
    best = [form for cost, form in found.values() if cost == cheapest]
    return best[0] if len(best) == 1 else None
