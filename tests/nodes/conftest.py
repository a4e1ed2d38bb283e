"""Nodes tier: ComfyUI imported in-process (no server), the pack loaded by its own loader."""

import asyncio
import importlib
import os
import sys

import pytest

from support.paths import REPO_ROOT, comfyui_path


def _import_comfy():
    root = str(comfyui_path())
    if root not in sys.path:
        sys.path.insert(0, root)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from comfy.cli_args import args

    args.cpu = True
    import utils.extra_config  # noqa: F401  (must precede `nodes`: sys.path quirk of ComfyUI)

    import nodes as comfy_nodes  # ComfyUI's nodes.py

    return comfy_nodes


@pytest.fixture(scope="session")
def comfy_nodes():
    """ComfyUI's ``nodes`` module with this pack loaded through ``load_custom_node``."""
    comfy_nodes = _import_comfy()
    ok = asyncio.run(comfy_nodes.load_custom_node(str(REPO_ROOT)))
    assert ok, "ComfyUI's loader refused the pack (see the log above)"
    return comfy_nodes


@pytest.fixture(scope="session")
def pack(comfy_nodes):
    """The pack module exactly as ComfyUI's loader imported it."""
    return sys.modules[str(REPO_ROOT).replace(".", "_x_")]


@pytest.fixture(scope="session")
def pack_module(pack):
    """``pack_module("mask_info")`` -> the node module ``nodes/mask_info.py`` of the loaded pack."""
    return lambda name: importlib.import_module(f"{pack.__name__}.nodes.{name}")
