"""Shared test set-up: tier markers by folder, the pack importable as ``inpaint_bridge``.

The repository root is a ComfyUI pack (its folder name is not a Python name), so
tests import it under the alias ``inpaint_bridge``: ``inpaint_bridge.nodes.common``
for pure helpers. Never ``import nodes`` directly: that name is ComfyUI's.
"""

import pathlib

import pytest

from support.pack import import_pack_as
from support.paths import REPO_ROOT

_TIERS = ("unit", "nodes", "integration", "e2e")


def pytest_collection_modifyitems(items):
    for item in items:
        parts = pathlib.Path(str(item.fspath)).relative_to(REPO_ROOT / "tests").parts
        if parts and parts[0] in _TIERS:
            item.add_marker(getattr(pytest.mark, parts[0]))


def pytest_configure(config):
    import_pack_as()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real redis-server on a free loopback port for the session (AOF on), or None when IB_REDIS_URL names one."""
    import os

    if os.environ.get("IB_REDIS_URL"):
        yield None
        return
    from scripts.redis_server import RedisServer

    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    import os

    return os.environ.get("IB_REDIS_URL") or redis_server.url


@pytest.fixture
def redis_prefix(redis_url):
    """A key prefix of this test's own (one Redis serves the session); its keys are removed after."""
    import uuid

    import redis

    prefix = f"ibtest-{uuid.uuid4().hex[:10]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 server in its own process, for the session (each test makes its own bucket)."""
    from support.s3_server import S3Server

    server = S3Server(tmp_path_factory.mktemp("s3")).start()
    yield server
    server.stop()
