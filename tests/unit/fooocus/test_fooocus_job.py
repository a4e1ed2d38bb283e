"""Fooocus requests (both APIs) → the bridge's inpaint / outpaint task: every mapped field, Fooocus's rules."""

import pytest
from PIL import Image

from api_bridge.contracts.fooocus.body import parse
from api_bridge.contracts.fooocus.catalog import Checkpoint
from api_bridge.contracts.fooocus.inputs import v05_job, v25_job
from api_bridge.contracts.fooocus.job import ResolvedModels, build_task, crop_size
from api_bridge.contracts.fooocus.requests_v05 import (
    ImgInpaintOrOutpaintForm,
    ImgInpaintOrOutpaintRequestJson,
    form_fields,
)
from api_bridge.contracts.fooocus.requests_v25 import CommonRequest
from api_bridge.errors import BridgeError
from api_bridge.tasks import ImageRef

IMAGE = Image.new("RGB", (144, 96))
MASK = Image.new("L", (144, 96))
REF = ImageRef(blob="in-image0001.png", width=144, height=96)
MASK_REF = ImageRef(blob="in-mask00001.png", width=144, height=96)
SD15 = ResolvedModels(Checkpoint("sd15.safetensors", "sd15", False), [], None, None)
SDXL = ResolvedModels(
    Checkpoint("xl.safetensors", "sdxl", False),
    [("detail.safetensors", 0.7)],
    "sdxl_vae.safetensors",
    ("fooocus_inpaint_head.pth", "inpaint_v26.fooocus.patch"),
)


def v25(mask=MASK, **fields):
    return v25_job(parse(CommonRequest, fields), IMAGE, mask)


def v05(mask=MASK, **fields):
    return v05_job(parse(ImgInpaintOrOutpaintRequestJson, fields), IMAGE, mask)


def task(job, models=SD15, mask=True, **kw):
    return build_task(job, REF, MASK_REF if mask else None, models, **kw)


def test_v25_defaults_map_to_an_inpaint_task_with_fooocus_values():
    t = task(v25(prompt="a cat", negative_prompt="blur"))
    assert t.kind == "inpaint" and t.seed is None  # -1: the bridge draws one
    assert (t.prompt.positive, t.prompt.negative) == ("a cat", "blur")
    assert t.sampling.steps == 30 and t.sampling.cfg == 4.0 and t.sampling.denoise == 1.0 and t.sampling.count == 1
    assert (t.sampling.sampler, t.sampling.scheduler) == ("dpmpp_2m_sde_gpu", "karras")
    assert t.region.context == "respective_field" and t.region.respective_field == 0.618
    assert (t.region.width, t.region.height) == (512, 512)  # an SD1.5 checkpoint's size
    assert t.mask.rule == "rgb_mean" and t.mask.threshold == 127 and t.mask.invert is False
    assert t.model.checkpoint == "sd15.safetensors" and t.model.clip_skip == 2 and t.model.fooocus_inpaint is None
    assert t.adjust.is_identity


def test_additional_prompt_goes_first_or_alone():
    assert task(v25(prompt="sunny", inpaint_additional_prompt="a red ball")).prompt.positive == "a red ball\nsunny"
    assert task(v25(prompt="", inpaint_additional_prompt="a red ball")).prompt.positive == "a red ball"


def test_strength_field_erode_steps_seed_and_the_sdxl_models():
    t = task(
        v25(
            inpaint_strength=0.4,
            inpaint_respective_field=0.2,
            inpaint_erode_or_dilate=-5,
            performance_selection="Quality",
            image_seed=2**40,
            image_number=3,
            guidance_scale=6,
        ),
        SDXL,
    )
    assert t.sampling.denoise == 0.4 and t.region.respective_field == 0.2 and t.sampling.steps == 60
    assert t.adjust.grow == -5 and t.adjust.kernel == "square"  # 5 erosions by 3×3
    assert t.seed == 2**40 and t.sampling.count == 3 and t.sampling.cfg == 6.0
    assert (t.region.width, t.region.height) == (1024, 1024)
    assert [(lora.name, lora.model_strength, lora.clip_strength) for lora in t.model.loras] == [
        ("detail.safetensors", 0.7, 0.7)
    ]
    assert t.model.vae == "sdxl_vae.safetensors"
    assert t.model.fooocus_inpaint.head == "fooocus_inpaint_head.pth"
    assert t.model.fooocus_inpaint.patch == "inpaint_v26.fooocus.patch"
    assert task(v25(overwrite_step=7, performance_selection="Lightning")).sampling.steps == 7
    assert task(v25(performance_selection="Extreme Speed")).sampling.steps == 8
    assert task(v25(image_seed=2**63)).seed is None  # outside Fooocus's range: drawn, as upstream
    assert task(v25(), crop=64).region.width == 64 and crop_size(SDXL.checkpoint, None) == 1024


def test_outpaint_sides_default_to_a_third_and_force_strength_and_the_whole_image():
    t = task(v25(mask=None, outpaint_selections=["Left", "Bottom"], inpaint_strength=0.3), mask=False)
    assert t.kind == "outpaint" and t.mask is None and t.outpaint.prefill == "edge"
    extent = t.outpaint.extent
    assert (extent.left, extent.top, extent.right, extent.bottom) == (43, 0, 0, 28)  # int(0.3·144), int(0.3·96)
    assert t.sampling.denoise == 1.0 and t.region.respective_field == 1.0
    # [left, top, right, bottom]: given distances win, <= 0 means the default
    t = task(v25(outpaint_selections=["Left", "Top", "Right"], outpaint_distance=[10, -1, 0, 99]))
    assert (t.outpaint.extent.left, t.outpaint.extent.top, t.outpaint.extent.right) == (10, 28, 43)
    assert t.outpaint.extent.bottom == 0 and t.mask is not None  # the mask of the original also repaints


def test_the_old_api_honours_invert_and_has_its_own_defaults():
    job = v05(advanced_params={"invert_mask_checkbox": True, "inpaint_strength": 0.5})
    t = task(job)
    assert t.mask.invert is True and t.sampling.denoise == 0.5 and t.region.respective_field == 1.0
    assert task(v25(invert_mask_checkbox=True)).mask.invert is False  # v2.5 ignores it
    form = parse(ImgInpaintOrOutpaintForm, form_fields([("prompt", "x")]))
    assert form.guidance_scale == 7.0 and form.outpaint_distance_left == 0
    assert parse(ImgInpaintOrOutpaintRequestJson, {}).outpaint_distance_left == -1
    assert task(v05_job(form, IMAGE, MASK)).sampling.cfg == 7.0


def test_disable_seed_increment_samples_one_image_repeated():
    job = v25(image_number=4, disable_seed_increment=True)
    assert (job.count, job.copies) == (1, 4) and task(job).sampling.count == 1
    assert (v25(image_number=4).count, v25(image_number=4).copies) == (4, 1)


def test_nothing_to_repaint_and_a_mask_of_another_size_are_refused_naming_the_field():
    with pytest.raises(BridgeError) as info:
        v25(mask=None).check()
    assert info.value.info.details["field"] == "inpaint_mask_image_upload"
    with pytest.raises(BridgeError, match="the mask is 10x10 but the image is 144x96") as info:
        v05(mask=Image.new("L", (10, 10))).check()
    assert info.value.info.details["field"] == "input_mask"
    v25(mask=None, outpaint_selections=["Top"]).check()  # an image alone outpaints


def test_form_fields_split_csv_lists_and_decode_json():
    data = form_fields(
        [
            ("outpaint_selections", "Left, Top"),
            ("outpaint_selections", "Bottom"),
            ("style_selections", "Fooocus V2,Fooocus Sharp"),
            ("loras", '[{"model_name": "a.safetensors", "weight": 0.3}]'),
            ("advanced_params", '{"overwrite_step": 3}'),
            ("image_number", "2"),
        ]
    )
    req = parse(ImgInpaintOrOutpaintForm, data)
    assert [s.value for s in req.outpaint_selections] == ["Left", "Top", "Bottom"]
    assert req.style_selections == ["Fooocus V2", "Fooocus Sharp"] and req.image_number == 2
    assert req.loras[0].model_name == "a.safetensors" and req.loras[0].enabled is True
    assert req.advanced_params.overwrite_step == 3


@pytest.mark.parametrize(
    "model, fields, loc",
    [
        (CommonRequest, {"image_number": 0}, ["body", "image_number"]),
        (CommonRequest, {"outpaint_selections": ["left"]}, ["body", "outpaint_selections", 0]),
        (CommonRequest, {"inpaint_engine": "v3"}, ["body", "inpaint_engine"]),
        (CommonRequest, {"output_format": "gif"}, ["body", "output_format"]),
        (CommonRequest, {"loras": [{"model_name": "x", "weight": 3}]}, ["body", "loras", 0, "weight"]),
        (ImgInpaintOrOutpaintRequestJson, {"advanced_params": {"overwrite_step": 201}}, None),
        (ImgInpaintOrOutpaintRequestJson, {"save_extension": "bmp"}, ["body", "save_extension"]),
    ],
)
def test_out_of_range_and_unknown_values_are_fastapi_422s(model, fields, loc):
    with pytest.raises(BridgeError) as info:
        parse(model, fields, echo_body=model is ImgInpaintOrOutpaintRequestJson)
    detail = info.value.info.details["detail"]
    assert detail[0]["loc"] == (loc or ["body", "advanced_params", "overwrite_step"]) and detail[0]["msg"]
    if model is ImgInpaintOrOutpaintRequestJson:
        assert info.value.info.details["body"] == fields  # the old API echoes the request


def test_nulls_mean_defaults_and_unknown_keys_are_ignored():
    req = parse(CommonRequest, {"image_number": None, "loras": None, "unheard_of": 1, "webhook_url": None})
    assert req.image_number == 1 and req.loras[0].model_name == "sd_xl_offset_example-lora_1.0.safetensors"
    assert req.webhook_url == ""
