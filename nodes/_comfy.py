"""The one place this pack imports ComfyUI's node API (V3, as ComfyUI 0.3.75 has it).

Everything ComfyUI-version-specific lives here, so a newer ComfyUI means one file
to touch. Node modules import ``io``, ``ui``, ``ComfyExtension``, ``schema`` and
``GraphBuilder`` (for nodes that expand into a sub-graph) from this module only.
"""

import dataclasses

from comfy_api.latest import ComfyExtension, io, ui
from comfy_execution.graph_utils import GraphBuilder

__all__ = ["ComfyExtension", "GraphBuilder", "io", "ui", "schema", "optional", "PACK_PREFIX"]

PACK_PREFIX = "IB_"  # every node id starts with it; ids never change once released

_SCHEMA_FIELDS = {f.name for f in dataclasses.fields(io.Schema)}


def schema(*, node_id: str, search_aliases: list[str] | None = None, **kwargs) -> io.Schema:
    """Build an ``io.Schema``; passes ``search_aliases`` only where this ComfyUI knows it.

    Newer ComfyUI releases index aliases for node search; 0.3.75 has no field for
    them, so there they are appended to the description to stay searchable.
    """
    if not node_id.startswith(PACK_PREFIX):
        raise ValueError(f"node id {node_id!r} must start with {PACK_PREFIX!r}")
    if not kwargs.get("description"):
        raise ValueError(f"node {node_id} needs a description")
    aliases = list(search_aliases or [])
    if "search_aliases" in _SCHEMA_FIELDS:
        kwargs["search_aliases"] = aliases
    elif aliases:
        kwargs["description"] = f"{kwargs['description']}\n\nAlso known as: {', '.join(aliases)}."
    for output in kwargs.get("outputs") or []:
        # V3 shows the type name (FLOAT, INT...) unless an output has a display name.
        if output.display_name is None and output.id:
            output.display_name = output.id
    return io.Schema(node_id=node_id, **kwargs)


def optional(*inputs) -> list:
    """Mark inputs optional: settings that have defaults, so an API prompt (the bridge's) may leave them out."""
    for item in inputs:
        item.optional = True
    return list(inputs)
