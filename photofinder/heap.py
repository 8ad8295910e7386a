"""Freed memory kept for the next query instead of handed back to the kernel (glibc).

A query over a large index makes and frees arrays of a few megabytes for each of its
terms: a word for a person adds up the person score, which every photo has, 4-8 MB an
array at a million photos. glibc's malloc hands such a block back to the kernel as soon
as it is freed (an mmap'd block, or the free top of the heap past the trim threshold),
so the next array is faulted in again page by page, and that, not the arithmetic, was
most of such a word's time: «дети» 138-147 ms, 79-81 ms with the blocks kept
(`benchmarks/speed_search.py --sizes 1000000`, AMD EPYC, paired runs). Blocks of up to
32 MB now come from the heap, and up to 128 MB of free heap stays with the process.

Only the processes that search ask for it (`photofinder search`, `similar`, the window);
indexing keeps the allocator as it is. With another C library, or where ctypes finds no
mallopt, nothing changes.
"""

from __future__ import annotations

import ctypes
import sys

# glibc's <malloc.h>
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# Blocks from this size on are mmap'd and unmapped when freed: glibc's own adaptive
# threshold never goes past 32 MB (on 64 bits) either.
MMAP_THRESHOLD = 32 << 20
# Free memory at the top of the heap past this is given back: a broad query's freed
# arrays (several times 8 MB at a million photos) stay below it.
TRIM_THRESHOLD = 128 << 20


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed blocks of up to MMAP_THRESHOLD for reuse;
    whether it took both settings (False on another system or C library)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # mallopt answers 1 when it took a setting (musl's stub always answers 0)
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
