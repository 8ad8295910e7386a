"""Russian words for the Latin-letter words of folder, file and keyword names.

People name folders in English or in transliteration as often as in Russian: `Sochi 2019`,
`Masha birthday`, `Wedding`, a Lightroom keyword `Sunset`. A Russian query matches the
words people wrote by their dictionary form only (words.py), so «Сочи», «день рождения»
and «закат» found none of them. Each Latin word now also gives:

- the Russian words of a reviewed table of English words a family's folders and keywords
  are named with (ENGLISH: «birthday» -> «день рождения», a plural too: «dogs»);
- else its transliteration («Sochi» -> «сочи», «Masha» -> «маша»), only where the Russian
  dictionary knows that as a place or a first name. Any other word would be a guess:
  the English «more» would be «море», and «dom» is no house in an English name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .query import Lemmatizer, normalize, words_of

# English words of folder and keyword names -> the Russian words a query says (reviewed:
# each is what a Russian speaker would type for it; seasons are left out, since «лето»
# is a date in a query, and words of two meanings, such as «holiday», «fall»)
ENGLISH = {
    "birthday": "день рождения", "wedding": "свадьба", "new year": "новый год",
    "christmas": "рождество", "xmas": "рождество", "easter": "пасха", "party": "вечеринка",
    "graduation": "выпускной", "prom": "выпускной", "anniversary": "годовщина",
    "vacation": "отпуск", "trip": "поездка", "travel": "путешествие", "journey": "путешествие",
    "family": "семья", "friends": "друзья", "kids": "дети", "children": "дети",
    "child": "ребенок", "baby": "малыш", "son": "сын", "daughter": "дочь", "mom": "мама",
    "mother": "мама", "dad": "папа", "father": "папа", "grandma": "бабушка",
    "grandmother": "бабушка", "grandpa": "дедушка", "grandfather": "дедушка",
    "beach": "пляж", "sea": "море", "ocean": "океан", "lake": "озеро", "river": "река",
    "mountain": "горы", "mountains": "горы", "forest": "лес", "park": "парк",
    "garden": "сад", "city": "город", "nature": "природа", "sunset": "закат",
    "sunrise": "рассвет", "snow": "снег", "flowers": "цветы", "flower": "цветы",
    "home": "дом", "house": "дом", "school": "школа", "zoo": "зоопарк", "museum": "музей",
    "concert": "концерт", "hiking": "поход", "camping": "кемпинг", "fishing": "рыбалка",
    "ski": "лыжи", "skiing": "лыжи", "football": "футбол", "sport": "спорт",
    "cat": "кошка", "cats": "кошка", "dog": "собака", "puppy": "щенок", "kitten": "котенок",
    "pets": "питомец", "pet": "питомец", "food": "еда", "car": "машина", "bike": "велосипед",
    # the places a trip's folder is named by, in English: their transliterations are not
    # their Russian names («Turkey», «Kazan» -> «казан», a cauldron)
    "turkey": "турция", "egypt": "египет", "greece": "греция", "italy": "италия",
    "spain": "испания", "france": "франция", "germany": "германия", "thailand": "таиланд",
    "vietnam": "вьетнам", "cyprus": "кипр", "montenegro": "черногория",
    "georgia": "грузия", "crimea": "крым", "uae": "оаэ", "emirates": "эмираты",
    "moscow": "москва", "petersburg": "петербург", "kazan": "казань", "paris": "париж",
    "rome": "рим", "london": "лондон", "prague": "прага", "istanbul": "стамбул",
    "antalya": "анталья", "dubai": "дубай", "tbilisi": "тбилиси", "baikal": "байкал",
    "altai": "алтай", "karelia": "карелия", "caucasus": "кавказ",
}
_LATIN = re.compile(r"[a-z]+")


def russian_keys(text: str, lemmatizer: Lemmatizer) -> list[str]:
    """The Russian dictionary forms (a phrase's joined by spaces, as a query's key) that
    a name's Latin words stand for: «Masha birthday» -> маша, день рождение."""
    words = re.findall(r"[^\W\d_]+", normalize(text))
    keys = []
    for i, word in enumerate(words):
        if _LATIN.fullmatch(word):
            key = _russian_of(word, " ".join(words[i:i + 2]), lemmatizer)
            if key:
                keys.append(key)
    return keys


@lru_cache(maxsize=65536)   # a folder's words come again with each of its photos
def _russian_of(word: str, pair: str, lemmatizer: Lemmatizer) -> str | None:
    from .places import cyrillic_of

    russian = (ENGLISH.get(pair) or ENGLISH.get(word)
               or (ENGLISH.get(word[:-1]) if word.endswith("s") else None))
    if russian:
        return " ".join(lemmatizer.lemma(w) for w in words_of(russian))
    spelt = normalize(cyrillic_of(word))
    if len(spelt) >= 3 and lemmatizer.is_place_or_first_name(spelt):
        return lemmatizer.lemma(spelt)
    return None
