"""The official volcengine SDK against the whole bridge (``python -m api_bridge`` with its embedded ComfyUI).

Erases the cup from a real photo (skimage coffee) with a mask made by the default
segmentation model (u2netp through rembg), through ``cv_process`` and ``img2img_inpainting``;
every refusal comes back through the SDK's exception; the queue cap answers 50429.
"""

import base64
import io
import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage import data

from support.bridge_server import BridgeServer
from support.paths import default_models_dir
from support.volc_sdk import ensure_client, sdk_call

AK, SK = "AKLTE2EBRIDGE", "e2e-bridge-secret"
SLOW = {"socket_timeout": 300}  # CPU-only ComfyUI on 2 shared cores may pass the SDK's default 30 s


def png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def b64(data_: bytes) -> str:
    return base64.b64encode(data_).decode()


@pytest.fixture(scope="module")
def bridge(tmp_path_factory):
    ensure_client()
    server = BridgeServer(tmp_path_factory.mktemp("volc-bridge"), queue_cap=1, volc_credentials=f"{AK}:{SK}")
    server.start()
    yield server
    server.stop()


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


def host(server) -> str:
    return server.url.removeprefix("http://")


@pytest.mark.parametrize("method", ["cv_process", "img2img_inpainting"])
def test_sdk_erases_the_cup_and_keeps_the_rest(bridge, cup, method):
    photo, mask = cup
    form = {
        "req_key": "i2i_inpainting",
        "binary_data_base64": [b64(png(photo)), b64(png(mask))],
        "return_url": True,
        "dilate_size": 10,
        "quality": "M",
        "seed": 0,
        "logo_info": {"add_logo": True, "position": 3, "language": 0, "opacity": 1.0},
    }
    body = sdk_call(host(bridge), AK, SK, method, form, **SLOW)["result"]
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


def test_refusals_come_through_the_bridge(bridge, cup):
    photo, mask = cup
    form = {"req_key": "i2i_inpainting", "binary_data_base64": [b64(png(photo)), b64(png(mask))]}
    out = sdk_call(host(bridge), "AKLTNOBODY", SK, "cv_process", form)
    assert out["body"]["ResponseMetadata"]["Error"]["Code"] == "InvalidAccessKey"
    out = sdk_call(host(bridge), AK, "wrong", "cv_process", form)
    assert out["body"]["ResponseMetadata"]["Error"]["Code"] == "SignatureDoesNotMatch"
    out = sdk_call(host(bridge), AK, SK, "cv_process", form, tamper="stale_date")
    assert out["body"]["ResponseMetadata"]["Error"]["Code"] == "InvalidTimestamp"
    colour = np.stack([mask, mask // 2, mask], -1)
    bad = dict(form, binary_data_base64=[b64(png(photo)), b64(png(colour))])
    out = sdk_call(host(bridge), AK, SK, "img2img_inpainting", bad)
    assert out["body"]["code"] == 50400 and "R = G = B" in out["body"]["message"]
    out = sdk_call(host(bridge), AK, SK, "raw_action", form, action="CVSync2AsyncSubmitTask")
    assert out["body"]["ResponseMetadata"]["Error"]["Code"] == "InvalidActionOrVersion"


def _ready(server) -> int:
    try:
        with urllib.request.urlopen(server.url + "/ready", timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def test_queue_cap_answers_50429(bridge, cup):
    photo, mask = cup
    form = {"req_key": "i2i_inpainting", "binary_data_base64": [b64(png(photo)), b64(png(mask))], "quality": "H"}
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(sdk_call, host(bridge), AK, SK, "cv_process", form, **SLOW)
        deadline = time.monotonic() + 60
        while _ready(bridge) != 503:  # queue_cap=1: one task in flight fills it
            assert time.monotonic() < deadline and not running.done(), "the first task never showed up"
            time.sleep(0.05)
        refused = sdk_call(host(bridge), AK, SK, "cv_process", form)
        first = running.result()
    body = refused["body"]
    assert body["code"] == body["status"] == 50429 and body["data"] is None, body
    assert body["message"] == "Request Has Reached API Limit, Please Try Later"
    assert first["result"]["code"] == 10000, json.dumps(first)[:500]
