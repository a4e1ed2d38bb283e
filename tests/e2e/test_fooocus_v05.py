"""The old Fooocus-API 0.5 on the real bridge, driven by its official client (PyPI
``fooocus-api-python-client==1.0.0``, its own venv): v1 multipart and v2 JSON, synchronous and async with
``query-job``, the job API; then over plain HTTP what the client cannot send: PNG mode, a full queue,
webhooks and bad inputs in the API's 422 ``{"detail", "body"}`` shape.
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
    decode,
    fooocus_bridge,
    photo,
    place_fooocus_models,
)
from support.fooocus_client import client_calls, ensure_client

SECRET = "old-api-secret"
FAST = {"overwrite_step": 2}


@pytest.fixture(scope="module")
def bridge(bridge_comfy, tmp_path_factory):
    ensure_client()
    place_fooocus_models(bridge_comfy.models_dir)
    b = fooocus_bridge(tmp_path_factory.mktemp("fooocus-v05"), bridge_comfy.url, webhook_secret=SECRET).start()
    yield b
    b.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fooocus-files")
    photo().save(folder / "photo.png")
    box_mask().save(folder / "mask.png")
    return folder


def last(bridge, contract="fooocus_api"):
    coro = bridge.service.list(contract=contract, limit=1)
    return asyncio.run_coroutine_threadsafe(coro, bridge.loop).result(30)[0]


def kept_outside(out, source, box=MASK_BOX, band=12) -> bool:
    mask = np.zeros(source.shape[:2], bool)
    mask[box[1] : box[3], box[0] : box[2]] = True
    far = ndimage.distance_transform_edt(~mask) > band
    return np.array_equal(out[far], source[far])


def test_client_v1_multipart_sync_answers_results_with_string_seeds(bridge, files):
    (answer,) = client_calls(
        bridge.url,
        (
            "v1",
            {
                "input_image": str(files / "photo.png"),
                "input_mask": str(files / "mask.png"),
                "prompt": "a red ball",
                "image_seed": 77,
                "image_number": 2,
                "performance_selection": "Lightning",  # 4 steps (the client cannot send advanced_params in a form)
            },
        ),
    )
    assert answer["type"] == "GeneratedImageResult", answer  # the client's own model accepts the items
    results = answer["result"]
    assert [r["seed"] for r in results] == ["77", "78"] and all(r["finish_reason"] == "SUCCESS" for r in results)
    assert all(r["base64"] is None and "/files/" in r["url"] for r in results)
    out = np.asarray(decode(requests.get(results[0]["url"], timeout=30).content).convert("RGB"))
    assert out.shape == (SIZE[1], SIZE[0], 3) and kept_outside(out, np.asarray(photo()))
    task = last(bridge).task
    assert task["sampling"]["steps"] == 4 and task["sampling"]["cfg"] == 7.0  # v1's own default guidance
    assert task["region"]["respective_field"] == 1.0 and task["mask"]["invert"] is False


def test_client_v2_json_outpaint_with_base64_and_an_inverted_mask(bridge):
    request = {
        "input_image": b64(photo()),
        "input_mask": b64(box_mask()),
        "outpaint_selections": ["Left", "Top"],
        "outpaint_distance_left": 40,
        "require_base64": True,
        "advanced_params": {**FAST, "invert_mask_checkbox": True},
    }
    (answer,) = client_calls(bridge.url, ("v2", request))
    assert answer["type"] == "GeneratedImageResult", answer
    (result,) = answer["result"]
    assert result["base64"].startswith("data:image/png;base64,") and result["seed"].isdigit()
    inline = decode(base64.b64decode(result["base64"].split(",", 1)[1]))
    assert inline.size == (144 + 40, 96 + 32)  # left 40 as asked; top int(0.3·96) = 28, rounded up to a multiple of 8
    assert requests.get(result["url"], timeout=30).content == base64.b64decode(result["base64"].split(",", 1)[1])
    task = last(bridge).task
    assert task["kind"] == "outpaint" and task["mask"]["invert"] is True  # honoured by the old API
    assert task["outpaint"]["extent"] == {"mode": "pixels", "left": 40, "top": 28, "right": 0, "bottom": 0}


def test_client_async_job_queried_until_success_and_the_job_api(bridge):
    request = {
        "input_image": b64(photo()),
        "input_mask": b64(box_mask()),
        "async_process": True,
        "advanced_params": FAST,
    }
    (job,) = client_calls(bridge.url, ("v2", request))
    assert job["type"] == "AsyncJobResponse" and job["result"]["job_stage"] in ("WAITING", "RUNNING")
    job_id = job["result"]["job_id"]
    deadline = time.monotonic() + 120
    while True:
        (state,) = client_calls(bridge.url, ("query_job", {"job_id": job_id}))
        if state["result"]["job_stage"] == "SUCCESS" or time.monotonic() > deadline:
            break
        assert state["result"]["job_stage"] in ("WAITING", "RUNNING"), state
        time.sleep(0.5)
    final = state["result"]
    assert final["job_progress"] == 100 and final["job_type"] == "Image Inpaint or Outpaint"
    assert final["job_result"][0]["finish_reason"] == "SUCCESS"
    queue, history, stop, ping, unknown = client_calls(
        bridge.url,
        ("job_queue", {}),
        ("job_history", {}),
        ("stop", {}),
        ("ping", {}),
        ("query_job", {"job_id": "no-such-job"}),
    )
    assert queue["result"]["last_job_id"] == job_id and queue["result"]["finished_size"] >= 1
    assert job_id in [item["job_id"] for item in history["result"]["history"]]
    assert stop["result"] == {"msg": "success"} and ping["result"] == "pong"
    assert unknown["error"]["status"] == 404
    assert unknown["error"]["body"] == {
        "job_id": "",
        "job_type": "Not Found",
        "job_stage": "ERROR",
        "job_progress": 0,
        "job_status": "Job not found",
        "job_step_preview": None,
        "job_result": None,
    }
    deleted = requests.get(f"{bridge.url}/v1/generation/job-history", params={"job_id": job_id, "delete": "true"})
    assert deleted.json() == {"message": "Deleted"}
    assert requests.get(f"{bridge.url}/v1/generation/query-job", params={"job_id": job_id}).status_code == 404


def test_client_sees_bad_input_as_the_old_apis_422(bridge):
    (answer,) = client_calls(bridge.url, ("v2", {"input_image": "!!not base64!!"}))
    assert answer["error"]["status"] == 422
    assert answer["error"]["body"]["detail"][0]["loc"] == ["body", "input_image"]


def test_png_mode_by_accept_header_or_query(bridge):
    body = {"input_image": b64(photo()), "input_mask": b64(box_mask()), "image_number": 3, "advanced_params": FAST}
    url = f"{bridge.url}/v2/generation/image-inpaint-outpaint"
    by_query = requests.post(url, params={"accept": "image/png"}, json=body, timeout=300)
    assert by_query.headers["content-type"] == "image/png" and decode(by_query.content).size == SIZE
    assert last(bridge).task["sampling"]["count"] == 1  # PNG mode makes one image
    by_header = requests.post(url, headers={"Accept": "image/png"}, json=body, timeout=300)
    assert by_header.headers["content-type"] == "image/png"


def test_a_full_queue_is_queue_is_full_in_each_shape(bridge_comfy, tmp_path_factory):
    b = fooocus_bridge(tmp_path_factory.mktemp("fooocus-full"), bridge_comfy.url, workers=1, queue_cap=1).start()
    try:
        url = f"{b.url}/v2/generation/image-inpaint-outpaint"
        body = {"input_image": b64(photo()), "input_mask": b64(box_mask()), "async_process": True}
        long = requests.post(url, json={**body, "advanced_params": {"overwrite_step": 200}}, timeout=60).json()
        assert "job_id" in long, long
        deadline = time.monotonic() + 60
        query = f"{b.url}/v1/generation/query-job"
        while requests.get(query, params={"job_id": long["job_id"]}, timeout=30).json()["job_stage"] != "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        queued = requests.post(url, json={**body, "advanced_params": {"overwrite_step": 1}}, timeout=60).json()
        assert queued["job_stage"] == "WAITING"
        full = {"base64": None, "url": None, "seed": "", "finish_reason": "QUEUE_IS_FULL"}
        sync = requests.post(url, json={**body, "async_process": False}, timeout=60)
        assert sync.status_code == 200 and sync.json() == [full]
        job = requests.post(url, json=body, timeout=60).json()
        assert job["job_stage"] == "ERROR" and job["job_id"] == "" and job["job_result"] == [full]
        png = requests.post(url, params={"accept": "image/png"}, json={**body, "async_process": False}, timeout=60)
        assert (png.status_code, png.text) == (409, "QUEUE_IS_FULL")
        assert requests.get(f"{b.url}/v1/generation/job-queue", timeout=30).json()["running_size"] == 2
        assert requests.post(f"{b.url}/v1/generation/stop", timeout=30).json() == {"msg": "success"}
        stopped = requests.get(query, params={"job_id": long["job_id"]}, timeout=30).json()
        assert stopped["job_stage"] == "ERROR" and stopped["job_result"] is None
        while (state := requests.get(query, params={"job_id": queued["job_id"]}, timeout=30).json())["job_stage"] in (
            "WAITING",
            "RUNNING",
        ):
            assert time.monotonic() < deadline + 120
            time.sleep(0.3)
        assert state["job_stage"] == "SUCCESS"
    finally:
        b.stop()


def test_webhook_posts_job_id_and_results_signed(bridge):
    with WebhookReceiver() as hook:
        body = {
            "input_image": b64(photo()),
            "input_mask": b64(box_mask()),
            "webhook_url": hook.url,
            "advanced_params": FAST,
        }
        results = requests.post(f"{bridge.url}/v2/generation/image-inpaint-outpaint", json=body, timeout=300).json()
        call = hook.next()
    headers = {k.lower(): v for k, v in call["headers"].items()}
    expected = hmac.new(SECRET.encode(), headers["x-ib-timestamp"].encode() + b"." + call["body"], hashlib.sha256)
    assert headers["x-ib-signature"] == "sha256=" + expected.hexdigest()
    posted = json.loads(call["body"])
    assert posted == {"job_id": last(bridge).id, "job_result": [{"url": results[0]["url"], "seed": results[0]["seed"]}]}


@pytest.mark.parametrize(
    "case, loc",
    [
        ("no_file", ["body", "input_image"]),
        ("bad_side", ["body", "outpaint_selections", 1]),
        ("bad_loras", ["body", "loras"]),
        ("mask_size", ["body", "input_mask"]),
        ("bad_engine", ["body", "advanced_params", "inpaint_engine"]),
    ],
)
def test_v1_form_bad_inputs_are_422_with_the_body(bridge, case, loc):
    files = {"input_image": ("p.png", decode_png(photo()), "image/png")}
    data: dict = {"prompt": "x"}
    if case == "no_file":
        files = {}
    elif case == "bad_side":
        data["outpaint_selections"] = "Left,Middle"
    elif case == "bad_loras":
        data["loras"] = "[{not json"
    elif case == "mask_size":
        files["input_mask"] = ("m.png", decode_png(box_mask(size=(50, 50))), "image/png")
    elif case == "bad_engine":
        data["advanced_params"] = json.dumps({"inpaint_engine": "v9"})
    r = requests.post(f"{bridge.url}/v1/generation/image-inpaint-outpaint", files=files or None, data=data, timeout=60)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == loc
    if case in ("bad_side", "bad_engine"):
        assert r.json()["body"]["prompt"] == "x"  # the old API echoes the request


def decode_png(image) -> bytes:
    return base64.b64decode(b64(image))


def test_v2_bad_inputs_never_answer_500(bridge, bridge_comfy, tmp_path_factory):
    url = f"{bridge.url}/v2/generation/image-inpaint-outpaint"
    assert requests.post(url, json={}, timeout=30).json()["detail"][0]["loc"] == ["body", "input_image"]
    r = requests.post(url, json={"input_image": b64(photo()), "performance_selection": "Turbo"}, timeout=30)
    assert r.status_code == 422 and r.json()["body"]["performance_selection"] == "Turbo"
    r = requests.post(url, json={"input_image": b64(photo()), "input_mask": "AAAA"}, timeout=30)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "input_mask"]
    assert requests.get(f"{bridge.url}/files/2024-01-01/none.png", timeout=30).status_code == 404
    keyed = fooocus_bridge(
        tmp_path_factory.mktemp("fooocus-v05-key"), bridge_comfy.url, env={"IB_FOOOCUS_API_KEY": "sekrit"}
    ).start()
    try:
        for path in ("/ping", "/v1/generation/job-queue"):
            r = requests.get(f"{keyed.url}{path}", headers={"X-API-KEY": "nope"}, timeout=30)
            assert (r.status_code, r.json()) == (403, {"detail": "Forbidden"})
        assert requests.get(f"{keyed.url}/ping", headers={"X-API-KEY": "sekrit"}, timeout=30).json() == "pong"
    finally:
        keyed.stop()
