"""Is an API prompt runnable on this ComfyUI? Node types installed, models present, values valid, links sound.

Used at registration (a workflow that fails is listed as unavailable with the reason) and again when a
queued run is built (the server may have changed since), so a run never reaches ComfyUI's own
validation with a problem the bridge can name first.
"""

from __future__ import annotations

from typing import Any

from ..graph.builder import GraphBuildError, check_literal, is_file_name, names_files
from ..graph.object_info import InputSpec, ObjectInfo
from .convert import WorkflowError

# Combo inputs that pick a model by name (core loaders and this pack's), even where names carry no extension.
_MODEL_INPUTS = frozenset({"ckpt_name", "lora_name", "vae_name", "unet_name", "clip_name", "control_net_name"})


def is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], int)


def _missing_model(kind: str, spec: InputSpec, value: Any) -> str | None:
    """The message for a combo naming a file this server does not have (a model that is not installed)."""
    if spec.type != "COMBO" or spec.free_combo or value in (spec.choices or ()):
        return None
    by_name = spec.name in _MODEL_INPUTS or spec.name.endswith("model_name")
    if not (by_name or names_files(spec) or is_file_name(value)):
        return None
    listed = ", ".join(map(str, (spec.choices or ())[:8])) or "nothing"
    return f"model {value!r} is not installed ({kind}.{spec.name} lists: {listed})"


def problems(prompt: dict[str, dict[str, Any]], object_info: ObjectInfo, skip: set[tuple[str, str]]) -> list:
    """Every problem as (message, node id, node type); ``skip``: (node, input) pairs the bridge fills in itself."""
    found: list[tuple[str, str, str]] = []
    for node_id, node in prompt.items():
        kind = node.get("class_type")
        if kind not in object_info:
            found.append((f"node {node_id}: {kind!r} is not installed on this ComfyUI", node_id, kind))
            continue
        spec = object_info.spec(kind)
        inputs = node.get("inputs") or {}
        for name, value in inputs.items():
            ispec = spec.inputs.get(name)
            if ispec is None or (node_id, name) in skip:
                continue  # an input the node does not declare is ignored by ComfyUI (e.g. a frontend widget)
            if is_link(value):
                message = _link_problem(prompt, object_info, node_id, ispec, value)
            elif isinstance(value, dict) and "__value__" in value:
                message = None  # a boxed list value (batch combos): ComfyUI unboxes it
            else:
                message = _missing_model(kind, ispec, value)
                if message is None:
                    try:
                        check_literal(kind, ispec, value, node_id)
                    except GraphBuildError as exc:
                        message = str(exc.info.message)
            if message:
                found.append((f"node {node_id} ({kind}): {message}", node_id, kind))
        for ispec in spec.inputs.values():
            if ispec.required and ispec.name not in inputs and (node_id, ispec.name) not in skip:
                found.append((f"node {node_id} ({kind}): required input {ispec.name!r} is not set", node_id, kind))
    return found


def _link_problem(prompt: dict, object_info: ObjectInfo, node_id: str, ispec: InputSpec, link: list) -> str | None:
    source = prompt.get(link[0])
    if source is None:
        return f"input {ispec.name!r} is linked to node {link[0]}, which is not in the workflow"
    if source.get("class_type") not in object_info:
        return None  # reported for that node
    outputs = object_info.spec(source["class_type"]).outputs
    if not 0 <= link[1] < len(outputs):
        return f"input {ispec.name!r} is linked to output {link[1]} of node {link[0]}, which has {len(outputs)}"
    out_type = outputs[link[1]]
    if ispec.type != "COMBO" and isinstance(out_type, str) and not ispec.accepts_type(out_type):
        return f"input {ispec.name!r} takes {ispec.type} but is linked to a {out_type} output of node {link[0]}"
    return None


def check_prompt(prompt: dict[str, dict[str, Any]], object_info: ObjectInfo, skip: set[tuple[str, str]]) -> None:
    """Raise WorkflowError listing every problem (naming the first node at fault)."""
    found = problems(prompt, object_info, skip)
    if found:
        _, node_id, node_type = found[0]
        raise WorkflowError("; ".join(message for message, _, _ in found), node_id=node_id, node_type=node_type)
