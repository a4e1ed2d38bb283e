"""The whole chain on a real ComfyUI process: registration, schemas, a graph, pixels."""

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from support.comfy_client import ComfyGraphError
from support.graph import GraphBuilder


def test_every_pack_node_is_in_object_info_with_its_schema(comfy):
    info = comfy.object_info()
    ours = {k: v for k, v in info.items() if k.startswith("IB_")}
    assert "IB_MaskStatistics" in ours
    for node_id, spec in ours.items():
        assert spec["category"].startswith("inpaint"), node_id
        assert spec["description"], node_id
        assert spec["output_tooltips"] and all(spec["output_tooltips"]), node_id
        for name, (_, opts) in spec["input"]["required"].items():
            assert opts.get("tooltip"), f"{node_id}.{name}"
    stats = ours["IB_MaskStatistics"]
    assert stats["output_name"][:2] == ["coverage", "components"]
    assert stats["input"]["required"]["threshold"][1]["default"] == 0.5


def test_graph_with_core_nodes_and_ours_returns_exact_pixels(comfy):
    # A red square and a red dot on black; ImageToMask(red) -> GrowMask(core) -> our stats.
    rgb = np.zeros((48, 64, 3), np.uint8)
    rgb[10:20, 8:30] = (255, 0, 0)
    rgb[40, 50] = (255, 0, 0)
    name = comfy.upload_image(Image.fromarray(rgb), "ib_chain.png")
    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    mask = g.node("ImageToMask", image=load.out(0), channel="red")
    grown = g.node("GrowMask", mask=mask.out(0), expand=2, tapered_corners=False)
    stats = g.node("IB_MaskStatistics", mask=grown.out(0), threshold=0.5)
    as_image = g.node("MaskToImage", mask=stats.out(8))
    save = g.node("SaveImage", images=as_image.out(0), filename_prefix="ib_chain")
    outputs = comfy.run(g.build())

    expected_grown = ndimage.binary_dilation(rgb[..., 0] > 0, np.ones((3, 3), bool), iterations=2)
    rows, cols = np.flatnonzero(expected_grown.any(1)), np.flatnonzero(expected_grown.any(0))
    (reported,) = outputs[stats.id]["stats"]
    assert reported["components"] == 2
    assert reported["coverage"] == pytest.approx(expected_grown.mean())
    assert reported["bbox"] == [cols[0], rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1]

    saved = comfy.view(outputs[save.id]["images"][0])
    expected = np.zeros((48, 64), np.uint8)
    expected[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] = 255
    assert np.array_equal(saved[..., 0], expected)


def test_a_failing_node_is_reported_with_its_id_and_message(comfy):
    g = GraphBuilder()
    bad = g.node("IB_MaskStatistics", mask=["999", 0], threshold=0.5)
    g.node("PreviewImage", images=g.node("MaskToImage", mask=bad.out(8)).out(0))
    with pytest.raises(ComfyGraphError) as err:
        comfy.run(g.build())
    assert err.value.node_id is not None
    assert "IB_MaskStatistics" in str(err.value) or "999" in str(err.value)


# combos listing models/ or input/ files
FILE_COMBOS = {"model_name", "image", "ckpt_name", "lora_name", "vae_name", "head", "patch"}


def _schema_without_file_lists(spec: dict) -> dict:
    """A node's inputs/outputs, with the combos that list files blanked."""
    inputs = {}
    for group, fields in spec["input"].items():
        for name, (kind, *opts) in fields.items():
            if name in FILE_COMBOS and isinstance(kind, list):
                kind = "<files>"
            elif name in FILE_COMBOS and opts and "options" in opts[0]:
                opts = [{**opts[0], "options": "<files>"}]
            inputs[f"{group}.{name}"] = (kind, *opts)
    return {"input": inputs, "output": spec["output"], "output_name": spec["output_name"]}


def test_captured_object_info_for_the_bridge_matches_the_live_nodes(comfy):
    # The bridge's golden graphs are checked against tests/fixtures/object_info.json: if a node's inputs change,
    # re-capture it (scripts/capture_object_info.py), or the recipes are checked against a stale schema.
    from support.bridge import captured_object_info

    live = comfy.object_info()
    for node_id, captured in captured_object_info().items():
        assert _schema_without_file_lists(captured) == _schema_without_file_lists(live[node_id]), node_id
