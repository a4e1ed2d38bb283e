"""Convert a UI-format workflow (what ComfyUI saves) into the API format /prompt takes.

Widget values are matched to inputs in schema order, as the frontend does: every
required/optional input that is a widget (not a link type) takes the next value,
and an INT named seed/noise_seed also consumes its "control after generate" value.
"""

_WIDGET_TYPES = {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"}
# Frontend-only nodes: the UI never sends them to /prompt.
_VIRTUAL_TYPES = {"Note", "MarkdownNote"}


def _is_widget(spec) -> bool:
    kind = spec[0]
    if isinstance(kind, list):  # old-style combo: a list of choices
        return True
    opts = spec[1] if len(spec) > 1 else {}
    return kind in _WIDGET_TYPES and not opts.get("forceInput")


def _widget_inputs(node_info: dict) -> list[tuple[str, dict]]:
    out = []
    for section in ("required", "optional"):
        for name, spec in (node_info["input"].get(section) or {}).items():
            if _is_widget(spec):
                out.append((name, spec[1] if len(spec) > 1 else {}))
    return out


def ui_to_api(ui: dict, object_info: dict) -> dict:
    links = {link[0]: link for link in ui["links"]}
    graph = {}
    for node in ui["nodes"]:
        if node.get("mode", 0) in (2, 4) or node["type"] in _VIRTUAL_TYPES:  # muted / bypassed / UI-only
            continue
        kind = node["type"]
        if kind not in object_info:
            raise ValueError(f"node {node['id']}: unknown type {kind}")
        inputs = {}
        values = list(node.get("widgets_values") or [])
        for name, opts in _widget_inputs(object_info[kind]):
            if not values:
                break
            inputs[name] = values.pop(0)
            controlled = opts.get("control_after_generate") or name in ("seed", "noise_seed")
            if controlled and values and values[0] in ("fixed", "increment", "decrement", "randomize"):
                values.pop(0)
            if kind == "LoadImage" and name == "image" and values and values[0] == "image":
                values.pop(0)  # the upload button's value
        for slot in node.get("inputs") or []:
            link_id = slot.get("link")
            if link_id is not None:
                _, src, src_slot, *_ = links[link_id]
                inputs[slot["name"]] = [str(src), src_slot]
        graph[str(node["id"])] = {"class_type": kind, "inputs": inputs}
    return graph


def referenced_input_images(ui: dict) -> list[str]:
    return [n["widgets_values"][0] for n in ui["nodes"] if n["type"] == "LoadImage"]
