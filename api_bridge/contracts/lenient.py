"""What every contract's request models share: lenient about absence, strict about types.

* An optional field sent as ``null`` — or ``""`` / ``{}``, which some clients send for "not set"
  (the Novita Python SDK sends ``"sd_vae": ""`` and ``"custom_storage": {}``) — takes its default.
* Unknown keys are ignored (clients send misspelled and newer keys).
* Numbers and booleans are not coerced from other types: ``"steps": "20"`` or ``"steps": true`` is
  refused naming the field. An integer field takes an integral float (``10.0``: Python clients and
  JSON encoders write them), never a fractional one.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, StrictBool, StrictFloat, StrictInt, model_validator


def drop_unset(data: Any) -> Any:
    """A mapping without the keys whose value means "not set" (``None``, ``""``, ``{}``)."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if v is not None and v != "" and v != {}}
    return data


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Int = Annotated[StrictInt, BeforeValidator(_integral)]
Float = StrictFloat  # accepts ints (JSON 1 for 1.0), never bools or strings
Bool = StrictBool


class Lenient(BaseModel):
    """Base of request models: frozen, unknown keys ignored, unset values replaced by the defaults."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _unset_means_default(cls, data: Any) -> Any:
        return drop_unset(data)


def describe(error) -> str:
    """A pydantic ``ValidationError`` as one line naming every field (``request.steps: ...``)."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


__all__ = ["Bool", "Float", "Int", "Lenient", "describe", "drop_unset"]
