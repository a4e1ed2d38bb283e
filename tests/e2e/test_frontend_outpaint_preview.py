"""The outpaint preview on Outpaint Expand in a real Chromium against the real ComfyUI.

The outpaint template is loaded from the template browser; as its widgets change, the preview must
draw the canvas the node then makes (its size, the original's place, the pre-fill, the band), show
the node's own message for settings it refuses, and leave nothing of itself in the saved workflow.
"""

import numpy as np
from PIL import Image

from inpaint_bridge.nodes.common.outpaint_expand import ExpandSettings
from support.comfy_client import ComfyClient
from support.comfy_frontend import load_template
from support.example_checks import EXAMPLES_DIR, input_picture, load_ui
from support.outpaint_preview_page import EXPAND_NODE, drawn_pixels, expand_run_graph, set_widgets

PHOTO = "ib_example_outpaint.png"  # 384×256, the template's input
CHANGES = [
    {},  # as loaded: 30% on the left and the right, edge pre-fill
    {"mode": "pixels", "left": 40, "top": 24, "right": 0, "bottom": 60, "overlap": 16, "prefill": "telea"},
    {"mode": "target", "target_width": 640, "target_height": 512, "anchor": "bottom-right", "prefill": "grey"},
]


def in_image_pixels(box: list[float], canvas: list[float], scale: float) -> tuple[int, ...]:
    x, y, w, h = box
    return round((x - canvas[0]) / scale), round((y - canvas[1]) / scale), round(w / scale), round(h / scale)


def test_preview_draws_the_nodes_canvas_as_its_widgets_change(comfy_page, frontend_server):
    page, client = comfy_page, ComfyClient(frontend_server.url)
    load_template(page, "inpaint-bridge", "outpaint")
    photo = input_picture(PHOTO)
    for changes in CHANGES:
        drawn = set_widgets(page, changes)
        assert "message" not in drawn, drawn.get("message")
        graph, expand_id = expand_run_graph(page.evaluate("async () => (await window.app.graphToPrompt()).output"))
        (reported,) = client.run(graph)[expand_id]["ib_outpaint"]
        assert drawn["answer"]["outpaint"] == reported, "the preview is the node's geometry"

        layout, k = drawn["layout"], drawn["layout"]["scale"]
        canvas = layout["canvas"]
        assert in_image_pixels(canvas, canvas, k) == (0, 0, reported["width"], reported["height"])
        assert in_image_pixels(layout["original"], canvas, k) == (reported["left"], reported["top"], 384, 256)

        # On screen: the photo inside the kept box (no mask over it), the canvas's outline where drawn.
        shown = drawn_pixels(page)
        x, y, w, h = layout["kept"]
        x0, y0, x1, y1 = int(x) + 2, int(y) + 2, int(x + w) - 2, int(y + h) - 2
        kept = drawn["answer"]["kept"]
        photo_part = photo[
            kept[1] - reported["top"] : kept[3] - reported["top"],
            kept[0] - reported["left"] : kept[2] - reported["left"],
        ]
        expected = np.asarray(Image.fromarray(photo_part).resize((int(x + w) - int(x), int(y + h) - int(y)), Image.BOX))
        assert np.abs(shown[y0:y1, x0:x1, :3].astype(int) - expected[2:-2, 2:-2]).mean() < 12
        page.screenshot(f"outpaint_preview_{drawn['answer']['outpaint']['width']}x{reported['height']}")

    ours = [e for e in page.errors() if "inpaint-bridge" in e or "outpaint" in e]
    assert not ours, ours

    refused = set_widgets(page, {"mode": "target", "target_width": 256, "target_height": 256})
    assert "smaller than the image" in refused["message"], "the node's own message, before queueing"

    saved = page.evaluate("() => window.app.graph.serialize()")
    (node,) = [n for n in saved["nodes"] if n["type"] == EXPAND_NODE]
    (template,) = [n for n in load_ui(EXAMPLES_DIR / "outpaint.json")["nodes"] if n["type"] == EXPAND_NODE]
    assert len(node["widgets_values"]) == len(template["widgets_values"]), "the preview is not saved"
    assert not [key for key in node.get("properties", {}) if key.startswith("ib_")]
    prompt = page.evaluate("async () => (await window.app.graphToPrompt()).output")
    (inputs,) = [n["inputs"] for n in prompt.values() if n["class_type"] == EXPAND_NODE]
    assert set(inputs) == {"image", *ExpandSettings.__dataclass_fields__}, "the prompt holds the node's inputs only"
