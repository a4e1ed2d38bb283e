"""What a saved workflow takes and gives: its image inputs, marked parameters, seeds and outputs.

* Every ``LoadImage`` / ``LoadImageMask`` is an image input, named by its marker title
  (``input:photo`` → ``photo``), else ``image`` (one image node) or ``image_<node id>``.
* A node whose title starts with ``input:`` exposes its widgets as typed parameters (type, range and
  choices from ``/object_info``, default = the saved value): ``input:prompt`` on a node with one widget
  is the parameter ``prompt``; on a node with several (``input:sampler`` on a KSampler) it is an object
  ``sampler`` with one optional field per widget. A widget fed by a link is not a parameter. A marked
  ``PrimitiveNode`` is one parameter setting every widget it feeds.
* Outputs are the ``SaveImage`` / ``PreviewImage`` / ``MaskPreview`` nodes (images) and ``PreviewAny``
  nodes (text or JSON), named by their title (``output:name`` marks one explicitly).
* Widgets whose "control after generate" says ``randomize`` are drawn anew for every run (INT seeds
  within the widget's range, as the frontend draws them; combos pick a choice) unless the caller
  sets them; ``fixed``, ``increment`` and ``decrement`` keep the saved value.

A title marker works the same in UI and API format (the API format keeps titles in ``_meta``), needs
no extra node on the server, and shows in the editor where the value is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..graph import node_ids
from ..graph.object_info import InputSpec, ObjectInfo
from .convert import WorkflowError, convert, is_api_format, is_ui_format
from .widgets import widget_inputs

INPUT_MARKER = re.compile(r"^\s*input\s*:\s*(.*?)\s*$", re.IGNORECASE)
OUTPUT_MARKER = re.compile(r"^\s*output\s*:\s*(.*?)\s*$", re.IGNORECASE)
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
# Node type -> the input naming the picture it loads.
IMAGE_NODES = {node_ids.LOAD_IMAGE: "image", node_ids.LOAD_IMAGE_MASK: "image"}
IMAGE_OUTPUTS = frozenset({node_ids.SAVE_IMAGE, node_ids.PREVIEW_IMAGE, node_ids.MASK_PREVIEW})
TEXT_OUTPUTS = frozenset({node_ids.PREVIEW_ANY})
RESERVED = frozenset({"webhook_url"})


@dataclass(frozen=True)
class ImageInput:
    name: str
    node: str
    node_type: str
    title: str


@dataclass(frozen=True)
class Param:
    """A widget exposed as a parameter; ``path`` is ("prompt",) or ("sampler", "steps").

    ``targets``: the (node id, input) pairs it sets: one widget, or every widget a PrimitiveNode feeds.
    """

    path: tuple[str, ...]
    targets: tuple[tuple[str, str], ...]
    spec: InputSpec
    default: Any
    randomize: bool = False

    @property
    def name(self) -> str:
        return ".".join(self.path)

    @property
    def node(self) -> str:
        return self.targets[0][0]

    @property
    def input(self) -> str:
        return self.targets[0][1]


@dataclass(frozen=True)
class Output:
    name: str
    node: str
    node_type: str
    kind: str  # "image" | "text"


@dataclass(frozen=True)
class Drawn:
    """Widgets whose control says randomize: one value drawn per run (unless the caller sets it) for all targets."""

    targets: tuple[tuple[str, str], ...]
    spec: InputSpec

    @property
    def key(self) -> str:
        node, name = self.targets[0]
        return f"{node}.{name}"


@dataclass
class WorkflowSpec:
    format: str  # "ui" | "api"
    prompt: dict[str, dict[str, Any]]  # the template: {node id: {"class_type", "inputs"}}
    titles: dict[str, str]
    images: list[ImageInput] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    drawn: list[Drawn] = field(default_factory=list)
    dynamic: dict[tuple[str, str], str] = field(default_factory=dict)  # dynamic-prompt widgets: the saved text
    seed_inputs: list[tuple[str, str]] = field(default_factory=list)  # INT widgets named like seeds


def _node_order(node_id: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[:.]", node_id)) + (node_id,)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "output"


def parse(data: Any, object_info: ObjectInfo) -> WorkflowSpec:
    """The spec of a workflow file's JSON (UI or API format); raises WorkflowError naming what is wrong."""
    if is_ui_format(data):
        converted = convert(data, object_info)
        prompt = {k: {"class_type": v["class_type"], "inputs": v["inputs"]} for k, v in converted.prompt.items()}
        titles = {k: v["_meta"]["title"] for k, v in converted.prompt.items()}
        spec = _build(
            "ui",
            prompt,
            titles,
            _titled(prompt, titles, object_info),
            dict(converted.widgets),
            object_info,
            converted.primitives,
        )
        return spec
    if is_api_format(data):
        prompt, titles = {}, {}
        for node_id, node in data.items():
            node_id = str(node_id)
            if not isinstance(node.get("inputs", {}), dict):
                raise WorkflowError(f"node {node_id}: 'inputs' must be an object", node_id=node_id)
            prompt[node_id] = {"class_type": node["class_type"], "inputs": dict(node.get("inputs") or {})}
            info = object_info.raw.get(node["class_type"]) or {}
            titles[node_id] = ((node.get("_meta") or {}).get("title")) or info.get("display_name") or node["class_type"]
        missing = [f"{k} ({v['class_type']})" for k, v in prompt.items() if v["class_type"] not in object_info]
        if missing:
            first = next(k for k, v in prompt.items() if v["class_type"] not in object_info)
            raise WorkflowError(
                f"node type not installed on this ComfyUI: {', '.join(missing)}",
                node_id=first,
                node_type=prompt[first]["class_type"],
            )
        literal = {}
        for node_id, node in prompt.items():
            widgets = set(widget_inputs(object_info.raw[node["class_type"]]))
            for name, value in node["inputs"].items():
                if name in widgets and not _is_link(value):
                    literal[(node_id, name)] = None
        return _build("api", prompt, titles, _titled(prompt, titles, object_info), literal, object_info, [])
    raise WorkflowError("not a ComfyUI workflow: expected the UI format (nodes, links) or the API format")


def _titled(prompt: dict, titles: dict[str, str], object_info: ObjectInfo) -> set[str]:
    """Nodes the user gave a title (one that is not the node's display name): only those can carry markers."""
    return {
        node_id
        for node_id, node in prompt.items()
        if titles.get(node_id) != (object_info.raw.get(node["class_type"]) or {}).get("display_name")
    }


def _is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], int)


def _build(
    fmt: str,
    prompt: dict[str, dict[str, Any]],
    titles: dict[str, str],
    custom: set[str],
    literal: dict[tuple[str, str], Any],
    object_info: ObjectInfo,
    primitives: list,
) -> WorkflowSpec:
    spec = WorkflowSpec(format=fmt, prompt=prompt, titles=titles)
    order = sorted(prompt, key=_node_order)
    image_nodes = [n for n in order if prompt[n]["class_type"] in IMAGE_NODES]
    for node_id in order:
        node = prompt[node_id]
        kind = node["class_type"]
        marker = INPUT_MARKER.match(titles.get(node_id, "")) if node_id in custom else None
        name = marker.group(1) if marker else None
        if marker and not FIELD_NAME.match(name or ""):
            raise WorkflowError(
                f"node {node_id} ({kind}): the title {titles[node_id]!r} marks an input, but {name!r} is not a "
                "usable name (letters, digits, _ and -, starting with a letter or _)",
                node_id=node_id,
                node_type=kind,
            )
        node_spec = object_info.spec(kind)
        if kind in IMAGE_NODES:
            default = "image" if len(image_nodes) == 1 else f"image_{node_id.replace(':', '_')}"
            spec.images.append(ImageInput(name or default, node_id, kind, titles.get(node_id, kind)))
        elif name:
            keys = [k for k in literal if k[0] == node_id and k[1] in node_spec.inputs]
            if not keys:
                raise WorkflowError(
                    f"node {node_id} ({kind}) is marked {titles[node_id]!r} but has no widget value to expose "
                    "(its inputs are all links)",
                    node_id=node_id,
                    node_type=kind,
                )
            for key in keys:
                path = (name,) if len(keys) == 1 else (name, key[1])
                spec.params.append(_param(path, (key,), prompt, node_spec.inputs[key[1]], literal[key]))
        for key in [k for k in literal if k[0] == node_id]:
            widget = literal[key]
            ispec = node_spec.inputs.get(key[1])
            randomized = widget is not None and widget.control == "randomize" and widget.source is None
            if randomized and ispec is not None and ispec.type in ("INT", "COMBO"):
                spec.drawn.append(Drawn((key,), ispec))
            if widget is not None and widget.dynamic and isinstance(widget.value, str):
                spec.dynamic[key] = widget.value
            if ispec is not None and ispec.type == "INT" and key[1] in ("seed", "noise_seed"):
                spec.seed_inputs.append(key)
        if kind in IMAGE_OUTPUTS or kind in TEXT_OUTPUTS:
            out_marker = OUTPUT_MARKER.match(titles.get(node_id, "")) if node_id in custom else None
            title = out_marker.group(1) if out_marker else titles.get(node_id, kind)
            spec.outputs.append(Output(_slug(title), node_id, kind, "image" if kind in IMAGE_OUTPUTS else "text"))
    for primitive in primitives:
        _add_primitive(spec, primitive, literal, object_info)
    drawn = {t for d in spec.drawn for t in d.targets}
    spec.params = [Param(p.path, p.targets, p.spec, p.default, p.targets[0] in drawn) for p in spec.params]
    _unique_output_names(spec)
    _check_names(spec)
    if not spec.outputs:
        raise WorkflowError(
            "the workflow has no output node: add a SaveImage, PreviewImage, MaskPreview or PreviewAny (Preview as "
            "Text) node for what it should return"
        )
    return spec


def _param(path: tuple[str, ...], targets: tuple, prompt: dict, ispec: InputSpec, widget: Any) -> Param:
    node, name = targets[0]
    value = prompt[node]["inputs"][name]
    if isinstance(value, dict) and "__value__" in value:
        value = value["__value__"]
    if widget is not None and widget.dynamic:
        value = widget.value  # the text as saved, before its {a|b} choices are drawn
    return Param(path, targets, ispec, value)


def _add_primitive(spec: WorkflowSpec, primitive: Any, literal: dict, object_info: ObjectInfo) -> None:
    """A PrimitiveNode: one draw for all it feeds when its control says randomize; a parameter when marked."""
    first = literal[primitive.targets[0]]
    node, name = primitive.targets[0]
    ispec = object_info.spec(spec.prompt[node]["class_type"]).inputs.get(name)
    if ispec is None:
        return
    if first.control == "randomize" and ispec.type in ("INT", "COMBO"):
        spec.drawn.append(Drawn(primitive.targets, ispec))
    marker = INPUT_MARKER.match(primitive.title or "")
    if marker:
        if not FIELD_NAME.match(marker.group(1)):
            raise WorkflowError(
                f"node {primitive.id} (PrimitiveNode): the title {primitive.title!r} marks an input, but "
                f"{marker.group(1)!r} is not a usable name",
                node_id=primitive.id,
                node_type="PrimitiveNode",
            )
        spec.params.append(_param((marker.group(1),), primitive.targets, spec.prompt, ispec, first))


def _unique_output_names(spec: WorkflowSpec) -> None:
    counts: dict[str, int] = {}
    for out in spec.outputs:
        counts[out.name] = counts.get(out.name, 0) + 1
    spec.outputs = [
        Output(f"{o.name}_{o.node}" if counts[o.name] > 1 else o.name, o.node, o.node_type, o.kind)
        for o in spec.outputs
    ]


def _check_names(spec: WorkflowSpec) -> None:
    seen: dict[str, str] = {}
    for name, where in [(i.name, f"node {i.node}") for i in spec.images] + [
        (p.path[0], f"node {p.node}") for p in spec.params
    ]:
        if name in RESERVED:
            raise WorkflowError(f"{where}: the input name {name!r} is reserved", node_id=where.split()[1])
        if name in seen and seen[name] != where:
            raise WorkflowError(
                f"{where} and {seen[name]} both define the input {name!r}: give one of them another input: title",
                node_id=where.split()[1],
            )
        seen[name] = where
