"""The catalog of well-known weights: complete, consistent with the loaders' file names, safely parsed."""

import re

import pytest

from inpaint_bridge.nodes.common.model_catalog import (
    CATALOG,
    KINDS,
    by_name,
    entries_from_json,
    entry_for_file,
)
from inpaint_bridge.nodes.common.model_files import onnx_pairs, where_to_get
from inpaint_bridge.nodes.common.rembg_sessions import CONTRACT_MODELS

# Folders the catalog may write to: the pack's own (nodes/model_folders.py) and the core loaders'.
PACK_FOLDERS = {"sams", "rembg", "grounding-dino", "inpaint", "ocr", "fonts"}
CORE_FOLDERS = {"checkpoints", "vae", "loras", "embeddings", "diffusion_models"}
REQUIRED = {
    "lama",
    "lama-safetensors",
    "migan",
    "mat",
    "sam-vit-b",
    "sam-vit-l",
    "sam-vit-h",
    "sam-hq-vit-b",
    "mobilesam",
    "u2net",
    "u2net_human_seg",
    "u2net_cloth_seg",
    "silueta",
    "isnet-general-use",
    "isnet-anime",
    "grounding-dino-tiny",
    "sd15-inpainting",
    "sdxl-inpainting",
    "fooocus-inpaint",
}


def test_every_entry_the_issue_asks_for_is_there_once():
    names = [e.name for e in CATALOG]
    assert len(names) == len(set(names))
    assert set(names) >= REQUIRED


@pytest.mark.parametrize("entry", CATALOG, ids=lambda e: e.name)
def test_entries_are_complete(entry):
    assert entry.kind in KINDS and entry.license and entry.description and entry.homepage.startswith("https://")
    for f in entry.files:
        assert f.folder in PACK_FOLDERS | CORE_FOLDERS
        assert f.url.startswith("https://")
        assert f.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", f.sha256)
        assert f.md5 is None or re.fullmatch(r"[0-9a-f]{32}", f.md5)
        assert f.size is None or f.size > 0
        assert f.source, "every figure names where it comes from"
        assert not f.path.startswith("/") and ".." not in f.path.split("/")


def test_no_two_entries_write_the_same_file():
    places = [(f.folder, f.path) for e in CATALOG for f in e.files]
    assert len(places) == len(set(places))


def test_only_the_entries_without_any_published_hash_are_unverifiable():
    assert {e.name for e in CATALOG if not e.verifiable} == {"grounding-dino-tiny"}
    dino = by_name()["grounding-dino-tiny"]
    weights = next(f for f in dino.files if f.path.endswith("model.safetensors"))
    assert weights.verifiable, "the large file is checked even when the small ones cannot be"


def test_file_names_are_the_ones_the_loaders_expect():
    catalog = by_name()
    assert onnx_pairs(f.path for f in catalog["mobilesam"].files) == {
        "mobilesam": ("mobilesam_encoder.onnx", "mobilesam_decoder.onnx")
    }
    rembg = {f.path.removesuffix(".onnx") for e in CATALOG if e.kind == "rembg" for f in e.files}
    assert rembg == set(CONTRACT_MODELS)
    assert all(f.path.endswith(".pth") for e in CATALOG if e.kind == "sam" and e.name != "mobilesam" for f in e.files)
    dino_paths = {f.path for f in catalog["grounding-dino-tiny"].files}
    assert {"grounding-dino-tiny/config.json", "grounding-dino-tiny/model.safetensors"} <= dino_paths
    assert catalog["lama"].files[0].path == "big-lama.pt"  # IOPaint's name; the erase default looks for LaMa


def test_installed_files_match_entries_by_path_then_by_file_name():
    assert entry_for_file("inpaint", "big-lama.pt") == "lama"
    assert entry_for_file("inpaint", "lama/big-lama.pt") == "lama"
    assert entry_for_file("sams", "mobilesam_decoder.onnx") == "mobilesam"
    assert entry_for_file("grounding-dino", "grounding-dino-tiny/config.json") == "grounding-dino-tiny"
    assert entry_for_file("grounding-dino", "my-dino/config.json") is None
    assert entry_for_file("checkpoints", "big-lama.pt") is None  # the folder matters
    assert entry_for_file("inpaint", "unknown.pt") is None


def test_missing_weights_errors_point_at_the_download_command():
    assert "bash scripts/models.sh download sam-vit-b" in where_to_get("sams", "sam_vit_b_01ec64.pth")
    assert "setup.sh" in where_to_get("rembg", "u2netp.onnx")  # registry default: the set-up fetches it
    assert "does not list it" in where_to_get("inpaint", "my_own.pt")


def test_json_entries_parse_and_unsafe_ones_are_refused():
    good = [
        {
            "name": "lama",
            "kind": "erase_models",
            "files": [{"folder": "inpaint", "path": "big-lama.pt", "url": "http://x/big-lama.pt", "size": 3}],
        }
    ]
    (entry,) = entries_from_json(good)
    assert entry.files[0].size == 3 and not entry.verifiable
    for bad, why in (
        ({"path": "../../etc/passwd"}, "relative"),
        ({"path": "/abs.pt"}, "relative"),
        ({"size": "many"}, "entry 0"),
    ):
        item = {**good[0], "files": [{**good[0]["files"][0], **bad}]}
        with pytest.raises(ValueError, match=why):
            entries_from_json([item])
    with pytest.raises(ValueError, match="kind 'weights'"):
        entries_from_json([{**good[0], "kind": "weights"}])
    with pytest.raises(ValueError, match="JSON list"):
        entries_from_json({"lama": {}})
