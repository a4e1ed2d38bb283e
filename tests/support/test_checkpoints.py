"""Reduced SD1.5-shaped checkpoints for tests, written by ``scripts/make_test_checkpoint.py``.

The script is loaded from its file (``scripts/`` is not on the test path) and called
in-process: one torch import instead of one per checkpoint.
"""

import importlib.util
import pathlib

from .paths import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "make_test_checkpoint.py"
# Names the example workflows use, and the variants the tests run.
INPAINTING = "sd-v1-5-inpainting.safetensors"  # 9-channel UNet, TAESD
PLAIN = "v1-5-pruned-emaonly.safetensors"  # 4-channel UNet, TAESD


def _script():
    spec = importlib.util.spec_from_file_location("make_test_checkpoint", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(path: pathlib.Path, inpaint: bool, vae: str = "taesd", seed: int = 0) -> pathlib.Path:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _script().write_checkpoint(path, inpaint=inpaint, vae=vae, seed=seed)
    return path


def place_test_checkpoints(checkpoints_dir: pathlib.Path) -> dict[str, pathlib.Path]:
    """Both variants under their example names in a ComfyUI ``models/checkpoints`` folder."""
    checkpoints_dir.mkdir(parents=True, exist_ok=True)
    return {
        INPAINTING: write(checkpoints_dir / INPAINTING, inpaint=True),
        PLAIN: write(checkpoints_dir / PLAIN, inpaint=False),
    }


SAMPLING_NODES = ("KSampler", "IB_Inpaint")
CROP_NODES = ("IB_InpaintCrop", "IB_Inpaint")


def cpu_sized(graph: dict, steps: int = 2, crop: int = 64) -> dict:
    """``graph`` (API format) with few steps and small crops: the reduced checkpoint samples noise anyway, and
    a saved workflow's 20 steps at 512² take minutes on two CPU cores. Wiring and geometry stay as saved."""
    out = {}
    for node_id, node in graph.items():
        inputs = dict(node["inputs"])
        if node["class_type"] in SAMPLING_NODES:
            inputs["steps"] = steps
        if node["class_type"] in CROP_NODES:
            inputs["target_width"] = inputs["target_height"] = crop
        out[node_id] = {**node, "inputs": inputs}
    return out


def needs_checkpoint(ui: dict) -> bool:
    return any(node["type"] == "CheckpointLoaderSimple" for node in ui["nodes"])
