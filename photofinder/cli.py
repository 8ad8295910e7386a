"""The `photofinder` command: the only place (with the GUI) that prints or exits.

Library code raises PhotofinderError subclasses; `main` turns them into one line on
stderr and the exception's exit code, so no traceback ever reaches a user.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
import time
from pathlib import Path

from . import __version__
from .config import TAGGER_NAMES, default_index_dir
from .errors import PhotofinderError, QueryError, UsageError

EXIT_INTERRUPTED = 130
WEAK_DIVIDER = "— возможно (слабые совпадения) —"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "command", None) == "search":
        args.query = _query_words(parser, args.query, extra)
    elif extra:
        parser.error(f"неизвестные аргументы: {display(' '.join(extra))}")
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except PhotofinderError as exc:
        print(f"photofinder: {display(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("photofinder: прервано", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `photofinder search ... | head`
        return 0
    except MemoryError:
        print("photofinder: не хватило памяти", file=sys.stderr)
        return 1
    except OSError as exc:  # a disk or a folder failed us where no better message exists
        where = f": {exc.filename}" if exc.filename else ""
        print(f"photofinder: {display(str(exc.strerror or exc))}{display(where)}", file=sys.stderr)
        return 1


# A search's own long options, which a single dash would otherwise turn into an exclusion
_SEARCH_OPTIONS = ("top", "json", "batch", "min-score", "index", "help")


def _query_words(parser: argparse.ArgumentParser, query: str | None, extra: list[str]) -> str:
    """The query with the words argparse did not take: `search животное -собака -dog
    -2019` excludes (argparse sees `-dog` as an unknown option, `-2019` as a second
    positional); `-json` for `--json` is an error, not a silent exclusion."""
    for word in extra:
        if word.startswith("--") or (word.startswith("-") and not re.fullmatch(r"-[^\W_][\w-]*", word)):
            parser.error(f"неизвестные аргументы: {display(word)}")
        if word.lstrip("-") in _SEARCH_OPTIONS and word.startswith("-"):
            parser.error(f"{word}: опция пишется с двумя дефисами, --{word.lstrip('-')}; "
                         f"исключить слово: «{word[1:]}» в кавычках вместе с запросом")
    return " ".join(filter(None, [query, *extra]))


def display(text: str) -> str:
    """A path (or a message holding one) as it can be printed: a name that is not UTF-8
    (kept by Python as surrogate escapes, 'moved\\udcff.jpg') shows its bytes escaped,
    'moved\\xff.jpg', instead of crashing a strict UTF-8 stdout."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        raw = text.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


def to_json(value, **kwargs) -> str:
    """JSON for stdout that stays valid when a path is not UTF-8 (export.json_text)."""
    from .export import json_text

    return json_text(value, **kwargs)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="photofinder",
        description="Поиск своих фотографий по русскому слову, без интернета.")
    p.add_argument("--version", action="version", version=f"photofinder {__version__}")
    sub = p.add_subparsers(dest="command", metavar="КОМАНДА")

    def index_option(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--index", type=Path, default=None, metavar="INDEX_DIR",
                         help=f"папка индекса (по умолчанию {default_index_dir()})")

    ix = sub.add_parser("index", help="проиндексировать папки с фотографиями")
    ix.add_argument("folders", nargs="*", type=Path, metavar="DIR",
                    help="папки с фото; без них — обновить все папки индекса")
    index_option(ix)
    ix.add_argument("--tagger", default=None, choices=TAGGER_NAMES,
                    help="классификатор (по умолчанию — модель индекса; для нового индекса "
                         "auto: ResNet50, если есть его веса и головы, иначе EfficientNet-Lite2)")
    ix.add_argument("--weights", type=Path, help="локальный файл весов ResNet50 (state dict .pth)")
    ix.add_argument("--vectors", default=None, metavar="navec|fasttext:PATH",
                    help="векторы слов: navec (встроены) или модель FastText .bin "
                         "(по умолчанию — векторы индекса; для нового индекса navec)")
    ix.add_argument("--device", default="cpu", help="cpu, cuda или cuda:N")
    ix.add_argument("--regions", action=argparse.BooleanOptionalAction, default=None,
                    help="размечать и фрагменты фото (несколько предметов на фото; по "
                         "умолчанию да); --no-regions быстрее, только фото целиком")
    ix.add_argument("--videos", action=argparse.BooleanOptionalAction, default=True,
                    help="размечать и видео (несколько кадров каждого; по умолчанию да); "
                         "--no-videos — только фото")
    ix.add_argument("--batch-size", type=int, default=None,
                    help="фото за один проход модели (по умолчанию — самый быстрый для модели: "
                         "4 для EfficientNet-Lite, 8 для ResNet50, 32 на GPU)")
    ix.add_argument("--checkpoint-every", type=int, default=500, metavar="N",
                    help="сохранять индекс каждые N размеченных фото (прерывание теряет не больше)")
    ix.add_argument("--rebuild", action="store_true",
                    help="заново разметить все фото всех папок индекса (например, другой моделью)")
    ix.add_argument("--forget-missing", action="store_true",
                    help="убрать из индекса фото недоступных папок (отключённый диск, пустая "
                         "папка, ссылка в никуда); без этого они сохраняются")
    ix.add_argument("--ray", default=None, metavar="ADDRESS",
                    help="размечать на кластере Ray (пакет photofinder[cluster]): auto — кластер, "
                         "запущенный на этой машине (ray start --head), local — свой Ray здесь, "
                         "ray://ХОСТ:ПОРТ; фото должны лежать по одному пути на всех машинах")
    ix.add_argument("--ray-actors", type=int, default=None, metavar="N",
                    help="с --ray: сколько копий модели запустить (по умолчанию — по одной на "
                         "каждое ядро кластера, с --device cuda — на каждый GPU)")
    ix.add_argument("--faces", action=argparse.BooleanOptionalAction, default=None,
                    help="искать лица на новых фото (по умолчанию да, если не было "
                         "people forget); --no-faces — не в этот раз")
    ix.add_argument("--small-faces", action=argparse.BooleanOptionalAction, default=None,
                    help="искать лица и там, где они малы для взгляда на всё фото: в людях, "
                         "найденных детектором объектов (по умолчанию да, или как было "
                         "выбрано для индекса); --no-small-faces — фото с людьми "
                         "индексируются быстрее, дальние лица не находятся")
    ix.add_argument("--objects", action=argparse.BooleanOptionalAction, default=None,
                    help="находить объекты COCO детектором (жираф, торт, воздушный змей, "
                         "чемодан...; по умолчанию да, или как индекс был размечен); "
                         "--no-objects — без детектора, быстрее; смена размечает все фото заново")
    ix.set_defaults(run=_cmd_index)

    pe = sub.add_parser("people", help="люди на фото: список, имена, объединение")
    index_option(pe)
    pe.add_argument("--json", action="store_true", help="список людей в JSON")
    pe_sub = pe.add_subparsers(dest="action", metavar="ДЕЙСТВИЕ")
    pn = pe_sub.add_parser("name", help="назвать человека: номер или фото (самое крупное лицо)")
    pn.add_argument("target", metavar="TARGET", help="номер человека или путь к фото")
    pn.add_argument("name", metavar="NAME", help="имя, как его писать")
    pn.add_argument("--face", type=int, default=None, metavar="K",
                    help="K-е по размеру лицо на фото (1 — самое крупное)")
    pr = pe_sub.add_parser("rename", help="переименовать человека")
    pr.add_argument("target", metavar="ID", help="номер человека")
    pr.add_argument("name", metavar="NAME")
    pm = pe_sub.add_parser("merge", help="объединить двух людей (первый переходит во второго)")
    pm.add_argument("source", type=int, metavar="ID")
    pm.add_argument("target", type=int, metavar="INTO_ID")
    px = pe_sub.add_parser("remove", help="убрать лицо на фото из человека (ошибка группировки)")
    px.add_argument("photo", metavar="PHOTO")
    px.add_argument("--face", type=int, default=None, metavar="K")
    pf = pe_sub.add_parser("forget", help="удалить все данные о лицах из индекса")
    for action in (pn, pr, pm, px, pf):  # `people name PHOTO NAME --index DIR` too
        action.add_argument("--index", type=Path, default=argparse.SUPPRESS,
                            metavar="INDEX_DIR", help="папка индекса")
    pe.set_defaults(run=_cmd_people)

    se = sub.add_parser("search", help="найти фотографии по слову")
    se.add_argument("query", nargs="?", help="запрос, например «кошка», «собака на пляже 2019»")
    index_option(se)
    se.add_argument("--top", type=int, default=10, help="сколько результатов показать")
    se.add_argument("--json", action="store_true", help="вывести JSON-массив")
    se.add_argument("--batch", type=Path, metavar="FILE",
                    help="запросы из файла, по одному в строке; вывод — JSON Lines")
    se.add_argument("--min-score", type=float, default=None, help="порог оценки")
    se.set_defaults(run=_cmd_search)

    si = sub.add_parser("similar", help="найти фото, похожие на данное")
    si.add_argument("photo", type=Path, metavar="PHOTO", help="фото из индекса или любое другое")
    index_option(si)
    si.add_argument("--top", type=int, default=10, help="сколько результатов показать")
    si.add_argument("--json", action="store_true", help="вывести JSON-массив {path, score}")
    si.set_defaults(run=_cmd_similar)

    du = sub.add_parser("duplicates", help="найти группы почти одинаковых фото (копии, серии)")
    index_option(du)
    du.add_argument("--json", action="store_true", help="вывести JSON-массив групп")
    du.set_defaults(run=_cmd_duplicates)

    ex = sub.add_parser("export", help="выгрузить теги: в JSON или ключевыми словами в XMP")
    index_option(ex)
    where = ex.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="FILE", help="все теги всех фото в JSON-файл")
    where.add_argument("--xmp", action="store_true",
                       help="ключевые слова в XMP-файлы рядом с фото (digiKam, darktable, "
                            "Lightroom, ExifTool); сами фото не меняются")
    ex.add_argument("--dry-run", action="store_true",
                    help="с --xmp: показать, какие файлы были бы записаны, ничего не меняя")
    ex.set_defaults(run=_cmd_export)

    sa = sub.add_parser("samples", help="скопировать несколько примеров фото из scikit-image")
    sa.add_argument("folder", type=Path, metavar="DIR")
    sa.set_defaults(run=_cmd_samples)

    vo = sub.add_parser("vocabulary", help="проверить русский словарь меток")
    vo.add_argument("--check", action="store_true", help="проверить полноту и слова")
    vo.set_defaults(run=_cmd_vocabulary)

    tr = sub.add_parser("translate", help="(нужен интернет) черновой перевод названий классов")
    tr.add_argument("--out", type=Path, required=True, metavar="FILE")
    tr.add_argument("--only-missing", action="store_true",
                    help="только классы без русского названия")
    tr.set_defaults(run=_cmd_translate)

    gu = sub.add_parser("gui", help="открыть окно поиска фотографий")
    index_option(gu)
    gu.set_defaults(run=_cmd_gui)
    return p


# --- index -------------------------------------------------------------------------
class _Bar:
    """A progress bar of `photofinder index` (tagging, faces), made on the first call
    that has something to count: a run with nothing to do shows none."""

    def __init__(self, desc: str) -> None:
        self.desc = desc
        self.bar = None

    def update(self, done: int, total: int) -> None:
        from tqdm import tqdm

        if self.bar is None and total:
            self.bar = tqdm(total=total, unit="фото", desc=self.desc, dynamic_ncols=True,
                            disable=None)
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _cmd_index(args: argparse.Namespace) -> int:

    from .indexer import ModelChoice, update_index
    from .vectors import load_vectors
    from .vocabulary import load_vocabulary

    if args.batch_size is not None and args.batch_size < 1:
        raise UsageError("--batch-size должен быть не меньше 1")
    if args.checkpoint_every < 1:
        raise UsageError("--checkpoint-every должен быть не меньше 1")
    if args.ray_actors is not None and (args.ray is None or args.ray_actors < 1):
        raise UsageError("--ray-actors N: N не меньше 1, и только вместе с --ray")
    tag_source = None
    if args.ray is not None:  # the driver may have no GPU: the workers' devices are Ray's
        from .cluster import ray_source
        from .tagger import DEVICE_FORMAT

        if not DEVICE_FORMAT.fullmatch(args.device):
            raise UsageError(f"неизвестное устройство {args.device!r}: укажите cpu или cuda")
        tag_source = ray_source(args.ray, args.ray_actors)
    else:
        from .tagger import check_device

        check_device(args.device)
    index_dir = args.index or default_index_dir()
    stop = threading.Event()
    tagging, faces = _Bar("разметка"), _Bar("лица")

    def say(line: str) -> None:
        writer = next((b.bar for b in (faces, tagging) if b.bar is not None), None)
        (writer.write if writer is not None else print)(display(line), file=sys.stderr)

    def on_sigint(signum, frame) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nостанавливаюсь, сохраняю сделанное… (Ctrl-C ещё раз — выйти сразу)",
              file=sys.stderr)

    from . import index as index_store

    vectors = args.vectors or index_store.read_vectors(index_dir) or "navec"
    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        report = update_index(
            args.folders, index_dir, load_vocabulary(), lambda: load_vectors(vectors),
            choice=ModelChoice(args.tagger, args.weights, args.regions, args.device,
                               args.objects),
            rebuild=args.rebuild, forget_missing=args.forget_missing, batch_size=args.batch_size,
            checkpoint_every=args.checkpoint_every, on_progress=tagging.update,
            on_skip=lambda path, reason: say(f"пропущено {display(str(path))}: {reason}"),
            on_tagger=lambda name: print(f"модель: {name}", file=sys.stderr),
            on_note=say, stop=stop, videos=args.videos, tag_source=tag_source,
            faces=args.faces, small_faces=args.small_faces, on_faces=faces.update)
    finally:
        signal.signal(signal.SIGINT, previous)
        tagging.close()
        faces.close()
    print(f"индекс {display(str(index_dir))}: {report.summary()} за {report.seconds:.1f} с")
    if report.faces_line():
        print(report.faces_line())
    if report.found == 0 and not report.plan.kept_unavailable and report.total == 0:
        from .photos import SUPPORTED_EXTENSIONS

        folders = display(", ".join(str(f) for f in args.folders)) or "папках индекса"
        kinds = ", ".join(sorted(e.lstrip(".") for e in SUPPORTED_EXTENSIONS))
        print(f"photofinder: в {folders} не найдено ни одной фотографии ({kinds})", file=sys.stderr)
        return 1
    if report.interrupted:
        print(f"прервано: сделанное сохранено, осталось разметить {report.remaining}; "
              "повторный запуск продолжит", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


# --- search ------------------------------------------------------------------------
def _engine(args: argparse.Namespace):
    from . import index as index_store
    from .search import SearchEngine
    from .vectors import load_vectors
    from .vocabulary import load_vocabulary

    idx = index_store.load(args.index or default_index_dir())
    return SearchEngine(idx, load_vocabulary(), lambda: load_vectors(idx.vectors))


def result_notes(result) -> list[str]:
    """What to say besides the hits: unknown words, and "nothing found" with words to try."""
    notes = result.word_notes()
    if not result.hits and result.out_of_dates:   # the words were understood: the dates hid them
        notes.append(f"за эти даты ничего не найдено (без дат нашлось бы фото: {result.out_of_dates})")
    elif not result.hits and result.no_clock:
        notes.append(f"ничего не найдено: время суток известно только из EXIF, а у "
                     f"{result.no_clock} фото даты съёмки в нём нет")
    elif not result.hits:
        notes.append("ничего не найдено" + (
            f"; близкие слова: {', '.join(result.related)}" if result.related else ""))
    return notes


def _cmd_search(args: argparse.Namespace) -> int:
    from .heap import keep_freed_memory
    from .search import MIN_SCORE, WEAK_SCORE

    keep_freed_memory()

    if (args.query is None) == (args.batch is None):
        raise UsageError("укажите запрос или --batch FILE (одно из двух)")
    if args.top < 1:
        raise UsageError("--top должен быть не меньше 1")
    if args.min_score is not None and not WEAK_SCORE <= args.min_score <= 1:  # below: hidden photos would turn strong
        raise UsageError(f"--min-score должен быть от {WEAK_SCORE} до 1")
    min_score = MIN_SCORE if args.min_score is None else args.min_score
    if args.batch is not None:
        try:
            lines = args.batch.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(f"не удалось прочитать {args.batch}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{args.batch}: ожидается текст в UTF-8") from None
    started = time.perf_counter()
    engine = _engine(args)
    if args.batch is not None:
        for line in lines:
            if not line.strip():
                continue
            try:
                result = engine.search(line, top=args.top, min_score=min_score)
                record = {"query": line, "results": [h.to_json() for h in result.hits]}
                if notes := result_notes(result):
                    record["notes"] = notes
            except QueryError as exc:
                record = {"query": line, "results": [], "error": str(exc)}
            print(to_json(record))
        return 0
    result = engine.search(args.query, top=args.top, min_score=min_score)
    if args.json:
        print(to_json([h.to_json() for h in result.hits], indent=1))
        for note in result_notes(result):
            print(f"photofinder: {display(note)}", file=sys.stderr)
        return 0
    elapsed = time.perf_counter() - started
    searched = (f"«{display(result.query)}» ({display(result.reading())})" if result.read_as
                else f"«{display(args.query)}»")
    print(f"{searched}: {result.strong_total} из {len(engine.index)} фото"
          + (f", ещё слабых совпадений: {result.weak_total}" if result.weak_total else "")
          + f" ({elapsed:.2f} с)")
    for rank, hit in enumerate(result.hits, 1):
        if hit.weak and (rank == 1 or not result.hits[rank - 2].weak):
            print(WEAK_DIVIDER)
        print(f"{rank:3}. {hit.score:.3f}  {display(hit.path)}")
        print(f"       {display(hit.describe())}")
    for note in result_notes(result):
        if note != result.reading_note():  # the header said it
            print(display(note))
    return 0


# --- similar photos and duplicates -------------------------------------------------
def _cmd_similar(args: argparse.Namespace) -> int:
    from . import index as index_store
    from .heap import keep_freed_memory
    from .indexer import features_of_photo
    from .similar import similar_to

    keep_freed_memory()
    if args.top < 1:
        raise UsageError("--top должен быть не меньше 1")
    if not args.photo.is_file():
        raise UsageError(f"нет такого файла: {args.photo}")
    idx = index_store.load(args.index or default_index_dir())
    vector, row, how = features_of_photo(args.photo, idx)
    if how:
        print(f"photofinder: {display(how)}", file=sys.stderr)
    hits = similar_to(idx, vector, top=args.top, exclude=row)
    if args.json:
        print(to_json([h.to_json() for h in hits], indent=1))
        return 0
    print(f"похожие на {display(str(args.photo))}: {len(hits)} из {len(idx)} фото")
    for rank, hit in enumerate(hits, 1):
        print(f"{rank:3}. {hit.score:.3f}  {display(hit.path)}")
    return 0


def _cmd_duplicates(args: argparse.Namespace) -> int:
    from . import index as index_store
    from .photos import upright_size
    from .similar import duplicate_groups

    idx = index_store.load(args.index or default_index_dir())
    groups = duplicate_groups(idx, upright_size)
    if args.json:
        print(to_json([{"photos": g} for g in groups], indent=1))
        return 0
    for number, group in enumerate(groups, 1):
        print(f"группа {number} ({len(group)} фото):")
        for path in group:
            print(f"  {display(path)}")
    print(f"групп почти одинаковых фото: {len(groups)}, фото в них: "
          f"{sum(len(g) for g in groups)} из {len(idx)}")
    return 0


# --- people -------------------------------------------------------------------------
def _cmd_people(args: argparse.Namespace) -> int:
    from . import index as index_store
    from . import naming

    index_dir = args.index or default_index_dir()
    if args.action is None:
        people = naming.people_of(index_store.load(index_dir))
        if args.json:
            print(to_json(people, indent=1))
            return 0
        for person in people:
            name = person["name"] or "(без имени)"
            print(f"{person['id']:5}  {display(name)}  фото: {person['photos']}  "
                  + display(", ".join(person["samples"])))
        if not people:
            print("людей пока нет: лица находит photofinder index")
        return 0
    if args.json:
        raise UsageError("--json относится к списку людей (photofinder people --json)")
    if args.action in ("name", "rename"):
        if args.action == "rename" and not args.target.isdigit():
            raise UsageError(f"rename ждёт номер человека, а не {args.target}")
        said = naming.name_person(index_dir, args.target, args.name,
                                  getattr(args, "face", None))
    elif args.action == "merge":
        said = naming.merge_people(index_dir, args.source, args.target)
    elif args.action == "remove":
        said = naming.remove_face(index_dir, args.photo, args.face)
    else:
        said = naming.forget_faces(index_dir)
    print(display(said))
    return 0


# --- export, samples, vocabulary, translate ---------------------------------------
def _cmd_export(args: argparse.Namespace) -> int:
    from . import index as index_store
    from .export import export_payload, export_target, write_export, write_xmp_sidecars
    from .vocabulary import load_vocabulary

    if args.xmp:
        idx = index_store.load(args.index or default_index_dir())
        report = write_xmp_sidecars(idx, load_vocabulary(), dry_run=args.dry_run)
        for path in report.created if args.dry_run else []:
            print(f"создать {display(path)}")
        for path in report.updated if args.dry_run else []:
            print(f"обновить {display(path)}")
        for path, reason in report.skipped:
            print(f"пропущено {display(path)}: {display(reason)}", file=sys.stderr)
        print(("пробный запуск, ничего не записано: " if args.dry_run else "")
              + f"XMP-файлов создано {len(report.created)}, обновлено {len(report.updated)}, "
              f"без изменений {report.unchanged}, пропущено {len(report.skipped)}")
        return 0
    if args.dry_run:
        raise UsageError("--dry-run относится к --xmp")
    index_dir = args.index or default_index_dir()
    if str(args.out) == "-":  # `export --out - | jq …`: the JSON alone on stdout
        payload, count = export_payload(index_store.load(index_dir), load_vocabulary())
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        print(f"выгружено {count} фото", file=sys.stderr)
        return 0
    target = export_target(args.out, index_dir)
    count = write_export(index_store.load(index_dir), load_vocabulary(), target)
    print(f"выгружено {count} фото в {display(str(args.out))}")
    return 0


def _cmd_samples(args: argparse.Namespace) -> int:
    from .samples import copy_samples

    copied = copy_samples(args.folder)
    print(f"примеры фото ({len(copied)}) в {display(str(args.folder))}: "
          f"{', '.join(p.name for p in copied)}")
    return 0


def _cmd_vocabulary(args: argparse.Namespace) -> int:
    from .vectors import load_vectors
    from .vocabulary import CHILD_KEY, MAN_KEY, WOMAN_KEY, check_vocabulary, load_vocabulary

    FACE_KEYS = (CHILD_KEY, MAN_KEY, WOMAN_KEY)  # the tags made from the faces found

    vocab = load_vocabulary()
    problems, unknown = check_vocabulary(vocab, load_vectors("navec"))
    scenes = sum(1 for label in vocab.labels if label.kind == "scene")
    objects = sum(1 for label in vocab.labels if label.kind == "object")
    faces = sum(1 for label in vocab.labels if label.key in FACE_KEYS)
    print(f"меток: {len(vocab.labels)} (классов ImageNet 1000, «человек», по лицам {faces}, "
          "«группа людей», "
          f"сцен {scenes}, объектов COCO {objects}), "
          f"терминов: {len(vocab.terms)}, "
          f"слов без вектора navec: {len(unknown)} (ищутся только точным совпадением)")
    for word in sorted(unknown):
        print(f"  без вектора: {word}")
    for problem in problems:
        print(f"ОШИБКА: {problem}")
    return 1 if problems else 0


def _cmd_translate(args: argparse.Namespace) -> int:
    from .translate import draft_translations
    from .vocabulary import load_vocabulary

    count = draft_translations(load_vocabulary(), args.out, only_missing=args.only_missing,
                               on_progress=lambda d, t: print(f"\r{d}/{t}", end="", file=sys.stderr))
    print(f"\nчерновик {count} переводов в {display(str(args.out))}: проверьте их вручную перед тем, "
          "как переносить в словарь")
    return 0


# --- gui ---------------------------------------------------------------------------
def _cmd_gui(args: argparse.Namespace) -> int:
    from .gui import run  # tkinter loads only for this command
    from .heap import keep_freed_memory

    keep_freed_memory()
    return run(args.index or default_index_dir())
