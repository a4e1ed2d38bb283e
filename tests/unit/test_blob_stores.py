"""Every blob store (a folder, and S3 on moto's real server): round trips, inputs and outputs kept apart, keys
checked, the age sweep over inputs only, and two replicas over the same storage seeing each other's blobs."""

import asyncio
import time
import uuid

import pytest

from api_bridge.store import LocalBlobStore
from api_bridge.store.s3_blobs import S3BlobStore
from support.s3_server import CREDENTIALS


@pytest.fixture(params=["folder", "s3"])
def make_blobs(request, tmp_path, monkeypatch):
    """``make_blobs()``: a store over this test's storage; call it twice for two replicas sharing it."""
    if request.param == "folder":
        return lambda: LocalBlobStore(tmp_path / "shared")
    server = request.getfixturevalue("s3_server")
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = server.make_bucket(f"ib-{uuid.uuid4().hex[:12]}")
    return lambda: S3BlobStore(bucket, prefix="deploy1", endpoint_url=server.url, region="us-east-1")


def test_round_trip_kinds_and_keys(make_blobs):
    async def scenario():
        blobs = make_blobs()
        out, jpg = await blobs.put(b"one"), await blobs.put(b"two", "jpg")
        inp = await blobs.put(b"three", kind="input")
        got = [await blobs.get(k) for k in (out, jpg, inp)]
        present = [await blobs.exists(k) for k in (out, inp, "in-neveruploaded1.png", "../../etc/passwd")]
        await blobs.delete(out)
        await blobs.delete(out)  # twice: nothing to do, no error
        await blobs.delete("../evil.png")
        with pytest.raises(KeyError):
            await blobs.get(out)
        for evil in ("../../etc/passwd", "a/b.png", "short.png", "x" * 10 + ".exe"):
            with pytest.raises(KeyError):
                await blobs.get(evil)
        return out, jpg, inp, got, present, await blobs.exists(out)

    out, jpg, inp, got, present, after = asyncio.run(scenario())
    assert got == [b"one", b"two", b"three"]
    assert inp.startswith("in-") and not out.startswith("in-") and "-" not in out and jpg.endswith(".jpg")
    assert present == [True, True, False, False] and after is False


def test_the_age_sweep_sees_old_inputs_only(make_blobs):
    async def scenario():
        blobs = make_blobs()
        inp = await blobs.put(b"input", kind="input")
        await blobs.put(b"output")
        return inp, await blobs.inputs_older_than(time.time() + 60), await blobs.inputs_older_than(time.time() - 3600)

    inp, old, none = asyncio.run(scenario())
    assert old == [inp] and none == []


def test_replicas_over_the_same_storage_serve_each_others_results(make_blobs):
    async def scenario():
        a, b = make_blobs(), make_blobs()
        key = await a.put(b"result of replica a")
        seen = await b.get(key)
        await b.delete(key)
        return seen, await a.exists(key)

    seen, still = asyncio.run(scenario())
    assert seen == b"result of replica a" and still is False
