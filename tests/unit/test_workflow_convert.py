"""The UI → API converter against what ComfyUI's frontend produces, without a browser.

``tests/fixtures/workflows/features.json`` was built and saved by the real frontend (1.32.9) and
``features.api.json`` is that frontend's ``app.graphToPrompt()`` of it (the browser tier re-checks the
pair, and the converter, against the live frontend): a reroute, a bypassed and a muted node, a
PrimitiveNode feeding a widget, a widget fed by a node's INT output, a dynamic prompt with comments,
a seed with its control, a note and a group; ``features.subgraphs.json`` is the same graph with parts
made subgraphs. The object_info fixture has its keys sorted, so widget
values only land right when the converter follows ``input_order`` as the frontend does.
"""

import copy
import json
import random

import pytest

from api_bridge.workflows import dynamic_prompts
from api_bridge.workflows.convert import WorkflowError, convert, is_api_format, is_ui_format, ui_to_api
from api_bridge.workflows.widgets import migrate_legacy_values, widget_slots
from support.bridge import FIXTURES, captured_object_info
from support.example_checks import example_paths, load_ui

FEATURES = json.loads((FIXTURES / "workflows" / "features.json").read_text())
FEATURES_API = json.loads((FIXTURES / "workflows" / "features.api.json").read_text())


def node(ui: dict, node_id: int) -> dict:
    return next(n for n in ui["nodes"] if n["id"] == node_id)


def test_the_converter_gives_the_frontends_prompt():
    assert ui_to_api(FEATURES, captured_object_info()) == FEATURES_API


def test_reroutes_bypass_and_mute_resolve_as_the_frontend_does():
    prompt = ui_to_api(FEATURES, captured_object_info())
    assert "2" not in prompt and "3" not in prompt, "the reroute and the bypassed ImageInvert are not sent"
    assert prompt["4"]["inputs"]["image"] == ["1", 0], "the bypassed node passes the image through"
    assert "7" not in prompt, "the muted GrowMask is left out"
    assert prompt["8"]["inputs"] == {"operation": "union", "mask_a": ["5", 0]}, "and so is every link to it"
    assert "6" not in prompt and prompt["5"]["inputs"]["expand"] == 7, "the PrimitiveNode's value is the widget's"
    assert prompt["10"]["inputs"]["expand"] == ["9", 1], "a widget fed by a node takes the link"
    assert prompt["13"]["inputs"]["text"] == "a cup of coffee \non a table", "dynamic prompt resolved, comments gone"
    assert prompt["14"]["inputs"]["seed"] == 1234 and "control_after_generate" not in prompt["14"]["inputs"]
    assert prompt["12"]["inputs"]["preview"] == "", "PreviewAny's own frontend widget is sent, as the frontend does"
    assert "15" not in prompt and prompt["1"]["_meta"] == {"title": "input:photo"}


def test_widget_values_follow_input_order_with_controls_and_upload_skipped():
    ui = load_ui(next(p for p in example_paths() if p.stem == "inpaint_crop_stitch"))
    prompt = ui_to_api(ui, captured_object_info())
    sampler = {k: v for k, v in prompt["7"]["inputs"].items() if not isinstance(v, list)}
    saved = {"seed": 42, "steps": 20, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0}
    assert sampler == saved
    assert prompt["1"]["inputs"] == {"image": "ib_example_inpaint.png"}, "the upload button's value is not sent"
    assert prompt["7"]["_meta"] == {"title": "input:sampler"}
    assert prompt["6"]["_meta"] == {"title": "InpaintModelConditioning"}, "untitled: the display name"


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_every_example_converts_to_every_widget_its_nodes_declare(path):
    info = captured_object_info()
    converted = convert(load_ui(path), info)
    for node_id, entry in converted.prompt.items():
        declared = {s.input for s in widget_slots(info[entry["class_type"]]) if s.in_prompt}
        literals = {k for k, v in entry["inputs"].items() if not isinstance(v, list)}
        assert literals == declared - {k for k, v in entry["inputs"].items() if isinstance(v, list)}, node_id
    assert all(n["type"] != "Note" or str(n["id"]) not in converted.prompt for n in load_ui(path)["nodes"])


def test_a_saved_list_that_does_not_line_up_is_an_error_naming_the_node():
    ui = copy.deepcopy(FEATURES)
    node(ui, 14)["widgets_values"] = ["randomize", 1234, 20, 8, "euler", "simple", 1]  # shifted by one
    message = r"node 14 \(KSampler\): saved widget value 'randomize' does not fit"
    with pytest.raises(WorkflowError, match=message) as err:
        convert(ui, captured_object_info())
    assert (err.value.node_id, err.value.node_type) == ("14", "KSampler")


def test_missing_values_take_the_widget_defaults_and_extra_values_are_ignored():
    ui = copy.deepcopy(FEATURES)
    node(ui, 14)["widgets_values"] = [5]
    node(ui, 9)["widgets_values"] = [0.25, "a value an extension saved"]
    prompt = ui_to_api(ui, captured_object_info())
    assert prompt["14"]["inputs"]["seed"] == 5 and prompt["14"]["inputs"]["steps"] == 20  # KSampler's default
    assert prompt["9"]["inputs"]["threshold"] == 0.25


def test_a_node_that_is_not_installed_is_named_unless_it_is_muted_or_bypassed():
    ui = copy.deepcopy(FEATURES)
    node(ui, 11)["type"] = "SomePackSaver"
    with pytest.raises(WorkflowError, match=r"not installed on this ComfyUI: 11 \(SomePackSaver\)"):
        convert(ui, captured_object_info())
    node(ui, 11)["mode"] = 2
    assert "11" not in ui_to_api(ui, captured_object_info())


def test_links_to_nodes_the_workflow_lacks_are_errors():
    ui = copy.deepcopy(FEATURES)
    ui["nodes"] = [n for n in ui["nodes"] if n["id"] != 9]
    with pytest.raises(WorkflowError, match=r"node 10 \(GrowMask\).*linked to node 9"):
        convert(ui, captured_object_info())


def test_subgraphs_are_flattened_as_the_frontend_does():
    # The feature graph with GrowMask (5) and IB_MaskStatistics + GrowMask (9, 10) made subgraphs 16 and 17 in
    # the frontend, the primitive unplugged from 16's expand (its own widget then holds 11).
    ui = json.loads((FIXTURES / "workflows" / "features.subgraphs.json").read_text())
    prompt = ui_to_api(ui, captured_object_info())
    assert prompt == json.loads((FIXTURES / "workflows" / "features.subgraphs.api.json").read_text())
    assert prompt["16:5"]["inputs"]["expand"] == 11 and prompt["16:5"]["inputs"]["mask"] == ["4", 0]
    assert prompt["17:10"]["inputs"]["expand"] == ["17:9", 1] and "16" not in prompt and "17" not in prompt


def test_a_subgraph_inside_itself_and_group_nodes_are_refused():
    ui = json.loads((FIXTURES / "workflows" / "features.subgraphs.json").read_text())
    definition = ui["definitions"]["subgraphs"][0]
    definition["nodes"].append({**node(ui, 16), "id": 99})
    with pytest.raises(WorkflowError, match="contains itself"):
        convert(ui, captured_object_info())
    ui = copy.deepcopy(FEATURES)
    ui["extra"]["groupNodes"] = {"masks": {"nodes": []}}
    node(ui, 9)["type"] = "workflow>masks"
    with pytest.raises(WorkflowError, match="group node"):
        convert(ui, captured_object_info())


def test_values_saved_by_name_and_legacy_lists_with_forced_inputs():
    ui = copy.deepcopy(FEATURES)
    node(ui, 9)["widgets_values"] = {"threshold": 0.75}
    assert ui_to_api(ui, captured_object_info())["9"]["inputs"]["threshold"] == 0.75
    # Before inputs could be forced to sockets, such an input kept a value in the list: the frontend drops it.
    info = {
        "input": {"required": {"count": ["INT", {"forceInput": True}], "size": ["INT", {"default": 1}]}},
        "input_order": {"required": ["count", "size"]},
    }
    assert migrate_legacy_values(info, [3, 9]) == [9]
    assert migrate_legacy_values(info, [9]) == [9]


def test_formats_are_told_apart():
    assert is_ui_format(FEATURES) and not is_api_format(FEATURES)
    assert is_api_format(FEATURES_API) and not is_ui_format(FEATURES_API)
    assert not is_api_format({}) and not is_api_format({"1": {"inputs": {}}})


def test_dynamic_prompts_draw_one_choice_per_block():
    rng = random.Random(3)
    drawn = {dynamic_prompts.process("a {red|green|blue} {cat|dog}", rng) for _ in range(60)}
    assert len(drawn) == 6 and all(d.split()[0] == "a" for d in drawn)
    assert dynamic_prompts.process("{a|{b|b}}", random.Random(1)) in ("a", "b")
    assert dynamic_prompts.process(r"literal \{x\|y\} // gone", random.Random(0)) == "literal {x|y} "
    assert dynamic_prompts.process("keep /* not this */ that") == "keep  that"
    assert not dynamic_prompts.has_choices("plain // {not a choice}") and dynamic_prompts.has_choices("{a|b}")
