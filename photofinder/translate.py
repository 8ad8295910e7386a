"""Drafting Russian names for a label set with deep-translator (needs the internet).

A machine translation is a draft for a person to review ("crane" -> "кран" for the
bird is wrong), never the shipped table: the reviewed table is data/vocabulary.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .errors import ModelUnavailableError
from .index import atomic_write
from .vocabulary import Vocabulary

BATCH = 50


def draft_translations(vocab: Vocabulary, out: Path, only_missing: bool = False,
                       on_progress: Callable[[int, int], None] | None = None) -> int:
    try:
        from deep_translator import GoogleTranslator
    except ImportError:
        raise ModelUnavailableError("нужен пакет deep-translator: `pip install deep-translator`") from None
    classes = [c for c in vocab.labels if c.kind == "imagenet" and not (only_missing and c.ru)]
    translator = GoogleTranslator(source="en", target="ru")
    drafts = []
    for start in range(0, len(classes), BATCH):
        chunk = classes[start:start + BATCH]
        try:
            texts = translator.translate_batch([c.en for c in chunk])
        except Exception as exc:  # deep-translator raises requests' errors and its own
            raise ModelUnavailableError(
                f"сервис перевода недоступен ({type(exc).__name__}): нужен интернет") from None
        for c, text in zip(chunk, texts):
            drafts.append({"index": c.index, "key": c.key, "en": c.en, "ru_draft": (text or "").lower(),
                           "ru_reviewed": c.ru})
        if on_progress:
            on_progress(min(start + BATCH, len(classes)), len(classes))
    payload = json.dumps(drafts, ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write(out, lambda f: f.write(payload))
    return len(drafts)
