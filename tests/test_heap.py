"""A searching process keeps the memory it frees for its next query (photofinder/heap.py):
the arrays a query over a large index makes are not faulted in again page by page.
Counted in page faults (deterministic), not in time: each case runs in a fresh Python
process, since the setting is the process's."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from photofinder.heap import keep_freed_memory

REPO = Path(__file__).resolve().parents[1]

# What a broad query at a million photos does: several arrays of 8 MB made, freed
# together, made again. Prints the minor page faults of the last round.
ROUNDS = """
import resource
import numpy as np

def one_round():
    arrays = [np.ones(1 << 20) for _ in range(6)]   # 6 x 8 MB, every page touched
    del arrays

for _ in range(3):
    one_round()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
one_round()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(setup: str) -> int:
    code = textwrap.dedent(setup) + ROUNDS
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, check=True)
    return int(proc.stdout.split()[-1])


def _glibc() -> bool:
    proc = subprocess.run([sys.executable, "-c", "from photofinder.heap import keep_freed_memory; "
                           "print(keep_freed_memory())"], capture_output=True, text=True, cwd=REPO)
    return proc.stdout.strip() == "True"


needs_glibc = pytest.mark.skipif(not sys.platform.startswith("linux") or not _glibc(),
                                 reason="glibc's mallopt is not there (another system or C library)")


@needs_glibc
def test_freed_arrays_are_reused_not_faulted_in_again():
    as_glibc_sets_it = _faults("")
    kept = _faults("from photofinder.heap import keep_freed_memory\nassert keep_freed_memory()\n")
    # 48 MB is 12,288 pages: glibc hands most of them back and faults them in again
    assert as_glibc_sets_it > 1000
    assert kept < 100


@needs_glibc
def test_a_search_process_keeps_its_freed_memory(sample_index):
    # the CLI's search itself turns it on: after one search, the rounds fault nothing
    setup = f"""
    import contextlib, io
    from photofinder.cli import main
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["search", "кошка", "--index", {str(sample_index)!r}]) == 0
    """
    assert _faults(setup) < 100


def test_elsewhere_nothing_changes(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert keep_freed_memory() is False
