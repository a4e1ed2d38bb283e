"""The bridge's native API on a real ComfyUI: API keys, refusals at submission, inputs never served, and a
schemathesis run of the whole OpenAPI document (every route, every check) against the live bridge."""

import logging
import os
import subprocess
import sys

import httpx
import pytest
from PIL import Image

from api_bridge.server.auth import warn_if_open
from support.bridge import ThreadedBridge, png_bytes, square_mask
from support.comfy_server import ComfyServer
from support.paths import REPO_ROOT

KEY = "native-test-key"


@pytest.fixture(scope="module")
def native_comfy(tmp_path_factory):
    """A ComfyUI of its own with only the set-up's models: other e2e modules add checkpoints and a GroundingDINO to
    the shared one, and the fuzz run must meet the same server whichever modules ran before it."""
    server = ComfyServer(tmp_path_factory.mktemp("native-comfyui")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bridge(native_comfy, tmp_path_factory):
    b = ThreadedBridge(
        tmp_path_factory.mktemp("native"),
        [native_comfy.url],
        env={"IB_NOVITA_KEYS": KEY},  # the fuzz run sends the same key to Novita's routes (schemathesis.toml)
        api_keys=[KEY, "second-key"],
        workers=2,
    ).start(timeout=120)
    yield b
    b.stop()


def upload(client, image: Image.Image, **headers) -> httpx.Response:
    return client.post("/bridge/v1/images", files={"file": ("x.png", png_bytes(image), "image/png")}, headers=headers)


def test_keys_are_required_on_the_native_api_and_results_stay_open(bridge):
    with httpx.Client(base_url=bridge.url, timeout=60) as c:
        refused = upload(c, square_mask())
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
        assert upload(c, square_mask(), Authorization="Bearer wrong").status_code == 401
        assert upload(c, square_mask(), **{"X-API-Key": KEY[:-1]}).status_code == 401
        ref = upload(c, square_mask(), Authorization=f"Bearer {KEY}").json()
        assert upload(c, square_mask(), **{"X-API-Key": "second-key"}).status_code == 200
        task = {"task": {"kind": "adjust_mask", "mask": {"image": ref}, "adjust": {"grow": 2}}}
        assert c.post("/bridge/v1/tasks", json=task).status_code == 401
        keyed = {"X-API-Key": KEY}
        tid = c.post("/bridge/v1/tasks", json=task, headers=keyed).json()["id"]
        assert c.get(f"/bridge/v1/tasks/{tid}").status_code == 401
        done = c.get(f"/bridge/v1/tasks/{tid}", params={"wait": 60}, headers=keyed).json()
        assert done["status"] == "succeeded", done["error"]
        # Result URLs need no key: clients (Novita's SDK, browsers) fetch them bare.
        assert httpx.get(done["outputs"][0]["url"], timeout=30).status_code == 200
        assert c.get("/health").status_code == 200 and c.get("/metrics").status_code == 200


def test_submission_refuses_what_would_fail_later_naming_the_field(bridge):
    keyed = {"X-API-Key": KEY}
    with httpx.Client(base_url=bridge.url, timeout=60, headers=keyed) as c:
        ref = upload(c, square_mask()).json()
        missing = {"kind": "adjust_mask", "mask": {"image": {**ref, "blob": ""}}}
        r = c.post("/bridge/v1/tasks", json={"task": missing})
        assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "task.mask.image.blob"
        never = {"kind": "adjust_mask", "mask": {"image": {**ref, "blob": "in-neveruploaded1.png"}}}
        assert c.post("/bridge/v1/tasks", json={"task": never}).json()["error"]["details"]["field"] == (
            "task.mask.image.blob"
        )
        image = upload(c, Image.new("RGB", (64, 64))).json()
        lax = {"kind": "erase", "image": image, "mask": {"image": ref}, "watermark": {"opacity": False}}
        r = c.post("/bridge/v1/tasks", json={"task": lax})
        assert r.status_code == 422 and "watermark.opacity" in r.json()["error"]["message"]
        no_model = {"kind": "erase", "image": image, "mask": {"image": ref}, "erase": {"engine": "model"}}
        r = c.post("/bridge/v1/tasks", json={"task": no_model})
        assert r.status_code == 422 and "model_name" in r.json()["error"]["message"]
        hook = {"task": {"kind": "adjust_mask", "mask": {"image": ref}}, "webhook_url": "http://127.0.0.1:9/h"}
        r = c.post("/bridge/v1/tasks", json=hook)
        assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "webhook_url"
        broken = c.post("/bridge/v1/tasks", content=b"{not json", headers={"Content-Type": "application/json"})
        assert broken.status_code == 422 and broken.json()["error"]["message"] == "the body is not valid JSON"


def test_uploaded_inputs_are_never_served_as_outputs(bridge):
    with httpx.Client(base_url=bridge.url, timeout=60, headers={"X-API-Key": KEY}) as c:
        ref = upload(c, square_mask()).json()
        assert ref["blob"].startswith("in-")
        r = c.get(f"/bridge/v1/outputs/{ref['blob']}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_an_open_native_api_beyond_loopback_is_warned_about(caplog):
    with caplog.at_level(logging.WARNING, logger="api_bridge.server.auth"):
        assert warn_if_open("0.0.0.0", []) is True
        assert warn_if_open("127.0.0.1", []) is False
        assert warn_if_open("0.0.0.0", ["k"]) is False
    assert [r.levelno for r in caplog.records] == [logging.WARNING] and "IB_API_KEYS" in caplog.text


def test_schemathesis_finds_nothing_on_the_live_bridge(bridge):
    # From the repository root, so schemathesis.toml (auth, the rejections a schema cannot express) applies.
    cmd = [
        str(REPO_ROOT / ".venv" / "bin" / "schemathesis") if (REPO_ROOT / ".venv").exists() else "schemathesis",
        "run",
        f"{bridge.url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        "25",
        "--seed",
        "20261201",
        "--request-timeout",  # a request that hangs is a failure naming its operation, not a stalled run
        "60",
    ]
    if not os.path.exists(cmd[0]):
        cmd = [sys.executable, "-m", "schemathesis.cli", *cmd[1:]]
    try:
        proc = subprocess.run(
            cmd, cwd=REPO_ROOT, env={**os.environ, "IB_TEST_API_KEY": KEY}, capture_output=True, text=True, timeout=400
        )
    except subprocess.TimeoutExpired as exc:  # say where it was
        pytest.fail(f"schemathesis ran past 400 s:\n{(exc.stdout or b'')[-6000:]!r}")
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
