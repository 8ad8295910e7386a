"""Words people already wrote: folder names, file names, and keywords and titles inside
photos (XMP from digiKam or Lightroom, IPTC). «свадьба» finds `Свадьба Маши/IMG_1.jpg`.

Each word is lemmatised like a query word (`Свадьбы` -> `свадьба`) and stored as a key
"folder:свадьба", "file:свадьба" or "keyword:свадьба". Folder words are taken below the
indexed folder (its own name included), so the user's home folder name does not match
every photo; camera file names (IMG_0001, DSC01234) hold no words. Two or three words in
a row of one name are a key too ("folder:новый год", "folder:день рождение",
"keyword:поле для гольф"), so a phrase of the vocabulary finds the folder «Новый год у
бабушки» and the keyword «День рождения»: a query reads «новый год» as one term, which no
single word of the folder is. The Latin words of a folder's or a keyword's name also give
the Russian words they stand for («Masha birthday»: «маша», «день рождения»;
latin_words.py).
"""

from __future__ import annotations

import os
import re

from .latin_words import russian_keys
from .query import STOP_WORDS, Lemmatizer, normalize, words_of

KINDS = ("keyword", "folder", "file", "place")
# a place from GPS is as sure as a keyword: the phone knew where it was
KIND_WEIGHTS = {"keyword": 1.0, "folder": 0.9, "file": 0.9, "place": 1.0}
KIND_RU = {"keyword": "ключевое слово", "folder": "папка", "file": "имя файла", "place": "место"}
# which words an index's folder, file and keyword keys were made by: another, and the next
# `photofinder index` makes the folder and file words of every photo again from its path
# ("2": the phrases of two or three words; "4": the Russian words of a folder's Latin
# ones; "3", with a file's too, was never released)
WRITTEN_STAMP = "4"
PHRASE_WORDS = (2, 3)
# what a phrase of a name neither starts nor ends with: a query's stop words but «год»,
# which is filler beside a year («2019 год») and a phrase's own word in «Новый год»
_PHRASE_EDGE_STOP = STOP_WORDS - {"год"}
# words of a place name that say what kind of place, not which: «Московская область»
# is found by «московская», not by every «область»; «Канарские острова» by «канарские»,
# «Лазурный берег» by «лазурный», «Куршская коса» by «куршская» (every «остров» and
# «берег моря» are what a photo shows; «коса» is a braid too). Not «озеро», «гора»:
# «озеро в Карелии» asks for the lakes there, and «озеро Байкал» is a lake anyway
PLACE_KIND_WORDS = frozenset("""
область край республика район округ автономный город посёлок поселок село деревня
остров берег коса
""".split())
_WORD = re.compile(r"[^\W\d_]+")   # letters of any script; digits are camera counters
# what cameras, phones and editors put in names: not words a person wrote
NOISE = frozenset("""
img dsc dscn dscf dcim pxl mvimg vid mov jpg jpeg png heic heif tif tiff raw cr2 nef arw
image photo photos pic pics picture pictures camera screenshot screen shot snapshot copy
edited edit final export exported whatsapp telegram signal pano burst cover portrait
скриншот снимок экрана копия фото фотки фотографии
""".split())


def _lemmas(text: str, lemmatizer: Lemmatizer, latin: bool = True) -> list[str]:
    """The words of a name as keys, and (latin) the Russian words its Latin ones stand
    for («Masha birthday»: masha, birthday, маша, день рождение; latin_words.py)."""
    out, latin_words = [], []
    for token in _WORD.findall(normalize(text)):
        if len(token) < 2 or token in NOISE:
            continue
        lemma = lemmatizer.lemma(token)
        if lemma not in STOP_WORDS and lemma not in NOISE:
            out.append(lemma)
            if latin and token.isascii():
                latin_words.append(token)
    if latin_words:  # not for IMG_0042: a camera's words say nothing
        out += [key for key in russian_keys(" ".join(latin_words), lemmatizer) if key not in out]
    return out


def _phrases(text: str, lemmatizer: Lemmatizer) -> list[str]:
    """Two or three words in a row of one name, as a query's phrase is keyed (lemmas
    joined by spaces, a stop word inside kept: «поле для гольфа»), neither end a stop
    word; a camera's or an editor's word (NOISE) or a number breaks the row."""
    runs: list[list[str]] = [[]]
    for token in re.findall(r"[^\W_]+", normalize(text)):
        if token in NOISE or not _WORD.fullmatch(token):
            runs.append([])
        else:
            runs[-1].append(lemmatizer.lemma(token))
    out = []
    for run in runs:
        for n in PHRASE_WORDS:
            for i in range(len(run) - n + 1):
                words = run[i:i + n]
                if words[0] not in _PHRASE_EDGE_STOP and words[-1] not in _PHRASE_EDGE_STOP \
                        and len(words[0]) > 1 and len(words[-1]) > 1:
                    out.append(" ".join(words))
    return out


def root_of(path: str, roots: list[str]) -> str | None:
    """The indexed folder a photo is under (the longest one)."""
    best = None
    for root in roots:
        if path.startswith(root.rstrip(os.sep) + os.sep) and (best is None or len(root) > len(best)):
            best = root
    return best


def path_words(path: str, roots: list[str], lemmatizer: Lemmatizer) -> list[str]:
    """"folder:…" keys for the folders from the indexed one down, "file:…" for the name."""
    root = root_of(path, roots)
    folder = os.path.dirname(path)
    parts = os.path.relpath(folder, root).split(os.sep) if root else []
    parts = [p for p in parts if p not in (".", "")]
    if root:
        parts.insert(0, os.path.basename(root.rstrip(os.sep)))
    keys = [f"folder:{w}" for part in parts
            for w in _lemmas(part, lemmatizer) + _phrases(part, lemmatizer)]
    stem = os.path.splitext(os.path.basename(path))[0]
    # a file's Latin words stay as they are: a person names folders, while a file's name
    # is the camera's, or a website's slug («grass-field-during-sunset-1237119.jpg»), or
    # a dataset's label («n01751748_sea_snake.JPEG»)
    keys += [f"file:{w}" for w in _lemmas(stem, lemmatizer, latin=False)
             + _phrases(stem, lemmatizer)]
    return list(dict.fromkeys(keys))


def words_at_path(keys: list[str], path: str, roots: list[str], lemmatizer: Lemmatizer
                  ) -> list[str]:
    """A photo's word keys for the path it is at now: its folder and file words made from
    the path, its keywords (read from the file) and places (from its GPS) kept."""
    kept = [k for k in keys if k.startswith(("keyword:", "place:"))]
    return path_words(path, roots, lemmatizer) + kept


def keyword_words(texts: list[str], lemmatizer: Lemmatizer) -> list[str]:
    return list(dict.fromkeys(f"keyword:{w}" for t in texts
                              for w in _lemmas(t, lemmatizer) + _phrases(t, lemmatizer)))


def place_words(names: list[str], lemmatizer: Lemmatizer,
                phrases: list[str] | tuple[str, ...] = ()) -> list[str]:
    """"place:…" keys for a place's names (places.Place.keys), cut into words as a query
    is, so «Санкт-Петербург», «в Сочи» and «из Казани» reach them.

    A name of more than one word is also one key, every word's dictionary form in order,
    a hyphenated word's parts too ("place:минеральный вода", "place:нью йорк",
    "place:ростов на дон"): a query of those words reaches it as one phrase
    (terms.Terms.phrases), as typed with hyphens or without («Нью Йорк», «в Ростове на
    Дону»). Of a name of several words, the everyday words are not keys alone: a photo
    taken in Минеральные Воды does not show «вода», nor one in Красная Поляна a «поляна»;
    its words that are names themselves still are («Новгород», «Челны», «Оскол»).
    phrases (Place.phrases): names found only whole."""
    keys = []
    for name in names:
        phrase = _phrase_key(name, lemmatizer)
        if phrase:
            keys.append(phrase)
        words = [(word, lemmatizer.lemma(word)) for word in words_of(name)]
        words = [(word, lemma) for word, lemma in words
                 if len(lemma) >= 2 and lemma not in STOP_WORDS and lemma not in PLACE_KIND_WORDS]
        if len(words) > 1:
            words = [(word, lemma) for word, lemma in words if lemmatizer.is_name_word(word)]
        keys += [f"place:{lemma}" for _, lemma in words]
    keys += [phrase for name in phrases if (phrase := _phrase_key(name, lemmatizer))]
    return list(dict.fromkeys(keys))


def _phrase_key(name: str, lemmatizer: Lemmatizer) -> str | None:
    """"place:…" for a name of more than one word, as a query's phrase reads it (stop
    words and all: «Ростов на Дону»); None for one word."""
    parts = [part for word in words_of(name) for part in word.split("-") if part]
    if len(parts) < 2:
        return None
    return "place:" + " ".join(lemmatizer.lemma(part) for part in parts)


def describe_word(key: str, path: str, lemmatizer: Lemmatizer, place: str | None = None) -> str:
    """«папка: Свадьба Маши»: the folder or file name as written, for an explanation;
    «место: Сочи, Краснодарский край, Россия (GPS)» for a place."""
    kind, _, lemma = key.partition(":")
    if kind == "place":
        return f"{KIND_RU[kind]}: {place or lemma} (GPS)"
    if kind == "keyword":
        return f"{KIND_RU[kind]}: {lemma}"
    names = ([os.path.basename(path)] if kind == "file"
             else list(reversed(os.path.dirname(path).split(os.sep))))
    for name in names:
        text = os.path.splitext(name)[0] if kind == "file" else name
        if lemma in _lemmas(text, lemmatizer) or lemma in _phrases(text, lemmatizer):
            return f"{KIND_RU[kind]}: {name}"
    return f"{KIND_RU[kind]}: {lemma}"
