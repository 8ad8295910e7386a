"""The «Люди» window: one face per person with its name and photo count; a click names
or renames the person, the menu merges them into another. Faces are cut from the photos
and every change is saved on the app's worker thread (naming.py), never on Tk's."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import simpledialog, ttk
from typing import Any

from PIL import Image, ImageTk

from . import viewmodel as vm
from .worker import Done, Failed, SerialWorker, error_text

FACE = 96          # thumbnail side, px
COLUMNS = 6
TAGS = ("people-list", "people-edit")  # the worker's tags for this window's jobs
Ask = Callable[[str, str, str], str | None]   # (title, prompt, initial) -> answer


def face_image(card: vm.PersonCard, side: int = FACE) -> Image.Image:
    """The person's face cut from their photo with a margin, side x side."""
    from ..photos import open_photo

    img = open_photo(Path(card.sample), min_side=side * 2)
    width, height = img.size
    left, top, right, bottom = card.box
    cx, cy = (left + right) / 2 * width, (top + bottom) / 2 * height
    half = max((right - left) * width, (bottom - top) * height) * 0.7
    crop = img.crop((int(cx - half), int(cy - half), int(cx + half), int(cy + half)))
    return crop.resize((side, side), Image.Resampling.BILINEAR)


def _ask(title: str, prompt: str, initial: str) -> str | None:
    return simpledialog.askstring(title, prompt, initialvalue=initial)


class PeopleWindow:
    """A Toplevel over the app. `ask` is injected so tests can answer the name dialog."""

    def __init__(self, root: tk.Misc, index_dir: Path, worker: SerialWorker,
                 on_changed: Callable[[], None], ask: Ask = _ask) -> None:
        self.index_dir, self.worker, self.on_changed, self.ask = index_dir, worker, on_changed, ask
        self.top = tk.Toplevel(root)
        self.top.title("Люди")
        self.top.geometry("760x520")
        self.status = ttk.Label(self.top, text="Загружаю лица…", padding=(10, 6))
        self.status.pack(anchor="w")
        self.body = ttk.Frame(self.top, padding=10)
        self.body.pack(fill="both", expand=True)
        self.cards: list[vm.PersonCard] = []
        self.images: list[ImageTk.PhotoImage] = []   # Tk shows an image only while referenced
        self.buttons: dict[int, ttk.Button] = {}
        self.menu = tk.Menu(self.top, tearoff=False)
        self.refresh()

    def refresh(self) -> None:
        from .. import index as index_store

        def load() -> list[tuple[vm.PersonCard, Image.Image | None]]:
            cards = vm.people_cards(index_store.load(self.index_dir))
            out = []
            for card in cards:
                try:
                    out.append((card, face_image(card)))
                except Exception:  # noqa: BLE001 - a photo gone since: the card without a face
                    out.append((card, None))
            return out
        self.worker.submit(TAGS[0], load)

    def handle(self, msg: Any) -> None:
        if isinstance(msg, Failed):
            self.status.configure(text=error_text(msg.error))
            if msg.tag == TAGS[1]:
                self.refresh()
            return
        assert isinstance(msg, Done)
        if msg.tag == TAGS[1]:
            self.status.configure(text=msg.value)
            self.on_changed()
            self.refresh()
        else:
            self._draw(msg.value)

    def _draw(self, cards: list[tuple[vm.PersonCard, Image.Image | None]]) -> None:
        for child in self.body.winfo_children():
            child.destroy()
        self.cards, self.images, self.buttons = [c for c, _ in cards], [], {}
        if not cards:
            self.status.configure(text="Лиц пока нет: их находит разметка папок")
            return
        if self.status.cget("text") == "Загружаю лица…":
            self.status.configure(text="Щелчок — назвать или переименовать; "
                                       "правая кнопка — объединить с другим")
        for i, (card, face) in enumerate(cards):
            image = ImageTk.PhotoImage(face or Image.new("RGB", (FACE, FACE), "#dddddd"))
            self.images.append(image)
            button = ttk.Button(self.body, image=image, text=card.caption, compound="top",
                                command=lambda c=card: self.name(c))
            button.grid(row=i // COLUMNS, column=i % COLUMNS, padx=4, pady=4, sticky="n")
            button.bind("<Button-3>", lambda e, c=card: self._menu(e, c))
            self.buttons[card.id] = button

    def name(self, card: vm.PersonCard) -> None:
        from .. import naming

        name = self.ask("Имя", "Как зовут этого человека?", card.name or "")
        if name is None or not name.strip():
            return
        self.worker.submit(TAGS[1], lambda: naming.name_person(
            self.index_dir, str(card.id), name))

    def merge(self, card: vm.PersonCard) -> None:
        from .. import naming

        others = ", ".join(f"{c.id}: {c.name or 'без имени'}" for c in self.cards
                           if c.id != card.id)[:300]
        answer = self.ask("Объединить", f"С кем объединить? Номер ({others})", "")
        if answer is None or not answer.strip().isdigit():
            return
        self.worker.submit(TAGS[1], lambda: naming.merge_people(
            self.index_dir, card.id, int(answer)))

    def _menu(self, event: tk.Event, card: vm.PersonCard) -> None:
        self.menu.delete(0, "end")
        self.menu.add_command(label="Назвать…", command=lambda: self.name(card))
        self.menu.add_command(label="Объединить с…", command=lambda: self.merge(card))
        self.menu.tk_popup(event.x_root, event.y_root)

    def close(self) -> None:
        self.top.destroy()
