"""UI-format workflow (what ComfyUI saves) → API-format prompt (what ``/prompt`` takes), without a browser.

Done the way the frontend's ``app.graphToPrompt()`` does it (ComfyUI_frontend 1.32.9):

* widget values are matched to inputs by the node's ``/object_info`` (``widgets.py``): control after
  generate, combo filter and upload widgets are skipped; a widget value that does not fit its input
  is an error naming the node (the saved list does not line up with this ComfyUI's node);
* a widget converted to an input takes its link; a ``PrimitiveNode`` writes its value into the
  widgets it feeds; STRING widgets with ``dynamicPrompts`` resolve ``{a|b}`` and drop comments;
* muted nodes (mode 2) are left out with every input linked to them; bypassed nodes (mode 4) pass
  the first input of the matching type through; ``Reroute`` and other frontend-only nodes (notes,
  primitives) are followed or dropped; groups are layout only;
* subgraphs are flattened: their nodes are sent as ``<instance id>:<node id>`` (nested ones with
  the whole path), links cross their inputs and outputs, and an input of the instance that is not
  linked gives its own widget value;
* every node gets ``_meta.title`` (its title, or the node's display name).

Legacy group nodes are refused with a message saying so. Nothing here imports torch or ComfyUI;
the input is the workflow JSON and the server's ``/object_info`` JSON.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from . import dynamic_prompts
from .widgets import (
    COMBO_CONTROL_VALUES,
    CONTROL_VALUES,
    EXTENSION_WIDGETS,
    WidgetSlot,
    migrate_legacy_values,
    ordered_inputs,
    spec_type,
    widget_slots,
)

MUTED, BYPASSED = 2, 4
SUBGRAPH_INPUT, SUBGRAPH_OUTPUT = "-10", "-20"  # the ids of a subgraph's input and output nodes in its links
REROUTE, PRIMITIVE = "Reroute", "PrimitiveNode"
# Frontend-only node types: never sent to the server.
VIRTUAL_TYPES = frozenset({"Note", "MarkdownNote", REROUTE, PRIMITIVE})
# Type names the frontend itself corrects when it loads a workflow.
_TYPO_FIXES = {"ConditioningAverage ": "ConditioningAverage", "SVD_Img2Vid_Conditioning": "SVD_img2vid_Conditioning"}


class WorkflowError(ValueError):
    """A workflow that cannot be converted or served; names the node at fault when there is one."""

    def __init__(self, message: str, *, node_id: str | None = None, node_type: str | None = None):
        super().__init__(message)
        self.node_id, self.node_type = node_id, node_type


@dataclass(frozen=True)
class WidgetValue:
    """A literal widget input of the converted prompt, with what the UI knew about it."""

    node: str
    input: str
    slot: WidgetSlot
    value: Any  # as saved (before dynamic-prompt processing)
    control: str | None = None  # control after generate: fixed / increment / decrement / randomize
    source: str | None = None  # the PrimitiveNode whose value this is

    @property
    def dynamic(self) -> bool:
        return self.slot.type == "STRING" and self.slot.options.get("dynamicPrompts") is True


@dataclass(frozen=True)
class Primitive:
    """A PrimitiveNode: frontend-only, its value written into the widgets it feeds."""

    id: str
    title: str | None
    targets: tuple[tuple[str, str], ...]  # (node id, input) it feeds, in the prompt


@dataclass
class Converted:
    """A converted workflow: the prompt and, per ``(node id, input)``, the widget each literal came from."""

    prompt: dict[str, dict[str, Any]]
    widgets: dict[tuple[str, str], WidgetValue] = field(default_factory=dict)
    primitives: list[Primitive] = field(default_factory=list)


def is_ui_format(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("nodes"), list) and "links" in data


def is_api_format(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and bool(data)
        and all(isinstance(v, dict) and isinstance(v.get("class_type"), str) for v in data.values())
    )


def ui_to_api(ui: dict[str, Any], object_info: Any) -> dict[str, dict[str, Any]]:
    """The API prompt the frontend would queue for ``ui`` (``object_info``: the raw JSON or an ObjectInfo)."""
    return convert(ui, object_info).prompt


def convert(ui: dict[str, Any], object_info: Any) -> Converted:
    raw_info = getattr(object_info, "raw", object_info)
    return _Conversion(ui, raw_info).run()


def wrap_value(value: Any) -> Any:
    """A widget value as the prompt carries it: a list would read as a link, so it travels boxed."""
    return {"__value__": value} if isinstance(value, list) else value


def fits(slot: WidgetSlot, value: Any) -> bool:
    """Whether a saved value can belong to this widget (catches lists that no longer line up)."""
    if slot.role == "control":
        return value in (COMBO_CONTROL_VALUES if slot.choices == COMBO_CONTROL_VALUES else CONTROL_VALUES)
    if slot.role == "filter":
        return isinstance(value, str)
    if slot.role == "upload":
        return True
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return {
        "INT": number,
        "FLOAT": number,
        "BOOLEAN": isinstance(value, bool),
        "STRING": isinstance(value, str),
        "COMBO": value is not None and not isinstance(value, dict),
    }.get(slot.type, True)


def _valid_connection(a: Any, b: Any) -> bool:
    """LiteGraph.isValidConnection: equal types, a wildcard, or comma-separated lists that share a type."""
    a = 0 if a in ("", "*") else a
    b = 0 if b in ("", "*") else b
    if not a or not b or a == b:
        return True
    a, b = str(a).lower(), str(b).lower()
    if "," not in a and "," not in b:
        return a == b
    return any(_valid_connection(x, y) for x in a.split(",") for y in b.split(","))


Link = tuple[str, int, str, int, Any]  # origin id, origin slot, target id, target slot, type


@dataclass(frozen=True)
class _Value:
    """An input resolved to a value (a subgraph instance's own widget) rather than a link."""

    value: Any


Resolved = tuple[str, int] | _Value | None


@dataclass
class _Graph:
    """The root graph or one subgraph definition: its links, and (for a subgraph) its inputs and outputs."""

    links: dict[Any, Link]
    inputs: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)


def _links(raw_links: list) -> dict[Any, Link]:
    links: dict[Any, Link] = {}
    for link in raw_links or []:
        if isinstance(link, dict):
            origin, target = (str(link["origin_id"]), int(link["origin_slot"])), str(link["target_id"])
            links[link["id"]] = (*origin, target, int(link["target_slot"]), link.get("type"))
        elif isinstance(link, list) and len(link) >= 5:
            kind = link[5] if len(link) > 5 else None
            links[link[0]] = (str(link[1]), int(link[2]), str(link[3]), int(link[4]), kind)
    return links


@dataclass
class _Node:
    id: str  # the execution id: the path of subgraph instances, then the node's own id ("7:4")
    local: str  # its id in its own graph
    type: str
    mode: int
    title: str | None
    inputs: list[dict[str, Any]]  # as the loaded node has them: definition order, saved links
    outputs: list[dict[str, Any]]
    widgets_values: Any
    raw: dict[str, Any]
    graph: _Graph
    path: tuple[str, ...] = ()  # local ids of the subgraph instances it sits in
    instance: _Node | None = None  # the subgraph instance it sits in
    subgraph: _Graph | None = None  # when it is itself a subgraph instance: its definition

    @property
    def virtual(self) -> bool:
        """Frontend-only (notes, reroutes, primitives) or a subgraph instance: never sent itself."""
        return self.type in VIRTUAL_TYPES or self.subgraph is not None

    def exec_id(self, local: str) -> str:
        """The execution id of a node of this node's own graph."""
        return ":".join((*self.path, local))


class _Conversion:
    def __init__(self, ui: dict[str, Any], object_info: dict[str, Any]):
        self.ui, self.object_info = ui, object_info
        self.nodes: dict[str, _Node] = {}
        self.definitions = {str(d.get("id")): d for d in ((ui.get("definitions") or {}).get("subgraphs") or [])}
        self.root = _Graph(_links(ui.get("links") or []))
        self.overrides: dict[tuple[str, str], tuple[Any, str | None, str]] = {}  # widget -> (value, control, primitive)
        self.instance_values: dict[tuple[str, str], Any] = {}  # (node, input) -> the subgraph instance's widget value

    # --- loading ---------------------------------------------------------------------------
    def run(self) -> Converted:
        self._refuse_group_nodes()
        self._load_graph(self.ui["nodes"], self.root, (), None, set())
        self._check_installed()
        for node in self.nodes.values():
            if node.type == PRIMITIVE and not node.path:  # the frontend applies them from the root graph
                self._apply_primitive(node)
        converted = Converted(prompt={})
        for node in self.nodes.values():
            if node.virtual or node.mode in (MUTED, BYPASSED):
                continue
            converted.prompt[node.id] = self._node_prompt(node, converted)
        for node_id, entry in converted.prompt.items():  # inputs linked to nodes left out (muted) are dropped
            for name, value in list(entry["inputs"].items()):
                if isinstance(value, list) and len(value) == 2 and value[0] not in converted.prompt:
                    del entry["inputs"][name]
                    converted.widgets.pop((node_id, name), None)
        for node in self.nodes.values():
            if node.type == PRIMITIVE:
                fed = tuple(k for k, w in converted.widgets.items() if w.source == node.id)
                if fed:
                    converted.primitives.append(Primitive(node.id, node.title, fed))
        return converted

    def _refuse_group_nodes(self) -> None:
        groups = set(((self.ui.get("extra") or {}).get("groupNodes") or {}).keys())
        for raw in self.ui["nodes"]:
            kind = str(raw.get("type"))
            if kind.startswith(("workflow>", "workflow/")) and kind.split(">", 1)[-1].split("/", 1)[-1] in groups:
                raise WorkflowError(
                    f"node {raw.get('id')} is a group node ({kind}): convert it back to nodes (or to a subgraph) "
                    "and save again",
                    node_id=str(raw.get("id")),
                    node_type=kind,
                )

    def _load_graph(
        self, raw_nodes: list, graph: _Graph, path: tuple[str, ...], instance: _Node | None, open_: set
    ) -> None:
        for raw in raw_nodes:
            node = self._load_node(raw, graph, path, instance)
            self.nodes[node.id] = node
            definition = self.definitions.get(str(raw.get("type")))
            if definition is None:
                continue
            if definition["id"] in open_:
                raise WorkflowError(f"node {node.id}: subgraph {definition.get('name')!r} contains itself")
            node.subgraph = _Graph(
                _links(definition.get("links") or []),
                list(definition.get("inputs") or []),
                list(definition.get("outputs") or []),
            )
            self._load_graph(
                definition.get("nodes") or [], node.subgraph, (*path, node.local), node, open_ | {definition["id"]}
            )

    def _load_node(self, raw: dict[str, Any], graph: _Graph, path: tuple[str, ...], instance: _Node | None) -> _Node:
        kind = _TYPO_FIXES.get(raw.get("type"), raw.get("type"))
        local = str(raw.get("id"))
        saved_inputs = [dict(i) for i in raw.get("inputs") or []]
        saved_outputs = list(raw.get("outputs") or [])
        info = self.object_info.get(kind)
        inputs, outputs = saved_inputs, saved_outputs
        if info is not None and kind not in VIRTUAL_TYPES:
            inputs, outputs = self._defined_slots(info, saved_inputs, saved_outputs)
        return _Node(
            ":".join((*path, local)),
            local,
            str(kind),
            int(raw.get("mode") or 0),
            raw.get("title"),
            inputs,
            outputs,
            raw.get("widgets_values"),
            raw,
            graph,
            path,
            instance,
        )

    @staticmethod
    def _defined_slots(info: dict, saved_inputs: list[dict], saved_outputs: list) -> tuple[list[dict], list[dict]]:
        """The inputs/outputs the frontend gives the loaded node: its definition's, with the saved links.

        Sockets first, then one input per widget (litegraphService), each taking the saved link of
        the same name; saved inputs the definition lacks come last.
        """
        slots = widget_slots(info)
        widget_names = [s.input for s in slots if s.role in ("value", "upload")]
        sockets = []
        for name, raw, _ in ordered_inputs(info):
            if name not in widget_names:
                sockets.append((name, spec_type(raw)[0]))
        kinds = {name: spec_type(raw)[0] for name, raw, _ in ordered_inputs(info)}
        defined = sockets + [(name, kinds.get(name, "IMAGEUPLOAD")) for name in widget_names]
        by_name = {i.get("name"): i for i in saved_inputs}
        inputs = [
            {"name": name, "type": kind, "link": (by_name.get(name) or {}).get("link"), "widget": name in widget_names}
            for name, kind in defined
        ]
        known = {name for name, _ in defined}
        inputs += [i for i in saved_inputs if i.get("name") not in known]
        types = list(info.get("output") or [])
        outputs = [{"type": t} for t in types] + [dict(o) for o in saved_outputs[len(types) :]]
        for out, saved in zip(outputs, saved_outputs, strict=False):
            out["links"] = (saved or {}).get("links")
        return inputs, outputs

    def _check_installed(self) -> None:
        missing = [n for n in self.nodes.values() if not n.virtual and n.type not in self.object_info]
        active = [n for n in missing if n.mode not in (MUTED, BYPASSED)]
        if active:
            names = ", ".join(f"{n.id} ({n.type})" for n in active)
            raise WorkflowError(
                f"node type not installed on this ComfyUI: {names}", node_id=active[0].id, node_type=active[0].type
            )

    # --- values ----------------------------------------------------------------------------
    def _apply_primitive(self, node: _Node) -> None:
        """PrimitiveNode.applyToGraph: its first widget's value replaces the widget on each linked input."""
        links = (node.outputs[0].get("links") if node.outputs else None) or []
        values = node.widgets_values if isinstance(node.widgets_values, list) else []
        if not links or not values:
            return
        value = values[0]
        control = values[1] if len(values) > 1 and values[1] in COMBO_CONTROL_VALUES else None
        for link_id in links:
            link = self.root.links.get(link_id)
            target = self.nodes.get(link[2]) if link else None
            if target is None:
                continue
            slot = next((i for i in target.inputs if i.get("link") == link_id), None)
            widget = _widget_name(slot) if slot else None
            if widget:
                self.overrides[(target.id, widget)] = (value, control, node.id)

    def _node_prompt(self, node: _Node, converted: Converted) -> dict[str, Any]:
        info = self.object_info[node.type]
        inputs: dict[str, Any] = {}
        slots = widget_slots(info)
        values = node.widgets_values
        if isinstance(values, dict):  # some custom nodes save their widgets by name
            ordered = [values.get(s.input) if s.role == "value" else None for s in slots]
            saved = [v is not None or s.input in values for v, s in zip(ordered, slots, strict=True)]
        else:
            ordered = migrate_legacy_values(info, list(values or []))
            saved = [i < len(ordered) for i in range(len(slots))]
        for i, slot in enumerate(slots):
            value = ordered[i] if saved[i] else slot.default()
            if saved[i] and not fits(slot, value):
                raise WorkflowError(
                    f"node {node.id} ({node.type}): saved widget value {value!r} does not fit input "
                    f"{slot.input!r} ({slot.type if slot.role == 'value' else slot.role}): the workflow's values "
                    f"do not line up with this ComfyUI's {node.type} (saved with another version of the node?)",
                    node_id=node.id,
                    node_type=node.type,
                )
            if slot.role == "control" and (node.id, slot.input) in converted.widgets:
                previous = converted.widgets[(node.id, slot.input)]
                if previous.source is None:  # a primitive's value keeps the primitive's control
                    converted.widgets[(node.id, slot.input)] = WidgetValue(
                        node.id, slot.input, previous.slot, previous.value, value
                    )
            if not slot.in_prompt:
                continue
            control = source = None
            if (node.id, slot.input) in self.overrides:
                value, control, source = self.overrides[(node.id, slot.input)]
            if slot.type == "INT" and isinstance(value, float) and value.is_integer():
                value = int(value)
            widget = WidgetValue(node.id, slot.input, slot, value, control, source)
            converted.widgets[(node.id, slot.input)] = widget
            inputs[slot.input] = wrap_value(resolve_text(widget, value, random.Random(0)))
        for name, value in EXTENSION_WIDGETS.get(node.type, ()):
            inputs[name] = value
        for index, slot in enumerate(node.inputs):
            origin = self._resolve_input(node, index, set())
            if isinstance(origin, _Value):
                inputs[slot["name"]] = wrap_value(origin.value)
                name = slot["name"]
                widget = next((w for w in slots if w.input == name and w.in_prompt), None)
                if widget is not None:
                    converted.widgets[(node.id, name)] = WidgetValue(node.id, name, widget, origin.value)
            elif origin is not None:
                inputs[slot["name"]] = [origin[0], origin[1]]
                converted.widgets.pop((node.id, slot["name"]), None)
        title = node.title or info.get("display_name") or node.type
        return {"inputs": inputs, "class_type": node.type, "_meta": {"title": title}}

    # --- links -----------------------------------------------------------------------------
    def _resolve_input(self, node: _Node, index: int, seen: set, wanted: Any = None) -> Resolved:
        key = f"{node.id}[I]{index}"
        if key in seen:
            raise WorkflowError(f"node {node.id}: circular link through input {index}", node_id=node.id)
        seen.add(key)
        if index >= len(node.inputs):
            return None
        slot = node.inputs[index]
        link_id = slot.get("link")
        if link_id is None:
            return None
        link = node.graph.links.get(link_id)
        if link is None:
            raise WorkflowError(
                f"node {node.id} ({node.type}): input {slot.get('name')!r} names link {link_id}, which the "
                "workflow does not have",
                node_id=node.id,
                node_type=node.type,
            )
        if link[0] == SUBGRAPH_INPUT:  # from the subgraph's input: what the instance gets there
            instance = node.instance
            if instance is None or link[1] >= len(instance.inputs):
                raise WorkflowError(f"node {node.id}: linked to a subgraph input without an instance", node_id=node.id)
            if instance.inputs[link[1]].get("link") is None:
                return self._instance_widget(instance, instance.inputs[link[1]])
            return self._resolve_input(instance, link[1], seen)
        origin = self.nodes.get(node.exec_id(link[0]))
        if origin is None:
            raise WorkflowError(
                f"node {node.id} ({node.type}): input {slot.get('name')!r} is linked to node {link[0]}, which the "
                "workflow does not have",
                node_id=node.id,
                node_type=node.type,
            )
        return self._resolve_output(origin, link[1], wanted if wanted is not None else slot.get("type"), seen)

    def _resolve_output(self, node: _Node, index: int, wanted: Any, seen: set) -> Resolved:
        key = f"{node.id}[O]{index}"
        if key in seen:
            raise WorkflowError(f"node {node.id}: circular link through output {index}", node_id=node.id)
        seen.add(key)
        if node.mode == BYPASSED:
            match = self._bypass_input(node, index, wanted)
            return None if match < 0 else self._resolve_input(node, match, seen)
        if node.subgraph is not None:  # into the subgraph: the node feeding its output
            outputs = node.subgraph.outputs
            links = (outputs[index].get("linkIds") or []) if index < len(outputs) else []
            inner = node.subgraph.links.get(links[0]) if links else None
            if inner is None:
                return None
            if inner[0] == SUBGRAPH_INPUT:
                raise WorkflowError(
                    f"node {node.id}: a subgraph output is wired straight to one of its inputs", node_id=node.id
                )
            origin = self.nodes.get(":".join((*node.path, node.local, inner[0])))
            if origin is None:
                raise WorkflowError(f"node {node.id}: its subgraph output comes from a node it lacks", node_id=node.id)
            return self._resolve_output(origin, inner[1], wanted, seen)
        if node.virtual:
            # Reroutes pass their input through; primitives and notes have none (their value was applied).
            return self._resolve_input(node, index, seen, wanted) if index < len(node.inputs) else None
        return node.id, index

    @staticmethod
    def _instance_widget(instance: _Node, slot: dict[str, Any]) -> Resolved:
        """An unlinked subgraph input: the value of the instance's own widget for it (``proxyWidgets`` "-1")."""
        name = _widget_name(slot) or slot.get("name")
        values = instance.widgets_values if isinstance(instance.widgets_values, list) else []
        for i, proxy in enumerate((instance.raw.get("properties") or {}).get("proxyWidgets") or []):
            if len(proxy) == 2 and str(proxy[0]) == "-1" and proxy[1] == name and i < len(values):
                return None if values[i] is None else _Value(values[i])
        return None

    @staticmethod
    def _bypass_input(node: _Node, index: int, wanted: Any) -> int:
        """The input a bypassed node passes to output ``index``: same slot if it fits, else the first that fits."""
        inputs = node.inputs
        if wanted in ("*", "", None):
            return index if len(inputs) > index else 0
        out_type = node.outputs[index].get("type") if index < len(node.outputs) else None
        same = inputs[index] if index < len(inputs) else None
        if same and _valid_connection(same.get("type"), out_type) and _valid_connection(same.get("type"), wanted):
            return index
        for i, slot in enumerate(inputs):
            if slot.get("type") == wanted:
                return i
        for i, slot in enumerate(inputs):
            if _valid_connection(slot.get("type"), out_type) and _valid_connection(slot.get("type"), wanted):
                return i
        return -1


def _widget_name(slot: dict[str, Any]) -> str | None:
    widget = slot.get("widget")
    if isinstance(widget, dict):
        return widget.get("name")
    return slot.get("name") if widget is True else None


def resolve_text(widget: WidgetValue, value: Any, rng: random.Random) -> Any:
    """A widget's value as queued: dynamic prompts resolved for STRING widgets that have them."""
    if widget.dynamic and isinstance(value, str):
        return dynamic_prompts.process(value, rng)
    return value
