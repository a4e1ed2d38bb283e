"""Helpers for routes that read their raw body (signatures cover the exact bytes) yet document it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its ``$defs`` resolved in place (for ``openapi_extra``, where refs can't point)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.rsplit("/", 1)[1]])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": inline_schema(model)}}}


def query(name: str, values: list[str], description: str = "") -> dict[str, Any]:
    """A required query parameter with a fixed set of values."""
    return {
        "name": name,
        "in": "query",
        "required": True,
        "schema": {"type": "string", "enum": values},
        "description": description,
    }
