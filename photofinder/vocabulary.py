"""Russian names for the 1000 ImageNet classes (and the people detector's tag, id 1000):
reviewed data shipped in the package.

Each class has the name a Russian speaker would type (`ru`), everyday synonyms, and
broader words nearest first (бигль → гончая → собака → животное). A *term* is any of
these strings; one term can name one class and be a broader word of many others
("кошка" is a synonym of the tabby and a broader word of the Persian cat).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .config import data_path
from .errors import PhotofinderError

VOCABULARY_FILE = "vocabulary.json"
ALIASES_FILE = "aliases.json"


@dataclass(frozen=True)
class ClassNames:
    index: int
    wnid: str
    en: str
    ru: str
    synonyms: tuple[str, ...]
    broader: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """How a term reaches a class: as its name, a synonym, or a broader word `level` up."""

    class_index: int
    relation: str  # "name" | "synonym" | "broader"
    level: int = 0


class Vocabulary:
    def __init__(self, classes: list[ClassNames], digest: str,
                 aliases: dict[str, str] | None = None) -> None:
        self.classes = classes
        self.digest = digest
        self.aliases = dict(aliases or {})
        links: dict[str, dict[int, Link]] = {}
        for c in classes:
            candidates = [Link(c.index, "name")]
            candidates += [Link(c.index, "synonym") for _ in c.synonyms]
            candidates += [Link(c.index, "broader", level) for level, _ in enumerate(c.broader, 1)]
            texts = [c.ru, *c.synonyms, *c.broader]
            for text, link in zip(texts, candidates):
                # the closest relation wins when a term appears twice for one class
                links.setdefault(text, {}).setdefault(c.index, link)
        for alias, target in self.aliases.items():
            # "пес" reaches every class "собака" reaches, the same way
            for class_index, link in links.get(target, {}).items():
                links.setdefault(alias, {}).setdefault(class_index, link)
        self.terms: list[str] = sorted(links)
        self.links: list[list[Link]] = [list(links[t].values()) for t in self.terms]

    def path(self, term: str, class_index: int) -> list[str]:
        """The chain from a term down to a class name: ["транспорт", "автобус", "школьный автобус"]."""
        c = self.classes[class_index]
        if term in self.aliases and term not in (c.ru, *c.synonyms, *c.broader):
            return [term, *self.path(self.aliases[term], class_index)]
        if term == c.ru or term in c.synonyms:
            return [term] if term == c.ru else [term, c.ru]
        if term in c.broader:
            level = c.broader.index(term)
            return [*reversed(c.broader[: level + 1]), c.ru]
        return [c.ru]


def parse_vocabulary(raw: bytes, source: str, raw_aliases: bytes = b"{}") -> Vocabulary:
    try:
        aliases = {k: v for k, v in json.loads(raw_aliases).items() if not k.startswith("_")}
        rows = json.loads(raw)
        classes = [
            ClassNames(int(r["index"]), str(r["wnid"]), str(r["en"]), str(r["ru"]),
                       tuple(r.get("synonyms", ())), tuple(r.get("broader", ())))
            for r in rows
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise PhotofinderError(f"словарь {source} повреждён: {exc}") from None
    if [c.index for c in classes] != list(range(len(classes))):
        raise PhotofinderError(f"словарь {source}: классы должны идти по порядку с 0")
    return Vocabulary(classes, hashlib.sha256(raw + raw_aliases).hexdigest()[:16], aliases)


@cache
def load_vocabulary(path: Path | None = None, aliases: Path | None = None) -> Vocabulary:
    """The shipped vocabulary (or another file in the same format, for new label sets)."""
    path = path or data_path(VOCABULARY_FILE)
    aliases = aliases or data_path(ALIASES_FILE)
    raw_aliases = aliases.read_bytes() if aliases.is_file() else b"{}"
    return parse_vocabulary(path.read_bytes(), str(path), raw_aliases)


# Every class ends its broader chain in one of these, so broad queries are complete.
TOP_CATEGORIES = frozenset({
    "животное", "растение", "гриб", "еда", "напиток", "транспорт", "одежда", "обувь",
    "мебель", "посуда", "музыкальный инструмент", "инструмент", "оружие", "спорт",
    "здание", "сооружение", "помещение", "техника", "игрушка", "природа", "предмет",
    "аксессуар", "головной убор", "люди",
})
_RUSSIAN_TERM = re.compile(r"[а-я]+(?:-[а-я]+)*(?: [а-я]+(?:-[а-я]+)*)*")


def check_vocabulary(vocab: Vocabulary, vectors) -> tuple[list[str], set[str]]:
    """Problems that must be fixed, and words the vectors do not know (flagged:
    such words still match when typed exactly, but not by meaning)."""
    problems: list[str] = []
    if len(vocab.classes) != 1001 or vocab.classes[1000].ru != "человек":
        problems.append(f"классов {len(vocab.classes)}, а нужно 1000 классов ImageNet и «человек»")
    unknown: set[str] = set()
    for c in vocab.classes:
        where = f"класс {c.index} ({c.en})"
        if not c.ru:
            problems.append(f"{where}: нет русского названия")
        for term in (c.ru, *c.synonyms, *c.broader):
            if not _RUSSIAN_TERM.fullmatch(term):
                problems.append(f"{where}: «{term}» — не строчные русские слова (или есть ё)")
            for word in term.split():
                if vectors.get(word) is None:
                    unknown.add(word)
        if not c.broader or c.broader[-1] not in TOP_CATEGORIES:
            problems.append(f"{where}: цепочка общих слов должна кончаться одной из категорий "
                            f"{', '.join(sorted(TOP_CATEGORIES))}")
        if len(set(c.synonyms)) != len(c.synonyms) or c.ru in c.synonyms:
            problems.append(f"{where}: повтор в синонимах")
    named = {t for c in vocab.classes for t in (c.ru, *c.synonyms, *c.broader)}
    for alias, target in vocab.aliases.items():
        if target not in named:
            problems.append(f"синоним «{alias}» ведёт к «{target}», которого нет в словаре")
        if not _RUSSIAN_TERM.fullmatch(alias):
            problems.append(f"синоним «{alias}» — не строчные русские слова (или есть ё)")
    return problems, unknown
