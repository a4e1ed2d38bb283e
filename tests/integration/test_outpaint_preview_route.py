"""POST /inpaint-bridge/outpaint/preview on the real ComfyUI: the geometry a run of the node reports, the
node's own pre-fill on a small copy, and clear errors for what a caller gets wrong."""

import base64
import io

import numpy as np
import pytest
from PIL import Image
from skimage import data

from support.graph import GraphBuilder

ROUTE = "/inpaint-bridge/outpaint/preview"
PICTURE = "ib_test_outpaint_rocket.png"


def decoded(url: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))


@pytest.fixture(scope="module")
def rocket(comfy_server):
    name = comfy_server.client().upload_image(Image.fromarray(data.rocket()), PICTURE)  # 640×427
    return {"filename": name, "subfolder": "", "type": "input"}


SETTINGS = [
    {"mode": "fraction", "left_fraction": 0.3, "right_fraction": 0.3, "overlap": 32, "prefill": "edge"},
    {"mode": "pixels", "left": 40, "top": 13, "bottom": 100, "multiple": 64, "overlap": 8, "prefill": "telea"},
    {"mode": "target", "target_width": 1024, "target_height": 1024, "anchor": "bottom-right", "prefill": "grey"},
]


@pytest.mark.parametrize("settings", SETTINGS, ids=[s["mode"] for s in SETTINGS])
def test_preview_is_what_a_run_of_the_node_makes(comfy_server, comfy, rocket, settings):
    status, answer = comfy_server.client().post_json(ROUTE, {"image": rocket, "settings": settings})
    assert status == 200, answer

    g = GraphBuilder()
    load = g.node("LoadImage", image=rocket["filename"])
    expand = g.node("IB_OutpaintExpand", image=load.out(0), **settings)
    save = g.node("SaveImage", images=expand.out(0), filename_prefix="ib_outpaint_preview")
    outputs = comfy.run(g.build())
    (reported,) = outputs[expand.id]["ib_outpaint"]
    assert answer["outpaint"] == reported, "the preview's geometry is the node's"
    assert answer["image"] == {"width": 640, "height": 427}

    # The preview's pixels are the run's canvas, downscaled: same place, same pre-fill kind.
    run = comfy.view(outputs[save.id]["images"][0])[..., :3]
    pixels = answer["pixels"]
    shown = decoded(pixels["canvas"])
    assert shown.shape[:2] == (pixels["height"], pixels["width"])
    expected = np.asarray(Image.fromarray(run).resize((pixels["width"], pixels["height"]), Image.BOX))
    assert np.abs(shown.astype(int) - expected).mean() < 6
    alpha = decoded(pixels["mask"])[..., 3]
    x0, y0, x1, y1 = (round(v * answer["scale"]) for v in answer["kept"])
    assert (alpha[y0 + 1 : y1 - 1, x0 + 1 : x1 - 1] == 0).all(), "nothing masked inside the kept box"
    assert alpha.mean() > 0 and (alpha == 255).any(), "the new area is masked"


def test_a_size_alone_gives_geometry_and_mask_without_pixels(comfy_server):
    status, answer = comfy_server.client().post_json(ROUTE, {"width": 640, "height": 427, "settings": SETTINGS[0]})
    assert status == 200, answer
    assert answer["outpaint"] == {"left": 192, "top": 0, "right": 192, "bottom": 0, "width": 1024, "height": 427}
    assert answer["pixels"]["canvas"] is None and decoded(answer["pixels"]["mask"]).shape[:2] == (133, 320)


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"image": {"filename": "../../main.py", "type": "input"}}, 403, "leaves its ComfyUI folder"),
        ({"image": {"filename": "no_such_picture.png"}}, 404, "no picture 'no_such_picture.png'"),
        ({"image": {"filename": PICTURE, "type": "models"}}, 400, "not one of input, temp, output"),
        ({"width": 640}, 400, '"height" must be a whole number'),
        ({"width": 0, "height": 10}, 400, '"width" must be a whole number from 1'),
        ({"image": {"filename": PICTURE}, "settings": {"left": "40"}}, 400, "left must be int"),
        ({"image": {"filename": PICTURE}, "settings": {"prefill": "lama"}}, 400, "unknown pre-fill 'lama'"),
        (
            {"image": {"filename": PICTURE}, "settings": {"mode": "target", "target_width": 512}},
            400,
            "target 512×1024 is smaller than the image 640×427",
        ),
        ({"image": {"filename": PICTURE}, "settings": [1]}, 400, "settings must be an object"),
        ([1, 2], 400, "the body must be a JSON object"),
    ],
)
def test_bad_requests_get_clear_errors(comfy_server, rocket, body, status, says):
    got, answer = comfy_server.client().post_json(ROUTE, body)
    assert got == status and says in answer["error"], answer


def test_a_body_that_is_not_json_is_a_400(comfy_server):
    status, answer = comfy_server.client().post_json(ROUTE, None, raw=b"{not json")
    assert status == 400 and answer == {"error": "the body must be JSON"}
