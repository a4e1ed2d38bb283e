"""Workflow runs are ordinary bridge tasks: queue cap, cancel (queued and running), progress over SSE,
per-node errors, signed webhooks, and a queued run that survives a bridge restart unchanged by an edit
of its file. Real bridges on a real ComfyUI; the workflows are written here in API format.
"""

import base64
import hashlib
import hmac
import http.server
import io
import json
import threading
import time

import httpx
import numpy as np
import pytest
from PIL import Image

from support.bridge import ThreadedBridge, png_bytes, task_events
from support.example_checks import EXAMPLES_DIR

SECRET = "workflow-hook-secret"


def slow_erase() -> dict:
    """Erase many small holes, four candidates each: seconds of work that a cancel stops between regions."""
    return {
        "1": {"class_type": "LoadImage", "inputs": {"image": "x.png"}, "_meta": {"title": "input:picture"}},
        "2": {
            "class_type": "IB_Erase",
            "_meta": {"title": "input:erase"},
            "inputs": {
                "image": ["1", 0],
                "mask": ["1", 1],
                "engine": "exemplar",
                "strategy": "crop",
                "crop_trigger_size": 64,
                "crop_margin": 24,
                "resize_limit": 1280,
                "dilate": 0,
                "feather": 0,
                "candidates": 4,
                "seed": 0,
            },
        },
        "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}, "_meta": {"title": "Erased"}},
    }


def grow(radius: int) -> dict:
    return {
        "1": {"class_type": "LoadImage", "inputs": {"image": "x.png"}},
        "2": {"class_type": "ImageToMask", "inputs": {"image": ["1", 0], "channel": "red"}},
        "3": {"class_type": "IB_MaskGrow", "inputs": {"mask": ["2", 0], "radius": radius, "kernel": "square"}},
        "4": {"class_type": "MaskToImage", "inputs": {"mask": ["3", 0]}},
        "5": {"class_type": "PreviewImage", "inputs": {"images": ["4", 0]}, "_meta": {"title": "Grown"}},
    }


def dotted_picture(seed: int) -> str:
    """A fresh RGBA noise picture (so ComfyUI caches nothing) with 64 transparent dots, as base64."""
    rng = np.random.default_rng(seed)
    rgba = np.dstack([rng.integers(0, 255, (768, 768, 3), dtype=np.uint8), np.full((768, 768), 255, np.uint8)])
    for y in range(48, 768, 96):
        for x in range(48, 768, 96):
            rgba[y - 4 : y + 4, x - 4 : x + 4, 3] = 0
    return base64.b64encode(png_bytes(Image.fromarray(rgba, "RGBA"))).decode()


def square(size: int = 64, side: int = 32) -> str:
    picture = Image.new("RGB", (size, size))
    start = (size - side) // 2
    picture.paste((255, 255, 255), (start, start, start + side, start + side))
    return base64.b64encode(png_bytes(picture)).decode()


class HookReceiver:
    def __init__(self):
        self.calls: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def hooks():
    receiver = HookReceiver()
    yield receiver
    receiver.httpd.shutdown()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("task-workflows")
    (path / "slow_erase.json").write_text(json.dumps(slow_erase()))
    (path / "grow.json").write_text(json.dumps(grow(8)))
    return path


def make_bridge(data_dir, comfy, folder, hooks, **settings) -> ThreadedBridge:
    return ThreadedBridge(
        data_dir,
        [comfy.url],
        workflows_dir=[str(EXAMPLES_DIR), str(folder)],
        allow_url_hosts=[hooks.host],
        webhook_secret=SECRET,
        webhook_backoff=0.1,
        **settings,
    ).start(timeout=120)


def post(client, name: str, inputs: dict, **body) -> httpx.Response:
    return client.post(f"/bridge/v1/workflows/{name}", json={"inputs": inputs, **body})


def wait_until(client, task_id: str, condition, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = client.get(f"/bridge/v1/tasks/{task_id}").json()
        if condition(record):
            return record
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} never reached the state: {record}")


def test_queue_cap_cancel_and_progress_over_sse(bridge_comfy, folder, hooks, tmp_path):
    bridge = make_bridge(tmp_path / "data", bridge_comfy, folder, hooks, workers=1, queue_cap=1)
    try:
        with httpx.Client(base_url=bridge.url, timeout=120) as client:
            running = post(client, "slow_erase", {"picture": dotted_picture(1)})
            assert running.status_code == 202, running.text
            running_id = running.json()["id"]
            wait_until(client, running_id, lambda r: r["status"] == "running")
            queued = post(client, "slow_erase", {"picture": dotted_picture(2), "erase": {"seed": 3}})
            assert queued.status_code == 202 and queued.json()["status"] == "queued"
            refused = post(client, "slow_erase", {"picture": dotted_picture(3)})
            assert refused.status_code == 429 and refused.json()["error"]["code"] == "queue_full"
            events: list[tuple[str, dict]] = []
            for name, record in task_events(client, running_id):
                events.append((name, record))
                if name == "progress" and record["progress"]["node_type"] == "IB_Erase" and record["progress"]["max"]:
                    cancelled = client.post(f"/bridge/v1/tasks/{queued.json()['id']}/cancel").json()
                    assert cancelled["status"] == "cancelled", "a queued run is cancelled at once"
                    client.post(f"/bridge/v1/tasks/{running_id}/cancel")
            assert events[-1][0] == "finished" and events[-1][1]["status"] == "cancelled"
            assert events[-1][1]["error"]["code"] == "interrupted"
            erasing = [e for n, e in events if n == "progress" and e["progress"]["node_type"] == "IB_Erase"]
            assert erasing and erasing[-1]["progress"]["node"] == "2", "progress names the workflow's own node"
    finally:
        bridge.stop()


def test_a_failing_node_is_named_and_the_webhook_gets_the_record(bridge_comfy, folder, hooks, tmp_path):
    bridge = make_bridge(tmp_path / "data", bridge_comfy, folder, hooks, workers=1, api_keys=["wf-key"])
    try:
        with httpx.Client(base_url=bridge.url, timeout=120) as bare:  # the native API's keys apply
            assert bare.get("/bridge/v1/workflows").status_code == 401
            assert bare.get("/bridge/v1/workflows/remove_by_click").status_code == 401
            assert post(bare, "remove_by_click", {"image": "x"}).json()["error"]["code"] == "unauthorized"
        with httpx.Client(base_url=bridge.url, timeout=120, headers={"X-API-Key": "wf-key"}) as client:
            picture = base64.b64encode((EXAMPLES_DIR / "input" / "ib_example_astronaut.jpg").read_bytes()).decode()
            hook = f"http://{hooks.host}/done"
            response = post(
                client, "remove_by_click", {"image": picture, "segment": {"points": "not json"}}, webhook_url=hook
            )
            assert response.status_code == 202, response.text
            record = client.get(f"/bridge/v1/tasks/{response.json()['id']}", params={"wait": 120}).json()
            assert record["status"] == "failed", record
            error = record["error"]
            assert (error["code"], error["node_id"], error["node_type"]) == ("execution_failed", "4", "IB_SAMSegment")
            deadline = time.monotonic() + 30
            while not hooks.calls and time.monotonic() < deadline:
                time.sleep(0.05)
        headers, body = hooks.calls[-1]
        signed = hmac.new(SECRET.encode(), f"{headers['X-IB-Timestamp']}.".encode() + body, hashlib.sha256)
        assert headers["X-IB-Signature"] == f"sha256={signed.hexdigest()}"
        sent = json.loads(body)
        assert sent["event"] == "task.finished" and sent["task"]["error"]["node_id"] == "4"
    finally:
        bridge.stop()


def test_a_queued_run_survives_a_restart_unchanged_by_an_edit_of_its_file(bridge_comfy, folder, hooks, tmp_path):
    data = tmp_path / "data"
    first = make_bridge(data, bridge_comfy, folder, hooks, workers=1)
    with httpx.Client(base_url=first.url, timeout=120) as client:
        busy = post(client, "slow_erase", {"picture": dotted_picture(4)}).json()["id"]
        wait_until(client, busy, lambda r: r["status"] == "running")
        queued = post(client, "grow", {"image": square()}).json()
        assert queued["status"] == "queued" and queued["info"]["workflow"] == "grow"
    first.stop()  # the running task goes back to the queue; the queued one stays
    (folder / "grow.json").write_text(json.dumps(grow(2)))  # edited while the run waits
    second = make_bridge(data, bridge_comfy, folder, hooks, workers=1)
    try:
        with httpx.Client(base_url=second.url, timeout=120) as client:
            client.post(f"/bridge/v1/tasks/{busy}/cancel")
            record = client.get(f"/bridge/v1/tasks/{queued['id']}", params={"wait": 120}).json()
            assert record["status"] == "succeeded", record
            grown = np.array(Image.open(io.BytesIO(client.get(record["outputs"][0]["url"]).content)).convert("L"))
            assert (grown > 127).sum() == 48 * 48, "it ran as submitted: 32 px grown by 8 a side"
            fresh = client.post("/bridge/v1/workflows/grow", json={"inputs": {"image": square()}}, params={"wait": 120})
            grown = np.array(Image.open(io.BytesIO(client.get(fresh.json()["outputs"][0]["url"]).content)).convert("L"))
            assert (grown > 127).sum() == 36 * 36, "a new run takes the edited file"
    finally:
        second.stop()
