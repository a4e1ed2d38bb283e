"""Each example workflow, picked from ComfyUI's template browser in a real Chromium and queued
with the frontend's own Queue action, runs as loaded and produces what it is for."""

import pytest

from support.example_checks import check_example, example_paths, load_ui
from support.test_checkpoints import CROP_NODES, SAMPLING_NODES, needs_checkpoint

EXAMPLES = example_paths()
SHRINK_SAMPLING = """([sampling, crops]) => {
  for (const node of window.app.graph.nodes) {
    for (const w of node.widgets || []) {
      if (sampling.includes(node.type) && w.name === 'steps') w.value = 2;
      if (crops.includes(node.type) && (w.name === 'target_width' || w.name === 'target_height')) w.value = 64;
    }
  }
}"""
PACK = "inpaint-bridge"  # ComfyUI lists a pack's templates under its folder name in custom_nodes/


def test_the_template_browser_lists_every_example(comfy_page, frontend_server):
    listed = comfy_page.evaluate("async () => (await window.app.api.getWorkflowTemplates())")
    assert sorted(listed[PACK]) == sorted(p.stem for p in EXAMPLES)
    thumbnails = comfy_page.evaluate(
        """async (names) => Promise.all(names.map(async (n) =>
             (await fetch(`/api/workflow_templates/inpaint-bridge/${n}.jpg`)).status))""",
        [p.stem for p in EXAMPLES],
    )
    assert thumbnails == [200] * len(EXAMPLES), "every template has its thumbnail"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_as_loaded_from_the_templates(path, comfy_page, frontend_server):
    from support.comfy_client import ComfyClient
    from support.comfy_frontend import load_template, queue_current_graph

    types = load_template(comfy_page, PACK, path.stem)
    ui = load_ui(path)
    assert sorted(types) == sorted(n["type"] for n in ui["nodes"])
    if needs_checkpoint(ui):  # as a user would, in the widgets: 2 steps, 64² crops (the reduced checkpoint)
        comfy_page.evaluate(SHRINK_SAMPLING, [list(SAMPLING_NODES), list(CROP_NODES)])
    outputs = queue_current_graph(comfy_page, frontend_server.url)
    check_example(path.stem, ui, outputs, ComfyClient(frontend_server.url).view)
    comfy_page.screenshot(f"template_{path.stem}")
    saved = comfy_page.evaluate("() => window.app.graph.serialize()")
    shown = {key for node in saved["nodes"] for key in node.get("properties", {}) if key.startswith("ib_")}
    assert not shown, f"display state saved into the workflow: {shown}"
    ours = [e for e in comfy_page.errors() if "inpaint-bridge" in e or "inpaint_bridge" in e]
    assert not ours, ours


def test_mask_statistics_are_written_under_the_node(comfy_page, frontend_server):
    from support.comfy_frontend import load_template, queue_current_graph

    load_template(comfy_page, PACK, "mask_statistics")
    # Another threshold than the parametrized run's: ComfyUI would serve the cached node otherwise.
    comfy_page.evaluate(
        """() => { const node = window.app.graph.nodes.find((n) => n.type === 'IB_MaskStatistics');
                   node.widgets.find((w) => w.name === 'threshold').value = 0.4; }"""
    )
    outputs = queue_current_graph(comfy_page, frontend_server.url)
    (stats,) = next(out["stats"] for out in outputs.values() if "stats" in out)
    # What the node draws in its foreground, recorded through a stand-in 2D context.
    lines = comfy_page.wait_for(
        """() => {
          const node = window.app.graph.nodes.find((n) => n.type === 'IB_MaskStatistics');
          const lines = [];
          const ctx = { save() {}, restore() {}, fillText: (text) => lines.push(text) };
          node.onDrawForeground(ctx);
          return lines.length && lines;
        }""",
        timeout=10,
    )
    x, y, w, h = stats["bbox"]
    assert lines == [f"#0: {stats['coverage'] * 100:.2f}% · 1 region(s) · bbox {x},{y} {w}×{h}"]
