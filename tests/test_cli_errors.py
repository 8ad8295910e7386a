"""Bad input gets one clear line and the right exit code, never a traceback."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from photofinder.errors import IndexFormatError, IndexMissingError, UsageError

from .conftest import TAGGER, run_cli


def _no_traceback(proc) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_missing_folder(tmp_path):
    proc = run_cli("index", str(tmp_path / "нет такой"), "--index", str(tmp_path / "ix"))
    assert proc.returncode == UsageError.exit_code
    assert "нет такой папки" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    _no_traceback(proc)


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = run_cli("index", str(tmp_path / "empty"), "--index", str(tmp_path / "ix"),
                   "--tagger", TAGGER)
    assert proc.returncode == 1
    assert "не найдено ни одной фотографии" in proc.stderr
    _no_traceback(proc)


def test_missing_index(tmp_path):
    proc = run_cli("search", "кошка", "--index", str(tmp_path / "nothing"))
    assert proc.returncode == IndexMissingError.exit_code
    assert "индекс не найден" in proc.stderr and "photofinder index" in proc.stderr
    _no_traceback(proc)
    proc = run_cli("export", "--index", str(tmp_path / "nothing"), "--out", str(tmp_path / "t.json"))
    assert proc.returncode == IndexMissingError.exit_code
    assert not (tmp_path / "t.json").exists()


def test_damaged_index_names_the_fix(sample_index, tmp_path):
    broken = tmp_path / "ix"
    broken.mkdir()
    (broken / "index.json").write_text('{"format": "photofinder-index", "vers', encoding="utf-8")
    proc = run_cli("search", "кошка", "--index", str(broken))
    assert proc.returncode == IndexFormatError.exit_code
    assert "повреждён" in proc.stderr and "--rebuild" in proc.stderr
    _no_traceback(proc)


def test_newer_index_is_refused(sample_index, tmp_path):
    newer = tmp_path / "ix"
    newer.mkdir()
    meta = json.loads((sample_index / "index.json").read_text(encoding="utf-8"))
    meta["version"] = 99
    (newer / "index.json").write_text(json.dumps(meta), encoding="utf-8")
    proc = run_cli("search", "кошка", "--index", str(newer))
    assert proc.returncode == IndexFormatError.exit_code
    assert "более новой версией" in proc.stderr


def test_empty_and_punctuation_queries(sample_index):
    for query in ["", "   ", "?!…", "-собака"]:
        proc = run_cli("search", query, "--index", str(sample_index))
        assert proc.returncode == 2, query
        assert "запрос" in proc.stderr
        _no_traceback(proc)


def test_bad_options(sample_index, tmp_path):
    proc = run_cli("search", "кошка", "--index", str(sample_index), "--top", "0")
    assert proc.returncode == 2 and "--top" in proc.stderr
    proc = run_cli("search", "--index", str(sample_index))
    assert proc.returncode == 2
    proc = run_cli("export", "--index", str(sample_index), "--out", str(tmp_path))
    assert proc.returncode == 2 and "папка" in proc.stderr
    proc = run_cli("index", str(tmp_path), "--index", str(tmp_path / "ix"), "--vectors", "word2vec")
    assert proc.returncode == 2 and "неизвестные векторы" in proc.stderr
    proc = run_cli("index", str(tmp_path), "--index", str(tmp_path / "ix"), "--tagger",
                   "resnet50", "--weights", str(tmp_path / "none.pth"))
    assert proc.returncode == 2 and "нет файла весов" in proc.stderr
    _no_traceback(proc)


def _main_without(module: str, *args: str):
    """Runs the CLI in a Python where `module` cannot be imported (as if not installed)."""
    import subprocess
    import sys

    code = (f"import sys; sys.modules[{module!r}] = None; "
            "from photofinder.cli import main; "
            f"sys.exit(main({list(args)!r}))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("module, hint", [("tkinter", "python3-tk"),
                                          ("tktooltip", "tkinter-tooltip")])
def test_gui_without_its_packages_is_one_line(tmp_path, module, hint):
    proc = _main_without(module, "gui", "--index", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    assert hint in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    _no_traceback(proc)


def test_fasttext_vectors_without_the_fasttext_package_is_one_line(tmp_path):
    model = tmp_path / "cc.ru.300.bin"
    model.write_bytes(b"x")
    proc = _main_without("fasttext", "index", str(tmp_path), "--index", str(tmp_path / "ix"),
                         "--vectors", f"fasttext:{model}", "--tagger", TAGGER)
    assert proc.returncode == 5 and "pip install fasttext" in proc.stderr, proc.stderr
    _no_traceback(proc)


def test_gpu_out_of_memory_is_one_clear_error():
    torch = pytest.importorskip("torch")
    import numpy as np

    from photofinder.errors import PhotofinderError
    from photofinder.photos import Preprocess
    from photofinder.tagger import TorchTagger

    def features(x):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    tagger = TorchTagger("test", torch.nn.Identity(), features, torch.nn.Identity(),
                         Preprocess(8, (0, 0, 0), (1, 1, 1)), "w", regions=False)
    with pytest.raises(PhotofinderError, match="памяти GPU.*--batch-size"):
        tagger.analyze(np.zeros((2, 8, 8, 3), np.uint8))


@pytest.mark.parametrize("damage", ["garbage", "pickled", "empty"])
def test_a_damaged_head_file_is_one_line_and_exit_5(damage, sample_photos, tmp_path):
    """The scene and people heads are read without pickle; a damaged file stops the run
    with one line (indexing on without scenes and people would lose them silently)."""
    import numpy as np

    heads = tmp_path / "models" / "heads" / "efficientnet-lite0.npz"
    heads.parent.mkdir(parents=True)
    if damage == "garbage":
        heads.write_bytes(b"PK\x03\x04 not really a zip")
    elif damage == "pickled":  # an object array: loading it would need pickle
        np.savez(heads, format=np.array(1), tagger=np.array("efficientnet-lite0"),
                 pca_mean=np.array([{"x": 1}], dtype=object))
    else:
        heads.write_bytes(b"")
    proc = run_cli("index", str(sample_photos), "--index", str(tmp_path / "ix"),
                   "--tagger", "efficientnet-lite0", env={"PHOTOFINDER_MODELS": str(tmp_path / "models")})
    assert proc.returncode == 5, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("photofinder:")]
    assert len(lines) == 1 and "файл голов" in lines[0] and "Traceback" not in proc.stderr
    assert not (tmp_path / "ix" / "index.json").exists()  # nothing half-made


def test_a_missing_shipped_head_file_is_an_error_not_a_silent_loss(monkeypatch, tmp_path):
    """Lite models ship their heads: without the file (a broken install) tagging would
    lose scenes and people, so it is ModelUnavailableError; ResNet50 may have none."""
    from photofinder import heads
    from photofinder.errors import ModelUnavailableError

    monkeypatch.setattr(heads, "data_path", lambda name: tmp_path / name)
    monkeypatch.setenv("PHOTOFINDER_MODELS", str(tmp_path / "models"))
    with pytest.raises(ModelUnavailableError, match="нет файла голов"):
        heads.heads_for("efficientnet-lite2")
    assert heads.heads_for("resnet50") is None


def test_a_file_that_is_not_a_photo_for_similar_is_a_bad_argument(sample_index, tmp_path):
    """Exit 2 as for a missing file: it is the argument that is wrong (README's table)."""
    text = tmp_path / "notanimage.jpg"
    text.write_text("это не картинка", encoding="utf-8")
    proc = run_cli("similar", str(text), "--index", str(sample_index))
    assert proc.returncode == UsageError.exit_code, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "не удалось открыть" in proc.stderr
    _no_traceback(proc)


@pytest.mark.parametrize("module, args", [
    ("navec", ["vocabulary"]),                         # the word vectors' reader
    ("pymorphy3", ["search", "кошки", "--index"]),     # dictionary forms of query words
])
def test_a_missing_word_package_is_one_line_and_exit_5(sample_index, module, args):
    if args[-1] == "--index":
        args = [*args, str(sample_index)]
    proc = _main_without(module, *args)
    assert proc.returncode == 5, proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert module in proc.stderr and "pip install" in proc.stderr
    _no_traceback(proc)


def test_unquoted_exclusions_work_for_latin_words_and_numbers(sample_index):
    """`search животное -dog -2019` is the query «животное -dog -2019», as quoted;
    options still work next to them, and `-json` (one dash) is an error, not a word."""
    quoted = run_cli("search", "животное -кошка -dog -2019", "--index", str(sample_index),
                     "--json", "--top", "3")
    unquoted = run_cli("search", "животное", "-кошка", "-dog", "-2019", "--index",
                       str(sample_index), "--json", "--top", "3")
    assert unquoted.returncode == 0 == quoted.returncode, unquoted.stderr
    assert json.loads(unquoted.stdout) == json.loads(quoted.stdout)
    assert len(json.loads(unquoted.stdout)) == 3                         # --top still read
    assert not any("кошка" in h["why"] for h in json.loads(unquoted.stdout))  # -кошка excluded
    typo = run_cli("search", "животное", "-json", "--index", str(sample_index))
    assert typo.returncode == 2 and "--json" in typo.stderr, typo.stderr
    unknown = run_cli("search", "животное", "--jsn", "--index", str(sample_index))
    assert unknown.returncode == 2 and "--jsn" in unknown.stderr


# --- export --out never replaces what is not its own -----------------------------------------
def test_export_out_refuses_devices_the_index_photos_and_other_files(sample_index, sample_photos,
                                                                     tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    # a device as root makes it (not /dev/null itself: a broken check would replace it)
    device = tmp_path / "null.json"
    if os.geteuid() == 0:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    notes = tmp_path / "notes.json"
    notes.write_text("мои заметки", encoding="utf-8")
    photo = sample_photos / "chelsea.png"
    # files only: the window's thumbnail folder is there too once a GUI test ran first
    index_files = {p: p.read_bytes() for p in sample_index.iterdir() if p.is_file()}
    photo_bytes = photo.read_bytes()
    refused = {
        fifo: "не обычный файл",
        sample_index / "index.json": "в папке индекса",
        sample_index / "tags.json": "в папке индекса",          # nothing new there either
        photo: "имя как у фото",
        tmp_path / "new.jpg": "имя как у фото",                  # a JSON named like a photo
        notes: "не выгрузка photofinder",
    }
    if device.exists():
        refused[device] = "не обычный файл"
    for out, reason in refused.items():  # a timeout: opening the FIFO would block forever
        proc = subprocess.run([sys.executable, "-m", "photofinder", "export", "--index",
                               str(sample_index), "--out", str(out)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == UsageError.exit_code, (out, proc.stderr)
        assert reason in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        _no_traceback(proc)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    if device.exists():
        assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert {p: p.read_bytes() for p in sample_index.iterdir() if p.is_file()} == index_files
    assert photo.read_bytes() == photo_bytes and notes.read_text(encoding="utf-8") == "мои заметки"
    assert not (tmp_path / "new.jpg").exists()

    # an earlier export is replaced; through a symlink its target is, and the link stays
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(real)
    for _ in range(2):
        run_cli("export", "--index", str(sample_index), "--out", str(link), check=True)
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["photos"]

    # `-`: the JSON alone on stdout, the count on stderr
    proc = run_cli("export", "--index", str(sample_index), "--out", "-", check=True)
    assert json.loads(proc.stdout) == json.loads(real.read_text(encoding="utf-8"))
    assert "выгружено" in proc.stderr and not (Path.cwd() / "-").exists()


# --- paths that are not UTF-8 ----------------------------------------------------------------
def _cli_with_non_utf8_paths(index_dir: Path, *args: str):
    """The CLI under a strict UTF-8 stdout, on an index whose photo names end in the byte
    0xFF, which is not UTF-8 ('chelsea\\xff.png'; Python holds it as '\\udcff'). Such an
    index is what `index` makes of such names; here the names are swapped in on load so
    that this tests the printing alone. `duplicates` groups the first two photos."""
    code = (
        "import os, sys\n"
        "from photofinder import index as store, similar\n"
        "real = store.load\n"
        "def load(d):\n"
        "    idx = real(d)\n"
        "    idx.paths = [os.fsdecode(os.fsencode(p)[:-4] + b'\\xff' + os.fsencode(p)[-4:])\n"
        "                 for p in idx.paths]\n"
        "    return idx\n"
        "store.load = load\n"
        "similar.duplicate_groups = lambda idx, *sizes: [[idx.paths[0], idx.paths[1]]]\n"
        "from photofinder.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n")
    return subprocess.run([sys.executable, "-c", code, *args, "--index", str(index_dir)],
                          capture_output=True, env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
                          timeout=300)


@pytest.mark.parametrize("args", [["search", "кошка"], ["similar", "PHOTO"], ["duplicates"],
                                  ["export", "--xmp", "--dry-run"]])
def test_a_path_that_is_not_utf8_is_printed_escaped(sample_index, sample_photos, args):
    args = [str(sample_photos / "chelsea.png") if a == "PHOTO" else a for a in args]
    proc = _cli_with_non_utf8_paths(sample_index, *args)
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")  # strict: valid UTF-8
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "\\xff." in out + err, out + err  # the byte shown as \xff, where the name was


@pytest.mark.parametrize("args", [["search", "кошка", "--json"], ["similar", "PHOTO", "--json"],
                                  ["duplicates", "--json"], ["export", "--out", "-"]])
def test_json_with_a_path_that_is_not_utf8_stays_valid_and_lossless(sample_index, sample_photos,
                                                                     args):
    args = [str(sample_photos / "chelsea.png") if a == "PHOTO" else a for a in args]
    proc = _cli_with_non_utf8_paths(sample_index, *args)
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    doc = json.loads(proc.stdout.decode("utf-8"))
    paths = [r["path"] for r in doc] if isinstance(doc, list) and "path" in doc[0] else \
        doc[0]["photos"] if isinstance(doc, list) else [p["path"] for p in doc["photos"]]
    assert paths and all(os.fsencode(p)[-5:-4] == b"\xff" for p in paths), paths
