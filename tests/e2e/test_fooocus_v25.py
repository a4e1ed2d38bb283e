"""FooocusAPI v2.5 on the real bridge and ComfyUI: the vendor document's own requests, every response mode,
the task API, generate_mask, files, webhooks, authentication and bad inputs in FastAPI's shapes.

The clients are the document's: plain ``requests`` POSTs. The diffusion model is the reduced SD1.5
checkpoint (random weights: the pixels are noise), so what is checked is what a client relies on — sizes,
the unmasked pixels kept exactly, URLs that fetch, seeds, statuses — and, from the bridge's own task
records, what the request was mapped to.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import time

import numpy as np
import pytest
import requests
from scipy import ndimage

from support.fooocus import (
    MASK_BOX,
    SIZE,
    WebhookReceiver,
    b64,
    box_mask,
    data_uri,
    decode,
    fooocus_bridge,
    photo,
    place_fooocus_models,
)
from support.test_checkpoints import PLAIN

FAST = {"overwrite_step": 2}  # Fooocus's own knob for the step count: 2 steps at the tests' 64² crops
BAND = 2 + 8 + 2  # the stitch's default grow + feather, + rounding: pixels farther from the mask are the input's
SECRET = "fooocus-webhook-secret"


@pytest.fixture(scope="module")
def bridge(bridge_comfy, tmp_path_factory):
    place_fooocus_models(bridge_comfy.models_dir)
    b = fooocus_bridge(tmp_path_factory.mktemp("fooocus-v25"), bridge_comfy.url, webhook_secret=SECRET).start()
    yield b
    b.stop()


@pytest.fixture(scope="module")
def url(bridge):
    return bridge.url


def records(bridge, contract="fooocus", limit=1):
    coro = bridge.service.list(contract=contract, limit=limit)
    return asyncio.run_coroutine_threadsafe(coro, bridge.loop).result(30)


def far_from(box, size=SIZE, band=BAND) -> np.ndarray:
    mask = np.zeros((size[1], size[0]), bool)
    x0, y0, x1, y1 = box
    mask[y0:y1, x0:x1] = True
    return ndimage.distance_transform_edt(~mask) > band


def rgb(image) -> np.ndarray:
    return np.asarray(image.convert("RGB"))


@pytest.fixture(scope="module")
def outpainted(url):
    """The document's outpaint example (an image alone + two sides), its input given as base64 here."""
    params = {"inpaint_input_image": b64(photo()), "outpaint_selections": ["Left", "Bottom"], **FAST}
    response = requests.post(f"{url}/v1/engine/generate", json=params, timeout=300)
    assert response.status_code == 200, response.text
    return response.json()


def test_outpaint_example_extends_left_and_bottom_by_a_third_with_the_original_kept(outpainted, bridge):
    record = outpainted
    assert record["task_status"] == "finished" and record["progress"] == 100 and len(record["result"]) == 1
    assert len(record["task_id"]) == 32 and record["finish_mills"] >= record["start_mills"] >= record["in_queue_mills"]
    out = decode(requests.get(record["result"][0], timeout=30).content)
    # int(0.3·144) = 43 left, int(0.3·96) = 28 bottom, each rounded up so the canvas is a multiple of 8
    assert out.size == (192, 128)
    pad = records(bridge)[0].info["outpaint"][0]
    assert (pad["left"], pad["top"], pad["right"], pad["bottom"]) == (48, 0, 0, 32)
    original = rgb(photo())
    kept = rgb(out)[0:96, 48:192]
    # beyond the 32 px overlap band the original comes back bit for bit
    np.testing.assert_array_equal(kept[: 96 - 32, 32:], original[: 96 - 32, 32:])
    task = records(bridge)[0].task
    assert task["kind"] == "outpaint" and task["outpaint"]["prefill"] == "edge"
    assert task["sampling"]["denoise"] == 1.0 and task["region"]["respective_field"] == 1.0


def test_inpaint_example_repaints_the_mask_of_a_result_url_with_the_additional_prompt(outpainted, url, bridge):
    source_url = outpainted["result"][0]  # as the document does: a previous output by its URL
    source = decode(requests.get(source_url, timeout=30).content)
    mask = box_mask(size=source.size)
    params = {
        "prompt": "",
        "inpaint_additional_prompt": "a red ball",
        "inpaint_input_image": source_url,
        "inpaint_mask_image_upload": data_uri(mask),
        **FAST,
    }
    response = requests.post(f"{url}/v1/engine/generate", json=params, timeout=300)
    assert response.status_code == 200, response.text
    record = response.json()
    out = decode(requests.get(record["result"][0], timeout=30).content)
    assert out.size == source.size
    keep = far_from(MASK_BOX, source.size)
    np.testing.assert_array_equal(rgb(out)[keep], rgb(source)[keep])
    assert not np.array_equal(rgb(out)[~keep], rgb(source)[~keep])
    stored = records(bridge)[0]
    assert stored.task["prompt"]["positive"] == "a red ball"  # the additional prompt alone: prompt was empty
    assert stored.task["region"]["respective_field"] == 0.618 and stored.task["mask"]["rule"] == "rgb_mean"
    # inpaint_engine v2.6 (the default) on an SD1.5 checkpoint: the documented fallback, plain conditioning
    assert stored.task["model"].get("fooocus_inpaint") is None and stored.meta["engine"] == "plain"
    params = record["req_params"]
    assert params["image_seed"] == stored.info["seed"] >= 0 and params["base_model_name"] == PLAIN
    assert params["inpaint_advanced_masking_checkbox"] is True and params["invert_mask_checkbox"] is False
    echoed = decode(requests.get(params["inpaint_input_image"], timeout=30).content)
    np.testing.assert_array_equal(rgb(echoed), rgb(source))


def test_image_bytes_by_accept_sse_stream_and_async_record_then_the_task_api(url, bridge):
    body = {"inpaint_input_image": b64(photo()), "inpaint_mask_image_upload": b64(box_mask()), **FAST}
    png = requests.post(f"{url}/v1/engine/generate/", json=body, headers={"Accept": "image/png"}, timeout=300)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert decode(png.content).size == SIZE
    jpeg = requests.post(
        f"{url}/v1/engine/generate", json={**body, "image_number": 3}, headers={"Accept": "image/jpeg"}, timeout=300
    )
    assert jpeg.headers["content-type"] == "image/jpeg" and decode(jpeg.content).format == "JPEG"
    assert records(bridge)[0].task["sampling"]["count"] == 1  # bytes mode makes one image

    with requests.post(
        f"{url}/v1/engine/generate", json={**body, "stream_output": True}, stream=True, timeout=300
    ) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[len("data: ") :]) for line in r.iter_lines(decode_unicode=True) if line]
    assert all(set(e) == {"progress", "preview", "message", "images"} for e in events)
    assert events[-1]["message"] == "Finished" and events[-1]["progress"] == 100 and len(events[-1]["images"]) == 1
    assert [e["progress"] for e in events] == sorted(e["progress"] for e in events)
    assert requests.get(events[-1]["images"][0], timeout=30).status_code == 200

    pending = requests.post(f"{url}/v1/engine/generate", json={**body, "async_process": True}, timeout=60).json()
    assert pending == {
        "id": -1,
        "task_id": pending["task_id"],
        "req_params": {},
        "in_queue_mills": -1,
        "start_mills": -1,
        "finish_mills": -1,
        "task_status": "pending",
        "progress": -1,
        "preview": "",
        "webhook_url": "",
        "result": [],
    }
    deadline = time.monotonic() + 120
    while (record := requests.get(f"{url}/tasks/{pending['task_id']}", timeout=30).json())["task_status"] != "finished":
        assert record["task_status"] in ("pending", "running") and time.monotonic() < deadline
        time.sleep(0.3)
    assert len(record["result"]) == 1 and "preview" not in record
    lists = requests.get(f"{url}/tasks", params={"query": "history", "page_size": 50}, timeout=30).json()
    assert set(lists) == {"history", "current", "pending"} and lists["current"] == lists["pending"] == []
    assert pending["task_id"] in [t["task_id"] for t in lists["history"]]
    assert requests.get(f"{url}/tasks/0123456789abcdef0123456789abcdef", timeout=30).json() == []


def test_several_images_take_consecutive_seeds_and_output_format_converts(url, bridge):
    body = {
        "inpaint_input_image": b64(photo()),
        "inpaint_mask_image_upload": b64(box_mask()),
        "image_number": 2,
        "image_seed": 1234,
        "output_format": "webp",
        **FAST,
    }
    record = requests.post(f"{url}/v1/engine/generate", json=body, timeout=300).json()
    assert record["req_params"]["image_seed"] == 1234 and len(record["result"]) == 2
    assert records(bridge)[0].info["seeds"] == [1234, 1235]
    first, second = (requests.get(u, timeout=30) for u in record["result"])
    assert all(u.endswith(".webp") for u in record["result"]) and first.headers["content-type"] == "image/webp"
    assert first.content != second.content
    as_jpeg = requests.get(record["result"][0], headers={"Accept": "image/jpeg"}, timeout=30)
    assert as_jpeg.headers["content-type"] == "image/jpeg" and decode(as_jpeg.content).size == SIZE

    same = requests.post(f"{url}/v1/engine/generate", json={**body, "disable_seed_increment": True}, timeout=300).json()
    assert len(same["result"]) == 2 and same["result"][0] == same["result"][1]
    assert records(bridge)[0].task["sampling"]["count"] == 1


def test_control_stops_the_running_task(url):
    body = {
        "inpaint_input_image": b64(photo()),
        "inpaint_mask_image_upload": b64(box_mask()),
        "overwrite_step": 400,
        "async_process": True,
    }
    assert requests.post(f"{url}/v1/engine/control", params={"action": "stop"}, timeout=30).json() == {
        "message": "No task running"
    }
    assert requests.post(f"{url}/v1/engine/control", params={"action": "pause"}, timeout=30).json() == {
        "message": "Invalid control action"
    }
    task_id = requests.post(f"{url}/v1/engine/generate", json=body, timeout=60).json()["task_id"]
    deadline = time.monotonic() + 60
    while requests.get(f"{url}/tasks/{task_id}", timeout=30).json()["task_status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    current = requests.get(f"{url}/tasks", params={"query": "current"}, timeout=30).json()["current"]
    assert [t["task_id"] for t in current] == [task_id] and current[0]["preview"] == ""
    assert requests.post(f"{url}/v1/engine/control", params={"action": "stop"}, timeout=30).json() == {
        "message": "task stoped"  # upstream's spelling
    }
    record = requests.get(f"{url}/tasks/{task_id}", timeout=30).json()
    assert record["task_status"] == "stop" and record["result"] == []


def test_generate_mask_example_and_every_mask_mode(url, outpainted):
    # The document's request, all parameters spelled out (its image: a previous output's URL).
    params = {
        "image": outpainted["result"][0],
        "mask_model": "isnet-general-use",  # aliased to u2netp here: no registry carries isnet
        "cloth_category": "full",
        "dino_prompt_text": "",
        "sam_model": "vit_b",
        "box_threshold": 0.3,
        "text_threshold": 0.25,
        "sam_max_detections": 0,
        "dino_erode_or_dilate": 0,
        "dino_debug": False,
    }
    response = requests.post(f"{url}/v1/tools/generate_mask", json=params, timeout=300)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    text = response.json()
    assert isinstance(text, str) and not text.startswith("data:")
    mask = decode(base64.b64decode(text))
    assert mask.mode == "L" and mask.size == (192, 128)  # rembg: one channel, soft values
    assert 0 < np.asarray(mask).mean() < 255

    def sam(**fields) -> np.ndarray:
        body = {"image": b64(photo()), "mask_model": "sam", "box_threshold": 0.0, "text_threshold": 0.0, **fields}
        r = requests.post(f"{url}/v1/tools/generate_mask", json=body, timeout=300)
        assert r.status_code == 200, r.text
        image = decode(base64.b64decode(r.json()))
        assert image.mode == "RGB" and image.size == SIZE
        pixels = np.asarray(image)
        assert set(np.unique(pixels)) <= {0, 255} and (pixels[..., 0] == pixels[..., 2]).all()
        return pixels[..., 0] > 0

    boxes = sam(dino_prompt_text="a cup.", dino_debug=True, sam_max_detections=2)
    labels, count = ndimage.label(boxes)
    assert 1 <= count <= 2
    grown = sam(dino_prompt_text="a cup.", dino_debug=True, sam_max_detections=2, dino_erode_or_dilate=6)
    assert (grown >= boxes).all() and grown.sum() > boxes.sum()
    for found in ndimage.find_objects(labels):  # each debug box is a filled rectangle
        assert boxes[found].all()
    masks = sam(dino_prompt_text="a cup.", sam_max_detections=2)
    assert masks.shape == (SIZE[1], SIZE[0])
    assert not sam(dino_prompt_text="").any()  # nothing asked, nothing found


def test_webhook_posts_the_record_as_a_json_string_signed_as_the_bridge_signs(url):
    with WebhookReceiver() as hook:
        body = {
            "inpaint_input_image": b64(photo()),
            "inpaint_mask_image_upload": b64(box_mask()),
            "webhook_url": hook.url,
            "async_process": True,
            **FAST,
        }
        task_id = requests.post(f"{url}/v1/engine/generate", json=body, timeout=60).json()["task_id"]
        call = hook.next()
    headers = {k.lower(): v for k, v in call["headers"].items()}
    expected = hmac.new(SECRET.encode(), headers["x-ib-timestamp"].encode() + b"." + call["body"], hashlib.sha256)
    assert headers["x-ib-signature"] == "sha256=" + expected.hexdigest()
    text = json.loads(call["body"])  # upstream double-encodes: the JSON body is a string holding the record
    assert isinstance(text, str)
    record = json.loads(text)
    assert record["task_id"] == task_id and record["task_status"] == "finished" and len(record["result"]) == 1
    assert record["webhook_url"] == hook.url
    assert requests.get(record["result"][0], timeout=30).status_code == 200


@pytest.mark.parametrize(
    "body, status, loc",
    [
        ({"prompt": "no image"}, 422, ["body", "inpaint_input_image"]),
        ({"inpaint_input_image": "not base64!"}, 422, ["body", "inpaint_input_image"]),
        ({"inpaint_input_image": "data:image/png;base64,iVBORw0KGgoAAAA"}, 422, ["body", "inpaint_input_image"]),
        ({"mask": "size"}, 422, ["body", "inpaint_mask_image_upload"]),
        ({"performance_selection": "Turbo"}, 422, ["body", "performance_selection"]),
        ({"outpaint_selections": ["left"]}, 422, ["body", "outpaint_selections", 0]),
        ({"inpaint_engine": "v3"}, 422, ["body", "inpaint_engine"]),
        ({"inpaint_erode_or_dilate": 65}, 422, ["body", "inpaint_erode_or_dilate"]),
        ({"base_model_name": "missing.safetensors"}, 422, ["body", "base_model_name"]),
        ({"image_number": 33}, 422, ["body", "image_number"]),
        ({"inpaint_input_image": "http://127.0.0.1:9/none.png"}, 422, ["body", "inpaint_input_image"]),
    ],
    ids=lambda v: json.dumps(v)[:40] if isinstance(v, dict) else None,
)
def test_bad_inputs_are_fastapi_validation_errors(url, body, status, loc):
    image, mask = b64(photo()), b64(box_mask())
    if body == {"mask": "size"}:
        body = {"inpaint_input_image": image, "inpaint_mask_image_upload": b64(box_mask(size=(64, 64)))}
    elif "inpaint_input_image" not in body and body != {"prompt": "no image"}:
        body = {"inpaint_input_image": image, "inpaint_mask_image_upload": mask, **body}
    response = requests.post(f"{url}/v1/engine/generate", json=body, timeout=60)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail[0]["loc"] == loc and detail[0]["msg"]
    if loc[-1] == "base_model_name":
        assert PLAIN in detail[0]["msg"]  # says what is installed


def test_bad_json_huge_images_and_bad_mask_requests_never_answer_500(url, bridge_comfy, tmp_path_factory):
    bad_json = requests.post(f"{url}/v1/engine/generate", data=b"{nope", timeout=30)
    assert bad_json.status_code == 422 and bad_json.json()["detail"][0]["type"] == "json_invalid"
    r = requests.post(f"{url}/v1/tools/generate_mask", json={"mask_model": "u2netp"}, timeout=30)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "image"]
    r = requests.post(f"{url}/v1/tools/generate_mask", json={"image": b64(photo()), "mask_model": "u2net_cloth_seg"})
    assert r.status_code == 422 and "u2netp" in r.json()["detail"][0]["msg"]  # not installed: says what is
    r = requests.post(f"{url}/v1/tools/generate_mask", json={"image": b64(photo()), "cloth_category": "hat"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "cloth_category"]
    assert requests.get(f"{url}/outputs/2024-01-01/nope.png", timeout=30).status_code == 404
    assert requests.get(f"{url}/inputs/{'0' * 32}-0.png", timeout=30).status_code == 404
    small = fooocus_bridge(tmp_path_factory.mktemp("fooocus-small"), bridge_comfy.url, max_image_pixels=100 * 100)
    small.start()
    try:
        r = requests.post(f"{small.url}/v1/engine/generate", json={"inpaint_input_image": b64(photo())}, timeout=30)
        assert r.status_code == 413 and "limit" in r.json()["detail"]
    finally:
        small.stop()


def test_api_key_guards_every_route_but_the_files(bridge_comfy, tmp_path_factory):
    b = fooocus_bridge(tmp_path_factory.mktemp("fooocus-key"), bridge_comfy.url, env={"IB_FOOOCUS_API_KEY": "k1,k2"})
    b.start()
    try:
        for method, path in [("post", "/v1/engine/generate"), ("get", "/tasks"), ("post", "/v1/tools/generate_mask")]:
            for headers in ({}, {"X-API-KEY": "wrong"}):
                r = requests.request(method, f"{b.url}{path}", json={}, headers=headers, timeout=30)
                assert (r.status_code, r.json()) == (403, {"detail": "Forbidden"})
        assert requests.get(f"{b.url}/tasks", headers={"X-API-KEY": "k2"}, timeout=30).status_code == 200
        assert requests.get(f"{b.url}/v1/engines/styles", headers={"X-API-KEY": "k1"}, timeout=30).status_code == 200
        models = requests.get(f"{b.url}/v1/engines/all-models", headers={"X-API-KEY": "k1"}, timeout=30).json()
        assert PLAIN in models["model_filenames"]
        body = {"inpaint_input_image": b64(photo()), "inpaint_mask_image_upload": b64(box_mask()), **FAST}
        record = requests.post(f"{b.url}/v1/engine/generate", json=body, headers={"X-API-KEY": "k1"}, timeout=300)
        # result and input files need no key: their random names are the capability
        assert requests.get(record.json()["result"][0], timeout=30).status_code == 200
        assert requests.get(record.json()["req_params"]["inpaint_input_image"], timeout=30).status_code == 200
    finally:
        b.stop()
