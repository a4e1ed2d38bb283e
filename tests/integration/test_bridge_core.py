"""The bridge (python -m api_bridge) with its embedded ComfyUI: each recipe end to end, and faults."""

import base64
import io
import json
import time

import numpy as np
import pytest
from PIL import Image
from skimage import data

from support.bridge_server import BridgeServer


def b64(image: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    return "data:application/octet-stream;base64," + base64.b64encode(buf.getvalue()).decode()


def png_array(raw: bytes) -> np.ndarray:
    return np.array(Image.open(io.BytesIO(raw)))


@pytest.fixture(scope="module")
def bridge(tmp_path_factory):
    server = BridgeServer(tmp_path_factory.mktemp("bridge"), queue_cap=8)
    server.start()
    yield server
    server.stop()


def _photo_and_mask():
    photo = data.coffee()[:200, :260].copy()
    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[60:120, 100:170] = 255
    return photo, mask


def test_erase_end_to_end_keeps_the_unmasked_area(bridge):
    photo, mask = _photo_and_mask()
    status, task = bridge.post_json(
        "/v1/bridge/erase",
        {"image": b64(photo), "mask": {"image": b64(mask)}, "options": {"engine": "telea", "dilate": 6}, "wait": True},
    )
    assert status == 200 and task["status"] == "succeeded", task
    assert task["progress"] == 1.0 and len(task["results"]) == 1
    result = png_array(bridge.fetch(task["results"][0]))
    grown = np.zeros_like(mask, bool)
    grown[54:126, 94:176] = True  # the mask grown by 6 lies inside this box
    assert np.array_equal(result[~grown], photo[~grown])
    assert np.abs(result[60:120, 100:170].astype(int) - photo[60:120, 100:170]).mean() > 3


def test_generate_and_adjust_mask_recipes(bridge):
    photo = data.astronaut()
    status, task = bridge.post_json(
        "/v1/bridge/generate_mask",
        {"image": b64(photo), "method": {"points": [[230, 110, 1]]}, "adjust": {"grow": 2}, "wait": True},
    )
    assert status == 200 and task["status"] == "succeeded", task
    mask = png_array(bridge.fetch(task["results"][0]))[..., 0] > 127
    assert mask[110, 230] and not mask[20, 20]
    square = np.zeros((40, 40), np.uint8)
    square[18:22, 18:22] = 255
    status, task = bridge.post_json(
        "/v1/bridge/adjust_mask",
        {
            "mask": {"image": b64(square)},
            "adjust": {"grow": 3, "kernel": "square"},
            "invert_result": True,
            "wait": True,
        },
    )
    out = png_array(bridge.fetch(task["results"][0]))[..., 0]
    assert status == 200 and (out[15:25, 15:25] == 0).all() and (out[14, :] == 255).all()


def test_async_task_progress_events_and_status(bridge):
    photo, mask = _photo_and_mask()
    status, task = bridge.post_json(
        "/v1/bridge/erase", {"image": b64(photo), "mask": {"image": b64(mask)}, "options": {"engine": "exemplar"}}
    )
    assert status == 200 and task["status"] in ("queued", "running")
    code, raw, headers = bridge.request("GET", f"/v1/bridge/tasks/{task['id']}/events")
    events = [json.loads(line[6:]) for line in raw.decode().splitlines() if line.startswith("data: ")]
    assert code == 200 and headers["content-type"].startswith("text/event-stream")
    assert events[-1]["status"] == "succeeded" and events[-1]["progress"] == 1.0
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress)
    status, body = bridge.get(f"/v1/bridge/tasks/{task['id']}")
    assert status == 200 and json.loads(body)["status"] == "succeeded"


def test_bad_inputs_get_clear_errors_never_500(bridge):
    status, body = bridge.post_json("/v1/bridge/erase", {"image": "not base64 !!", "mask": {"image": "x"}})
    assert status == 400 and body["error"]["kind"] == "invalid_input"
    photo, _ = _photo_and_mask()
    status, body = bridge.post_json(
        "/v1/bridge/erase",
        {"image": b64(photo), "mask": {"image": b64(np.zeros((10, 10), np.uint8))}, "wait": True},
    )
    assert status == 200 and body["status"] == "failed"
    assert body["error"]["kind"] == "invalid_input" and "mask is 10×10" in body["error"]["message"]
    status, body = bridge.post_json("/v1/bridge/erase", {"image": "http://127.0.0.1:1/x.png", "mask": {"image": "x"}})
    assert status == 400 and "private or local address" in body["error"]["message"]
    assert bridge.get("/v1/bridge/tasks/nope")[0] == 404


def test_health_ready_metrics_and_openapi(bridge):
    assert bridge.get("/health") == (200, b'{"status":"ok"}')
    assert bridge.get("/ready")[0] == 200
    status, metrics = bridge.get("/metrics")
    assert status == 200 and b'bridge_tasks_total{kind="erase",status="succeeded"}' in metrics
    status, spec = bridge.get("/openapi.json")
    paths = json.loads(spec)["paths"]
    assert {"/v1/bridge/erase", "/v1/bridge/tasks/{task_id}/events", "/ready", "/metrics"} <= set(paths)


def test_comfyui_killed_mid_task_is_restarted_and_the_next_task_succeeds(bridge):
    photo = np.ascontiguousarray(np.tile(data.coffee(), (2, 2, 1)))
    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[100:500, 200:700] = 255
    status, task = bridge.post_json(
        "/v1/bridge/erase",
        {"image": b64(photo), "mask": {"image": b64(mask)}, "options": {"engine": "exemplar", "strategy": "original"}},
    )
    deadline = time.monotonic() + 60
    while json.loads(bridge.get(f"/v1/bridge/tasks/{task['id']}")[1])["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert bridge.kill_comfy() is not None
    final = None
    while time.monotonic() < deadline + 240:
        final = json.loads(bridge.get(f"/v1/bridge/tasks/{task['id']}")[1])
        if final["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.5)
    assert final["status"] in ("succeeded", "failed"), final  # retried, or failed: never hanging
    if final["status"] == "failed":
        assert final["error"]["kind"] in ("unavailable", "comfy_execution")
    small, small_mask = _photo_and_mask()
    status, nxt = bridge.post_json(
        "/v1/bridge/erase",
        {"image": b64(small), "mask": {"image": b64(small_mask)}, "options": {"engine": "telea"}, "wait": True},
    )
    assert nxt["status"] == "succeeded", nxt


def test_restart_keeps_queued_and_finished_tasks(tmp_path):
    photo, mask = _photo_and_mask()
    server = BridgeServer(tmp_path / "restart")
    server.start()
    body = {"image": b64(photo), "mask": {"image": b64(mask)}, "options": {"engine": "exemplar"}}
    done = server.post_json("/v1/bridge/erase", {**body, "options": {"engine": "telea"}, "wait": True})[1]
    queued = [
        server.post_json("/v1/bridge/erase", {**body, "options": {"engine": "exemplar", "seed": s}})[1]
        for s in range(3)
    ]
    server.stop(hard=True)  # SIGKILL: no chance to finish or flush anything
    again = BridgeServer(tmp_path / "restart", port=server.port)
    again.start()
    try:
        assert json.loads(again.get(f"/v1/bridge/tasks/{done['id']}")[1])["status"] == "succeeded"
        assert again.fetch(json.loads(again.get(f"/v1/bridge/tasks/{done['id']}")[1])["results"][0])
        deadline = time.monotonic() + 180
        for task in queued:
            while (state := json.loads(again.get(f"/v1/bridge/tasks/{task['id']}")[1]))["status"] != "succeeded":
                assert state["status"] in ("queued", "running") and time.monotonic() < deadline, state
                time.sleep(0.3)
    finally:
        again.stop()
