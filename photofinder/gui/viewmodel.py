"""What the window shows, as plain data: no tkinter here, so it is tested without a display.

The app asks `Library` (the index and its search engine) for a `ResultsView` and draws
it; every Russian string the window shows is made here or in `app.py`'s labels. A
`Library` is used from one worker thread only (see `worker.SerialWorker`), so it needs
no locks.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import IndexMissingError
from .worker import error_text

if TYPE_CHECKING:  # the real imports are lazy: the search engine and the vectors load on a worker thread
    from ..index import Index
    from ..search import SearchEngine, SearchResult
    from ..vocabulary import Vocabulary

PAGE_SIZE = 40           # tiles drawn at once; "Ещё" or scrolling down adds the next page
FETCH = 200              # hits asked of the engine at first: explaining every hit of a broad
                         # word in a big library costs ~0.3 ms each, so more are fetched on demand
MIN_TAG = 0.05           # tags below this are noise in a tooltip (they still rank)
MAX_TOOLTIP_TAGS = 12
MAX_NAME = 22            # characters of a file name under a thumbnail
DEFAULT_VECTORS = "navec"

WELCOME_TITLE = "Добро пожаловать в photofinder"
WELCOME_TEXT = (
    "Индекса пока нет. Нажмите «Добавить папку…» и выберите папку с фотографиями: "
    "каждое фото будет размечено прямо на этом компьютере, без интернета. "
    "Разметка идёт в фоне, её можно отменить: размеченное сохранится.\n\n"
    "Потом введите слово по-русски — «кошка», «транспорт», «кофе» — и нажмите Enter.")
INDEXING_TEXT = ("Фотографии размечаются в фоне; ход разметки — вверху окна. Когда она "
                 "закончится, введите слово по-русски и нажмите Enter.")
READY_TITLE = "Что найти?"
READY_TEXT = ("Введите слово по-русски и нажмите Enter: «кошка», «собака», «транспорт», "
              "«пляж без людей».\nДвойной щелчок открывает фото, правая кнопка — меню.")
EMPTY_TITLE = "Ничего не найдено"
WEAK_TITLE = "Возможно — слабые совпадения"
ERROR_TITLE = "Ошибка"


@dataclass(frozen=True)
class Tag:
    """One of a photo's tags, by its Russian name."""

    ru: str
    probability: float
    region: bool = False     # found in a region of the photo ("фрагмент")


@dataclass(frozen=True)
class Tile:
    """One thumbnail in the grid and everything its tooltip and menu need."""

    row: int
    path: str
    score: float
    size: int        # bytes and mtime from the index: the thumbnail cache key, no stat()
    mtime_ns: int
    tags: tuple[Tag, ...]
    why: str
    weak: bool = False    # after the strong results, in the «возможно» section
    place: str = ""       # «Сочи, Краснодарский край, Россия» from the photo's GPS
    town: str = ""        # the place's shortest name, for the caption («Сочи»)
    people: tuple[str, ...] = ()   # names of the named people whose faces are in it

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def caption(self) -> str:
        """Under the thumbnail: the score (and where it was taken), then the file name
        shortened in the middle."""
        where = f" · {shorten(self.town, MAX_NAME - 7)}" if self.town else ""
        return f"{self.score:.2f}{where}\n{shorten(self.name, MAX_NAME)}"

    @property
    def tooltip(self) -> str:
        lines = [self.name, *([f"Место: {self.place} (GPS)"] if self.place else []), "", "Теги:"]
        lines += [f"  {t.ru}{' (фрагмент)' if t.region else ''} — {t.probability:.2f}"
                  for t in self.tags if t.probability >= MIN_TAG][:MAX_TOOLTIP_TAGS]
        if self.people:
            lines += ["", "Люди: " + ", ".join(self.people)]
        lines += ["", "Возможно, это оно — слабое совпадение:" if self.weak else "Почему найдено:"]
        lines += [f"  {part}" for part in self.why.split("; ")]
        return "\n".join(lines)


@dataclass(frozen=True)
class Message:
    """A full-area message instead of the grid: welcome, nothing found, an error."""

    kind: str          # "welcome" | "ready" | "empty" | "error"
    title: str
    text: str
    suggestions: tuple[str, ...] = ()  # words the user can click to search them


@dataclass
class ResultsView:
    """The answer to one query, ready to draw."""

    query: str
    tiles: list[Tile]
    seconds: float
    notes: list[str] = field(default_factory=list)   # unknown words, hidden matches
    message: Message | None = None                   # set when there is nothing to show
    complete: bool = True                            # False: the engine has more hits to fetch
    fetched: int = 0                                 # how many hits were asked for

    @property
    def strong_count(self) -> int:
        return sum(not t.weak for t in self.tiles)

    @property
    def summary(self) -> str:
        if not self.tiles:
            return ""
        more = "" if self.complete else "+"
        strong = self.strong_count
        weak = len(self.tiles) - strong
        text = f"Найдено {strong}{more if not weak else ''} фото по запросу «{self.query}»"
        if weak:
            text += f", возможно ещё {weak}{more}"
        return text

    def page(self, number: int, size: int = PAGE_SIZE) -> list[Tile]:
        """Tiles of page `number` (0-based)."""
        return self.tiles[number * size:(number + 1) * size]

    def pages(self, size: int = PAGE_SIZE) -> int:
        return math.ceil(len(self.tiles) / size)


@dataclass(frozen=True)
class IndexInfo:
    """What the status bar says about the loaded index."""

    photos: int
    tagger: str
    vectors: str
    folder: Path


def shorten(text: str, limit: int) -> str:
    """"очень_длинное_имя_файла.jpg" -> "очень_длин…файла.jpg": the extension stays visible."""
    if len(text) <= limit:
        return text
    tail = limit // 2
    return text[:limit - tail - 1] + "…" + text[-tail:]


def tiles_of(hits: Sequence[Any], engine: SearchEngine, why: Callable[[Any], str],
             weak: Callable[[Any], bool] = lambda hit: False) -> list[Tile]:
    """Tiles for hits of a search or of «Похожие фото» (anything with .row, .path, .score):
    the photos' tags and the thumbnail cache key come from the index."""
    index = engine.index
    tags = engine.tag_names([h.row for h in hits])
    return [Tile(row=h.row, path=h.path, score=h.score, size=int(index.sizes[h.row]),
                 mtime_ns=int(index.mtimes[h.row]), tags=tuple(Tag(*t) for t in photo),
                 why=why(h), weak=weak(h), people=names_in(index, h.row),
                 **place_of_row(index, h.row))
            for h, photo in zip(hits, tags)]


def place_of_row(index, row: int) -> dict[str, str]:
    """A tile's place and town from the photo's GPS (the place table loads on the first
    photo that has GPS; a library without any never reads it)."""
    latitude, longitude = (float(v) for v in index.gps[row])
    if latitude != latitude:  # NaN: no GPS
        return {}
    from ..places import place_at

    place = place_at(latitude, longitude)
    if place is None:
        return {}
    return {"place": place.describe(), "town": place.city or place.country or ""}


def names_in(index, row: int) -> tuple[str, ...]:
    """The named people whose faces are in a photo, biggest face first."""
    faces = index.faces
    names = (faces.names.get(int(faces.groups[f])) for f in faces.faces_in(row))
    return tuple(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True)
class PersonCard:
    """One person in the «Люди» window: a face to show and what to write under it."""

    id: int
    name: str | None
    photos: int
    sample: str                              # the photo of their biggest face
    box: tuple[float, float, float, float]   # that face, as fractions of the photo

    @property
    def caption(self) -> str:
        return f"{self.name or 'Без имени'}\n{self.photos} фото · №{self.id}"


def people_cards(index) -> list[PersonCard]:
    """Every person, named first (as `photofinder people` lists them)."""
    faces = index.faces
    areas = faces.areas()
    cards = []
    for person in faces.people():
        own = [int(f) for f in (faces.groups == person).nonzero()[0]]
        best = max(own, key=lambda f: areas[f])
        cards.append(PersonCard(person, faces.names.get(person), faces.photo_count(person),
                                index.paths[int(faces.rows[best])],
                                tuple(float(v) for v in faces.boxes[best])))
    return cards


def notes_of(result: SearchResult) -> list[str]:
    """The lines above the grid: unknown words with spelling suggestions, hidden matches."""
    notes = result.word_notes()
    if result.excluded:
        notes.append(f"исключено фото: {result.excluded}")
    return notes


def view_of(result: SearchResult, engine: SearchEngine, seconds: float,
            top: int | None = None) -> ResultsView:
    """Turns a search result into tiles, or into "Ничего не найдено" with words to try.
    `top`: how many hits were asked for; as many came back means there may be more."""
    tiles = tiles_of(result.hits, engine, why=lambda h: h.describe(), weak=lambda h: h.weak)
    view = ResultsView(query=result.query, tiles=tiles,
                       seconds=seconds, notes=notes_of(result),
                       complete=top is None or len(result.hits) < top, fetched=top or 0)
    if not view.tiles and result.out_of_dates:   # the words were understood: the dates hid them
        view.message = Message("empty", EMPTY_TITLE,
                               f"За эти даты ничего нет: без дат нашлось бы фото: "
                               f"{result.out_of_dates}. Уберите дату из запроса.", ())
    elif not view.tiles and result.no_clock:
        view.message = Message("empty", EMPTY_TITLE,
                               f"Время суток известно только из EXIF, а у {result.no_clock} "
                               "фото даты съёмки в нём нет.", ())
    elif not view.tiles:
        words = [w for hints in result.suggestions.values() for w in hints] + list(result.related)
        words = list(dict.fromkeys(w for w in words if w != result.query))[:8]
        text = "Попробуйте другое слово"
        text += ": близкие известные слова ниже." if words else "."
        view.message = Message("empty", EMPTY_TITLE, text, tuple(words))
    return view


def error_message(exc: BaseException) -> Message:
    """A PhotofinderError's own message; anything else as a one-line internal error."""
    if isinstance(exc, IndexMissingError):
        return Message("welcome", WELCOME_TITLE, WELCOME_TEXT)
    return Message("error", ERROR_TITLE, error_text(exc))


def start_message(info: IndexInfo | None) -> Message:
    """What an empty grid says: what to type, or how to make the first index."""
    if info is None:
        return Message("welcome", WELCOME_TITLE, WELCOME_TEXT)
    return Message("ready", READY_TITLE, READY_TEXT)


def indexing_vectors(info: IndexInfo | None) -> str:
    """The word vectors to add a folder with: the index's own. (The tagger, its weights
    and mode are always the index's own: indexer.resolve_model.)"""
    return info.vectors if info is not None and info.vectors else DEFAULT_VECTORS


def indexing_start_text(info: IndexInfo | None) -> str:
    """The progress row while the tagger loads (it takes seconds: torch and the weights)."""
    model = info.tagger if info is not None else "по умолчанию"
    return f"загружаю модель ({model})…"


def status_text(info: IndexInfo | None, last: ResultsView | None = None,
                note: str = "") -> str:
    """The status bar: photos in the index, models in use, the last search's time."""
    parts = []
    if info is None:
        parts.append("индекса нет")
    else:
        parts.append(f"{info.photos} фото в индексе")
        parts.append(f"модели: {info.tagger} + {info.vectors}")
    if last is not None:
        parts.append(f"поиск «{last.query}»: {last.seconds * 1000:.0f} мс")
    if note:
        parts.append(note)
    return "  ·  ".join(parts)


def progress_text(done: int, total: int, elapsed: float) -> str:
    """"разметка: 120 из 1000 · осталось ≈ 1 мин 5 с" (no estimate before the first photos)."""
    if total <= 0:
        return "ищу фотографии…"
    text = f"разметка: {done} из {total}"
    if done >= 3 and elapsed > 0.5:
        left = elapsed / done * (total - done)
        text += f" · осталось ≈ {duration_text(left)}"
    return text


def duration_text(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} с"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} мин {seconds} с" if seconds else f"{minutes} мин"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} ч {minutes} мин"


def report_text(report) -> str:
    """One line about a finished (or cancelled) indexing run, for the status bar."""
    text = f"{report.summary()} — за {duration_text(report.seconds)}"
    if report.interrupted:
        return "разметка отменена, сделанное сохранено: " + text
    if report.found == 0 and not report.plan.kept_unavailable:
        from ..photos import SUPPORTED_EXTENSIONS

        kinds = ", ".join(sorted(e.lstrip(".") for e in SUPPORTED_EXTENSIONS))
        return f"в папке не найдено фотографий ({kinds})"
    return "разметка закончена: " + text


class Library:
    """The index and its search engine, loaded lazily. Used from one worker thread only."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.index: Index | None = None
        self.engine: SearchEngine | None = None
        self._vocabulary: Vocabulary | None = None
        self._vectors = None  # kept across reloads: navec takes ~1 s to load

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            from ..vocabulary import load_vocabulary

            self._vocabulary = load_vocabulary()
        return self._vocabulary

    def load(self) -> IndexInfo:
        """(Re)reads the index from disk. Raises IndexMissingError, IndexFormatError."""
        from .. import index as index_store

        self.engine = None
        self.index = None
        self.index = index_store.load(self.index_dir)
        return self.info()

    def info(self) -> IndexInfo:
        if self.index is None:
            raise IndexMissingError(f"индекс не найден в {self.index_dir}")
        return IndexInfo(len(self.index), self.index.tagger.get("name", "?"),
                         self.index.vectors, self.index_dir)

    def warm(self) -> None:
        """Builds the engine and loads the word vectors and the lemmatizer, so the first
        query is as fast as the others."""
        engine = self._engine()
        engine.vectors.get("кошка")  # navec reads its file on the first word asked for
        engine.lemmatizer.lemma("кошка")

    def _engine(self) -> SearchEngine:
        if self.engine is None:
            from ..search import SearchEngine
            from ..vectors import load_vectors

            if self.index is None:
                self.load()
            spec = self.index.vectors
            if self._vectors is None or getattr(self._vectors, "spec", None) != spec:
                self._vectors = None

            def vectors():
                if self._vectors is None:
                    self._vectors = load_vectors(spec)
                return self._vectors

            self.engine = SearchEngine(self.index, self.vocabulary, vectors)
        return self.engine

    def search(self, text: str, top: int = FETCH) -> ResultsView:
        """The best `top` hits of a query, as tiles (drawn a page at a time).
        Ranking is deterministic, so asking again with a larger `top` extends the same
        list. Raises QueryError."""
        engine = self._engine()
        started = time.perf_counter()
        result = engine.search(text, top=top)
        seconds = time.perf_counter() - started
        return view_of(result, engine, seconds, top)

    def similar(self, row: int, top: int = FETCH) -> ResultsView:
        """Photos like the index's photo `row` («Похожие фото»), best first."""
        from ..similar import similar_to

        engine = self._engine()
        started = time.perf_counter()
        index = engine.index
        name = os.path.basename(index.paths[row])
        hits = similar_to(index, index.features[row], top=top, exclude=row)
        tiles = tiles_of(hits, engine, why=lambda h: f"похоже на {name}: сходство признаков {h.score:.2f}")
        # the FETCH most similar photos are the whole answer: no "more" for them
        view = ResultsView(query=f"похожие на {name}", tiles=tiles,
                           seconds=time.perf_counter() - started, complete=True, fetched=top)
        if not tiles:
            view.message = Message("empty", EMPTY_TITLE, "Похожих фото в индексе нет.")
        return view
