"""e2e tier: one real ComfyUI (with this pack) for the session, driven by bridges the tests start."""

import pytest

from support.comfy_server import ComfyServer


@pytest.fixture(scope="session")
def bridge_comfy(tmp_path_factory):
    server = ComfyServer(tmp_path_factory.mktemp("e2e-comfyui")).start()
    yield server
    server.stop()
