"""IOPaint requests → the bridge's tasks: erase models as IOPaint runs them, plugins, mask adjustment."""

import pytest

from api_bridge.contracts.iopaint.catalog import Choice
from api_bridge.contracts.iopaint.errors import IOPaintError
from api_bridge.contracts.iopaint.mapping import adjust_mask_task, erase_task, interactive_seg_task
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
