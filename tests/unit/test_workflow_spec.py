"""What a saved workflow takes and gives (markers, images, outputs, seeds), its request model and one run's prompt.

Types, ranges and choices come from the captured object_info; the feature graph and its API export are
the real frontend's (see test_workflow_convert.py).
"""

import copy
import json
import random

import pytest
from pydantic import ValidationError

from api_bridge.graph import ObjectInfo
from api_bridge.workflows.bind import JS_SAFE, bind
from api_bridge.workflows.checks import check_prompt
from api_bridge.workflows.convert import WorkflowError, ui_to_api
from api_bridge.workflows.schema import given_values, request_model
from api_bridge.workflows.spec import parse
from support.bridge import FIXTURES, captured_object_info
from support.example_checks import example_paths, load_ui

FEATURES = json.loads((FIXTURES / "workflows" / "features.json").read_text())
FEATURES_API = json.loads((FIXTURES / "workflows" / "features.api.json").read_text())


def info() -> ObjectInfo:
    return ObjectInfo(captured_object_info())


def node(ui: dict, node_id: int) -> dict:
    return next(n for n in ui["nodes"] if n["id"] == node_id)


def params(spec) -> dict:
    return {p.name: p for p in spec.params}


def test_marked_nodes_become_typed_parameters_from_object_info():
    spec = parse(FEATURES, info())
    assert [(i.name, i.node) for i in spec.images] == [("photo", "1")]
    got = params(spec)
    assert set(got) == {
        "grow.expand",
        "grow.tapered_corners",
        "prompt",
        *(f"sampler.{w}" for w in ("seed", "steps", "cfg", "sampler_name", "scheduler", "denoise")),
    }
    steps = got["sampler.steps"].spec
    assert (steps.type, steps.options["min"], steps.options["max"]) == ("INT", 1, 10000)
    assert got["sampler.steps"].default == 20
    samplers = captured_object_info()["KSampler"]["input"]["required"]["sampler_name"][0]
    assert got["sampler.sampler_name"].spec.choices == tuple(samplers)
    saved = "a {cup|cup} of coffee // a comment\n/* block */on a table"
    assert got["prompt"].default == saved, "the saved text, its choices not drawn yet"
    assert got["grow.expand"].default == 7, "the PrimitiveNode's value"
    assert got["sampler.seed"].randomize and [d.key for d in spec.drawn] == ["14.seed"]
    assert [(o.name, o.node, o.kind) for o in spec.outputs] == [("grown", "11", "image"), ("stats", "12", "text")]


def test_examples_have_one_image_input_and_named_outputs():
    outputs = {}
    for path in example_paths():
        spec = parse(load_ui(path), info())
        assert [i.name for i in spec.images] == ["image"], path.stem
        outputs[path.stem] = [o.name for o in spec.outputs]
    assert outputs["remove_background"] == ["cut_out", "mask"]
    assert outputs["inpaint_crop_stitch"] == ["save_image", "crops_one_per_region"]
    assert {p.name for p in parse(load_ui(example_paths()[0]), info()).params} == set()


def test_the_ui_and_api_format_of_one_graph_give_the_same_prompt_and_parameters():
    ui, api = parse(FEATURES, info()), parse(FEATURES_API, info())
    assert (ui.format, api.format) == ("ui", "api")
    assert ui.prompt == api.prompt
    assert [(p.name, p.targets, p.spec) for p in ui.params] == [(p.name, p.targets, p.spec) for p in api.params]
    assert [(i.name, i.node) for i in ui.images] == [(i.name, i.node) for i in api.images]
    assert ui.outputs == api.outputs
    fixed = {"prompt": "a cup of coffee", "sampler": {"seed": 11}}
    assert bind(ui, fixed).prompt == bind(api, fixed).prompt


def test_markers_and_images_inside_subgraphs_keep_their_execution_ids():
    plain = parse(load_ui(next(p for p in example_paths() if p.stem == "remove_by_click")), info())
    nested = parse(json.loads((FIXTURES / "workflows" / "remove_by_click.subgraph.json").read_text()), info())
    assert [p.targets for p in nested.params] == [((f"7:{n}", i),) for ((n, i),) in (p.targets for p in plain.params)]
    assert [p.name for p in nested.params] == [p.name for p in plain.params]
    assert [(o.name, o.node) for o in nested.outputs] == [("erased", "6")]
    values = {"segment": {"cleanup_area": 8}}
    run_plain, run_nested = bind(plain, values).prompt, bind(nested, values).prompt
    assert run_nested["7:4"]["inputs"] == run_plain["4"]["inputs"] and run_nested["7:4"]["inputs"]["cleanup_area"] == 8


def test_a_run_binds_given_values_draws_randomize_seeds_and_resolves_dynamic_prompts():
    spec = parse(FEATURES, info())
    run = bind(spec, {"sampler": {"steps": 4, "seed": None}, "grow": {"expand": -3}}, random.Random(5))
    assert run.prompt["14"]["inputs"]["steps"] == 4 and run.prompt["5"]["inputs"]["expand"] == -3
    drawn = run.seeds["14.seed"]
    assert run.prompt["14"]["inputs"]["seed"] == drawn == run.seed and 0 <= drawn < JS_SAFE
    assert run.prompt["13"]["inputs"]["text"] == "a cup of coffee \non a table"
    again = bind(spec, {"sampler": {"seed": 99}, "prompt": "a {mug|bowl}"}, random.Random(1))
    assert again.seeds == {} and again.prompt["14"]["inputs"]["seed"] == 99, "a given seed is not drawn"
    assert again.prompt["13"]["inputs"]["text"] in ("a mug", "a bowl")
    assert spec.prompt["14"]["inputs"]["steps"] == 20, "the template is never changed"
    seeds = {bind(spec, {}).seeds["14.seed"] for _ in range(5)}
    assert len(seeds) > 1, "every run draws its own seed"


def test_a_marked_primitive_sets_every_widget_it_feeds_and_draws_once():
    ui = copy.deepcopy(FEATURES)
    primitive = node(ui, 6)
    primitive["title"] = "input:size"
    primitive["widgets_values"] = [7, "randomize"]
    spec = parse(ui, info())
    assert params(spec)["size"].targets == (("5", "expand"),) and params(spec)["size"].randomize
    assert bind(spec, {"size": 12}).prompt["5"]["inputs"]["expand"] == 12
    drawn = bind(spec, {}, random.Random(2))
    assert (
        -16384
        <= drawn.seeds["5.expand"]
        <= 16384
        == captured_object_info()["GrowMask"]["input"]["required"]["expand"][1]["max"]
    )


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("input:two words", "is not a usable name"),
        ("input:webhook_url", "reserved"),
        ("input:photo", "both define the input 'photo'"),
    ],
)
def test_bad_markers_are_refused_naming_the_node(title, message):
    ui = copy.deepcopy(FEATURES)
    node(ui, 9)["title"] = title
    with pytest.raises(WorkflowError, match=message) as err:
        parse(ui, info())
    assert err.value.node_id == "9"


def test_a_marked_node_without_widgets_and_a_workflow_without_outputs_are_refused():
    ui = copy.deepcopy(FEATURES)
    node(ui, 11)["title"] = "input:preview"
    with pytest.raises(WorkflowError, match="no widget value to expose"):
        parse(ui, info())
    ui = copy.deepcopy(FEATURES)
    ui["nodes"] = [n for n in ui["nodes"] if n["type"] not in ("MaskPreview", "PreviewAny")]
    with pytest.raises(WorkflowError, match="no output node"):
        parse(ui, info())


def test_the_request_model_refuses_unknown_out_of_range_and_missing_inputs_naming_them():
    spec = parse(FEATURES, info())
    model = request_model("features", spec)

    def error(body: dict) -> tuple[str, str]:
        with pytest.raises(ValidationError) as err:
            model.model_validate(body)
        first = err.value.errors()[0]
        return ".".join(map(str, first["loc"])), first["msg"]

    assert error({"inputs": {"photo": "x", "nope": 1}}) == ("inputs.nope", "Extra inputs are not permitted")
    assert error({"inputs": {"photo": "x", "sampler": {"steps": 0}}})[0] == "inputs.sampler.steps"
    assert error({"inputs": {"photo": "x", "sampler": {"sampler_name": "bogus"}}})[0] == "inputs.sampler.sampler_name"
    assert error({"inputs": {"photo": "x", "grow": {"tapered_corners": "yes"}}})[0] == "inputs.grow.tapered_corners"
    assert error({"inputs": {}})[0] == "inputs.photo"
    assert error({"inputs": {"photo": 5}})[0] == "inputs.photo"
    assert error({"inputs": {"photo": {"blob": "in-x.png"}}})[0] == "inputs.photo"
    assert error({})[0] == "inputs"
    ok = model.model_validate(
        {"inputs": {"photo": {"blob": "in-x.png", "width": 4, "height": 4}, "sampler": {"steps": 3, "cfg": 2}}}
    )
    images, values = given_values(ok)
    assert images["photo"].blob == "in-x.png" and values == {"sampler": {"steps": 3, "cfg": 2.0}}
    schema = model.model_json_schema()
    photo = schema["$defs"][next(k for k in schema["$defs"] if k.endswith("inputs"))]["properties"]["photo"]
    assert [t.get("type") for t in photo["anyOf"]] == ["string", "object"]


def test_checks_name_missing_models_uninstalled_nodes_and_bad_values():
    prompt = ui_to_api(load_ui(next(p for p in example_paths() if p.stem == "remove_by_click")), info())
    check_prompt(prompt, info(), skip=set())
    prompt["3"]["inputs"]["model_name"] = "nope.onnx"
    prompt["20"] = {"class_type": "NotInstalled", "inputs": {}}
    prompt["5"]["inputs"]["dilate"] = -1
    prompt["6"]["inputs"]["images"] = ["99", 0]
    del prompt["4"]["inputs"]["multimask"]
    prompt["5"]["inputs"]["mask"] = ["2", 0]
    with pytest.raises(WorkflowError) as err:
        check_prompt(prompt, info(), skip=set())
    message = str(err.value)
    assert "node 3 (IB_SAMLoader): model 'nope.onnx' is not installed (IB_SAMLoader.model_name lists: " in message
    assert "node 20: 'NotInstalled' is not installed on this ComfyUI" in message
    assert "node 5 (IB_Erase): IB_Erase.dilate: -1 is outside [0, 256]" in message
    assert "node 6 (PreviewImage): input 'images' is linked to node 99, which is not in the workflow" in message
    assert "node 4 (IB_SAMSegment): required input 'multimask' is not set" in message
    assert "node 5 (IB_Erase): input 'mask' takes MASK but is linked to a IMAGE output of node 2" in message
    assert (err.value.node_id, err.value.node_type) == ("3", "IB_SAMLoader")
