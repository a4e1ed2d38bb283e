"""Textual-inversion embeddings in a prompt: A1111 names them as plain words, ComfyUI as ``embedding:NAME``.

ComfyUI's tokenizer (``comfy/sd1_clip.py``) loads an embedding for a word ``embedding:NAME`` that
starts the text or follows a space or newline; NAME is looked up in models/embeddings with or
without its extension. A1111 activates an embedding wherever its file's stem appears as a word.
``with_embeddings`` rewrites a prompt pair from the one convention to the other (pure: no torch,
no ComfyUI).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

EXTENSIONS = (".safetensors", ".pt", ".bin")
IDENTIFIER = "embedding:"


class EmbeddingLike(Protocol):
    name: str
    where: str  # "mentioned" | "positive" | "negative"


def stem(name: str) -> str:
    """The word a prompt names the embedding file by: its base name without extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    for ext in EXTENSIONS:
        if base.lower().endswith(ext):
            return base[: -len(ext)]
    return base


def reference(name: str) -> str:
    """ComfyUI's word for the file (folder kept, extension dropped: the loader tries each)."""
    folder = name.replace("\\", "/").rpartition("/")[0]
    return IDENTIFIER + (f"{folder}/" if folder else "") + stem(name)


def _mention(word: str) -> re.Pattern:
    # A whole word: not inside a longer name or a file name, not already after "embedding:".
    return re.compile(rf"(?<![\w.:/-]){re.escape(word)}(?![\w-]|\.\w)")


def _rewrite(text: str, word: str, ref: str) -> str:
    out, last = [], 0
    for m in _mention(word).finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        lead = " " if before and not before.isspace() and before != "(" else ""
        # ComfyUI takes the word up to the next space (commas stripped); ")" and ":" close a weight "(name:1.2)".
        trail = " " if after and not after.isspace() and after not in ",):" else ""
        out += [text[last : m.start()], lead, ref, trail]
        last = m.end()
    return "".join(out) + text[last:]


def _append(text: str, ref: str) -> str:
    return f"{text}, {ref}" if text.strip() else ref


def with_embeddings(positive: str, negative: str, embeddings: Iterable[EmbeddingLike]) -> tuple[str, str]:
    """(positive, negative) with each embedding written as ComfyUI reads it (see the module doc)."""
    for emb in embeddings:
        ref = reference(emb.name)
        if emb.where == "positive":
            positive = _append(positive, ref)
        elif emb.where == "negative":
            negative = _append(negative, ref)
        else:
            word = stem(emb.name)
            positive, negative = _rewrite(positive, word, ref), _rewrite(negative, word, ref)
    return positive, negative
