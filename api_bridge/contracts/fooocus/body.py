"""Reading a JSON request body as FastAPI would, its errors in FastAPI's shape (the routes parse bodies
themselves, so every refusal — bad JSON included — is answered the way upstream answers it)."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from ...errors import BridgeError, ErrorCode
from .errors import refused

M = TypeVar("M", bound=BaseModel)


async def read_json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        pos = getattr(exc, "pos", 0)
        detail = [
            {
                "type": "json_invalid",
                "loc": ["body", pos],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": str(exc)},
            }
        ]
        raise BridgeError(ErrorCode.invalid_input, "the body is not valid JSON", details={"detail": detail}) from None


def parse(model: type[M], data: Any, *, echo_body: bool = False) -> M:
    """``model`` from the decoded body; a 422 naming the fields otherwise (``echo_body``: the old API's shape)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise refused(exc, data if echo_body else None) from None
