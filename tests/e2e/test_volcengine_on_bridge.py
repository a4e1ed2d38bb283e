"""The official volcengine SDK against the whole bridge: app factory, task service, recipe, a real ComfyUI.

Erases the cup from a real photo (skimage coffee) with a mask made by the default
segmentation model (u2netp through rembg), through ``cv_process`` and ``img2img_inpainting``.
"""

import base64
import io
import json
import sqlite3
import time
import urllib.request

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage import data

from support.bridge import ThreadedBridge
from support.paths import default_models_dir
from support.volc_sdk import ensure_client, sdk_call

AK, SK = "AKLTE2EBRIDGE", "e2e-bridge-secret"


def png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def b64(data_: bytes) -> str:
    return base64.b64encode(data_).decode()


def start_bridge(comfy, data_dir, **settings) -> ThreadedBridge:
    env = {"IB_VOLC_CREDENTIALS": f"{AK}:{SK}"}  # read when the app is created
    return ThreadedBridge(data_dir, [comfy.url], env=env, **settings).start(timeout=120)


@pytest.fixture(scope="module")
def bridge(bridge_comfy, tmp_path_factory):
    ensure_client()
    app = start_bridge(bridge_comfy, tmp_path_factory.mktemp("volc-bridge"), workers=1)
    yield app
    app.stop()


@pytest.fixture(scope="module")
def cup():
    """coffee at half size (200x300) and its u2netp foreground mask (255 = erase)."""
    import rembg

    from inpaint_bridge.nodes.common.rembg_sessions import load_session

    photo = data.coffee()[::2, ::2].copy()
    session = load_session("u2netp", str(default_models_dir() / "rembg" / "u2netp.onnx"))
    mask = np.asarray(rembg.remove(Image.fromarray(photo), session=session, only_mask=True))
    mask = np.where(mask > 127, 255, 0).astype(np.uint8)
    assert 0.05 < (mask > 0).mean() < 0.6
    return photo, mask


@pytest.mark.parametrize("method", ["cv_process", "img2img_inpainting"])
def test_sdk_erases_the_cup_and_keeps_the_rest(bridge, cup, method):
    photo, mask = cup
    form = {
        "req_key": "i2i_inpainting",
        "binary_data_base64": [b64(png(photo)), b64(png(mask))],
        "return_url": True,
        "dilate_size": 10,
        "quality": "M",  # exemplar fill
        "seed": 0,
        "logo_info": {"add_logo": True, "position": 3, "language": 0, "opacity": 1.0},
    }
    body = sdk_call(bridge.host, AK, SK, method, form)["result"]
    assert body["code"] == body["status"] == 10000, body
    out = np.asarray(Image.open(io.BytesIO(base64.b64decode(body["data"]["binary_data_base64"][0]))).convert("RGB"))
    assert out.shape == photo.shape

    grown = ndimage.distance_transform_edt(mask == 0) <= 11  # dilate_size 10 (Euclidean disc) + 1 px
    h, w = mask.shape
    corner = np.zeros_like(grown)
    corner[: h // 3, w // 2 :] = True  # position 3 = top-right: the watermark
    keep = ~grown & ~corner
    assert np.array_equal(out[keep], photo[keep]), "unmasked pixels must come back bit for bit"
    changed = np.abs(out.astype(int) - photo.astype(int))[mask > 0].mean()
    assert changed > 10, f"the cup is still there (mean change {changed:.1f})"
    mark = (out != photo).any(-1) & ~grown
    assert mark[: h // 3, w // 2 :].sum() > 50  # the "AI生成" label

    (url,) = body["data"]["image_urls"]
    with urllib.request.urlopen(url, timeout=30) as resp:  # no auth header
        assert resp.headers["Content-Type"] == "image/jpeg"
        jpeg = Image.open(io.BytesIO(resp.read()))
    assert jpeg.format == "JPEG" and jpeg.size == (w, h)
    # The JPEG is one of the task's outputs, so it expires with the task (24 h).
    key = url.rsplit("/", 1)[1]
    with sqlite3.connect(bridge.data_dir / "tasks.sqlite3") as db:
        assert any(key in line for line in db.iterdump())


def test_refusals_come_through_the_bridge_app(bridge, cup):
    photo, mask = cup
    form = {"req_key": "i2i_inpainting", "binary_data_base64": [b64(png(photo)), b64(png(mask))]}
    out = sdk_call(bridge.host, "AKLTNOBODY", SK, "cv_process", form)
    assert out["body"]["ResponseMetadata"]["Error"]["Code"] == "InvalidAccessKey"
    out = sdk_call(bridge.host, AK, "wrong", "cv_process", form)
    assert out["body"]["ResponseMetadata"]["Error"]["Code"] == "SignatureDoesNotMatch"
    colour = np.stack([mask, mask // 2, mask], -1)
    bad = dict(form, binary_data_base64=[b64(png(photo)), b64(png(colour))])
    out = sdk_call(bridge.host, AK, SK, "img2img_inpainting", bad)
    assert out["body"]["code"] == 50400 and "R = G = B" in out["body"]["message"]
    out = sdk_call(bridge.host, AK, SK, "raw_action", form, action="CVSync2AsyncSubmitTask")
    assert out["body"]["ResponseMetadata"]["Error"]["Code"] == "InvalidActionOrVersion"


def _health(app) -> dict:
    with urllib.request.urlopen(f"http://{app.host}/health", timeout=10) as resp:
        return json.load(resp)


def _wait_for(app, key: str, value: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while _health(app)[key] < value:
        assert time.monotonic() < deadline, f"bridge never had {key} >= {value}: {_health(app)}"
        time.sleep(0.05)


def test_queue_cap_answers_50429(bridge_comfy, cup, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    photo, mask = cup
    form = {"req_key": "i2i_inpainting", "binary_data_base64": [b64(png(photo)), b64(png(mask))], "quality": "H"}
    slow = {"socket_timeout": 300}  # two tasks in a row on 2 shared CPU cores may pass the SDK's 30 s
    app = start_bridge(bridge_comfy, tmp_path, workers=1, queue_cap=1)
    try:
        with ThreadPoolExecutor(2) as pool:
            running = pool.submit(sdk_call, app.host, AK, SK, "cv_process", form, **slow)
            _wait_for(app, "running", 1)
            queued = pool.submit(sdk_call, app.host, AK, SK, "cv_process", form, **slow)
            _wait_for(app, "queued", 1)
            refused = sdk_call(app.host, AK, SK, "cv_process", form)  # one running + one queued = the cap
            outs = [running.result(), queued.result()]
    finally:
        app.stop()
    body = refused["body"]
    assert body["code"] == body["status"] == 50429 and body["data"] is None
    assert body["message"] == "Request Has Reached API Limit, Please Try Later"
    assert all(o["result"]["code"] == 10000 for o in outs), outs
