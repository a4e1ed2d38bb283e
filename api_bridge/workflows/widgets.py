"""The widgets ComfyUI's frontend gives a node type, in the order it saves their values.

A UI-format workflow stores a node's widget values as a bare list (``widgets_values``); which
input each value belongs to follows from the node's ``/object_info`` entry the way the frontend
(1.32.9, the version ComfyUI 0.3.75 pins) builds its widgets:

* inputs in ``input_order`` (required, then optional, then any others), hidden ones left out;
* a widget for each input whose type has a widget constructor and that is not ``forceInput``;
* an INT with ``control_after_generate`` (or, when the option is absent, named ``seed`` or
  ``noise_seed``) gets a "control after generate" widget right after it; a COMBO with the option
  gets that control and a filter-list widget;
* a required media combo (``image_upload``, ``video_upload``, ``animated_image_upload``) adds an
  ``upload`` button input, appended after every other input.

Control, filter and upload widgets are saved in ``widgets_values`` but never sent in a prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Widget constructors the frontend registers for input types (scripts/widgets.ts ComfyWidgets).
WIDGET_TYPES = frozenset(
    {"INT", "FLOAT", "BOOLEAN", "STRING", "COMBO", "MARKDOWN", "COLOR", "TEXTAREA", "IMAGECOMPARE", "CHART", "GALLERIA"}
)
SEED_NAMES = ("seed", "noise_seed")  # legacy convention: INT inputs with these names get a control widget
CONTROL_VALUES = ("fixed", "increment", "decrement", "randomize")
COMBO_CONTROL_VALUES = (*CONTROL_VALUES, "increment-wrap")
_MEDIA_UPLOADS = ("image_upload", "video_upload", "animated_image_upload")
UPLOAD_INPUT = "upload"
# Widgets the frontend's own extensions add to a node: sent in the prompt (ComfyUI ignores them), never saved.
EXTENSION_WIDGETS: dict[str, tuple[tuple[str, object], ...]] = {"PreviewAny": (("preview", ""),)}


@dataclass(frozen=True)
class WidgetSlot:
    """One widget of a node: the input it belongs to and its role.

    ``role``: ``value`` (the input's value, sent in the prompt), ``control`` (control after generate),
    ``filter`` (a combo control's filter list) or ``upload`` (a media upload button).
    """

    input: str
    role: str
    type: str  # the input's widget type (INT, COMBO, ...); "BUTTON" for an upload
    options: dict[str, Any]
    choices: tuple[Any, ...] | None = None

    @property
    def in_prompt(self) -> bool:
        return self.role == "value"

    def default(self) -> Any:
        """The value the frontend gives a new widget of this kind."""
        if self.role == "control":
            return "randomize"
        if self.role == "filter":
            return ""
        if self.role == "upload":
            return "image"
        if self.type == "COMBO":
            if self.options.get("default"):
                return self.options["default"]
            return self.choices[0] if self.choices else None
        fallback = {"INT": 0, "FLOAT": 0, "BOOLEAN": False, "STRING": ""}.get(self.type)
        return self.options.get("default", fallback)


def spec_type(raw: list) -> tuple[str, dict[str, Any], tuple[Any, ...] | None]:
    head = raw[0] if raw else "*"
    options = raw[1] if len(raw) > 1 and isinstance(raw[1], dict) else {}
    if isinstance(head, list):
        return "COMBO", options, tuple(head)
    if head == "COMBO":
        return "COMBO", options, tuple(options.get("options") or ())
    return str(head), options, None


def ordered_inputs(node_info: dict[str, Any]) -> list[tuple[str, list, bool]]:
    """(name, raw spec, optional) in the frontend's order: ``input_order`` first, then the rest as listed."""
    sections = node_info.get("input") or {}
    listed: dict[str, tuple[list, bool]] = {}
    for section, optional in (("required", False), ("optional", True)):
        for name, raw in (sections.get(section) or {}).items():
            listed.setdefault(name, (raw if isinstance(raw, list) else [raw], optional))
    order = node_info.get("input_order")
    if not order:
        return [(name, raw, opt) for name, (raw, opt) in listed.items()]
    out: list[tuple[str, list, bool]] = []
    for section, optional in (("required", False), ("optional", True)):
        for name in order.get(section) or ():
            if name in listed and listed[name][1] == optional:
                out.append((name, *listed[name]))
    seen = {name for name, _, _ in out}
    out += [(name, raw, opt) for name, (raw, opt) in listed.items() if name not in seen]
    return out


def _upload_input(inputs: list[tuple[str, list, bool]]) -> str | None:
    """The required media combo that gets an upload button (the first one, as the frontend picks)."""
    for name, raw, optional in inputs:
        kind, options, _ = spec_type(raw)
        if not optional and kind == "COMBO" and any(options.get(key) is True for key in _MEDIA_UPLOADS):
            return name
    return None


def widget_slots(node_info: dict[str, Any]) -> list[WidgetSlot]:
    """Every widget the frontend creates for this node type, in ``widgets_values`` order."""
    inputs = ordered_inputs(node_info)
    upload_for = _upload_input(inputs)
    if upload_for is not None:
        # The upload extension adds it to the required inputs: after those in input_order, or after the
        # last required one when there is no input_order.
        entry = (UPLOAD_INPUT, ["IMAGEUPLOAD", {"imageInputName": upload_for}], False)
        if node_info.get("input_order"):
            inputs.append(entry)
        else:
            last_required = max((i for i, (_, _, opt) in enumerate(inputs) if not opt), default=-1)
            inputs.insert(last_required + 1, entry)
    slots: list[WidgetSlot] = []
    for name, raw, _optional in inputs:
        kind, options, choices = spec_type(raw)
        widget_type = options.get("widgetType") or kind
        if options.get("forceInput"):
            continue
        if widget_type == "IMAGEUPLOAD":
            slots.append(WidgetSlot(name, "upload", "BUTTON", options))
            continue
        if widget_type not in WIDGET_TYPES:
            continue  # a socket only (IMAGE, MODEL, ...)
        slots.append(WidgetSlot(name, "value", widget_type, options, choices))
        control = options.get("control_after_generate")
        if widget_type == "INT" and (name in SEED_NAMES if control is None else control):
            slots.append(WidgetSlot(name, "control", "COMBO", {}, CONTROL_VALUES))
        elif widget_type == "COMBO" and control:
            slots.append(WidgetSlot(name, "control", "COMBO", {}, COMBO_CONTROL_VALUES))
            slots.append(WidgetSlot(name, "filter", "STRING", {}))
    return slots


def widget_inputs(node_info: dict[str, Any]) -> list[str]:
    """Names of the inputs that are widgets (their values go into the prompt)."""
    return [s.input for s in widget_slots(node_info) if s.in_prompt]


def migrate_legacy_values(node_info: dict[str, Any], values: list[Any]) -> list[Any]:
    """The frontend's ``migrateWidgetsValues`` for workflows saved before inputs could be forced to sockets.

    When a node's saved list holds exactly one value per widget input and per ``forceInput`` input (two
    for an input with a control), the values at the ``forceInput`` positions are dropped.
    """
    names = {s.input for s in widget_slots(node_info)}
    sections = node_info.get("input") or {}
    defs: list[tuple[str, dict[str, Any]]] = []  # the frontend's V2 input dict order (upload at the end of required)
    for section in ("required", "optional"):
        for name, raw in (sections.get(section) or {}).items():
            defs.append((name, spec_type(raw if isinstance(raw, list) else [raw])[1]))
        if section == "required" and UPLOAD_INPUT in names:
            defs.append((UPLOAD_INPUT, {}))
    kept = [(name, opts) for name, opts in defs if name in names or opts.get("forceInput")]
    count = sum(2 if opts.get("control_after_generate") or name in SEED_NAMES else 1 for name, opts in kept)
    if count != len(values):
        return values
    return [v for i, v in enumerate(values) if i >= len(kept) or not kept[i][1].get("forceInput")]
