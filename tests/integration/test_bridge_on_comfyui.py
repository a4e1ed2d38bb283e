"""The bridge end to end on a real ComfyUI: every recipe, errors, progress (SSE), cancel, queue cap, webhooks."""

import json
import shutil
import threading
import time

import numpy as np
import pytest
from PIL import Image
from skimage import data

from support.bridge import ThreadedBridge, square_mask, task_events


@pytest.fixture(scope="module")
def bridge(comfy_server, tmp_path_factory):
    b = ThreadedBridge(tmp_path_factory.mktemp("bridge"), [comfy_server.url], poll_interval=0.5, workers=2).start()
    yield b
    b.stop()


@pytest.fixture
def client(bridge):
    with bridge.client() as c:
        yield c


def arr(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB")).astype(int)


def cat(size=128) -> Image.Image:
    return Image.fromarray(data.chelsea()).resize((size, size))


def test_health_ready_metrics_and_openapi(bridge, client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["comfyui"][0]["healthy"] is True
    assert client.get("/ready").status_code == 200
    assert "ib_queue_depth" in client.get("/metrics").text
    assert "/bridge/v1/tasks" in client.get("/openapi.json").json()["paths"]


def test_adjust_mask_grows_with_a_disc_and_inverts(bridge, client):
    ref = bridge.upload(client, square_mask((64, 64), (16, 16, 48, 48)))
    task = bridge.run_task(client, {"kind": "adjust_mask", "mask": {"image": ref}, "adjust": {"grow": 4}})
    assert task["status"] == "succeeded", task["error"]
    m = arr(bridge.fetch(client, task["outputs"][0]))[..., 0]
    assert m[30, 30] == 255 and m[14, 14] == 255 and m[13, 13] == 0 and m[12, 30] == 255 and m[11, 30] == 0
    inv = bridge.run_task(client, {"kind": "adjust_mask", "mask": {"image": ref, "invert": True}})
    assert (
        arr(bridge.fetch(client, inv["outputs"][0]))[..., 0]
        == 255 - np.where(np.pad(np.ones((32, 32)), 16) > 0, 255, 0)
    ).all()


def test_adjust_mask_alpha_and_luminance_rules(bridge, client):
    stroke = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    stroke.paste((255, 204, 0, 187), (10, 10, 30, 30))  # IOPaint's yellow brush on transparent
    ref = bridge.upload(client, stroke)
    for rule in ("alpha", "luminance"):
        task = bridge.run_task(client, {"kind": "adjust_mask", "mask": {"image": ref, "rule": rule}})
        m = arr(bridge.fetch(client, task["outputs"][0]))[..., 0]
        assert m[20, 20] == 255 and m[5, 5] == 0 and (m > 0).sum() == 400, rule


def test_generate_mask_with_sam_box(bridge, client):
    img = Image.fromarray(data.astronaut()).resize((256, 256))
    ref = bridge.upload(client, img)
    box = [60, 10, 150, 120]  # the astronaut's head
    task = bridge.run_task(
        client, {"kind": "generate_mask", "image": ref, "segmenter": {"method": "sam", "boxes": [box]}}
    )
    assert task["status"] == "succeeded", task["error"]
    m = arr(bridge.fetch(client, task["outputs"][0]))[..., 0] > 127
    inside = m[box[1] : box[3], box[0] : box[2]].mean()
    assert inside > 0.2 and m.sum() - m[box[1] : box[3], box[0] : box[2]].sum() < 0.05 * m.sum() + 200


def test_generate_mask_with_rembg(bridge, client):
    ref = bridge.upload(client, Image.fromarray(data.astronaut()).resize((160, 160)))
    task = bridge.run_task(client, {"kind": "generate_mask", "image": ref, "segmenter": {"method": "rembg"}})
    assert task["status"] == "succeeded", task["error"]
    m = arr(bridge.fetch(client, task["outputs"][0]))[..., 0] > 127
    assert 0.1 < m.mean() < 0.9 and m[150, 80]  # the suit at the bottom centre is foreground


def test_erase_keeps_every_pixel_outside_the_grown_mask(bridge, client):
    from scipy import ndimage

    img = cat(128)
    ref, mref = bridge.upload(client, img), bridge.upload(client, square_mask((128, 128), (50, 50, 80, 80)))
    erase = {"engine": "exemplar", "dilate": 4}
    task = bridge.run_task(client, {"kind": "erase", "image": ref, "mask": {"image": mref}, "erase": erase})
    assert task["status"] == "succeeded", task["error"]
    out, src = arr(bridge.fetch(client, task["outputs"][0])), arr(img)
    box = np.zeros((128, 128), bool)
    box[50:80, 50:80] = True
    distance = ndimage.distance_transform_edt(~box)
    grown = distance <= 4  # the node's Euclidean disc grow
    assert (out[~grown] == src[~grown]).all(), "a pixel outside the grown mask changed"
    changed = (out != src).any(-1)
    assert changed[box].mean() > 0.5, "the masked box was not filled"
    assert changed[(distance > 0) & grown].any(), "the grown band was not used"
    # The seed the bridge drew is reported and reproduces the result exactly.
    again = bridge.run_task(
        client, {"kind": "erase", "image": ref, "mask": {"image": mref}, "erase": erase, "seed": task["info"]["seed"]}
    )
    assert again["info"]["seed"] == task["info"]["seed"]
    assert (arr(bridge.fetch(client, again["outputs"][0])) == out).all()


def test_erase_with_a_model_file_added_while_the_bridge_runs(bridge, client, comfy_server, tmp_path):
    # Engine "model": a random-weight MI-GAN (IOPaint's TorchScript format) dropped into models/inpaint after the
    # bridge cached ComfyUI's object_info: first refused in the task's error shape, then picked up by a refetch.
    from api_bridge.executors.comfy import OBJECT_INFO_REFRESH_S
    from support.tiny_models import build_migan

    img = cat(128)
    ref, mref = bridge.upload(client, img), bridge.upload(client, square_mask((128, 128), (50, 50, 80, 80)))
    name = "bridge_added_migan_256_traced.pt"  # a name no other test puts into this ComfyUI's models/inpaint
    erase = {"engine": "model", "model_name": name, "dilate": 4, "candidates": 2}
    task = {"kind": "erase", "image": ref, "mask": {"image": mref}, "erase": erase}
    missing = bridge.run_task(client, task)
    assert missing["status"] == "failed" and missing["error"]["code"] == "graph_invalid"
    assert name in missing["error"]["message"]

    (comfy_server.models_dir / "inpaint").mkdir(exist_ok=True)
    shutil.copy(build_migan(tmp_path)["torchscript"], comfy_server.models_dir / "inpaint" / name)
    time.sleep(OBJECT_INFO_REFRESH_S + 0.2)
    done = bridge.run_task(client, task)
    assert done["status"] == "succeeded", done["error"]
    results = [arr(bridge.fetch(client, output)) for output in done["outputs"]]
    assert len(results) == 2 and not np.array_equal(results[0], results[1])
    src = arr(img)
    outside = np.ones((128, 128), bool)
    outside[45:86, 45:86] = False
    for out in results:
        assert (out[outside] == src[outside]).all()
        assert np.abs(out[55:75, 55:75] - src[55:75, 55:75]).sum() > 0


def test_a_node_error_becomes_execution_failed_with_the_node(bridge, client):
    ref, mref = bridge.upload(client, cat(64)), bridge.upload(client, square_mask((32, 32), (4, 4, 8, 8)))
    task = bridge.run_task(client, {"kind": "erase", "image": ref, "mask": {"image": mref}})
    assert task["status"] == "failed"
    assert task["error"]["code"] == "execution_failed" and task["error"]["node_type"] == "IB_Erase"
    assert "mask" in task["error"]["message"]


def test_comfyui_validation_errors_map_to_graph_invalid(bridge):
    import asyncio

    from api_bridge.errors import BridgeError
    from api_bridge.graph import Graph

    async def scenario():
        server = bridge.service.executor.servers[0]
        g = Graph(await server.object_info())
        g.result("image", g.add("PreviewImage", images=g.add("LoadImage", image="inpaint-bridge/missing.png")[0]))
        with pytest.raises(BridgeError) as err:
            await server.run(g.build(), None)
        return err.value

    fut = asyncio.run_coroutine_threadsafe(scenario(), _loop_of(bridge))
    err = fut.result(60)
    assert err.code.value == "graph_invalid" and err.info.node_id == "1" and err.info.node_type == "LoadImage"


def _loop_of(bridge):
    # uvicorn runs the app in its thread's loop; run coroutines there so aiohttp sessions match.
    return bridge.service._workers[0].get_loop()


def slow_erase(bridge, client) -> dict:
    ref = bridge.upload(client, cat(256))
    mref = bridge.upload(client, square_mask((256, 256), (50, 50, 200, 200)))
    return {"kind": "erase", "image": ref, "mask": {"image": mref}, "erase": {"engine": "exemplar"}}


def test_progress_is_streamed_as_server_sent_events(bridge, client):
    task = slow_erase(bridge, client)
    tid = client.post("/bridge/v1/tasks", json={"task": task}).json()["id"]
    events = list(task_events(client, tid))
    assert events[-1][0] == "finished" and events[-1][1]["status"] == "succeeded"
    assert any(e[1]["status"] == "running" for e in events)
    nodes = {e[1]["progress"]["node_type"] for e in events}
    assert "IB_Erase" in nodes  # per-node progress came through
    assert events[-1][1]["progress"]["fraction"] == 1.0


def test_cancel_interrupts_a_running_task_and_the_next_one_succeeds(bridge, client):
    task = slow_erase(bridge, client)
    tid = client.post("/bridge/v1/tasks", json={"task": task}).json()["id"]
    deadline = time.monotonic() + 30
    while client.get(f"/bridge/v1/tasks/{tid}").json()["progress"]["node_type"] != "IB_Erase":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    t0 = time.monotonic()
    cancelled = client.post(f"/bridge/v1/tasks/{tid}/cancel").json()
    assert cancelled["status"] == "cancelled" and time.monotonic() - t0 < 10
    ref = bridge.upload(client, square_mask())
    assert bridge.run_task(client, {"kind": "adjust_mask", "mask": {"image": ref}})["status"] == "succeeded"


def test_unknown_task_and_output_are_404(client):
    assert client.get("/bridge/v1/tasks/nope").status_code == 404
    assert client.get("/bridge/v1/outputs/AAAAAAAAAAAAAAAA.png").status_code == 404
    assert client.get("/bridge/v1/outputs/..%2F..%2Fetc").status_code == 404


def test_bad_images_are_refused_with_the_error_model(client):
    r = client.post("/bridge/v1/images", json={"image": "data:image/png;base64,AAAA"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    r = client.post("/bridge/v1/images", json={"image": "http://127.0.0.1:1/x.png"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "url_refused"


def test_queue_cap_answers_429_and_ready_503(comfy_server, tmp_path):
    b = ThreadedBridge(tmp_path, [comfy_server.url], workers=1, queue_cap=1, poll_interval=0.5).start()
    try:
        with b.client() as c:
            task = slow_erase(b, c)
            codes = [c.post("/bridge/v1/tasks", json={"task": task}).status_code for _ in range(3)]
            assert codes[0] == 202 and 429 in codes[1:]
            r = c.post("/bridge/v1/tasks", json={"task": task})
            assert r.status_code == 429 and r.json()["error"]["code"] == "queue_full"
            assert c.get("/ready").status_code == 503 and "queue_full" in c.get("/ready").json()["reasons"]
    finally:
        b.stop()


def test_webhooks_signed_and_a_dead_receiver_never_hurts(comfy_server, tmp_path):
    import hmac
    import http.server

    from api_bridge.webhooks import sign

    got = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((self.headers["X-IB-Timestamp"], self.headers["X-IB-Signature"], body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a):
            pass

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    b = ThreadedBridge(
        tmp_path,
        [comfy_server.url],
        webhook_secret="s3cret",
        webhook_attempts=2,
        webhook_backoff=0.05,
        allow_url_hosts=[f"127.0.0.1:{receiver.server_port}", "127.0.0.1:1"],  # loopback receivers, named
    ).start()
    try:
        with b.client() as c:
            ref = b.upload(c, square_mask())
            dead = c.post(
                "/bridge/v1/tasks",
                json={
                    "task": {"kind": "adjust_mask", "mask": {"image": ref}},
                    "webhook_url": "http://127.0.0.1:1/hook",
                },
            ).json()["id"]
            live = c.post(
                "/bridge/v1/tasks",
                json={
                    "task": {"kind": "adjust_mask", "mask": {"image": ref}},
                    "webhook_url": f"http://127.0.0.1:{receiver.server_port}/h",
                },
            )
            live_id = live.json()["id"]
            for tid in (dead, live_id):
                assert c.get(f"/bridge/v1/tasks/{tid}", params={"wait": 60}).json()["status"] == "succeeded"
            deadline = time.monotonic() + 10
            while not got and time.monotonic() < deadline:
                time.sleep(0.05)
            ts, sig, body = got[0]
            assert hmac.compare_digest(sig, sign("s3cret", ts, body))
            assert json.loads(body)["task"]["id"] == live_id
            time.sleep(0.5)
            assert c.get("/health").status_code == 200  # the dead receiver changed nothing
    finally:
        b.stop()
        receiver.shutdown()
