"""Typed tasks: one pydantic model per task kind, composed of small reusable parts.

A contract turns its request into one of these; a recipe (``graph/recipes/``) turns it into a
graph. Images travel as :class:`ImageRef` (a key in the bridge's blob store), so a task is small,
JSON-serialisable and survives a bridge restart in the task store.

Each kind lives in its own module of this package and registers itself with :func:`task_kind`;
the modules are discovered, so adding a kind never edits this file (nor the service, the
executor or the routes). Scalars are strict where a bool/number/string mix-up is possible
(``"opacity": false`` is refused, not read as 0).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterator
from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter


class Part(BaseModel):
    """Base of every part: immutable, unknown keys rejected (contracts drop them before)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ImageRef(Part):
    """An input image stored by the bridge (blob store key) with its decoded size."""

    blob: str = Field(description="Key of an uploaded input image (POST /bridge/v1/images).")
    width: StrictInt = Field(gt=0)
    height: StrictInt = Field(gt=0)


def _kind_is_required(schema: dict[str, Any]) -> None:
    # Python callers may leave ``kind`` to its default; JSON callers must send it (it picks the model).
    if "kind" in schema.get("properties", {}) and "kind" not in schema.setdefault("required", []):
        schema["required"].insert(0, "kind")


class TaskBase(Part):
    """Every kind has a ``kind`` literal (its registry key) and a seed."""

    model_config = ConfigDict(json_schema_extra=_kind_is_required)

    kind: str
    seed: StrictInt | None = Field(None, description="None or -1: the bridge draws one and reports it.")

    def submitted_info(self) -> dict[str, Any]:
        """Facts the task itself reports from submission on (``record.info``), besides its seed."""
        return {}


_KINDS: dict[str, type[TaskBase]] = {}


def task_kind(cls: type[TaskBase]) -> type[TaskBase]:
    """Class decorator: register a task model under its ``kind`` literal."""
    kind = cls.model_fields["kind"].default
    if not isinstance(kind, str) or not kind:
        raise TypeError(f"{cls.__name__} needs a default for its 'kind' literal")
    if _KINDS.get(kind, cls) is not cls:
        raise ValueError(f"task kind {kind!r} is registered twice ({_KINDS[kind].__name__}, {cls.__name__})")
    _KINDS[kind] = cls
    return cls


@functools.cache
def _discover() -> None:
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")


def kinds() -> dict[str, type[TaskBase]]:
    """Every registered kind (after importing this package's modules once)."""
    _discover()
    return dict(sorted(_KINDS.items()))


def task_union() -> Any:
    """The discriminated union of every kind: the type of a task in request models and the OpenAPI schema."""
    models = tuple(kinds().values())
    if len(models) == 1:
        return models[0]
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007 (a runtime tuple of types)


@functools.cache
def _adapter(names: tuple[str, ...]) -> TypeAdapter:
    return TypeAdapter(task_union())


def parse_task(data: dict[str, Any]) -> TaskBase:
    """A task from its JSON form (as stored in a task record); raises pydantic's ValidationError."""
    return _adapter(tuple(kinds())).validate_python(data)


def image_refs(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, ImageRef]]:
    """Every ImageRef inside a task with its field path (``"mask.image"``), for checks and clean-up."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        items = value if isinstance(value, list | tuple) else [value]
        for i, item in enumerate(items):
            where = f"{path}[{i}]" if isinstance(value, list | tuple) else path
            if isinstance(item, ImageRef):
                yield where, item
            elif isinstance(item, BaseModel):
                yield from image_refs(item, f"{where}.")
