"""PICPIK's Platform API signature: SHA-1 over every parameter but ``Signature``, rendered flat.

Top-level keys (and the keys of every nested object) in code-point order, each written as
``key + rendered(value)`` with no separators; the PrivateKey is appended; the signature is the
lowercase hex SHA-1 of the UTF-8 bytes. Values: strings as they are, booleans ``true``/``false``,
integers in decimal, integral floats as integers (``1.0`` → ``1``), other floats in their shortest
positional form (``7.5``, never ``1e-07``), arrays as their elements concatenated, objects
recursively, ``null`` as nothing. Verification re-renders the *parsed* body, so JSON number
formatting differences between clients (``1`` vs ``1.0``) never matter.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

SIGNATURE_KEY = "Signature"


def render(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int in Python
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")  # repr: the shortest round-trip digits; "f": positional
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "".join(render(v) for v in value)
    if isinstance(value, Mapping):
        return "".join(f"{k}{render(value[k])}" for k in sorted(value))
    raise TypeError(f"cannot sign a value of type {type(value).__name__}")


def string_to_sign(params: Mapping[str, Any], private_key: str) -> str:
    """Every parameter but ``Signature``, rendered in key order, then the private key."""
    return render({k: v for k, v in params.items() if k != SIGNATURE_KEY}) + private_key


def sign(params: Mapping[str, Any], private_key: str) -> str:
    return hashlib.sha1(string_to_sign(params, private_key).encode("utf-8")).hexdigest()


def signature_matches(params: Mapping[str, Any], private_key: str) -> bool:
    """Constant-time comparison of the body's ``Signature`` with the one computed from the body."""
    given = params.get(SIGNATURE_KEY)
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(sign(params, private_key).encode(), given.strip().lower().encode())
