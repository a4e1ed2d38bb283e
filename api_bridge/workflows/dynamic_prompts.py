"""The frontend's dynamic prompts: what a STRING widget with ``dynamicPrompts`` sends when queued.

Comments (``/* ... */`` and ``// ...`` to the end of a line) are removed, and each ``{a|b|c}`` is
replaced by one of its choices (nested blocks allowed; ``\\{``, ``\\|``, ``\\}`` are literal). The
frontend draws with ``Math.random``; the bridge draws with a seeded RNG, so a stored task always
resolves to the same text.
"""

from __future__ import annotations

import random
import re

_COMMENTS = re.compile(r"/\*[\s\S]*?\*/|//.*")
_ESCAPED = re.compile(r"\\([{}|])")


def has_choices(text: str) -> bool:
    return "{" in _COMMENTS.sub("", text)


def process(text: str, rng: random.Random | None = None) -> str:
    """``text`` as the frontend queues it (choices drawn from ``rng``)."""
    rng = rng or random.Random(0)
    return _ESCAPED.sub(r"\1", _expand(_COMMENTS.sub("", text), rng))


def _expand(text: str, rng: random.Random) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        i += 1
        if ch == "\\":
            out.append("\\" + text[i : i + 1])
            i += 1
        elif ch == "{":
            choice, i = _choice_block(text, i, rng)
            out.append(choice)
        else:
            out.append(ch)
    return "".join(out)


def _choice_block(text: str, i: int, rng: random.Random) -> tuple[str, int]:
    """Read a ``{...}`` block from just after its brace; returns the chosen (expanded) option and the index after it."""
    options, current, depth = [], [], 0
    while i < len(text):
        ch = text[i]
        i += 1
        if ch == "\\":
            current.append("\\" + text[i : i + 1])
            i += 1
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            if not depth:
                break
            depth -= 1
        elif ch == "|" and not depth:
            options.append("".join(current))
            current = []
            continue
        current.append(ch)
    options.append("".join(current))
    # The chosen option is processed again as a whole prompt, as the frontend does.
    return process(options[rng.randrange(len(options))], rng), i
