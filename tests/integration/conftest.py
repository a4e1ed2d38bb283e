"""Integration tier: one real ComfyUI server for the session, with this pack loaded."""

import pytest

from support.comfy_server import ComfyServer


@pytest.fixture(scope="session")
def comfy_server(tmp_path_factory):
    server = ComfyServer(tmp_path_factory.mktemp("comfyui-base"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def comfy(comfy_server):
    """A client with its own client_id, so graphs are not served from another test's cache."""
    return comfy_server.client()


@pytest.fixture(scope="session")
def test_checkpoints(comfy_server):
    """The reduced SD1.5 checkpoints (inpainting and plain) in the server's models/checkpoints."""
    from support.test_checkpoints import place_test_checkpoints

    return place_test_checkpoints(comfy_server.models_dir / "checkpoints")
