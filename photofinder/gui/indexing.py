"""The indexing panel: «Добавить папку…» starts an IndexJob, a progress row shows how far
it got, «Отмена» stops it (what was tagged is saved). Searching goes on meanwhile.
"""

from __future__ import annotations

import os
import queue
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog, ttk
from typing import Any

from . import viewmodel as vm
from .worker import (
    IndexFailed,
    IndexFinished,
    IndexJob,
    Note,
    Progress,
    Skipped,
    TaggerLoaded,
    error_text,
)

INDEXING_MESSAGES = (Progress, TaggerLoaded, Skipped, Note, IndexFinished, IndexFailed)


class IndexingPanel:
    """The progress row (grid row `row` of `root`, shown only while a folder is indexed)."""

    def __init__(self, root: tk.Tk, row: int, add_button: ttk.Button, index_dir: Path,
                 messages: queue.Queue, *, info: Callable[[], vm.IndexInfo | None],
                 on_note: Callable[[str, bool], None], on_started: Callable[[], None],
                 on_ended: Callable[[bool], None]) -> None:
        self.root, self.row, self.add_button = root, row, add_button
        self.index_dir, self.messages = index_dir, messages
        self.info, self.on_note = info, on_note
        self.on_started, self.on_ended = on_started, on_ended
        self.job: IndexJob | None = None

        self.frame = ttk.Frame(root, padding=(10, 2, 10, 2))
        self.frame.columnconfigure(1, weight=1)
        self.label = ttk.Label(self.frame, text="", width=44)
        self.label.grid(row=0, column=0, sticky="w")
        self.progress = ttk.Progressbar(self.frame, mode="determinate")
        self.progress.grid(row=0, column=1, sticky="ew", padx=8)
        self.cancel_button = ttk.Button(self.frame, text="Отмена", command=self.cancel)
        self.cancel_button.grid(row=0, column=2)

    def add_folder(self, folder: Path | None = None) -> None:
        """Indexes a folder on a worker thread; searching goes on meanwhile."""
        if self.job is not None and self.job.running:
            return
        if folder is None:
            chosen = filedialog.askdirectory(parent=self.root, mustexist=True,
                                             title="Папка с фотографиями")
            if not chosen:
                return
            folder = Path(chosen)
        info = self.info()
        self.job = IndexJob(folder, self.index_dir, self.messages, vm.indexing_vectors(info))
        self.progress.configure(value=0, maximum=1)
        self.label.configure(text=vm.indexing_start_text(info))
        self.cancel_button.configure(state="normal", text="Отмена")
        self.frame.grid(row=self.row, column=0, sticky="ew")
        self.add_button.configure(state="disabled")
        self.on_started()
        self.job.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.configure(state="disabled", text="Отменяю…")
            self.label.configure(text="отменяю: сохраняю размеченное…")

    def handle(self, msg: Any) -> None:
        """One of INDEXING_MESSAGES from the job's thread."""
        if isinstance(msg, Progress):
            self.progress.configure(maximum=max(1, msg.total), value=msg.done)
            self.label.configure(text=vm.progress_text(msg.done, msg.total, msg.elapsed))
        elif isinstance(msg, TaggerLoaded):
            self.label.configure(text=f"модель {msg.name} загружена, ищу фотографии…")
        elif isinstance(msg, Skipped):
            self.on_note(f"пропущено {os.path.basename(msg.path)}: {msg.reason}", False)
        elif isinstance(msg, Note):
            self.on_note(msg.text, False)
        elif isinstance(msg, IndexFinished):
            self._ended(vm.report_text(msg.report))
        elif isinstance(msg, IndexFailed):
            self._ended(error_text(msg.error), error=True)

    def _ended(self, text: str, error: bool = False) -> None:
        self.frame.grid_remove()
        self.add_button.configure(state="normal")
        self.on_note(text, error)
        if self.job is not None:
            self.job.join(1.0)
        self.job = None
        self.on_ended(error)

    def stop(self) -> bool:
        """On close: cancels a running job; True if there was one to wait for."""
        if self.job is None or not self.job.running:
            return False
        self.job.cancel()
        return True

    def wait(self, timeout: float) -> None:
        if self.job is not None:
            self.job.join(timeout=timeout)
