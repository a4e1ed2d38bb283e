"""A parsed ``/object_info``: node input specs and output types, used to check graphs at build time."""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass, field
from typing import Any

PRIMITIVES = ("INT", "FLOAT", "STRING", "BOOLEAN")


@dataclass(frozen=True)
class InputSpec:
    name: str
    type: str  # "INT", "IMAGE", "COMBO", ... (types joined by "," accept any of them)
    required: bool
    options: dict[str, Any] = field(default_factory=dict)
    choices: tuple[Any, ...] | None = None  # for COMBO

    @property
    def free_combo(self) -> bool:
        # LoadImage's file list is what the server had when object_info was read; uploads come later.
        return bool(self.options.get("image_upload")) or bool(self.options.get("allow_any"))

    def accepts_type(self, output_type: str) -> bool:
        if self.type == "*" or output_type == "*":
            return True
        return output_type in self.type.split(",")


@dataclass(frozen=True)
class NodeSpec:
    class_type: str
    inputs: dict[str, InputSpec]
    outputs: tuple[str, ...]
    output_names: tuple[str, ...]
    output_node: bool

    def output_index(self, name_or_index: str | int) -> int:
        if isinstance(name_or_index, int):
            if not 0 <= name_or_index < len(self.outputs):
                raise IndexError(f"{self.class_type} has {len(self.outputs)} outputs, no index {name_or_index}")
            return name_or_index
        if name_or_index in self.output_names:
            return self.output_names.index(name_or_index)
        raise KeyError(f"{self.class_type} has no output {name_or_index!r}; outputs: {', '.join(self.output_names)}")


def _parse_input(name: str, raw: list, required: bool) -> InputSpec:
    head = raw[0] if raw else "*"
    options = raw[1] if len(raw) > 1 and isinstance(raw[1], dict) else {}
    if isinstance(head, list):  # classic combo: [[choices], {...}]
        return InputSpec(name, "COMBO", required, options, tuple(head))
    if head == "COMBO":  # V3 style: ["COMBO", {"options": [...]}]
        return InputSpec(name, "COMBO", required, options, tuple(options.get("options", ())))
    return InputSpec(name, str(head), required, options)


class ObjectInfo:
    """Node specs by class type. Build from the server's JSON or a captured fixture."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw
        self._specs: dict[str, NodeSpec] = {}

    @classmethod
    def from_file(cls, path: str | pathlib.Path) -> ObjectInfo:
        return cls(json.loads(pathlib.Path(path).read_text()))

    def __contains__(self, class_type: str) -> bool:
        return class_type in self.raw

    def spec(self, class_type: str) -> NodeSpec:
        if class_type not in self._specs:
            info = self.raw[class_type]
            inputs: dict[str, InputSpec] = {}
            for section, required in (("required", True), ("optional", False)):
                for name, raw in (info.get("input", {}).get(section) or {}).items():
                    inputs[name] = _parse_input(name, raw, required)
            self._specs[class_type] = NodeSpec(
                class_type=class_type,
                inputs=inputs,
                outputs=tuple(info.get("output", ())),
                output_names=tuple(info.get("output_name", info.get("output", ()))),
                output_node=bool(info.get("output_node")),
            )
        return self._specs[class_type]

    def trimmed(self, class_types: list[str] | tuple[str, ...]) -> dict[str, Any]:
        """The raw JSON of just these nodes (for a committed test fixture)."""
        return {k: self.raw[k] for k in class_types if k in self.raw}
