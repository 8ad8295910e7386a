"""Russian names for every label the index can hold: reviewed data shipped in the package.

Three kinds of label, each named by a key that the index stores with its tag columns:
- the 1000 ImageNet classes (key: the WordNet id, `vocabulary.json`, torchvision's order);
- the person score (key `person`, entry 1000 of `vocabulary.json`) and the scores of
  the faces found: the child (key `child`, entry 1001: children.py), a man and a woman
  (`man`, `woman`, entries 1002 and 1003: gender.py);
- scenes: places, landscapes, sky and weather (key `scene:<name>`, `scenes.json`);
- COCO objects the detector finds (key `object:<COCO name>`, `objects.json`; detector.py):
  79 of its 80 categories, its person being the people head's «человек».

Each label has the name a Russian speaker would type (`ru`), everyday synonyms, and
broader words nearest first (бигль → гончая → собака → животное; гавань → море →
вода → природа), and related words: what its photos are of without being a kind of
it (теннис for a racket, свадьба for a groom, ванная for a bathtub). A related word
finds the label with a broader word's weight but stands outside the chain, so explanations
and keyword trees stay true (спорт ← спортивный инвентарь ← ракетка; теннис ← ракетка).
A *term* is any of these strings; one term can name one label and be a broader word
of many others ("кошка" is a synonym of the tabby and a broader word of the Persian
cat; "море" a broader word of both the coast scene and ImageNet's seashore).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path

from .config import data_path
from .errors import PhotofinderError

VOCABULARY_FILE = "vocabulary.json"
SCENES_FILE = "scenes.json"
OBJECTS_FILE = "objects.json"
ALIASES_FILE = "aliases.json"
# The rule query.Lemmatizer keys terms by, as part of the digest: "2", a reading whose
# dictionary form is a vocabulary word comes first («парке» -> парк, not парка)
KEYS_RULE = b"keys 2"
IMAGENET_CLASSES = 1000
PERSON_KEY = "person"
CHILD_KEY = "child"  # children.CHILD_KEY: the entry after the person in vocabulary.json
MAN_KEY, WOMAN_KEY = "man", "woman"  # gender.py: the two entries after the child
GROUP_KEY = "group"  # tagging.group_probability: the entry after the woman
# vocabulary.json's entries after the 1000 ImageNet classes, in order: the people head's
# score, the scores of the faces found (children.py, gender.py), then a group of people
# (three or more, from the detector's person boxes)
PERSON_KEYS = (PERSON_KEY, CHILD_KEY, MAN_KEY, WOMAN_KEY, GROUP_KEY)
SCENE_PREFIX = "scene:"
OBJECT_PREFIX = "object:"
# colours.py's tags, `scene:colour_<name>`, and black and white, `scene:colour_monochrome`:
# here, not there, so what reads the tags (export, search) never imports Pillow
COLOUR_PREFIX = "colour_"
MONOCHROME = "monochrome"


def is_colour(key: str) -> bool:
    """A colour tag (or black and white): an attribute of the photo, which lists of a
    photo's tags show after the things in it, whatever its score («коричневый 1.00» is
    no reason to list it before «египетская кошка 0.996»)."""
    return key.startswith(SCENE_PREFIX + COLOUR_PREFIX)


@dataclass(frozen=True)
class Label:
    index: int          # position in this vocabulary (not in an index: see Index.labels)
    key: str            # what an index stores: "n02124075", "person", "scene:coast"
    en: str
    ru: str
    synonyms: tuple[str, ...]
    broader: tuple[str, ...]
    related: tuple[str, ...] = ()  # found like broader words, outside their chain

    @property
    def kind(self) -> str:
        if self.key in PERSON_KEYS:
            return "person"
        if self.key.startswith(OBJECT_PREFIX):
            return "object"
        return "scene" if self.key.startswith(SCENE_PREFIX) else "imagenet"

    @property
    def wnid(self) -> str:
        """The WordNet id of an ImageNet class (and of "person", "child"); empty for a
        scene, an object or a group of people."""
        if self.kind == "person":
            return WNID_OF_PERSON_KEY.get(self.key, "")
        return "" if self.kind in ("scene", "object") else self.key


# the WordNet ids of the person score's and the face scores' labels: person, child,
# man (an adult male), woman (an adult female)
WNID_OF_PERSON_KEY = {PERSON_KEY: "n00007846", CHILD_KEY: "n09917593",
                      MAN_KEY: "n10287213", WOMAN_KEY: "n10787470"}


@dataclass(frozen=True)
class Link:
    """How a term reaches a label: as its name, a synonym, or a broader word `level` up."""

    label: int
    relation: str  # "name" | "synonym" | "broader" | "related"
    level: int = 0
    through_alias: bool = False  # the term reaches it only as an alias (aliases.json)


class Vocabulary:
    def __init__(self, labels: list[Label], digest: str,
                 aliases: dict[str, str] | None = None) -> None:
        self.labels = labels
        self.digest = digest
        self.aliases = dict(aliases or {})
        self.index_of_key = {label.key: label.index for label in labels}
        links: dict[str, dict[int, Link]] = {}
        for c in labels:
            candidates = [Link(c.index, "name")]
            candidates += [Link(c.index, "synonym") for _ in c.synonyms]
            candidates += [Link(c.index, "broader", level) for level, _ in enumerate(c.broader, 1)]
            candidates += [Link(c.index, "related", 1) for _ in c.related]
            texts = [c.ru, *c.synonyms, *c.broader, *c.related]
            for text, link in zip(texts, candidates):
                # the closest relation wins when a term appears twice for one label
                links.setdefault(text, {}).setdefault(c.index, link)
        for alias, target in self.aliases.items():
            # "пес" reaches every label "собака" reaches, the same way
            for label, link in links.get(target, {}).items():
                links.setdefault(alias, {}).setdefault(label, replace(link, through_alias=True))
        self.terms: list[str] = sorted(links)
        self.links: list[list[Link]] = [list(links[t].values()) for t in self.terms]

    @cached_property
    def fallback_aliases(self) -> frozenset[str]:
        """Aliases that lead a label's own name to another label's, so that photos
        without that label still come: «ребенок» -> человек finds the people whose faces
        gave no child score, after the children; «женщина» -> человек the people with no
        face found. What such a word excludes («без детей») is its own label alone
        (SearchEngine._exclude), not every person. Not a fallback: an alias to a word that
        names one of the same labels, a true synonym («кот» names the label кошка too)."""
        named = self._named
        return frozenset(alias for alias, target in self.aliases.items()
                         if alias in named and not named[alias] & named.get(target, set()))

    @cached_property
    def person_fallbacks(self) -> frozenset[str]:
        """The words for a kind of person that an alias also leads to the person score,
        only to find the people whose faces were not found: «женщина», «ребенок»,
        «мальчик» (a face tag's own name or synonym), «мама», «бабушка», «дочка» (its
        related words), so they reach it weighed lower (terms.FALLBACK_WEIGHT). Not a
        word of two meanings («тачка» a wheelbarrow and a car, «байк» a bicycle and a
        motorcycle), where neither is the lesser, nor one for people in general («семья»,
        «друзья»: no face tag of its own)."""
        own: dict[str, set[int]] = {}
        for term, links in zip(self.terms, self.links):
            own[term] = {link.label for link in links if not link.through_alias}
        return frozenset(
            alias for alias, target in self.aliases.items()
            if own.get(alias) and all(self.labels[i].kind == "person" for i in own[alias])
            and any(self.labels[i].kind == "person" for i in self._named.get(target, ())))

    @cached_property
    def _named(self) -> dict[str, set[int]]:
        """Each label's name and synonyms: the labels each names."""
        named: dict[str, set[int]] = {}
        for label in self.labels:
            for text in (label.ru, *label.synonyms):
                named.setdefault(text, set()).add(label.index)
        return named

    @cached_property
    def _implied(self) -> dict[str, frozenset[str]]:
        """Each broader word -> the broader words it implies: those that follow it in the
        list of every label it is a broader word of, and are broader words of every label
        it names. A label's broader words are one chain only where each implies the next:
        a street is a road and in a city (дорога, город), but a road is no kind of city
        (трасса: дорога, сооружение); a goldfish is a fish and a pet, but a fish is no pet."""
        implied: dict[str, set[str]] = {}
        for label in self.labels:
            for at, word in enumerate(label.broader):
                after = set(label.broader[at + 1:])
                implied[word] = implied[word] & after if word in implied else after
        for label in self.labels:
            for name in (label.ru, *label.synonyms):
                if name in implied:
                    implied[name] &= set(label.broader)
        return {word: frozenset(words) for word, words in implied.items()}

    def chains(self, label: int) -> list[list[str]]:
        """The label's broader words as the chains they are, each top first and ending in
        the label's name: a goldfish is «животное|рыба|золотая рыбка» and «животное|
        домашнее животное|питомец|золотая рыбка», not one chain through fish and pets.
        Each step is a word and a broader word it implies with no other between them."""
        if label in self._chains:
            return self._chains[label]
        c = self.labels[label]
        words = set(c.broader)

        def above(word: str) -> list[str]:
            implied = words & self._implied.get(word, frozenset())
            return [w for w in c.broader if w in implied and not any(
                w in self._implied.get(other, ()) for other in implied if other != w)]

        def up(word: str) -> list[list[str]]:
            parents = above(word)
            return [[word]] if not parents else [[word, *rest] for p in parents for rest in up(p)]

        specific = [w for w in c.broader if not any(
            w in self._implied.get(other, ()) for other in words if other != w)]
        found = [[*reversed(chain), c.ru] for w in specific for chain in up(w)]
        self._chains[label] = found or [[c.ru]]
        return self._chains[label]

    @cached_property
    def _chains(self) -> dict[int, list[list[str]]]:
        """chains() of the labels asked for so far: an export asks for every tag of
        every photo."""
        return {}

    def path(self, term: str, label: int) -> list[str]:
        """The chain from a term down to a label's name: ["транспорт", "автобус", "школьный автобус"].
        A broader word is the shortest of the label's chains (the keyword trees' own,
        chains()) from it down: «город ← улица», not «город ← дорога ← улица»."""
        c = self.labels[label]
        if term in self.aliases and term not in (c.ru, *c.synonyms, *c.broader, *c.related):
            return [term, *self.path(self.aliases[term], label)]
        if term == c.ru or term in c.synonyms:
            return [term] if term == c.ru else [term, c.ru]
        if term in c.broader:
            return min((chain[chain.index(term):] for chain in self.chains(label) if term in chain),
                       key=len)
        if term in c.related:
            return [term, c.ru]
        return [c.ru]


def _label(index: int, key: str, row: dict) -> Label:
    return Label(index, key, str(row["en"]), str(row["ru"]), tuple(row.get("synonyms", ())),
                 tuple(row.get("broader", ())), tuple(row.get("related", ())))


def parse_vocabulary(raw: bytes, source: str, raw_aliases: bytes = b"{}",
                     raw_scenes: bytes = b"[]", raw_objects: bytes = b"[]") -> Vocabulary:
    try:
        aliases = {k: v for k, v in json.loads(raw_aliases).items() if not k.startswith("_")}
        rows = json.loads(raw)
        labels = []
        for i, row in enumerate(rows):
            if int(row["index"]) != i:
                raise PhotofinderError(f"словарь {source}: классы должны идти по порядку с 0")
            key = (PERSON_KEYS[i - IMAGENET_CLASSES]
                   if IMAGENET_CLASSES <= i < IMAGENET_CLASSES + len(PERSON_KEYS)
                   else str(row["wnid"]))
            labels.append(_label(i, key, row))
        for row in json.loads(raw_scenes):
            labels.append(_label(len(labels), SCENE_PREFIX + str(row["key"]), row))
        for row in json.loads(raw_objects):
            labels.append(_label(len(labels), OBJECT_PREFIX + str(row["key"]), row))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PhotofinderError(f"словарь {source} повреждён: {exc}") from None
    # objects.json counts only when present, so the digest of a vocabulary without it
    # (and the indexes made with it) stays as it was; KEYS_RULE: an index stores its
    # terms' lemma keys, so a new rule for them must recompute them as a new vocabulary does
    digest = hashlib.sha256(raw + raw_scenes + raw_aliases + KEYS_RULE
                            + (raw_objects if raw_objects != b"[]" else b"")).hexdigest()[:16]
    return Vocabulary(labels, digest, aliases)


@cache
def load_vocabulary(path: Path | None = None, aliases: Path | None = None,
                    scenes: Path | None = None, objects: Path | None = None) -> Vocabulary:
    """The shipped vocabulary (or other files in the same format, for new label sets)."""
    path = path or data_path(VOCABULARY_FILE)
    aliases = aliases or data_path(ALIASES_FILE)
    scenes = scenes or data_path(SCENES_FILE)
    objects = objects or data_path(OBJECTS_FILE)
    raw_aliases = aliases.read_bytes() if aliases.is_file() else b"{}"
    raw_scenes = scenes.read_bytes() if scenes.is_file() else b"[]"
    raw_objects = objects.read_bytes() if objects.is_file() else b"[]"
    return parse_vocabulary(path.read_bytes(), str(path), raw_aliases, raw_scenes, raw_objects)


# Every label ends its broader chain in one of these, so broad queries are complete.
TOP_CATEGORIES = frozenset({
    "животное", "растение", "гриб", "еда", "напиток", "транспорт", "одежда", "обувь",
    "мебель", "посуда", "музыкальный инструмент", "инструмент", "оружие", "спорт",
    "здание", "сооружение", "помещение", "техника", "игрушка", "природа", "предмет",
    "аксессуар", "головной убор", "люди",
    # scenes: landscapes, towns, rooms (помещение), sky and weather, time of day
    "город", "небо", "погода", "время суток",
    # the colours of things and of the photo (colours.py), each a top category of its own:
    # a broader «цвет» would make «с цветами» colours (pymorphy3's first reading of
    # «цветами» is цвет, and the first reading that is a vocabulary word wins), not flowers
    "красный", "оранжевый", "желтый", "зеленый", "голубой", "синий", "фиолетовый",
    "розовый", "коричневый", "белый", "серый", "черный", "черно-белый",
    # a kind of file, not of what it shows (screenshots.py)
    "скриншот",
})
_RUSSIAN_TERM = re.compile(r"[а-я]+(?:-[а-я]+)*(?: [а-я]+(?:-[а-я]+)*)*")


def check_vocabulary(vocab: Vocabulary, vectors) -> tuple[list[str], set[str]]:
    """Problems that must be fixed, and words the vectors do not know (flagged:
    such words still match when typed exactly, but not by meaning)."""
    problems: list[str] = []
    if len(vocab.labels) < IMAGENET_CLASSES + 1 or vocab.labels[IMAGENET_CLASSES].ru != "человек":
        problems.append(f"меток {len(vocab.labels)}, а нужны 1000 классов ImageNet и «человек»")
    if len(vocab.index_of_key) != len(vocab.labels):
        problems.append("ключи меток повторяются")
    unknown: set[str] = set()
    for c in vocab.labels:
        where = f"метка {c.index} ({c.key}, {c.en})"
        if not c.ru:
            problems.append(f"{where}: нет русского названия")
        for term in (c.ru, *c.synonyms, *c.broader, *c.related):
            if not _RUSSIAN_TERM.fullmatch(term):
                problems.append(f"{where}: «{term}» — не строчные русские слова (или есть ё)")
            for word in term.split():
                if vectors.get(word) is None:
                    unknown.add(word)
        # a label that is a top category itself (the sky: «небо») needs no broader word
        if (not c.broader or c.broader[-1] not in TOP_CATEGORIES) and c.ru not in TOP_CATEGORIES:
            problems.append(f"{where}: цепочка общих слов должна кончаться одной из категорий "
                            f"{', '.join(sorted(TOP_CATEGORIES))}")
        if len(set(c.synonyms)) != len(c.synonyms) or c.ru in c.synonyms:
            problems.append(f"{where}: повтор в синонимах")
        if set(c.related) & {c.ru, *c.synonyms, *c.broader} or len(set(c.related)) != len(c.related):
            problems.append(f"{where}: связанное слово повторяет название, синоним или общее слово")
    named = {t for c in vocab.labels for t in (c.ru, *c.synonyms, *c.broader, *c.related)}
    for alias, target in vocab.aliases.items():
        if target not in named:
            problems.append(f"синоним «{alias}» ведёт к «{target}», которого нет в словаре")
        if not _RUSSIAN_TERM.fullmatch(alias):
            problems.append(f"синоним «{alias}» — не строчные русские слова (или есть ё)")
    return problems, unknown
