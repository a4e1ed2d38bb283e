"""Graph builder with typed output handles, checked against ``/object_info`` as nodes are added.

Recipes call ``g.add(node_ids.X, input=value_or_handle)``; a wrong node id, an unknown
input, a type mismatch, a combo value outside its list or a number outside its range
raises :class:`GraphBuildError` naming the node and input: a broken recipe fails at
build time, never on the server. A required input the recipe leaves out takes the node's
declared default, except a combo that names model files: the builder never picks a model
the request did not name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import BridgeError, ErrorCode
from . import node_ids
from .object_info import PRIMITIVES, InputSpec, NodeSpec, ObjectInfo

# A combo whose choices look like these names model files (checkpoints, LoRAs, VAEs, erase/SAM models...).
_FILE_CHOICE = re.compile(r"\.(safetensors|sft|ckpt|pt|pth|bin|onnx|gguf|pkl|tflite)$", re.IGNORECASE)


def names_files(spec: InputSpec) -> bool:
    return spec.type == "COMBO" and any(isinstance(c, str) and _FILE_CHOICE.search(c) for c in spec.choices or ())


class GraphBuildError(BridgeError):
    def __init__(self, message: str, *, node_type: str | None = None, node_id: str | None = None):
        super().__init__(ErrorCode.graph_invalid, message, node_id=node_id, node_type=node_type)


class ModelNotInstalledError(GraphBuildError):
    """A model file a task names that this ComfyUI does not list. Its code is ``model_not_found`` with the
    resolver's details (``api_bridge/models``); still a build error, so the executor refetches a stale
    object_info once before giving up (a file added since)."""

    def __init__(self, message: str, *, kind: str, name: str, installed: list[str], field: str, node_type: str):
        super().__init__(message, node_type=node_type)
        details = {"kind": kind, "name": name, "installed": installed, "field": field}
        self.info = self.info.model_copy(update={"code": ErrorCode.model_not_found, "details": details})


@dataclass(frozen=True)
class Output:
    """A typed handle on one output of a node in the graph."""

    node: str
    index: int
    type: str

    def link(self) -> list:
        return [self.node, self.index]


@dataclass
class NodeRef:
    id: str
    class_type: str
    spec: NodeSpec

    def out(self, which: str | int = 0) -> Output:
        try:
            index = self.spec.output_index(which)
        except (IndexError, KeyError) as exc:
            raise GraphBuildError(str(exc), node_type=self.class_type, node_id=self.id) from exc
        return Output(self.id, index, self.spec.outputs[index])

    def __getitem__(self, which: str | int) -> Output:
        return self.out(which)


@dataclass
class BuiltGraph:
    """An API-format prompt plus what the executor needs around it."""

    prompt: dict[str, dict[str, Any]]
    outputs: dict[str, str]  # result name -> id of the output node whose images are that result
    uploads: dict[str, str] = field(default_factory=dict)  # ComfyUI input file name -> blob key
    info: dict[str, Any] = field(default_factory=dict)  # e.g. the resolved seed


def _check_literal(node: str, spec: InputSpec, value: Any) -> None:
    where = f"{node}.{spec.name}"
    if spec.type == "COMBO":
        if spec.free_combo:
            if not isinstance(value, str):
                raise GraphBuildError(f"{where}: expected a string, got {value!r}", node_type=node)
            return
        if value not in (spec.choices or ()):
            shown = ", ".join(map(repr, (spec.choices or ())[:12]))
            raise GraphBuildError(f"{where}: {value!r} is not one of [{shown}]", node_type=node)
        return
    if spec.type not in PRIMITIVES:
        raise GraphBuildError(f"{where}: needs a {spec.type} output handle, got the literal {value!r}", node_type=node)
    ok = {
        "INT": isinstance(value, int) and not isinstance(value, bool),
        "FLOAT": isinstance(value, int | float) and not isinstance(value, bool),
        "STRING": isinstance(value, str),
        "BOOLEAN": isinstance(value, bool),
    }[spec.type]
    if not ok:
        raise GraphBuildError(f"{where}: expected {spec.type}, got {type(value).__name__} {value!r}", node_type=node)
    if spec.type in ("INT", "FLOAT"):
        lo, hi = spec.options.get("min"), spec.options.get("max")
        if lo is not None and value < lo or hi is not None and value > hi:
            raise GraphBuildError(f"{where}: {value} is outside [{lo}, {hi}]", node_type=node)


class Graph:
    """Builds one API-format prompt. Node ids are "1", "2", ... in insertion order (stable goldens)."""

    def __init__(self, object_info: ObjectInfo):
        self.object_info = object_info
        self.nodes: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, str] = {}
        self.uploads: dict[str, str] = {}
        self.info: dict[str, Any] = {}

    def add(self, class_type: str, **inputs: Any) -> NodeRef:
        if class_type not in self.object_info:
            raise GraphBuildError(
                f"node {class_type!r} is not installed on this ComfyUI (not in /object_info)", node_type=class_type
            )
        spec = self.object_info.spec(class_type)
        node_inputs: dict[str, Any] = {}
        for name, value in inputs.items():
            if value is None:
                continue  # optional input left unset
            ispec = spec.inputs.get(name)
            if ispec is None:
                raise GraphBuildError(
                    f"{class_type} has no input {name!r}; inputs: {', '.join(spec.inputs)}", node_type=class_type
                )
            if isinstance(value, NodeRef):
                value = value.out(0)
            if isinstance(value, Output):
                if not ispec.accepts_type(value.type):
                    raise GraphBuildError(
                        f"{class_type}.{name}: expects {ispec.type}, got a {value.type} output", node_type=class_type
                    )
                node_inputs[name] = value.link()
            else:
                _check_literal(class_type, ispec, value)
                node_inputs[name] = value
        for ispec in spec.inputs.values():
            if not ispec.required or ispec.name in node_inputs:
                continue
            if names_files(ispec):
                raise GraphBuildError(
                    f"{class_type}: required input {ispec.name!r} names a model file and was not given",
                    node_type=class_type,
                )
            if "default" in ispec.options and (ispec.type in PRIMITIVES or ispec.type == "COMBO"):
                node_inputs[ispec.name] = ispec.options["default"]  # ComfyUI requires every required input
            else:
                raise GraphBuildError(f"{class_type}: required input {ispec.name!r} is missing", node_type=class_type)
        node_id = str(len(self.nodes) + 1)
        self.nodes[node_id] = {"class_type": class_type, "inputs": node_inputs}
        return NodeRef(node_id, class_type, spec)

    def load_image(self, blob_key: str) -> NodeRef:
        """LoadImage of a bridge blob; the executor uploads it under this name before submitting."""
        filename = f"inpaint-bridge/{blob_key}"  # keys carry their extension
        self.uploads[filename] = blob_key
        return self.add(node_ids.LOAD_IMAGE, image=filename)

    def result(self, name: str, node: NodeRef) -> None:
        """Mark an output node (PreviewImage/SaveImage) as the task's result ``name``."""
        if not node.spec.output_node:
            raise GraphBuildError(f"{node.class_type} is not an output node", node_type=node.class_type)
        self.outputs[name] = node.id

    def build(self) -> BuiltGraph:
        if not self.outputs:
            raise GraphBuildError("graph has no result output")
        return BuiltGraph(
            prompt={k: {"class_type": v["class_type"], "inputs": dict(v["inputs"])} for k, v in self.nodes.items()},
            outputs=dict(self.outputs),
            uploads=dict(self.uploads),
            info=dict(self.info),
        )
