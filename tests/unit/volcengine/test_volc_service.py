"""The framework-free handler: routing order, image_urls, bridge errors mapped to the service wrapper."""

import asyncio
import base64
import io
import json
from datetime import UTC, datetime

import numpy as np
from PIL import Image

from api_bridge.contracts.volcengine import EraseResult, handle
from api_bridge.contracts.volcengine import signer as sg

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


def call(body: dict | bytes, run, fetch_url=None, query=None, headers=None, method="POST"):
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
            fetch_url=fetch_url,
        )
    )


async def echo(job):
    return EraseResult(base64.b64encode(job.image.data).decode(), "http://h/o.jpg")


def b64_form(**kw):
    return {
        "req_key": "i2i_inpainting",
        "binary_data_base64": [base64.b64encode(IMAGE).decode(), base64.b64encode(MASK).decode()],
        **kw,
    }


def test_image_urls_are_fetched_through_the_bridge():
    fetched = []

    async def fetch(url):
        fetched.append(url)
        return IMAGE if url.endswith("i.png") else MASK

    answer = call({"req_key": "i2i_inpainting", "image_urls": ["http://x/i.png", "http://x/m.png"]}, echo, fetch)
    assert answer.status == 200 and fetched == ["http://x/i.png", "http://x/m.png"]
    refused = call({"req_key": "i2i_inpainting", "image_urls": ["http://x/i.png", "http://x/m.png"]}, echo)
    assert refused.status == 400 and "image_urls" in refused.body["message"]


class FakeCode:  # shaped like api_bridge.errors.ErrorCode: an enum member with a string value
    def __init__(self, value):
        self.value = value


class BridgeLikeError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = FakeCode(code)


def failing(exc):
    async def run(job):
        raise exc

    return run


def test_queue_cap_is_50429():
    answer = call(b64_form(), failing(BridgeLikeError("queue_full", "32 tasks waiting")))
    assert answer.status == 429 and answer.body["code"] == 50429
    assert answer.body["message"] == "Request Has Reached API Limit, Please Try Later"


def test_execution_failure_and_bugs_are_50500_without_tracebacks():
    answer = call(b64_form(), failing(BridgeLikeError("execution_failed", "IB_Erase raised")))
    assert answer.status == 500 and answer.body["code"] == 50500 and "IB_Erase raised" in answer.body["message"]
    answer = call(b64_form(), failing(ZeroDivisionError("secret internals")))
    assert answer.status == 500 and answer.body["code"] == 50500
    assert "secret" not in answer.body["message"]


def test_routing_is_checked_before_the_signature():
    answer = call(b64_form(), echo, query=[("Action", "CVProcess")], headers={})
    assert answer.status == 400 and answer.body["ResponseMetadata"]["Error"]["Code"] == "MissingParameter"
    answer = call(b64_form(), echo, query=[("Action", "Nope"), ("Version", "2022-08-31")], headers={})
    assert answer.status == 404 and answer.body["ResponseMetadata"]["Error"]["Code"] == "InvalidActionOrVersion"
    answer = call(b64_form(), echo, method="GET")
    assert answer.status == 404


def test_return_url_false_hides_the_url_the_run_offered():
    answer = call(b64_form(), echo)
    assert answer.status == 200 and answer.body["data"]["image_urls"] is None
    assert call(b64_form(return_url=True), echo).body["data"]["image_urls"] == ["http://h/o.jpg"]
