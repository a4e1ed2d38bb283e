"""A small PICPIK client written from PICPIK's signature rules (no SDK exists): build, sign, POST.

Its signer is written here from ``signature_rule.md`` on purpose, apart from the bridge's
(``api_bridge/contracts/picpik/signer.py``): the tests check one against the other, and both against
PICPIK's published test vectors.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any

import httpx


def _flat(value: Any) -> str:
    # PICPIK: str as is; bool true/false; int decimal; float integral -> int, else shortest positional;
    # list: items joined; dict: sorted keys, key + value; null -> "".
    if value is None:
        return ""
    if value is True or value is False:
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else format(Decimal(str(value)), "f")
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, list):
        return "".join(_flat(v) for v in value)
    return "".join(k + _flat(value[k]) for k in sorted(value))


def signature(params: dict[str, Any], private_key: str) -> str:
    text = _flat({k: v for k, v in params.items() if k != "Signature"}) + private_key
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class PicpikClient:
    def __init__(self, url: str, public_key: str, private_key: str):
        self.url, self.public_key, self.private_key = url, public_key, private_key

    def body(self, action: str, **params: Any) -> dict[str, Any]:
        body = {"Action": action, "PublicKey": self.public_key, "request_uuid": str(uuid.uuid4()), **params}
        body["Signature"] = signature(body, self.private_key)
        return body

    def post(self, body: dict[str, Any] | bytes, timeout: float = 120) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.post(
            self.url + "/", content=content, headers={"Content-Type": "application/json"}, timeout=timeout
        )

    def call(self, action: str, **params: Any) -> dict[str, Any]:
        r = self.post(self.body(action, **params))
        assert r.status_code == 200, r.text
        return r.json()
