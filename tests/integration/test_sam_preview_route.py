"""POST /inpaint-bridge/sam/preview on the real ComfyUI: the node's own mask, decoder only once encoded,
and clear errors for what a caller gets wrong."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image
from skimage import data

from support.graph import GraphBuilder

ROUTE = "/inpaint-bridge/sam/preview"


def decoded(answer: dict) -> np.ndarray:
    png = base64.b64decode(answer["mask"].split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))[..., 3] > 0


@pytest.fixture(scope="module")
def rocket(comfy_server):
    """A real photo no other test encodes, so the first preview really runs the encoder."""
    name = comfy_server.client().upload_image(Image.fromarray(data.rocket()), "ib_test_rocket.png")
    return {"filename": name, "subfolder": "", "type": "input"}


def test_preview_is_the_nodes_mask_and_only_the_first_call_encodes(comfy_server, comfy, rocket):
    points = [{"x": 320, "y": 200, "label": 1}, {"x": 40, "y": 40, "label": 0}]
    status, warm = comfy_server.client().post_json(ROUTE, {"image": rocket})  # what the editor sends when it opens
    assert status == 200 and warm["empty"] and not warm["embedding_cached"]
    status, answer = comfy_server.client().post_json(ROUTE, {"image": rocket, "points": points, "cleanup_area": 64})
    assert status == 200 and answer["embedding_cached"], "after the first call only the decoder runs"
    assert (answer["width"], answer["height"]) == (640, 427)

    g = GraphBuilder()
    load = g.node("LoadImage", image=rocket["filename"])
    sam = g.node("IB_SAMLoader", model_name=answer_model(comfy))
    seg = g.node(
        "IB_SAMSegment",
        sam_model=sam.out(0),
        image=load.out(0),
        points=json.dumps(points),
        boxes="[]",
        multimask="best",
        cleanup_area=64,
    )
    save = g.node("SaveImage", images=g.node("MaskToImage", mask=seg.out(0)).out(0), filename_prefix="ib_preview")
    outputs = comfy.run(g.build())
    node_mask = comfy.view(outputs[save.id]["images"][0])[..., 0] > 127
    assert np.array_equal(decoded(answer), node_mask), "the preview is exactly the node's mask"
    assert answer["scores"] and node_mask[200, 320]

    # The node reports the pictures it segmented, for the editor to open after a run.
    (picture,) = outputs[seg.id]["ib_images"]
    assert picture["type"] == "temp"
    assert np.array_equal(comfy.view(picture), data.rocket())


def answer_model(comfy) -> str:
    """Load SAM Model's first choice: the model the route uses when the request names none."""
    kind, *options = comfy.object_info()["IB_SAMLoader"]["input"]["required"]["model_name"]
    return (options[0]["options"] if kind == "COMBO" else kind)[0]


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"image": {"filename": "../../main.py", "type": "input"}}, 403, "leaves its ComfyUI folder"),
        ({"image": {"filename": "x.png", "subfolder": "../..", "type": "input"}}, 403, "leaves"),
        ({"image": {"filename": "no_such_picture.png"}}, 404, "no picture 'no_such_picture.png'"),
        ({"image": {"filename": "ib_test_rocket.png", "type": "models"}}, 400, "not one of input, temp, output"),
        ({"image": "ib_test_rocket.png"}, 400, '"image" must be'),
        ({"image": {"filename": "ib_test_rocket.png"}, "points": '[{"x": 1}]'}, 400, "point 0 needs numeric"),
        ({"image": {"filename": "ib_test_rocket.png"}, "points": "[{"}, 400, "points must be JSON"),
        ({"image": {"filename": "ib_test_rocket.png"}, "boxes": [[5, 5, 1, 1]]}, 400, "box 0 has no area"),
        ({"image": {"filename": "ib_test_rocket.png"}, "multimask": "most"}, 400, "multimask must be one of"),
        ({"image": {"filename": "ib_test_rocket.png"}, "cleanup_area": -1}, 400, "cleanup_area"),
        ({"image": {"filename": "ib_test_rocket.png"}, "model": "nope"}, 400, "unknown SAM model 'nope'"),
        ([1, 2], 400, "JSON object"),
    ],
)
def test_bad_requests_get_a_clear_error(comfy_server, rocket, body, status, says):
    got, answer = comfy_server.client().post_json(ROUTE, body)
    assert got == status and says in answer["error"], answer


def test_a_body_that_is_not_json_is_refused(comfy_server):
    assert comfy_server.client().post_json(ROUTE, None, raw=b"{not json")[0] == 400
