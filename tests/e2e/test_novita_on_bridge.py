"""Novita / PPIO on the real bridge and a real ComfyUI with the reduced SD1.5 models, driven by the official
clients: PyPI ``novita-client==0.7.1`` (its own venv; submit → poll → download, explicit nulls as it sends
them, LoRAs and embeddings) and npm ``novita-sdk`` (the raw key); webhooks into a local receiver; every
refusal in Novita's own error body, never a 500.

The sampled pixels are noise (random weights): what is checked is what a client relies on — the result
shape and type, the unmasked pixels outside the blend band bit for bit, seeds, what each field became
in the task (read back from the bridge's records), and the errors.
"""

import asyncio
import base64
import http.server
import io
import json
import sqlite3
import threading
import time

import httpx
import numpy as np
import pytest
from PIL import Image
from skimage import data

from support.bridge import ThreadedBridge
from support.contract_inputs import b64png, box_mask, outside_band
from support.novita_sdk import ensure_clients, js_call, sdk_call
from support.test_checkpoints import INPAINTING, LORA, PLAIN, VAE, place_test_models
from support.test_embedding import EMBEDDING, write_embedding

KEY, OTHER_KEY = "novita-test-key-1", "novita-test-key-2"
SHAPE = (96, 128)  # h, w: small, so 512² sampling stays a few seconds on two cores
BOX = (40, 24, 88, 64)  # x0, y0, x1, y1 of the repainted area
GROW, BLUR = 2, 4
BAND = GROW + BLUR + 2  # outside the mask grown by this, pixels are the input's


class Receiver:
    """A local webhook receiver: records every POST; answers the statuses queued in ``answers`` (then 200)."""

    def __init__(self):
        self.events: list[dict] = []
        self.answers: list[int] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = outer.answers.pop(0) if outer.answers else 200
                outer.events.append({"status": status, "body": json.loads(body)})
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout: float = 120) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.events

    def close(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def bridge(bridge_comfy, receiver, tmp_path_factory):
    ensure_clients()
    place_test_models(bridge_comfy.models_dir)
    write_embedding(bridge_comfy.models_dir / "embeddings" / EMBEDDING)
    hook_host = receiver.url.split("/")[2]
    b = ThreadedBridge(
        tmp_path_factory.mktemp("novita"),
        [bridge_comfy.url],
        env={"IB_NOVITA_KEYS": f"{KEY},{OTHER_KEY}", "IB_NOVITA_SAMPLE_SIDE": "64"},  # 64² sampling: CPU-fast
        allow_url_hosts=[hook_host],
        webhook_backoff=0.05,
        poll_interval=0.5,
    ).start(timeout=120)
    yield b
    b.stop()


def photo() -> np.ndarray:
    return np.ascontiguousarray(data.astronaut()[::4, ::4][: SHAPE[0], : SHAPE[1]])


def mask_array(shape=SHAPE, box=BOX) -> np.ndarray:
    return box_mask(shape, box)


IMAGE, MASK = b64png(photo()), b64png(mask_array())


def sdk_args(**fields) -> dict:
    args = {
        "model_name": INPAINTING,
        "image": IMAGE,
        "mask": MASK,
        "prompt": "a red helmet",
        "image_num": 1,
        "sampler_name": "Euler a",
        "steps": 2,
        "guidance_scale": 7.5,
        "seed": 42,
        "inpainting_full_res": 1,
        "inpainting_full_res_padding": 16,
        "response_image_type": "png",
    }
    return {**args, **fields}


def last_record(bridge, contract="novita"):
    records = asyncio.run_coroutine_threadsafe(bridge.service.list(contract=contract, limit=1), bridge.loop).result(30)
    return records[0]


def decoded(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64)))


def test_sdk_submits_polls_and_downloads_with_loras_and_embeddings(bridge):
    out = sdk_call(
        bridge.url,
        KEY,
        "inpainting",
        **sdk_args(
            image_num=2,
            prompt=f"a red helmet, {EMBEDDING.rsplit('.', 1)[0]}",
            loras=[{"model_name": LORA.rsplit(".", 1)[0], "strength": 0.8}],  # a stem: resolved to the file
            embeddings=[{"model_name": EMBEDDING}],
            clip_skip=2,
            strength=0.9,
            mask_blur=BLUR,
            negative_prompt="blurry",
        ),
    )
    result = out["result"]
    assert result["status"] == "TASK_STATUS_SUCCEED" and result["progress_percent"] == 100
    assert result["seed"] == 42 and result["debug_info"]
    assert result["image_types"] == ["png", "png"] and all(int(t) > 3600 for t in result["image_url_ttls"])
    source, mask = photo(), mask_array()
    far = outside_band(mask, BAND)
    images = [np.asarray(decoded(b).convert("RGB")) for b in result["images_encoded"]]
    for image in images:
        assert image.shape == source.shape
        assert np.array_equal(image[far], source[far]), "a pixel outside the blend band changed"
        assert np.abs(image[mask > 0].astype(int) - source[mask > 0]).mean() > 5, "the mask was not repainted"
    assert not np.array_equal(images[0], images[1]), "image_num 2: two seeds"
    record = last_record(bridge)
    task = record.task
    assert task["model"]["loras"] == [{"name": LORA, "model_strength": 0.8, "clip_strength": 0.8}]
    assert task["model"]["embeddings"] == [{"name": EMBEDDING, "where": "mentioned"}]
    assert task["model"]["clip_skip"] == 2 and task["model"]["checkpoint"] == INPAINTING
    assert task["sampling"]["sampler"] == "euler_ancestral" and task["sampling"]["count"] == 2
    assert task["sampling"]["denoise"] == 0.9 and task["blend"]["feather"] == BLUR
    assert task["region"]["context"] == "pixels" and task["region"]["padding"] == 16
    assert task["region"]["width"] == task["region"]["height"] == 64  # IB_NOVITA_SAMPLE_SIDE (default: 512 for SD1.5)
    assert record.info["seeds"] == [42, 43]


def test_sdk_defaults_with_its_explicit_nulls_give_a_jpeg_of_the_whole_image(bridge):
    # The SDK sends null for every optional field it was not given, "" for sd_vae and {} for the
    # storage options; its default result type is jpeg.
    args = sdk_args(model_name=PLAIN, seed=-1, inpainting_full_res=0)
    args.pop("response_image_type")
    result = sdk_call(bridge.url, KEY, "inpainting", **args)["result"]
    assert result["status"] == "TASK_STATUS_SUCCEED" and result["image_types"] == ["jpeg"]
    image = decoded(result["images_encoded"][0])
    assert image.format == "JPEG" and image.size == (SHAPE[1], SHAPE[0])
    record = last_record(bridge)
    assert result["seed"] == record.info["seed"] >= 0  # drawn, reported (as a string, parsed by the SDK)
    task = record.task
    assert task["region"]["context"] == "whole_image" and task["sampling"]["denoise"] == 0.75
    assert task["blend"]["feather"] == 4 and task["model"]["clip_skip"] == 1 and task["model"]["vae"] is None
    assert task["mask"]["invert"] is False and task["prompt"]["negative"] == ""
    urls = result["image_urls"]
    assert all(u.startswith(bridge.url + "/bridge/v1/outputs/") and u.endswith(".jpg") for u in urls)


def raw(bridge, path: str, body=None, key: str | None = KEY, method: str = "POST", **params) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if method == "GET":
        return httpx.get(bridge.url + path, params=params, headers=headers, timeout=120)
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(bridge.url + path, content=content, headers={**headers, "Content-Type": "application/json"})


def request_body(**fields) -> dict:
    request = {
        "model_name": INPAINTING,
        "image_base64": IMAGE,
        "mask_image_base64": MASK,
        "prompt": "a red helmet",
        "image_num": 1,
        "steps": 2,
        "guidance_scale": 7.5,
        "sampler_name": "Euler",
        "seed": 1,
        "inpainting_full_res": 1,
    }
    extra = fields.pop("extra", {"response_image_type": "png"})
    return {"extra": extra, "request": {**request, **fields}}


def novita_error(r: httpx.Response, status: int, reason: str) -> str:
    body = r.json()
    assert r.status_code == status and body["code"] == status and body["reason"] == reason, r.text
    assert set(body) == {"code", "reason", "message", "metadata"}
    return body["message"]


def test_wrong_missing_and_raw_keys(bridge):
    out = sdk_call(bridge.url, "not-a-key", "async_inpainting", **sdk_args())
    assert out["type"] == "NovitaResponseError" and "status 403" in out["error"] and "INVALID_API_KEY" in out["error"]
    novita_error(raw(bridge, "/v3/async/inpainting", request_body(), key=None), 401, "MISSING_API_KEY")
    novita_error(raw(bridge, "/v3/async/task-result", key="wrong", method="GET", task_id="x"), 403, "INVALID_API_KEY")
    # The raw key (what the JS SDK sends) works like the Bearer form.
    r = httpx.get(bridge.url + "/v3/model", headers={"Authorization": KEY}, timeout=30)
    assert r.status_code == 200 and r.json()["models"]


@pytest.mark.parametrize(
    "fields, reason, words",
    [
        ({"model_name": "sdxl-base"}, "INVALID_REQUEST_BODY", ["request.model_name", INPAINTING, PLAIN]),
        ({"loras": [{"model_name": "no-such-lora", "strength": 0.5}]}, "INVALID_REQUEST_BODY", [LORA]),
        ({"sd_vae": "nope.safetensors"}, "INVALID_REQUEST_BODY", ["request.sd_vae", VAE]),
        ({"sampler_name": "PLMS"}, "INVALID_REQUEST_BODY", ["no ComfyUI equivalent", "ipndm"]),
        ({"sampler_name": "Euler b"}, "INVALID_REQUEST_BODY", ["request.sampler_name"]),
        ({"prompt": ""}, "INVALID_REQUEST_BODY", ["request.prompt"]),
        ({"image_num": 9}, "INVALID_REQUEST_BODY", ["request.image_num"]),
        ({"steps": "20"}, "INVALID_REQUEST_BODY", ["request.steps"]),
        ({"loras": [{"model_name": LORA, "strength": 0.5}] * 6}, "INVALID_REQUEST_BODY", ["request.loras"]),
        ({"mask_image_base64": b64png(mask_array((64, 64), (8, 8, 32, 32)))}, "INVALID_IMAGE_SIZE", ["same size"]),
        ({"image_base64": b64png(np.zeros((2049, 16, 3), np.uint8))}, "IMAGE_EXCEEDS_MAX_RESOLUTION", ["2048"]),
        ({"image_base64": base64.b64encode(b"not an image").decode()}, "INVALID_IMAGE_FORMAT", ["not a readable"]),
        ({"extra": {"custom_storage": {"aws_s3": {"bucket": "b"}}}}, "INVALID_REQUEST_BODY", ["custom_storage"]),
    ],
)
def test_bad_requests_are_refused_in_novitas_body(bridge, fields, reason, words):
    message = novita_error(raw(bridge, "/v3/async/inpainting", request_body(**fields)), 400, reason)
    assert all(w in message for w in words), message


def test_an_image_over_30_mb_is_refused_before_decoding(bridge):
    huge = base64.b64encode(b"\0" * (30 * 1024 * 1024 + 1)).decode()
    r = raw(bridge, "/v3/async/inpainting", request_body(image_base64=huge))
    assert "30 MB" in novita_error(r, 400, "IMAGE_FILE_EXCEEDS_MAX_SIZE")


def test_broken_json_and_unknown_apis(bridge):
    novita_error(raw(bridge, "/v3/async/inpainting", b"{not json"), 400, "INVALID_REQUEST_BODY")
    novita_error(raw(bridge, "/v3/async/task-result", method="GET"), 400, "INVALID_REQUEST_BODY")
    novita_error(raw(bridge, "/v3/async/txt2img", {"request": {}}), 404, "API_NOT_FOUND")


def test_task_results_are_the_submitting_keys_only_and_unknown_ids_are_task_not_found(bridge):
    task_id = raw(bridge, "/v3/async/inpainting", request_body()).json()["task_id"]
    mine = raw(bridge, "/v3/async/task-result", method="GET", task_id=task_id)
    assert mine.status_code == 200 and mine.json()["task"]["task_id"] == task_id
    r = raw(bridge, "/v3/async/task-result", key=OTHER_KEY, method="GET", task_id=task_id)
    novita_error(r, 404, "TASK_NOT_FOUND")
    out = sdk_call(bridge.url, KEY, "task_result", task_id="no-such-task")
    assert out["type"] == "NovitaResponseError" and "status 404" in out["error"]


def test_the_result_shape_while_queued_running_and_done(bridge):
    task_id = raw(bridge, "/v3/async/inpainting", request_body(extra={"response_image_type": "webp"})).json()["task_id"]
    seen = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = raw(bridge, "/v3/async/task-result", method="GET", task_id=task_id).json()
        assert isinstance(body["extra"], dict) and body["extra"]["seed"] == "1"
        assert set(body["extra"]["debug_info"]) == {
            "request_info",
            "submit_time_ms",
            "execute_time_ms",
            "complete_time_ms",
        }
        task = body["task"]
        seen.add(task["status"])
        assert task["status"] in ("TASK_STATUS_QUEUED", "TASK_STATUS_PROCESSING", "TASK_STATUS_SUCCEED")
        if task["status"] == "TASK_STATUS_SUCCEED":
            break
        assert body["images"] == [] and 0 <= task["progress_percent"] < 100
        time.sleep(0.1)
    assert task["progress_percent"] == 100 and task["task_type"] == "INPAINTING" and task["reason"] == ""
    (image,) = body["images"]
    assert image["image_type"] == "webp" and int(image["image_url_ttl"]) > 3600
    fetched = httpx.get(image["image_url"], timeout=30)  # no auth header, as the SDKs download
    assert fetched.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(fetched.content)).format == "WEBP"
    again = raw(bridge, "/v3/async/task-result", method="GET", task_id=task_id).json()
    assert again["images"][0]["image_url"] == image["image_url"], "the webp copy is made once"


def test_model_listing_with_its_filters_and_pagination(bridge):
    models = sdk_call(bridge.url, KEY, "models_v3")["result"]["sd_names"]
    assert ["checkpoint", INPAINTING] in models and ["checkpoint", PLAIN] in models
    assert ["lora", LORA] in models and ["vae", VAE] in models and ["textualinversion", EMBEDDING] in models
    inpainting = sdk_call(bridge.url, KEY, "query_model_v3", types="checkpoint", is_inpainting=True)["result"]
    assert inpainting["sd_names"] == [["checkpoint", INPAINTING]]

    def names(**params):
        r = raw(bridge, "/v3/model", method="GET", **params)
        assert r.status_code == 200, r.text
        return [m["sd_name"] for m in r.json()["models"]], r.json()["pagination"]["next_cursor"]

    assert names(**{"filter.types": "lora"}) == ([LORA], "")
    assert names(**{"filter.types": "textualinversion"}) == ([EMBEDDING], "")
    assert names(**{"filter.types": "checkpoint", "filter.is_sdxl": "true"}) == ([], "")
    assert names(**{"filter.types": "checkpoint", "filter.is_sdxl": "false"})[0] == sorted([INPAINTING, PLAIN])
    assert names(**{"filter.visibility": "private"}) == ([], "")
    page, cursor = names(**{"filter.types": "checkpoint", "pagination.limit": "1"})
    rest, end = names(**{"filter.types": "checkpoint", "pagination.limit": "1", "pagination.cursor": cursor})
    assert len(page) == len(rest) == 1 and page != rest and cursor == "c_1" and end == ""
    entry = raw(bridge, "/v3/model", method="GET", **{"filter.types": "checkpoint"}).json()["models"][0]
    assert entry["type"] == {"name": "checkpoint", "display_name": "Checkpoint"} and entry["status"] == 1
    assert entry["base_model"] == "SD 1.5" and entry["sd_name_in_api"] == entry["sd_name"]
    r = raw(bridge, "/v3/model", method="GET", **{"filter.types": "hypernetwork"})
    assert "filter.types" in novita_error(r, 400, "INVALID_REQUEST_BODY")


def test_the_js_sdk_sends_the_raw_key_and_reads_errors(bridge):
    task = js_call(bridge.url, KEY, "inpainting", request_body(seed=7))["result"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        progress = js_call(bridge.url, KEY, "progress", {"task_id": task["task_id"]})["result"]
        if progress["task"]["status"] in ("TASK_STATUS_SUCCEED", "TASK_STATUS_FAILED"):
            break
        time.sleep(0.2)
    assert progress["task"]["status"] == "TASK_STATUS_SUCCEED" and progress["extra"]["seed"] == "7"
    assert httpx.get(progress["images"][0]["image_url"], timeout=30).status_code == 200
    models = js_call(bridge.url, KEY, "getModels", {"filter.types": "vae"})["result"]["models"]
    assert [m["sd_name"] for m in models] == [VAE]
    error = js_call(bridge.url, "wrong", "inpainting", request_body())["error"]
    assert error["code"] == 403 and error["reason"] == "INVALID_API_KEY" and error["metadata"] == {}
    error = js_call(bridge.url, KEY, "progress", {"task_id": "nope"})["error"]
    assert error["code"] == 404 and error["reason"] == "TASK_NOT_FOUND" and error["metadata"]["task_id"] == "nope"


def test_webhook_gets_the_task_result_after_retries(bridge, receiver):
    receiver.events.clear()
    receiver.answers[:] = [500, 503]  # two failed deliveries, then 200
    extra = {"response_image_type": "jpeg", "webhook": {"url": receiver.url}}
    task_id = raw(bridge, "/v3/async/inpainting", request_body(extra=extra)).json()["task_id"]
    events = receiver.wait(3)
    assert [e["status"] for e in events] == [500, 503, 200], "retried on non-2xx until delivered"
    bodies = [e["body"] for e in events]
    assert bodies[0] == bodies[1] == bodies[2]
    event = bodies[0]
    assert event["event_type"] == "ASYNC_TASK_RESULT"
    payload = event["payload"]
    assert payload["task"]["task_id"] == task_id and payload["task"]["status"] == "TASK_STATUS_SUCCEED"
    polled = raw(bridge, "/v3/async/task-result", method="GET", task_id=task_id).json()
    for body in (payload, polled):  # the TTL counts down between the two
        for image in body["images"]:
            image.pop("image_url_ttl")
    assert payload == polled, "the payload is exactly the task result"
    assert payload["images"][0]["image_type"] == "jpeg"


@pytest.mark.parametrize("status", ["TASK_STATUS_SUCCEED", "TASK_STATUS_FAILED"])
def test_webhook_test_mode_sends_the_mock_event_and_runs_nothing(bridge, receiver, status):
    receiver.events.clear()
    before = last_record(bridge).id
    hook = {"url": receiver.url, "test_mode": {"enabled": True, "return_task_status": status}}
    task_id = raw(bridge, "/v3/async/inpainting", request_body(extra={"webhook": hook})).json()["task_id"]
    (event,) = receiver.wait(1, timeout=30)
    payload = event["body"]["payload"]
    assert event["body"]["event_type"] == "ASYNC_TASK_RESULT" and payload["task"]["task_id"] == task_id
    assert payload["task"]["status"] == status and payload["images"] == [] and payload["extra"]["seed"] == "1"
    assert (payload["task"]["reason"] != "") is (status == "TASK_STATUS_FAILED")
    assert last_record(bridge).id == before, "test mode queues no task"
    novita_error(raw(bridge, "/v3/async/task-result", method="GET", task_id=task_id), 404, "TASK_NOT_FOUND")


def test_a_webhook_to_a_private_address_is_refused_at_submission(bridge):
    extra = {"webhook": {"url": "http://10.1.2.3/hook"}}
    message = novita_error(raw(bridge, "/v3/async/inpainting", request_body(extra=extra)), 400, "INVALID_REQUEST_BODY")
    assert message.startswith("extra.webhook.url")


def test_keys_never_reach_logs_or_task_records(bridge, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        raw(bridge, "/v3/async/inpainting", request_body(), key="a-wrong-secret-key")
        task_id = raw(bridge, "/v3/async/inpainting", request_body()).json()["task_id"]
        raw(bridge, "/v3/async/task-result", method="GET", task_id=task_id)
    assert "a-wrong-secret-key" not in caplog.text and KEY not in caplog.text
    record = last_record(bridge)
    assert KEY not in json.dumps(record.model_dump(mode="json"))
    db = sqlite3.connect(bridge.data_dir / "tasks.sqlite3")
    try:
        dump = "\n".join(db.iterdump())
    finally:
        db.close()
    assert KEY not in dump and OTHER_KEY not in dump


def test_without_keys_every_request_is_refused_unless_auth_is_switched_off(bridge_comfy, tmp_path):
    closed = ThreadedBridge(tmp_path / "closed", [bridge_comfy.url]).start(timeout=60)
    try:
        r = raw(closed, "/v3/model", method="GET")
        assert "IB_NOVITA_KEYS" in novita_error(r, 403, "INVALID_API_KEY")
    finally:
        closed.stop()
    env = {"IB_NOVITA_AUTH": "false", "IB_NOVITA_SAMPLE_SIDE": "64"}
    open_ = ThreadedBridge(tmp_path / "open", [bridge_comfy.url], env=env).start(timeout=60)
    try:
        r = raw(open_, "/v3/async/inpainting", request_body(), key=None)
        assert r.status_code == 200, r.text
        done = raw(open_, "/v3/async/task-result", key=None, method="GET", task_id=r.json()["task_id"])
        assert done.status_code == 200
    finally:
        open_.stop()
