"""IOPaint's request bodies: its defaults, the frontend's misspelled keys ignored, null = default, its enums."""

import pytest
from pydantic import ValidationError

from api_bridge.contracts.iopaint.schema import SAMPLERS, AdjustMaskRequest, InpaintRequest, RunPluginRequest
from api_bridge.samplers import resolve_sampler

# What the shipped web UI sends with default settings (contracts/iopaint.md 5.3), images elided.
FRONTEND_BODY = {
    "image": "data:application/octet-stream;base64,AAAA",
    "mask": "data:image/png;base64,AAAA",
    "ldm_steps": 30,
    "ldm_sampler": "ddim",
    "zits_wireframe": True,
    "cv2_flag": "INPAINT_NS",
    "cv2_radius": 5,
    "hd_strategy": "Crop",
    "hd_strategy_crop_triger_size": 640,
    "hd_strategy_crop_margin": 128,
    "hd_trategy_resize_imit": 2048,
    "prompt": "",
    "negative_prompt": "out of frame, lowres",
    "use_croper": False,
    "croper_x": -96,
    "croper_y": -136,
    "croper_height": 512,
    "croper_width": 512,
    "use_extender": False,
    "extender_x": 0,
    "extender_y": 0,
    "extender_height": 240,
    "extender_width": 320,
    "sd_mask_blur": 12,
    "sd_strength": 1,
    "sd_steps": 50,
    "sd_guidance_scale": 7.5,
    "sd_sampler": "DPM++ 2M",
    "sd_seed": -1,
    "sd_match_histograms": False,
    "sd_lcm_lora": False,
    "paint_by_example_example_image": None,
    "p2p_image_guidance_scale": 1.5,
    "enable_controlnet": False,
    "controlnet_conditioning_scale": 0.4,
    "controlnet_method": "",
    "enable_brushnet": False,
    "brushnet_method": "random_mask",
    "brushnet_conditioning_scale": 1,
    "enable_powerpaint_v2": False,
    "powerpaint_task": "text-guided",
}


def test_the_frontend_body_parses_and_its_misspelled_keys_leave_the_defaults():
    req = InpaintRequest.model_validate(FRONTEND_BODY)
    assert req.hd_strategy_crop_trigger_size == 800 and req.hd_strategy_resize_limit == 1280
    assert req.cv2_radius == 5 and req.sd_seed == -1 and req.croper_x == -96
    assert req.sd_keep_unmasked_area is True and req.sd_outpainting_softness == 20.0


def test_iopaint_defaults_and_lax_types():
    req = InpaintRequest.model_validate({})
    assert (req.image, req.mask, req.sd_seed, req.sd_sampler, req.cv2_flag, req.cv2_radius) == (
        None,
        None,
        42,
        "UniPC",
        "INPAINT_NS",
        4,
    )
    assert (req.hd_strategy, req.hd_strategy_crop_margin, req.sd_steps, req.sd_mask_blur) == ("Crop", 128, 50, 11)
    assert InpaintRequest.model_validate({"sd_steps": "7"}).sd_steps == 7  # pydantic's lax int, as IOPaint


def test_null_means_the_default():
    req = InpaintRequest.model_validate({"cv2_radius": None, "sd_seed": None, "hd_strategy": None})
    assert (req.cv2_radius, req.sd_seed, req.hd_strategy) == (4, 42, "Crop")


@pytest.mark.parametrize(
    "body, where",
    [
        ({"cv2_flag": "INPAINT_FAST"}, "cv2_flag"),
        ({"powerpaint_task": "paint"}, "powerpaint_task"),
        ({"sd_strength": 1.5}, "sd_strength"),
        ({"sd_scale": 0}, "sd_scale"),
        ({"sd_steps": "many"}, "sd_steps"),
    ],
)
def test_what_iopaint_refuses_is_refused(body, where):
    with pytest.raises(ValidationError) as info:
        InpaintRequest.model_validate(body)
    assert info.value.errors()[0]["loc"] == (where,)


def test_the_extender_always_repaints_fully():
    assert InpaintRequest.model_validate({"use_extender": True, "sd_strength": 0.3}).sd_strength == 1.0
    assert InpaintRequest.model_validate({"sd_strength": 0.3}).sd_strength == 0.3


def test_plugin_and_mask_bodies():
    req = RunPluginRequest.model_validate({"name": "InteractiveSeg", "image": "x", "clicks": [[1, 2, 1]], "extra": 1})
    assert req.clicks == [[1, 2, 1]] and req.scale == 2.0
    assert AdjustMaskRequest.model_validate({"mask": "x", "operate": "expand"}).kernel_size == 5
    with pytest.raises(ValidationError):
        AdjustMaskRequest.model_validate({"mask": "x", "operate": "grow"})


@pytest.mark.parametrize("name", SAMPLERS)
def test_every_listed_sampler_runs_on_comfyui(name):
    assert resolve_sampler(name).sampler  # an error would name a sampler the UI offers but cannot run
