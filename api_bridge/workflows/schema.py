"""The request model of a registered workflow: its image inputs and parameters as typed, checked fields.

``POST /bridge/v1/workflows/{name}`` takes ``{"inputs": {...}, "webhook_url": ...}``. Each image input is
required (base64, a data: URI, an http(s) URL, or an image ref from ``POST /bridge/v1/images``); each
parameter is optional and defaults to the value saved in the workflow, with the widget's type, range
and choices from ``/object_info`` (``null`` means the default). Unknown keys are refused, so a misspelt
parameter never goes unnoticed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    WithJsonSchema,
    create_model,
)

from ..graph.object_info import InputSpec
from ..openapi import inline_schema
from ..tasks import ImageRef
from .spec import Param, WorkflowSpec

MAX_TEXT = 100_000


def _image_value(value: Any) -> str | ImageRef:
    """A picture as sent: text (decoded later by the image loader) or an image ref; one error naming the field."""
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, dict):
        try:
            return ImageRef.model_validate(value)
        except ValidationError as exc:
            raise ValueError(f"not an image ref ({exc.errors()[0]['msg']})") from None
    raise ValueError("expected an image: base64, a data: URI, an http(s) URL or an image ref {blob, width, height}")


ImageValue = Annotated[
    Any,
    PlainValidator(_image_value),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "minLength": 1}, inline_schema(ImageRef)],
            "description": "base64, a data: URI, an http(s) URL, or an image ref from POST /bridge/v1/images",
        }
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False)


def model_name(workflow: str, *parts: str) -> str:
    """A schema name unique to the workflow (OpenAPI component names)."""
    safe = re.sub(r"[^A-Za-z0-9]+", "_", "_".join((workflow, *parts))).strip("_")
    return f"Workflow_{safe}"


def field_type(spec: InputSpec) -> Any:
    """The strict pydantic type of a widget: range and choices as /object_info declares them."""
    bounds = {k: spec.options[key] for k, key in (("ge", "min"), ("le", "max")) if spec.options.get(key) is not None}
    if spec.type == "INT":
        return Annotated[StrictInt, Field(**bounds)]
    if spec.type == "FLOAT":
        return Annotated[StrictFloat, Field(**bounds)]
    if spec.type == "BOOLEAN":
        return StrictBool
    if spec.type == "STRING":
        return Annotated[StrictStr, Field(max_length=MAX_TEXT)]
    if spec.type == "COMBO" and spec.choices and not spec.free_combo:
        return Literal[tuple(spec.choices)]  # type: ignore[valid-type]
    if spec.type == "COMBO":
        return StrictStr
    return Any


def _field(param: Param) -> tuple[Any, Any]:
    what = "drawn anew for every run unless set" if param.randomize else f"default: the saved value {param.default!r}"
    tooltip = param.spec.options.get("tooltip")
    description = f"{param.spec.type} widget {param.input!r} of node {param.node} ({what})."
    if tooltip:
        description = f"{tooltip} {description}"
    default = None if param.randomize else param.default
    # null means "not set", as everywhere in the bridge's contracts.
    return field_type(param.spec) | None, Field(default, alias=param.path[-1], description=description)


def request_model(workflow: str, spec: WorkflowSpec) -> type[BaseModel]:
    """``{"inputs": {...}, "webhook_url": ...}`` for this workflow."""
    fields: dict[str, Any] = {}
    for i, image in enumerate(spec.images):
        fields[f"image_{i}"] = (
            ImageValue,
            Field(alias=image.name, description=f"{image.node_type} node {image.node} ({image.title})."),
        )
    groups: dict[str, list[Param]] = {}
    for param in spec.params:
        groups.setdefault(param.path[0], []).append(param)
    for i, (name, params) in enumerate(groups.items()):
        if len(params) == 1 and len(params[0].path) == 1:
            kind, info = _field(params[0])
            fields[f"param_{i}"] = (kind, info)
            continue
        group = create_model(
            model_name(workflow, name),
            __base__=_Strict,
            **{f"w_{j}": _field(p) for j, p in enumerate(params)},
        )
        fields[f"param_{i}"] = (
            group,
            Field(default_factory=group, alias=name, description=f"Widgets of node {params[0].node}."),
        )
    inputs = create_model(model_name(workflow, "inputs"), __base__=_Strict, **fields)
    required = bool(spec.images)
    return create_model(
        model_name(workflow, "request"),
        __base__=_Strict,
        inputs=(inputs, Field(... if required else None, description="Image inputs and parameters.")),
        webhook_url=(
            StrictStr | None,
            Field(None, description="POSTed the finished task record (signed; public hosts only)."),
        ),
    )


def given_values(request: BaseModel) -> tuple[dict[str, Any], dict[str, Any]]:
    """(images by input name, parameters the caller set by name): the request's ``inputs``, by alias."""
    inputs = request.inputs  # type: ignore[attr-defined]
    if inputs is None:
        return {}, {}
    images: dict[str, Any] = {}
    params: dict[str, Any] = {}
    for attr, info in type(inputs).model_fields.items():
        value = getattr(inputs, attr)
        if attr.startswith("image_"):
            images[info.alias] = value
        elif attr in inputs.model_fields_set:
            params[info.alias] = (
                value.model_dump(by_alias=True, exclude_unset=True) if isinstance(value, BaseModel) else value
            )
    return images, params
