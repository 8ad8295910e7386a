"""`photofinder search` options as a user runs them, on the real sample index."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli, search_json


@pytest.mark.parametrize("value", ["0", "-5", "0.005", "1.5", "nan"])
def test_a_min_score_that_would_list_every_photo_is_refused(sample_index, value):
    """From 0 up every photo would be a strong match at 0.000; under 0.01 (the weak floor)
    photos never shown would turn strong: neither only moves photos between the lists."""
    proc = run_cli("search", "люди", "--index", str(sample_index), f"--min-score={value}")
    assert proc.returncode == 2, proc.stdout
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == ["photofinder: --min-score должен быть от 0.01 до 1"]


@pytest.mark.parametrize("value", ["0.01", "0.95", "1"])
def test_min_score_only_moves_photos_between_strong_and_weak(sample_index, value):
    default = search_json(sample_index, "люди", "--top", "50")
    moved = search_json(sample_index, "люди", "--top", "50", "--min-score", value)
    assert sorted(h["path"] for h in moved) == sorted(h["path"] for h in default)
    strong = [h for h in moved if not h.get("weak")]
    weak = [h for h in moved if h.get("weak")]
    assert moved == strong + weak  # strong ones first
    bar = float(value)
    assert all(h["score"] >= bar - 1e-4 for h in strong)
    assert all(h["score"] < bar + 1e-4 for h in weak)


def test_a_high_min_score_leaves_only_the_surest_photo_strong(sample_index):
    """The README's example: only the astronaut is a person at 0.95 or more."""
    proc = run_cli("search", "люди", "--index", str(sample_index), "--min-score", "0.95",
                   "--top", "3", check=True)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("«люди»: 1 из ")
    assert "astronaut" in lines[1] and lines[3] == "— возможно (слабые совпадения) —"


def test_a_query_of_stop_words_only_is_a_usage_error(sample_index):
    proc = run_cli("search", "на в и", "--index", str(sample_index))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "photofinder: в запросе только служебные слова: введите, что искать, например «кошка»"]


def _strong_names(index_dir, query: str) -> set[str]:
    return {Path(h["path"]).name for h in search_json(index_dir, query, "--top", "50")
            if not h.get("weak")}


def test_either_word_will_do_with_или_or_a_slash(sample_index):
    """«кошка или кофе», «кошка/кофе»: the cat and the coffee, each a sure match (read as
    stop words, «или» and the slash asked for both in one photo, and none has both)."""
    cat, coffee = _strong_names(sample_index, "кошка"), _strong_names(sample_index, "кофе")
    assert "chelsea.png" in cat and "coffee.png" in coffee
    assert _strong_names(sample_index, "кошка или кофе") == cat | coffee
    assert _strong_names(sample_index, "кошка/кофе") == cat | coffee
    assert _strong_names(sample_index, "кошка и кофе") == cat & coffee


def test_не_leaves_out_what_it_negates(sample_index):
    """«люди, но не женщины»: «не» leaves out what follows it, past the stop words, as
    «без» does (the astronaut's face is a woman's); «не кошка» alone is only something
    to leave out. Read as a stop word, «не» asked for the women."""
    people = _strong_names(sample_index, "люди")
    assert "astronaut.png" in people
    not_women = _strong_names(sample_index, "люди, но не женщины")
    assert not_women == _strong_names(sample_index, "люди без женщин")
    assert "astronaut.png" not in not_women and not_women
    proc = run_cli("search", "не кошка", "--index", str(sample_index))
    assert proc.returncode != 0 and "только из исключений" in proc.stderr
