"""The bridge's UI → API converter equals the real frontend's own conversion, ``app.graphToPrompt()``.

In headless Chromium on ComfyUI's frontend (1.32.9): every example workflow, a graph the frontend builds
here with every conversion rule in it (a reroute, a bypassed and a muted node, a PrimitiveNode on a
widget, a widget fed by a node, a dynamic prompt with comments, seed controls, a note and a group), the
same graph with parts made subgraphs by the frontend (one with an input the instance's own widget
sets), and the frontend-made fixtures the unit tier converts without a browser.
"""

import json

import pytest

from api_bridge.workflows.convert import ui_to_api
from support.bridge import FIXTURES
from support.comfy_client import ComfyClient
from support.example_checks import example_paths, load_ui

EXAMPLES = example_paths()
TO_PROMPT = "async (ui) => { await window.app.loadGraphData(ui); return (await window.app.graphToPrompt()).output; }"
# Built with the frontend's own LiteGraph API, then saved with graph.serialize() as ComfyUI saves a workflow.
FEATURE_GRAPH = """() => {
  const graph = window.app.graph;
  graph.clear();
  const add = (type, pos, title) => {
    const node = LiteGraph.createNode(type);
    if (!node) throw new Error('unknown node type ' + type);
    node.pos = pos;
    if (title) node.title = title;
    graph.add(node);
    return node;
  };
  const widget = (node, name) => node.widgets.find((w) => w.name === name);
  const slot = (node, name) => node.inputs.findIndex((i) => i.name === name);
  const load = add('LoadImage', [0, 0], 'input:photo');
  widget(load, 'image').value = 'ib_example_coffee.jpg';
  const reroute = add('Reroute', [300, 0]);
  load.connect(0, reroute, 0);
  const invert = add('ImageInvert', [400, 0]);
  reroute.connect(0, invert, 0);
  invert.mode = 4;
  const toMask = add('ImageToMask', [600, 0]);
  invert.connect(0, toMask, 0);
  widget(toMask, 'channel').value = 'blue';
  const grow = add('GrowMask', [800, 0], 'input:grow');
  toMask.connect(0, grow, 0);
  const primitive = add('PrimitiveNode', [800, 300], 'input:size');
  primitive.connect(0, grow, slot(grow, 'expand'));
  primitive.widgets[0].value = 5;
  const muted = add('GrowMask', [800, 500]);
  toMask.connect(0, muted, 0);
  muted.mode = 2;
  const fromImage = add('IB_MaskFromImage', [1000, 0]);
  load.connect(0, fromImage, slot(fromImage, 'image'));
  muted.connect(0, fromImage, slot(fromImage, 'alpha'));
  const stats = add('IB_MaskStatistics', [1200, 0]);
  grow.connect(0, stats, 0);
  const grow2 = add('GrowMask', [1400, 0]);
  fromImage.connect(0, grow2, 0);
  stats.connect(1, grow2, slot(grow2, 'expand'));
  add('MaskPreview', [1600, 0], 'output:grown');
  grow2.connect(0, graph.nodes[graph.nodes.length - 1], 0);
  const text = add('PreviewAny', [1600, 300], 'Stats');
  stats.connect(9, text, 0);
  const clip = add('CLIPTextEncode', [0, 400], 'input:prompt');
  widget(clip, 'text').value = 'a {mug|mug} // not sent\\n/* nor this */of tea';
  const sampler = add('KSampler', [300, 400], 'input:sampler');
  widget(sampler, 'seed').value = 77;
  widget(sampler, 'control_after_generate').value = 'increment';
  add('Note', [0, -200]).widgets[0].value = 'a note';
  const group = new LGraphGroup('inputs');
  group.pos = [-20, -20];
  group.size = [700, 300];
  graph.add(group);
  return graph.serialize();
}"""


# Nodes 5 and 9 + 10 of the feature graph become subgraphs; the primitive is unplugged from the first one's
# "expand" input, whose widget on the instance then says 12.
TO_SUBGRAPHS = """async () => {
  const graph = window.app.graph;
  graph.convertToSubgraph(new Set(graph.nodes.filter((n) => n.id === 5)));
  graph.convertToSubgraph(new Set(graph.nodes.filter((n) => n.id === 9 || n.id === 10)));
  const instance = graph.nodes.find((n) => n.isSubgraphNode?.() && n.inputs.some((i) => i.name === 'expand'));
  instance.disconnectInput(instance.inputs.findIndex((i) => i.name === 'expand'));
  instance.widgets.find((w) => w.name === 'expand').value = 12;
  return graph.serialize();
}"""


@pytest.fixture(scope="module")
def object_info(frontend_server):
    return ComfyClient(frontend_server.url).object_info()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_converter_equals_graph_to_prompt_on_every_example(path, comfy_page, object_info):
    ui = load_ui(path)
    assert ui_to_api(ui, object_info) == comfy_page.evaluate(TO_PROMPT, ui)


def test_the_converter_equals_graph_to_prompt_on_a_graph_with_every_rule(comfy_page, object_info):
    ui = comfy_page.evaluate(FEATURE_GRAPH)
    prompt = comfy_page.evaluate(TO_PROMPT, ui)
    assert ui_to_api(ui, object_info) == prompt
    assert prompt["5"]["inputs"]["expand"] == 5 and "mask_b" not in json.dumps(prompt), "the rules did apply"
    assert prompt["8"]["inputs"] == {"rule": "rgb_mean", "threshold": 127, "invert": False, "image": ["1", 0]}
    assert prompt["13"]["inputs"]["text"] == "a mug \nof tea"


def test_the_converter_equals_graph_to_prompt_with_subgraphs(comfy_page, object_info):
    comfy_page.evaluate(TO_PROMPT, comfy_page.evaluate(FEATURE_GRAPH))
    ui = comfy_page.evaluate(TO_SUBGRAPHS)
    assert len(ui["definitions"]["subgraphs"]) == 2
    prompt = comfy_page.evaluate(TO_PROMPT, ui)
    assert ui_to_api(ui, object_info) == prompt
    (grow,) = [k for k, v in prompt.items() if v["class_type"] == "GrowMask" and v["inputs"].get("expand") == 12]
    assert ":" in grow, "inner nodes are sent under the instance's id"


@pytest.mark.parametrize("name", ["features", "features.subgraphs", "remove_by_click.subgraph"])
def test_the_unit_tiers_frontend_fixtures_are_what_the_frontend_gives(name, comfy_page):
    ui = json.loads((FIXTURES / "workflows" / f"{name}.json").read_text())
    expected = json.loads((FIXTURES / "workflows" / f"{name}.api.json").read_text())
    assert comfy_page.evaluate(TO_PROMPT, ui) == expected


def test_the_frontends_api_export_of_an_example_is_the_committed_one(comfy_page):
    exported = json.loads((FIXTURES / "workflows" / "remove_by_click.api.json").read_text())
    assert comfy_page.evaluate(TO_PROMPT, load_ui(next(p for p in EXAMPLES if p.stem == "remove_by_click"))) == exported
