"""The `photofinder` command: the only place (with the GUI) that prints or exits.

Library code raises PhotofinderError subclasses; `main` turns them into one line on
stderr and the exception's exit code, so no traceback ever reaches a user.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
import time
from pathlib import Path

from . import __version__
from .config import default_index_dir
from .errors import PhotofinderError, QueryError, UsageError

EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "command", None) == "search" and all(
            re.fullmatch(r"-[^\W\d_a-zA-Z][\w-]*", e) for e in extra):
        # `photofinder search -собака`: an exclusion, not an option
        args.query = " ".join(filter(None, [args.query, *extra]))
    elif extra:
        parser.error(f"неизвестные аргументы: {' '.join(extra)}")
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except PhotofinderError as exc:
        print(f"photofinder: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("photofinder: прервано", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `photofinder search ... | head`
        return 0
    except OSError as exc:  # a disk or a folder failed us where no better message exists
        where = f": {exc.filename}" if exc.filename else ""
        print(f"photofinder: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1


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
    ix.add_argument("folders", nargs="+", type=Path, metavar="DIR")
    index_option(ix)
    ix.add_argument("--tagger", default="auto",
                    choices=["auto", "resnet50", "efficientnet-lite0", "efficientnet-lite2"],
                    help="классификатор (auto: ResNet50, если веса есть, иначе EfficientNet-Lite2)")
    ix.add_argument("--weights", type=Path, help="локальный файл весов ResNet50 (state dict .pth)")
    ix.add_argument("--vectors", default="navec", metavar="navec|fasttext:PATH",
                    help="векторы слов: navec (встроены) или модель FastText .bin")
    ix.add_argument("--device", default="cpu", help="cpu или cuda")
    ix.add_argument("--precision", default="fp32", choices=["fp32", "int8"],
                    help="int8: квантованная модель для CPU (ResNet50 быстрее в ~2-3 раза)")
    ix.add_argument("--batch-size", type=int, default=16)
    ix.add_argument("--checkpoint-every", type=int, default=500, metavar="N",
                    help="сохранять индекс каждые N размеченных фото (прерывание теряет не больше)")
    ix.add_argument("--people", action=argparse.BooleanOptionalAction, default=None,
                    help="находить лица и отмечать фото тегом «человек» (по умолчанию: "
                         "как в существующем индексе; для нового — да)")
    ix.add_argument("--rebuild", action="store_true", help="заново разметить все фото")
    ix.set_defaults(run=_cmd_index)

    se = sub.add_parser("search", help="найти фотографии по слову")
    se.add_argument("query", nargs="?", help="запрос, например «кошка» или «животное -собака»")
    index_option(se)
    se.add_argument("--top", type=int, default=10, help="сколько результатов показать")
    se.add_argument("--json", action="store_true", help="вывести JSON-массив")
    se.add_argument("--batch", type=Path, metavar="FILE",
                    help="запросы из файла, по одному в строке; вывод — JSON Lines")
    se.add_argument("--min-score", type=float, default=None, help="порог оценки")
    se.set_defaults(run=_cmd_search)

    ex = sub.add_parser("export", help="выгрузить теги всех фото в JSON")
    index_option(ex)
    ex.add_argument("--out", type=Path, required=True, metavar="FILE")
    ex.set_defaults(run=_cmd_export)

    sa = sub.add_parser("samples", help="скопировать несколько примеров фото из scikit-image")
    sa.add_argument("folder", type=Path, metavar="DIR")
    sa.set_defaults(run=_cmd_samples)

    vo = sub.add_parser("vocabulary", help="проверить русский словарь классов")
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
def _cmd_index(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .indexer import update_index
    from .tagger import describe_tagger, load_tagger
    from .vectors import load_vectors
    from .vocabulary import load_vocabulary

    if args.batch_size < 1:
        raise UsageError("--batch-size должен быть не меньше 1")
    if args.checkpoint_every < 1:
        raise UsageError("--checkpoint-every должен быть не меньше 1")
    index_dir = args.index or default_index_dir()
    stop = threading.Event()
    bar: tqdm | None = None

    def on_progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total:
            bar = tqdm(total=total, unit="фото", desc="разметка", dynamic_ncols=True,
                       disable=None)
        if bar is not None:
            bar.n = done
            bar.refresh()

    def on_skip(path: Path, reason: str) -> None:
        line = f"пропущено {path}: {reason}"
        (bar.write if bar is not None else print)(line, file=sys.stderr)

    def on_sigint(signum, frame) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nостанавливаюсь, сохраняю сделанное… (Ctrl-C ещё раз — выйти сразу)",
              file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        report = update_index(
            args.folders, index_dir,
            load_tagger=lambda: load_tagger(args.tagger, args.weights, args.device,
                                            args.precision),
            tagger_identity=describe_tagger(args.tagger, args.weights, args.precision),
            vectors=lambda: load_vectors(args.vectors),
            vocabulary=load_vocabulary(),
            rebuild=args.rebuild, batch_size=args.batch_size,
            checkpoint_every=args.checkpoint_every, people=args.people,
            on_progress=on_progress, on_skip=on_skip,
            on_tagger=lambda name: print(f"модель: {name}", file=sys.stderr),
            stop=stop)
    finally:
        signal.signal(signal.SIGINT, previous)
        if bar is not None:
            bar.close()
    if report.retagged_all:
        print("модель изменилась: все фото размечены заново", file=sys.stderr)
    print(f"индекс {index_dir}: {report.total} фото "
          f"(новых {report.added}, изменённых {report.updated}, без изменений {report.unchanged}, "
          f"удалено {report.removed}, пропущено {len(report.skipped)}"
          + (f", перемещено без повторной разметки {report.moved}" if report.moved else "")
          + f") за {report.seconds:.1f} с")
    if report.found == 0:
        folders = ", ".join(str(f) for f in args.folders)
        print(f"photofinder: в {folders} не найдено ни одной фотографии "
              "(jpg, jpeg, png, webp, gif, bmp, tiff)", file=sys.stderr)
        return 1
    if report.interrupted:
        print("прервано: сделанное сохранено, повторный запуск продолжит", file=sys.stderr)
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


def _hit_json(engine, hit) -> dict:
    vocab = engine.vocabulary
    return {
        "path": hit.path,
        "score": round(hit.score, 4),
        "why": hit.describe(),
        "matches": [{
            "query": e.concept, "term": e.term, "path": list(e.path), "relation": e.relation,
            "similarity": round(e.similarity, 4), "weight": round(e.weight, 4),
            "confidence": round(e.confidence, 4),
            "tag": {"ru": vocab.classes[e.class_index].ru, "en": vocab.classes[e.class_index].en,
                    "class_id": e.class_index, "probability": round(e.class_probability, 4)},
        } for e in hit.evidence],
    }


def _result_notes(result) -> list[str]:
    notes = []
    for word in result.unknown:
        hint = result.suggestions.get(word)
        notes.append(f"слово «{word}» неизвестно" + (f"; может быть: {', '.join(hint)}?" if hint else ""))
    if not result.hits:
        notes.append("ничего не найдено" + (
            f"; близкие слова: {', '.join(result.related)}" if result.related else ""))
    return notes


def _cmd_search(args: argparse.Namespace) -> int:
    from .search import MIN_SCORE

    if (args.query is None) == (args.batch is None):
        raise UsageError("укажите запрос или --batch FILE (одно из двух)")
    if args.top < 1:
        raise UsageError("--top должен быть не меньше 1")
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
                record = {"query": line, "results": [_hit_json(engine, h) for h in result.hits]}
                if notes := _result_notes(result):
                    record["notes"] = notes
            except QueryError as exc:
                record = {"query": line, "results": [], "error": str(exc)}
            print(json.dumps(record, ensure_ascii=False))
        return 0
    result = engine.search(args.query, top=args.top, min_score=min_score)
    if args.json:
        print(json.dumps([_hit_json(engine, h) for h in result.hits], ensure_ascii=False, indent=1))
        for note in _result_notes(result):
            print(f"photofinder: {note}", file=sys.stderr)
        return 0
    elapsed = time.perf_counter() - started
    print(f"«{args.query}»: {len(result.hits)} из {len(engine.index)} фото ({elapsed:.2f} с)")
    for rank, hit in enumerate(result.hits, 1):
        print(f"{rank:3}. {hit.score:.3f}  {hit.path}")
        print(f"       {hit.describe()}")
    for note in _result_notes(result):
        print(note)
    return 0


# --- export, samples, vocabulary, translate ---------------------------------------
def _cmd_export(args: argparse.Namespace) -> int:
    from . import index as index_store
    from .export import write_export
    from .vocabulary import load_vocabulary

    out: Path = args.out
    if out.is_dir():
        raise UsageError(f"{out} — папка; укажите имя файла, например {out / 'tags.json'}")
    if not out.parent.is_dir():
        raise UsageError(f"нет папки {out.parent}")
    idx = index_store.load(args.index or default_index_dir())
    count = write_export(idx, load_vocabulary(), out)
    print(f"выгружено {count} фото в {out}")
    return 0


def _cmd_samples(args: argparse.Namespace) -> int:
    from .samples import copy_samples

    copied = copy_samples(args.folder)
    print(f"примеры фото ({len(copied)}) в {args.folder}: {', '.join(p.name for p in copied)}")
    return 0


def _cmd_vocabulary(args: argparse.Namespace) -> int:
    from .vectors import load_vectors
    from .vocabulary import check_vocabulary, load_vocabulary

    vocab = load_vocabulary()
    problems, unknown = check_vocabulary(vocab, load_vectors("navec"))
    names = sum(1 for _ in vocab.classes)
    print(f"классов: {names}, терминов: {len(vocab.terms)}, "
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
    print(f"\nчерновик {count} переводов в {args.out}: проверьте их вручную перед тем, "
          "как переносить в словарь")
    return 0


# --- gui ---------------------------------------------------------------------------
def _cmd_gui(args: argparse.Namespace) -> int:
    from .gui import run  # tkinter loads only for this command

    return run(args.index or default_index_dir())
