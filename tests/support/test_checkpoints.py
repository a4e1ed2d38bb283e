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


# A LoRA and a standalone VAE for the reduced checkpoint (bridge tests: LoraLoader / VAELoader on real files).
LORA = "ib-test-lora.safetensors"
VAE = "ib-test-taesd.safetensors"
LORA_TARGETS = {  # ComfyUI's LoRA key → (out, in) of the layer it patches (1×1 conv for the UNet's proj_in)
    "lora_unet_input_blocks_1_1_proj_in": (320, 320, 1),
    "lora_te_text_model_encoder_layers_11_mlp_fc2": (768, 3072, 0),
}


def write_lora(path: pathlib.Path, rank: int = 4, seed: int = 1) -> pathlib.Path:
    """A small LoRA (kohya key layout) patching one UNet and one text-encoder layer of the reduced checkpoint."""
    import torch
    from safetensors.torch import save_file

    if path.exists():
        return path
    generator = torch.Generator().manual_seed(seed)
    state = {}
    for key, (c_out, c_in, kernel) in LORA_TARGETS.items():
        conv = (1, 1) if kernel else ()
        state[f"{key}.lora_down.weight"] = torch.randn((rank, c_in, *conv), generator=generator) * 0.5
        state[f"{key}.lora_up.weight"] = torch.randn((c_out, rank, *conv), generator=generator) * 0.5
        state[f"{key}.alpha"] = torch.tensor(float(rank))
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.to(torch.float16).contiguous() for k, v in state.items()}, str(path), metadata={"format": "pt"})
    return path


def write_vae(path: pathlib.Path, seed: int = 2) -> pathlib.Path:
    """A TAESD-shaped VAE file (VAELoader builds a TAESD from ``taesd_encoder.*`` / ``taesd_decoder.*``)."""
    import torch
    from safetensors.torch import save_file

    if path.exists():
        return path
    script = _script()
    generator = torch.Generator().manual_seed(seed)
    state = {k: script._value(k, shape, generator).to(torch.float16) for k, shape in script.taesd_shapes().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in state.items()}, str(path), metadata={"format": "pt"})
    return path


def place_test_models(models_dir: pathlib.Path) -> dict[str, pathlib.Path]:
    """Both checkpoints, the LoRA and the VAE in a ComfyUI ``models`` folder (what the bridge's goldens name)."""
    return {
        **place_test_checkpoints(models_dir / "checkpoints"),
        LORA: write_lora(models_dir / "loras" / LORA),
        VAE: write_vae(models_dir / "vae" / VAE),
    }
