"""A graph builder with typed output handles, checked against ComfyUI's /object_info.

``g.node("IB_MaskGrow", mask=m.out("mask"), radius=8)`` fills omitted widgets with
their defaults, and fails at build time when the
node class does not exist, an input name is unknown, a required input is missing,
a linked output has the wrong type, or a widget value is outside its options/range.
"""

from dataclasses import dataclass

from ..errors import BridgeError

_WIDGETS = {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"}


@dataclass(frozen=True)
class Output:
    node_id: str
    index: int
    type: str

    def link(self) -> list:
        return [self.node_id, self.index]


class Node:
    def __init__(self, node_id: str, class_type: str, info: dict):
        self.id, self.class_type, self._info = node_id, class_type, info

    def out(self, which: int | str = 0) -> Output:
        names = self._info.get("output_name") or self._info["output"]
        types = self._info["output"]
        index = names.index(which) if isinstance(which, str) and which in names else which
        if not isinstance(index, int) or not 0 <= index < len(types):
            raise BridgeError("comfy_validation", f"{self.class_type} has no output {which!r} (outputs: {names})")
        return Output(self.id, index, types[index])


def _check_widget(class_type: str, name: str, spec: list, value) -> None:
    kind = spec[0]
    opts = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
    options = kind if isinstance(kind, list) else opts.get("options") if kind == "COMBO" else None
    where = f"{class_type}.{name}"
    if opts.get("image_upload"):  # LoadImage: the file was uploaded after /object_info was read
        if not isinstance(value, str) or not value:
            raise BridgeError("comfy_validation", f"{where}: expected an uploaded file name, got {value!r}")
        return
    if options is not None:
        if value not in options:
            raise BridgeError("comfy_validation", f"{where}: {value!r} is not one of {options}")
        return
    if kind in ("INT", "FLOAT"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BridgeError("comfy_validation", f"{where}: expected a number, got {value!r}")
        if "min" in opts and value < opts["min"] or "max" in opts and value > opts["max"]:
            raise BridgeError("comfy_validation", f"{where}: {value} outside [{opts.get('min')}, {opts.get('max')}]")
    elif kind == "BOOLEAN" and not isinstance(value, bool):
        raise BridgeError("comfy_validation", f"{where}: expected true/false, got {value!r}")
    elif kind == "STRING" and not isinstance(value, str):
        raise BridgeError("comfy_validation", f"{where}: expected a string, got {value!r}")


class GraphBuilder:
    def __init__(self, object_info: dict):
        self.object_info = object_info
        self.nodes: dict[str, dict] = {}
        self._next = 1

    def node(self, class_type: str, **inputs) -> Node:
        info = self.object_info.get(class_type)
        if info is None:
            raise BridgeError("comfy_validation", f"node type {class_type} is not installed on this ComfyUI")
        required = info["input"].get("required") or {}
        optional = info["input"].get("optional") or {}
        for name, value in inputs.items():
            spec = required.get(name) or optional.get(name)
            if spec is None:
                known = sorted([*required, *optional])
                raise BridgeError("comfy_validation", f"{class_type} has no input {name!r} (inputs: {known})")
            expected = spec[0]
            if isinstance(value, Output):
                if not isinstance(expected, list) and expected not in ("*", value.type) and value.type != "*":
                    raise BridgeError(
                        "comfy_validation",
                        f"{class_type}.{name} takes {expected}, got {value.type} from {value.node_id}",
                    )
            elif isinstance(expected, list) or expected in _WIDGETS:
                _check_widget(class_type, name, spec, value)
            else:
                raise BridgeError("comfy_validation", f"{class_type}.{name} needs a link to a {expected} output")
        inputs = dict(inputs)
        for name, spec in required.items():
            opts = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
            if name not in inputs and "default" in opts:
                inputs[name] = opts["default"]  # ComfyUI wants every required widget in the prompt
        missing = [n for n in required if n not in inputs]
        if missing:
            raise BridgeError("comfy_validation", f"{class_type} misses required inputs {missing}")
        node_id = str(self._next)
        self._next += 1
        self.nodes[node_id] = {
            "class_type": class_type,
            "inputs": {k: (v.link() if isinstance(v, Output) else v) for k, v in inputs.items()},
        }
        return Node(node_id, class_type, info)

    def build(self) -> dict:
        return {k: {"class_type": v["class_type"], "inputs": dict(v["inputs"])} for k, v in self.nodes.items()}
