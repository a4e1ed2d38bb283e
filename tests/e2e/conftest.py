"""e2e tier: real ComfyUI servers (with this pack) driven by bridges the tests start, and ComfyUI's own
frontend in headless Chromium."""

import pytest

from support.browser import Browser
from support.comfy_frontend import open_comfy
from support.comfy_server import ComfyServer
from support.example_checks import example_paths
from support.example_models import provide_example_models


@pytest.fixture(scope="session")
def bridge_comfy(tmp_path_factory):
    """A ComfyUI for bridges started by e2e tests (each with its own data folder)."""
    server = ComfyServer(tmp_path_factory.mktemp("e2e-comfyui")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def frontend_server(tmp_path_factory):
    """A ComfyUI for the browser tests; the example workflows' stand-in models exist before it starts."""
    server = ComfyServer(tmp_path_factory.mktemp("comfyui-frontend"))
    provide_example_models(server.models_dir, example_paths())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def comfy_page(browser, frontend_server):
    """ComfyUI's canvas, ready, shared by one test module."""
    page = open_comfy(browser, frontend_server.url)
    yield page
    page.close()
