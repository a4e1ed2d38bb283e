"""IOPaint's request bodies: its defaults, the frontend's misspelled keys ignored, null = default, its enums."""

import pytest
from pydantic import ValidationError

from api_bridge.contracts.iopaint.schema import SAMPLERS, AdjustMaskRequest, InpaintRequest, RunPluginRequest
from api_bridge.samplers import resolve_sampler
from support.iopaint import frontend_body

FRONTEND_BODY = frontend_body("data:application/octet-stream;base64,AAAA", "data:image/png;base64,AAAA")


def test_the_frontend_body_parses_and_its_misspelled_keys_leave_the_defaults():
    req = InpaintRequest.model_validate(FRONTEND_BODY)
    assert req.hd_strategy_crop_trigger_size == 800 and req.hd_strategy_resize_limit == 1280
    assert req.cv2_radius == 5 and req.sd_seed == -1 and req.croper_x == -96 and req.sd_sampler == "DPM++ 2M"
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
