"""The point/box editor on Segment (SAM) in a real Chromium against the real ComfyUI.

A user opens it from the node's button on a real photo, clicks; the live preview (the pack's
route, decoder only after the picture is encoded) must show the mask the node itself then
computes, the node's widgets must hold the prompts, and a saved and reloaded workflow must keep
them and re-run to the same mask. Screenshots go to the test artefacts.
"""

import json

import numpy as np
import pytest

from support.comfy_client import ComfyClient
from support.comfy_frontend import build_graph, load_template, open_comfy, queue_current_graph
from support.example_checks import Run, load_ui
from support.paths import REPO_ROOT
from support.sam_editor_page import EDITOR, next_preview, open_editor, to_page, widgets

CUP, SAUCER = (290, 190), (110, 300)  # image pixels in the mask_from_points example's coffee photo
SHUTTLE_IN_BATCH = (492, 78)  # the astronaut photo's shuttle once ImageBatch scales it to the coffee's 600x400


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


@pytest.fixture(scope="module")
def page(browser, frontend_server):
    page = open_comfy(browser, frontend_server.url)
    yield page
    page.close()


def test_click_preview_matches_the_node_and_the_prompts_survive_save_and_reload(page, frontend_server):
    example = REPO_ROOT / "example_workflows" / "mask_from_points.json"
    load_template(page, "inpaint-bridge", "mask_from_points")
    nodes_before = page.evaluate("() => window.app.graph.nodes.length")
    open_editor(page)

    page.press("Delete")  # clears the prompts, and must not reach the graph (it would delete the node)
    assert widgets(page) == {"points": "[]", "boxes": "[]"}
    assert page.evaluate("() => window.app.graph.nodes.length") == nodes_before

    first = next_preview(page, lambda: page.click_at(*to_page(page, CUP)))
    assert json.loads(widgets(page)["points"]) == [{"x": CUP[0], "y": CUP[1], "label": 1}]
    assert first["embedding_cached"], "the picture was encoded when the editor opened: a click only decodes"
    assert first["array"][CUP[1], CUP[0]] and first["latency_ms"] > 0

    second = next_preview(page, lambda: page.click_at(*to_page(page, SAUCER), button="right"))
    assert json.loads(widgets(page)["points"])[-1] == {"x": SAUCER[0], "y": SAUCER[1], "label": 0}
    assert second["embedding_cached"] and not second["array"][SAUCER[1], SAUCER[0]]
    assert second["array"][CUP[1], CUP[0]] and second["array"].sum() < first["array"].sum()
    page.screenshot("sam_editor_include_exclude")

    boxed = next_preview(page, lambda: page.drag(to_page(page, (318, 62)), to_page(page, (428, 330))))
    assert json.loads(widgets(page)["boxes"]) == [[318, 62, 428, 330]]
    inside = boxed["array"][62:330, 318:428].sum() / max(boxed["array"].sum(), 1)
    assert inside > 0.9, "a box limits the mask to it"

    final = next_preview(page, lambda: page.press("Control+z"))  # undo: the box goes
    assert json.loads(widgets(page)["boxes"]) == []
    page.screenshot("sam_editor")
    page.click(f"{EDITOR} button:text-is('Done')")
    assert page.evaluate(f"() => !document.querySelector('{EDITOR}')")

    client = ComfyClient(frontend_server.url)
    ui = page.evaluate("() => window.app.graph.serialize()")
    run = Run(ui, queue_current_graph(page, frontend_server.url), client.view)
    node_mask = run.mask()
    assert iou(final["array"], node_mask) > 0.99, "the preview is the node's own mask"
    assert node_mask[CUP[1], CUP[0]] and not node_mask[380, 20], "the mask covers the clicked cup only"

    # Save (the workflow JSON a user exports) and reload the page: the prompts are still there.
    saved = json.loads(json.dumps(ui))
    (sam,) = [n for n in saved["nodes"] if n["type"] == "IB_SAMSegment"]
    assert len(sam["widgets_values"]) == len(
        next(n for n in load_ui(example)["nodes"] if n["id"] == sam["id"])["widgets_values"]
    ), "the editor's button is not saved into the workflow"
    page.goto(frontend_server.url + "/")
    page.wait_for("() => !!(window.app && window.app.graph && window.app.vueAppReady)", timeout=60)
    page.evaluate("async (wf) => { await window.app.loadGraphData(wf); }", saved)
    assert json.loads(widgets(page)["points"]) == [
        {"x": CUP[0], "y": CUP[1], "label": 1},
        {"x": SAUCER[0], "y": SAUCER[1], "label": 0},
    ]
    again = Run(saved, queue_current_graph(page, frontend_server.url), client.view)
    assert np.array_equal(again.mask(), node_mask), "the reloaded workflow re-runs to the same mask"
    ours = [e for e in page.errors() if "inpaint-bridge" in e]
    assert not ours, ours


def test_batch_edits_the_chosen_image_only(page, frontend_server):
    build_graph(
        page,
        [
            {"key": "a", "type": "LoadImage", "pos": [40, 40], "widgets": {"image": "ib_example_coffee.jpg"}},
            {"key": "b", "type": "LoadImage", "pos": [40, 420], "widgets": {"image": "ib_example_astronaut.jpg"}},
            {"key": "batch", "type": "ImageBatch", "pos": [380, 40], "links": {"image1": ["a", 0], "image2": ["b", 0]}},
            {"key": "sam", "type": "IB_SAMLoader", "pos": [380, 260]},
            {
                "key": "seg",
                "type": "IB_SAMSegment",
                "pos": [700, 40],
                "links": {"sam_model": ["sam", 0], "image": ["batch", 0]},
            },
            {"key": "img", "type": "MaskToImage", "pos": [1120, 40], "links": {"mask": ["seg", 0]}},
            {
                "key": "out",
                "type": "PreviewImage",
                "pos": [1120, 160],
                "title": "Mask",
                "links": {"images": ["img", 0]},
            },
        ],
    )
    # No file loader feeds the node: the editor needs one run to know the batch's pictures.
    queue_current_graph(page, frontend_server.url)
    open_editor(page)
    assert page.evaluate(f"() => document.querySelector('{EDITOR} .ib-sam-counter').textContent") == "image 1 / 2"
    page.click(f"{EDITOR} button.ib-sam-next")
    page.wait_for(f"() => document.querySelector('{EDITOR}')?.dataset.ready === '1'", timeout=30)
    shuttle = next_preview(page, lambda: page.click_at(*to_page(page, SHUTTLE_IN_BATCH)))
    x, y = SHUTTLE_IN_BATCH
    assert json.loads(widgets(page)["points"]) == [[], [{"x": x, "y": y, "label": 1}]]
    assert shuttle["array"][y, x] and shuttle["array"].mean() < 0.2
    page.screenshot("sam_editor_batch")
    page.press("Enter")

    ui = page.evaluate("() => window.app.graph.serialize()")
    outputs = queue_current_graph(page, frontend_server.url)
    (node_id,) = [str(n["id"]) for n in ui["nodes"] if n.get("title") == "Mask"]
    client = ComfyClient(frontend_server.url)
    masks = [client.view(item)[..., 0] > 127 for item in outputs[node_id]["images"]]
    assert len(masks) == 2 and not masks[0].any(), "the first image has no prompt"
    assert iou(shuttle["array"], masks[1]) > 0.99, "the second image's mask is the one previewed"
