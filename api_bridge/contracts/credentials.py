"""Contract credentials from settings: key pairs (``ID:SECRET,ID2:SECRET2`` or a JSON object) and key lists.

Secrets only ever live in the contract's settings: never in task records, never in logs (errors name
the setting, not its value).
"""

from __future__ import annotations

import json


def parse_pairs(text: str, setting: str, pair_name: str = "ID:SECRET") -> dict[str, str]:
    """``"A:x,B:y"`` or ``'{"A": "x"}'`` → ``{"A": "x", ...}``; the secret may hold ``:`` itself."""
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            pairs = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{setting} is not a valid JSON object: {exc.msg}") from None
        if not isinstance(pairs, dict):
            raise ValueError(f"{setting}: expected a JSON object")
        return {str(k): str(v) for k, v in pairs.items()}
    out = {}
    for item in text.split(","):
        key, sep, secret = item.strip().partition(":")
        if not sep or not key or not secret:
            raise ValueError(f"{setting}: expected {pair_name} pairs separated by commas, or a JSON object")
        out[key] = secret
    return out
