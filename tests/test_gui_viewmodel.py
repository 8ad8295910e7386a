"""The desktop app's logic without a display: tiles, messages, the status bar, the
thumbnail cache and the worker/queue plumbing. The real window is in test_gui_window.py."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from photofinder.errors import IndexFormatError, IndexMissingError, QueryError
from photofinder.gui import viewmodel as vm
from photofinder.gui.thumbs import ThumbnailCache, ThumbnailLoader, ThumbReady, ThumbRequest
from photofinder.gui.worker import (
    Done,
    Failed,
    IndexFailed,
    IndexFinished,
    IndexJob,
    Progress,
    Pump,
    SerialWorker,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def library(sample_index) -> vm.Library:
    lib = vm.Library(sample_index)
    lib.load()
    return lib


# --- search results as tiles -------------------------------------------------------
def test_cat_query_gives_the_cat_first_with_its_russian_tags_and_reason(library):
    view = library.search("кошка")
    assert view.message is None
    first = view.tiles[0]
    assert Path(first.path).name == "chelsea.png"
    assert first.caption.startswith(f"{first.score:.2f}\n")
    assert "chelsea.png" in first.caption
    tip = first.tooltip
    assert tip.splitlines()[0] == "chelsea.png"
    assert "Теги:" in tip and "Почему найдено:" in tip
    # the tags are Russian words with confidences, most probable first
    assert first.tags[0].probability >= first.tags[-1].probability
    assert any("кошка" in t.ru for t in first.tags)
    region = " (фрагмент)" if first.tags[0].region else ""
    assert f"{first.tags[0].ru}{region} — {first.tags[0].probability:.2f}" in tip
    assert "кошка ←" in tip and "уверенность" in tip
    assert view.summary.startswith(f"Найдено {view.strong_count} фото")
    # the cache key comes from the index: no stat() of the photo needed
    st = os.stat(first.path)
    assert (first.size, first.mtime_ns) == (st.st_size, st.st_mtime_ns)


def test_nothing_found_offers_the_closest_known_words(library):
    view = library.search("слон")  # a vocabulary word that none of the sample photos shows
    assert view.tiles == []
    assert view.message is not None and view.message.kind == "empty"
    assert view.message.title == "Ничего не найдено"
    assert view.message.suggestions
    assert all(isinstance(w, str) and w for w in view.message.suggestions)


def test_nothing_of_those_dates_says_the_dates_hid_the_photos(library):
    """«кошка 1999»: the cat is there, of another year; other words to try would mislead."""
    view = library.search("кошка 1999")
    assert view.tiles == [] and view.message is not None and view.message.kind == "empty"
    assert view.message.text.startswith("За эти даты ничего нет: без дат нашлось бы фото: ")
    assert view.message.suggestions == ()


def test_a_time_of_day_that_finds_nothing_says_the_photos_have_no_clock(library):
    """«в полдень» alone, over photos of which only two have a time (09:11, 15:53): why,
    not words to try."""
    view = library.search("в полдень")
    assert view.tiles == [] and view.message is not None and view.message.kind == "empty"
    assert view.message.text.startswith("Время суток известно только из EXIF, а у ")
    assert view.message.text.endswith(" фото даты съёмки в нём нет.")
    assert view.message.suggestions == ()


def test_a_misspelled_word_gets_a_suggestion_in_the_notes(library):
    view = library.search("гарод")  # город or народ: named, not guessed
    assert any("гарод" in n and "город" in n for n in view.notes)


def test_a_misspelled_word_with_one_likely_meaning_is_searched_as_it(library):
    view = library.search("кошька")
    assert view.query == "кошка" and view.tiles[0].path.endswith("chelsea.png")
    assert view.notes[0] == "«кошька»: искали «кошка» (исправлена опечатка)"


def test_a_query_typed_on_the_english_layout_shows_the_cat_and_says_so(library):
    view = library.search("rjirf")
    assert view.query == "кошка" and view.tiles and view.tiles[0].path.endswith("chelsea.png")
    assert view.notes[0] == "«rjirf» набрано в английской раскладке: искали «кошка»"


def test_an_empty_query_raises_query_error(library):
    with pytest.raises(QueryError):
        library.search("  !!! ")


def test_paging_and_fetching_more(library):
    # as many hits as asked for: there may be more, the app asks again with a larger top
    view = library.search("кошка", top=1)
    assert len(view.tiles) == 1 and not view.complete and view.summary.startswith("Найдено 1+")
    longer = library.search("кошка", top=8)
    assert longer.complete and longer.tiles[:1] == view.tiles  # the same ranking, longer
    tiles = view.tiles * 5
    paged = vm.ResultsView("кошка", tiles, 0.0)
    assert paged.pages(size=2) == 3 and paged.page(2, size=2) == tiles[4:]


def test_status_bar_tells_photos_models_and_last_search(library):
    info = library.info()
    assert info.photos == len(library.index) > 0
    view = library.search("кофе")
    text = vm.status_text(info, view)
    assert f"{info.photos} фото в индексе" in text
    assert "efficientnet-lite2" in text and "navec" in text
    assert "поиск «кофе»:" in text and "мс" in text
    assert vm.status_text(None) == "индекса нет"


def test_adding_a_folder_uses_the_vectors_of_the_index(library):
    # what the indexing panel hands IndexJob (the tagger, its weights and mode are the
    # index's own: test_index_safety.py)
    assert vm.indexing_vectors(library.info()) == "navec"
    other = vm.IndexInfo(5, "resnet50", "fasttext:/models/cc.ru.300.bin", Path("ix"))
    assert vm.indexing_vectors(other) == "fasttext:/models/cc.ru.300.bin"
    assert vm.indexing_vectors(None) == vm.DEFAULT_VECTORS  # the first folder: no index yet
    assert vm.indexing_start_text(other) == "загружаю модель (resnet50)…"
    assert vm.indexing_start_text(None) == "загружаю модель (по умолчанию)…"


def test_weak_matches_follow_the_strong_ones_and_say_so(library):
    """«транспорт» on the sample photos: the scooter and the astronaut (a motorbike in a
    region) are strong matches, four photos are weak ones (a camera's car-like region, the
    rocket's shuttle). The grid draws them in this order under «Возможно», the note above
    it counts both. (It was «еда», whose strong match was the coffee cup by six faint food
    tags of its regions added up: they count by their best one now, and the cup is weak.)"""
    view = library.search("транспорт")
    flags = [t.weak for t in view.tiles]
    strong, weak = flags.count(False), flags.count(True)
    assert strong >= 1 and weak >= 1, [(Path(t.path).name, t.score, t.weak) for t in view.tiles]
    assert flags == [False] * strong + [True] * weak  # all strong ones, then the weak ones
    assert Path(view.tiles[0].path).name == "motorcycle_left.png"
    assert view.strong_count == strong
    assert view.summary == f"Найдено {strong} фото по запросу «транспорт», возможно ещё {weak}"
    assert "Почему найдено:" in view.tiles[0].tooltip
    assert "слабое совпадение" not in view.tiles[0].tooltip
    tip = view.tiles[-1].tooltip
    assert "Возможно, это оно — слабое совпадение:" in tip and "Почему найдено:" not in tip
    # each part in score order (a weak match may score above a strong one: the detector's
    # scores are sure from 0.3, ImageNet's from 0.1)
    for part in (view.tiles[:strong], view.tiles[strong:]):
        scores = [t.score for t in part]
        assert scores == sorted(scores, reverse=True)


def test_the_empty_grid_says_what_to_type_or_how_to_start(library):
    assert vm.start_message(library.info()).kind == "ready"
    assert vm.start_message(library.info()).title == "Что найти?"
    welcome = vm.start_message(None)
    assert welcome.kind == "welcome" and "Добавить папку" in welcome.text


def test_similar_photos_are_tiles_without_the_photo_itself(library):
    row = next(i for i, p in enumerate(library.index.paths) if Path(p).name == "chelsea.png")
    view = library.similar(row)
    names = [Path(t.path).name for t in view.tiles]
    assert "chelsea.png" not in names and len(names) == len(library.index) - 1
    assert view.query == "похожие на chelsea.png" and view.complete and not view.notes
    first = view.tiles[0]
    assert first.why == f"похоже на chelsea.png: сходство признаков {first.score:.2f}"
    assert not any(t.weak for t in view.tiles) and first.tags  # its own tags in the tooltip
    st = os.stat(first.path)
    assert (first.size, first.mtime_ns) == (st.st_size, st.st_mtime_ns)


# --- errors become messages ------------------------------------------------------------
def test_no_index_is_a_welcome_not_an_error(tmp_path):
    with pytest.raises(IndexMissingError) as caught:
        vm.Library(tmp_path / "nothing").load()
    message = vm.error_message(caught.value)
    assert message.kind == "welcome" and "Добавить папку" in message.text


def test_a_damaged_index_is_an_error_message(tmp_path):
    (tmp_path / "index.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexFormatError) as caught:
        vm.Library(tmp_path).load()
    message = vm.error_message(caught.value)
    assert message.kind == "error" and "повреждён" in message.text
    assert "внутренняя ошибка: ValueError: x" == vm.error_message(ValueError("x")).text


def test_texts():
    assert vm.shorten("a" * 30 + ".jpg", 22) == "a" * 10 + "…" + "a" * 7 + ".jpg"
    assert len(vm.shorten("a" * 30 + ".jpg", 22)) == 22
    assert vm.shorten("cat.jpg", 22) == "cat.jpg"
    assert vm.progress_text(0, 0, 0) == "ищу фотографии…"
    assert vm.progress_text(1, 100, 0.1) == "разметка: 1 из 100"
    assert vm.progress_text(50, 100, 30) == "разметка: 50 из 100 · осталось ≈ 30 с"
    assert vm.duration_text(125) == "2 мин 5 с" and vm.duration_text(7260) == "2 ч 1 мин"


# --- thumbnails ---------------------------------------------------------------------
def _exif_rotated_jpeg(path: Path) -> None:
    """A 400x200 JPEG whose EXIF says "rotate 90°": upright it is 200x400."""
    img = Image.new("RGB", (400, 200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6
    img.save(path, "JPEG", exif=exif)


def test_thumbnails_are_upright_small_and_cached_by_path_size_mtime(tmp_path):
    photo = tmp_path / "p.jpg"
    _exif_rotated_jpeg(photo)
    st = photo.stat()
    cache = ThumbnailCache(tmp_path / "thumbs", size=160)
    thumb = cache.get(str(photo), st.st_size, st.st_mtime_ns)
    assert thumb.size == (80, 160)  # rotated by EXIF, longer side 160
    cached = cache.file_for(str(photo), st.st_size, st.st_mtime_ns)
    assert cached.is_file() and cached.is_relative_to(tmp_path / "thumbs")
    photo.unlink()  # from now on only the cache can answer
    assert cache.get(str(photo), st.st_size, st.st_mtime_ns).size == (80, 160)
    # a changed photo (another mtime) is a different thumbnail
    assert cache.file_for(str(photo), st.st_size, st.st_mtime_ns + 1) != cached


def test_loader_posts_thumbnails_and_errors_and_drops_old_searches(tmp_path):
    photo = tmp_path / "p.jpg"
    _exif_rotated_jpeg(photo)
    st = photo.stat()
    out: queue.Queue = queue.Queue()
    loader = ThumbnailLoader(ThumbnailCache(tmp_path / "thumbs"), out, threads=1)
    loader.generation = 2
    loader.request(ThumbRequest(1, 0, str(photo), st.st_size, st.st_mtime_ns))  # stale
    loader.request(ThumbRequest(2, 1, str(photo), st.st_size, st.st_mtime_ns))
    loader.request(ThumbRequest(2, 2, str(tmp_path / "gone.jpg"), 1, 1))
    first, second = out.get(timeout=10), out.get(timeout=10)
    loader.close()
    assert isinstance(first, ThumbReady) and first.token == 1 and first.image.size == (80, 160)
    assert second.token == 2 and second.image is None and second.error
    assert out.empty()


# --- the queue plumbing --------------------------------------------------------------
class FakeTk:
    """Stands for a Tk widget's after/after_cancel: the test runs the ticks itself."""

    def __init__(self) -> None:
        self.scheduled: dict[str, object] = {}
        self.cancelled: list[str] = []
        self._n = 0

    def after(self, ms: int, fn) -> str:
        self._n += 1
        job = f"after#{self._n}"
        self.scheduled[job] = fn
        return job

    def after_cancel(self, job: str) -> None:
        self.cancelled.append(job)
        self.scheduled.pop(job, None)

    def tick(self) -> None:
        job, fn = self.scheduled.popitem()
        fn()


def test_pump_handles_a_bounded_number_per_tick_and_stops_with_after_cancel():
    tk = FakeTk()
    messages: queue.Queue = queue.Queue()
    for i in range(25):
        messages.put(i)
    seen: list[int] = []
    pump = Pump(tk.after, tk.after_cancel, messages, seen.append, per_tick=10)
    pump.start()
    tk.tick()
    assert seen == list(range(10))  # the rest waits: the window stays responsive
    tk.tick()
    tk.tick()
    assert seen == list(range(25))
    assert len(tk.scheduled) == 1  # always re-armed
    pump.stop()
    assert tk.cancelled and not tk.scheduled


def test_serial_worker_runs_jobs_in_order_and_reports_errors():
    out: queue.Queue = queue.Queue()
    worker = SerialWorker(out)
    worker.submit("a", lambda: 1, token=7)
    worker.submit("b", lambda: 1 / 0)
    first, second = out.get(timeout=5), out.get(timeout=5)
    worker.close()
    assert first == Done("a", 1, 7)
    assert isinstance(second, Failed) and isinstance(second.error, ZeroDivisionError)


def test_index_job_reports_progress_and_cancels_with_its_event(tmp_path):
    calls: dict = {}
    started = threading.Event()

    def fake_update(roots, index_dir, vocabulary, vectors, *, load_tagger, on_progress,
                    on_skip, on_tagger, on_note, stop):
        calls.update(roots=roots, index_dir=index_dir)
        on_progress(0, 100)
        started.set()
        for done in range(1, 101):
            if stop.is_set():
                return "cancelled"
            time.sleep(0.01)
            on_progress(done, 100)
        return "finished"

    out: queue.Queue = queue.Queue()
    job = IndexJob(tmp_path / "photos", tmp_path / "index", out, "navec", update=fake_update)
    job.start()
    assert started.wait(5)
    job.cancel()
    assert job.join(5) and not job.running
    messages = []
    while not out.empty():
        messages.append(out.get())
    assert isinstance(messages[0], Progress) and messages[0].total == 100
    assert messages[-1] == IndexFinished("cancelled")
    assert calls == {"roots": [tmp_path / "photos"], "index_dir": tmp_path / "index"}


def test_index_job_turns_a_missing_folder_into_a_message(tmp_path):
    out: queue.Queue = queue.Queue()
    job = IndexJob(tmp_path / "missing", tmp_path / "index", out, "navec",
                   load_tagger=lambda model: pytest.fail("no tagger for a missing folder"))
    job.start()
    assert job.join(30)
    message = out.get_nowait()
    assert isinstance(message, IndexFailed) and "нет такой папки" in str(message.error)


# --- import hygiene ----------------------------------------------------------------
def test_logic_modules_import_neither_tkinter_nor_torch():
    code = ("import sys, photofinder.gui.viewmodel, photofinder.gui.worker, photofinder.gui.thumbs;"
            "bad = [m for m in ('tkinter', 'torch') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_nothing_outside_gui_imports_gui():
    for path in (ROOT / "photofinder").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if "import" in line and "gui" in line]
        if path.name == "cli.py":  # the `gui` command's lazy import inside _cmd_gui only
            assert lines == ["    from .gui import run  # tkinter loads only for this command"]
        else:
            assert lines == [], path
