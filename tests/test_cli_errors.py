"""Bad input gets one clear line and the right exit code, never a traceback."""

from __future__ import annotations

import json

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
