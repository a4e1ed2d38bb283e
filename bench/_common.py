"""Shared bench plumbing: import the pack as ``inpaint_bridge``, time calls, print medians."""

import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.pack import import_pack_as  # noqa: E402
from support.paths import comfyui_path  # noqa: E402

import_pack_as()


def median_time(fn, *args, repeats: int = 3, **kwargs) -> float:
    """Median wall time of ``fn(*args, **kwargs)`` after one untimed warm-up call."""
    fn(*args, **kwargs)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_comfy_module(name: str):
    """Import a ComfyUI module (e.g. comfy_extras.nodes_mask) in CPU mode, for baselines."""
    import importlib

    root = str(comfyui_path())
    if root not in sys.path:
        sys.path.insert(0, root)
    from comfy.cli_args import args

    args.cpu = True
    import utils.extra_config  # noqa: F401  (ComfyUI's sys.path quirk: before nodes)

    return importlib.import_module(name)


def row(*cells) -> None:
    print(" | ".join(str(c) for c in cells), flush=True)


def load_pack_in_comfy():
    """ComfyUI in-process with this pack loaded by its own loader; returns the pack module."""
    import asyncio

    comfy_nodes = import_comfy_module("nodes")
    if not asyncio.run(comfy_nodes.load_custom_node(str(ROOT))):
        raise RuntimeError("ComfyUI refused to load the pack")
    return sys.modules[str(ROOT).replace(".", "_x_")]


def pack_node_module(pack, name: str):
    import importlib

    return importlib.import_module(f"{pack.__name__}.nodes.{name}")
