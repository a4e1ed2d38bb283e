"""The framework-free handler: routing order, image_urls, bridge errors mapped to the service wrapper.

Images go through the bridge's real loader (``server/images.py``); ``run`` stands for the task service
here and only records the job or raises the bridge's real errors (the whole pipeline runs in
tests/e2e/test_volcengine_*.py).
"""

import asyncio
import base64
import http.server
import io
import json
import threading
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image

from api_bridge.contracts.volcengine import EraseResult, handle
from api_bridge.contracts.volcengine import signer as sg
from api_bridge.errors import BridgeError, ErrorCode
from api_bridge.net import UrlPolicy
from api_bridge.server.images import ImageLoader

AK, SK = "AKLTUNIT", "unit-secret"
HOST = "127.0.0.1:9000"


def png(arr) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


IMAGE = png(np.full((64, 64, 3), 100, np.uint8))
MASK = png(np.full((64, 64), 255, np.uint8))


def signed(body: bytes, action="CVProcess", when=None) -> tuple[list, dict]:
    when = when or datetime.now(UTC)
    x_date = when.strftime("%Y%m%dT%H%M%SZ")
    query = [("Action", action), ("Version", "2022-08-31")]
    headers = {"Host": HOST, "Content-Type": "application/json", "X-Date": x_date}
    headers["X-Content-Sha256"] = sg.sha256_hex(body)
    names = ["content-type", "host", "x-content-sha256", "x-date"]
    canonical = sg.canonical_request("POST", "/", query, headers, names, sg.sha256_hex(body))
    sig = sg.signature(SK, x_date, canonical)
    headers["Authorization"] = (
        f"HMAC-SHA256 Credential={AK}/{x_date[:8]}/cn-north-1/cv/request, SignedHeaders={';'.join(names)}, "
        f"Signature={sig}"
    )
    return query, headers


def call(body: dict | bytes, run, loader=None, query=None, headers=None, method="POST"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    q, h = signed(raw)
    return asyncio.run(
        handle(
            method=method,
            path="/",
            query=query if query is not None else q,
            headers=headers if headers is not None else h,
            body=raw,
            credentials={AK: SK},
            run=run,
            load=(loader or ImageLoader()).load,
        )
    )


class Recorder:
    """The run callback: keeps the job the handler built and answers a fixed image."""

    def __init__(self):
        self.jobs = []

    async def __call__(self, job):
        self.jobs.append(job)
        return EraseResult(base64.b64encode(b"result").decode(), "http://h/o.jpg")


def b64_form(**kw):
    return {
        "req_key": "i2i_inpainting",
        "binary_data_base64": [base64.b64encode(IMAGE).decode(), base64.b64encode(MASK).decode()],
        **kw,
    }


class _Files(http.server.BaseHTTPRequestHandler):
    files = {"/i.png": IMAGE, "/m.png": MASK}

    def do_GET(self):  # noqa: N802 (http.server's name)
        data = self.files.get(self.path)
        self.send_response(200 if data else 404)
        self.end_headers()
        self.wfile.write(data or b"")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def files_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_base64_inputs_are_decoded_once_into_the_job():
    recorder = Recorder()
    answer = call(b64_form(quality="H"), recorder)
    assert answer.status == 200 and answer.body["data"]["binary_data_base64"] == [base64.b64encode(b"result").decode()]
    job = recorder.jobs[0]
    assert job.image.size == (64, 64) and job.image.mode == "RGB" and job.mask.mode == "L"
    assert np.asarray(job.image)[0, 0].tolist() == [100, 100, 100] and job.settings.crop_margin == 256


def test_image_urls_are_fetched_through_the_bridge_loader(files_url):
    recorder = Recorder()
    form = {"req_key": "i2i_inpainting", "image_urls": [f"{files_url}/i.png", f"{files_url}/m.png"]}
    answer = call(form, recorder, ImageLoader(UrlPolicy(allow_private=True)))
    assert answer.status == 200 and recorder.jobs[0].mask.size == (64, 64)
    # the default policy refuses loopback URLs: a parameter error naming the field, nothing run
    recorder = Recorder()
    refused = call(form, recorder)
    assert refused.status == 400 and refused.body["code"] == 50400 and "image_urls[0]" in refused.body["message"]
    assert recorder.jobs == []


def test_base64_fields_do_not_fetch_urls():
    recorder = Recorder()
    answer = call({"req_key": "i2i_inpainting", "binary_data_base64": ["http://x/i.png", "http://x/m.png"]}, recorder)
    assert answer.status == 400 and "URLs are not accepted" in answer.body["message"] and recorder.jobs == []


def failing(exc):
    async def run(job):
        raise exc

    return run


def test_queue_cap_is_50429():
    answer = call(b64_form(), failing(BridgeError(ErrorCode.queue_full, "32 tasks waiting")))
    assert answer.status == 429 and answer.body["code"] == 50429
    assert answer.body["message"] == "Request Has Reached API Limit, Please Try Later"


def test_a_timeout_is_answered_as_the_contracts_internal_error_naming_it():
    answer = call(b64_form(), failing(BridgeError(ErrorCode.timeout, "the task did not finish within 5 s")))
    assert answer.status == 500 and answer.body["code"] == 50500
    assert "did not finish within 5 s" in answer.body["message"]


def test_execution_failure_and_bugs_are_50500_without_tracebacks():
    answer = call(b64_form(), failing(BridgeError(ErrorCode.execution_failed, "IB_Erase raised")))
    assert answer.status == 500 and answer.body["code"] == 50500 and "IB_Erase raised" in answer.body["message"]
    answer = call(b64_form(), failing(ZeroDivisionError("secret internals")))
    assert answer.status == 500 and answer.body["code"] == 50500
    assert "secret" not in answer.body["message"]


def test_routing_is_checked_before_the_signature():
    recorder = Recorder()
    answer = call(b64_form(), recorder, query=[("Action", "CVProcess")], headers={})
    assert answer.status == 400 and answer.body["ResponseMetadata"]["Error"]["Code"] == "MissingParameter"
    answer = call(b64_form(), recorder, query=[("Action", "Nope"), ("Version", "2022-08-31")], headers={})
    assert answer.status == 404 and answer.body["ResponseMetadata"]["Error"]["Code"] == "InvalidActionOrVersion"
    answer = call(b64_form(), recorder, method="GET")
    assert answer.status == 404 and recorder.jobs == []


def test_return_url_false_hides_the_url_the_run_offered():
    answer = call(b64_form(), Recorder())
    assert answer.status == 200 and answer.body["data"]["image_urls"] is None
    assert call(b64_form(return_url=True), Recorder()).body["data"]["image_urls"] == ["http://h/o.jpg"]
