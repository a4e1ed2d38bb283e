"""The official volcengine SDK (1.0.229, its own venv) against the whole bridge on a real ComfyUI.

Every call goes through the real SDK: its SignerV4 signs, its HTTP session sends, and on a
non-200 it raises ``Exception(<body bytes>)``, whose body is asserted here. Success calls erase
for real; what the route made of the request is read back from the bridge's own task records.
"""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from support.bridge import ThreadedBridge
from support.volc_sdk import ensure_client, sdk_call

AK, SK = "AKLTBRIDGETESTKEY", "bridge-test-secret"


def png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def photo_jpeg() -> bytes:
    from skimage import data

    buf = io.BytesIO()
    Image.fromarray(data.astronaut()[::4, ::4]).save(buf, "JPEG", quality=90)  # 128x128
    return buf.getvalue()


IMAGE = photo_jpeg()
MASK_ARR = np.zeros((128, 128), np.uint8)
MASK_ARR[40:80, 50:90] = 255
MASK = png(MASK_ARR)


@pytest.fixture(scope="module")
def server(bridge_comfy, tmp_path_factory):
    ensure_client()
    bridge = ThreadedBridge(
        tmp_path_factory.mktemp("volc-sdk"), [bridge_comfy.url], env={"IB_VOLC_CREDENTIALS": f"{AK}:{SK}"}
    ).start(timeout=120)
    yield bridge
    bridge.stop()


def last_task(server) -> dict:
    import asyncio

    records = asyncio.run_coroutine_threadsafe(server.service.list(contract="volcengine", limit=1), server.loop).result(
        30
    )
    return records[0].task


def form(**fields) -> dict:
    return {"req_key": "i2i_inpainting", "binary_data_base64": [b64(IMAGE), b64(MASK)], **fields}


def call(server, method="cv_process", body=None, ak=AK, sk=SK, **extra) -> dict:
    return sdk_call(server.host, ak, sk, method, body if body is not None else form(), **extra)


@pytest.mark.parametrize("method", ["cv_process", "img2img_inpainting"])
def test_both_actions_answer_the_success_wrapper(server, method):
    out = call(server, method, form(quality="H", dilate_size=None, logo_info={"add_logo": True, "language": 1}))
    body = out["result"]
    assert body["code"] == body["status"] == 10000 and body["message"] == "Success"
    assert body["time_elapsed"].endswith("s") and len(body["request_id"]) == 34
    data = body["data"]
    assert data["algorithm_base_resp"] == {"status_code": 0, "status_message": "Success"}
    assert data["image_urls"] is None
    result = np.asarray(Image.open(io.BytesIO(base64.b64decode(data["binary_data_base64"][0]))).convert("RGB"))
    assert result.shape == (128, 128, 3)
    # What the route made of the request: dilate null = 15, quality H = exemplar with a wide context,
    # language 1 = the node's English label (drawn: the corner changed).
    task = last_task(server)
    assert task["erase"]["dilate"] == 15 and task["erase"]["engine"] == "auto"
    assert task["erase"]["hd"]["crop_margin"] == 256
    assert task["watermark"] == {**task["watermark"], "language": "en", "text": "", "position": "bottom-right"}
    source = np.asarray(Image.open(io.BytesIO(IMAGE)).convert("RGB"))
    assert (result[-12:, -40:] != source[-12:, -40:]).any(), "no watermark in the bottom-right corner"


def test_return_url_gives_image_urls(server):
    import urllib.request

    data = call(server, body=form(return_url=True))["result"]["data"]
    (url,) = data["image_urls"]
    assert url.startswith(server.url + "/bridge/v1/outputs/") and url.endswith(".jpg")
    with urllib.request.urlopen(url, timeout=30) as resp:  # no auth header
        assert resp.headers["Content-Type"] == "image/jpeg"
        assert Image.open(io.BytesIO(resp.read())).size == (128, 128)


def gateway(out: dict, code: str) -> dict:
    error = out["body"]["ResponseMetadata"]["Error"]
    assert error["Code"] == code, out
    return out["body"]["ResponseMetadata"]


def test_unknown_access_key(server):
    gateway(call(server, ak="AKLTNOBODY"), "InvalidAccessKey")


def test_wrong_secret_is_a_signature_mismatch(server):
    meta = gateway(call(server, sk="not-the-secret"), "SignatureDoesNotMatch")
    assert (meta["Action"], meta["Version"], meta["Service"], meta["Region"]) == (
        "CVProcess",
        "2022-08-31",
        "cv",
        "cn-north-1",
    )


def test_missing_authorization_header(server):
    gateway(call(server, tamper="drop_authorization"), "MissingAuthenticationToken")


def test_missing_signed_header(server):
    gateway(call(server, tamper="drop_content_sha256"), "MissingRequestInfo")


def test_stale_date(server):
    gateway(call(server, tamper="stale_date"), "InvalidTimestamp")


def test_unknown_action_and_version(server):
    meta = gateway(call(server, "raw_action", action="Img2ImgOutpainting"), "InvalidActionOrVersion")
    assert "Img2ImgOutpainting" in meta["Error"]["Message"]
    gateway(call(server, "raw_action", action="CVProcess", version="2020-01-01"), "InvalidActionOrVersion")


def business(out: dict, code: int = 50400) -> str:
    body = out["body"]
    assert body["code"] == body["status"] == code and body["data"] is None, body
    return body["message"]


def test_colour_mask_is_refused(server):
    colour = np.stack([MASK_ARR, MASK_ARR // 2, MASK_ARR], -1)
    assert "R = G = B" in business(call(server, body=form(binary_data_base64=[b64(IMAGE), b64(png(colour))])))


def test_mask_size_mismatch_is_refused(server):
    small = png(MASK_ARR[:64, :64])
    assert "must match" in business(call(server, body=form(binary_data_base64=[b64(IMAGE), b64(small)])))


def test_too_large_images_are_refused(server):
    tall = png(np.zeros((4097, 64, 3), np.uint8))
    assert "4096" in business(call(server, body=form(binary_data_base64=[b64(tall), b64(MASK)])))
    heavy = png(np.random.default_rng(0).integers(0, 256, (1400, 1400, 3), dtype=np.uint8))
    assert len(heavy) > 5 * 1024 * 1024
    assert "5 MB" in business(call(server, body=form(binary_data_base64=[b64(heavy), b64(MASK)])))


def test_wrong_req_key_and_missing_images(server):
    assert "i2i_inpainting" in business(call(server, body=form(req_key="high_aes_general_v20")))
    assert "exactly one" in business(call(server, body={"req_key": "i2i_inpainting"}))
