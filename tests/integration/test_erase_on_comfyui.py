"""Erase inside the real ComfyUI on a real photo, with a mask from the default segmentation model."""

import shutil

import numpy as np
import pytest
from PIL import Image
from skimage import data

from support.graph import GraphBuilder, u2netp_foreground


@pytest.mark.parametrize("engine", ["exemplar", "telea", "navier_stokes"])
def test_erase_the_cup_keeps_every_unmasked_pixel(comfy, engine):
    photo = data.coffee()
    name = comfy.upload_image(Image.fromarray(photo), "coffee_erase.png")
    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    cut = u2netp_foreground(g, load.out(0))
    binary = g.node("IB_MaskGrow", mask=cut.out(0), radius=0, kernel="disc")
    erased = g.node(
        "IB_Erase",
        image=load.out(0),
        mask=binary.out(0),
        engine=engine,
        strategy="crop",
        crop_trigger_size=256,
        crop_margin=64,
        resize_limit=1280,
        dilate=10,
        feather=4,
        candidates=1,
        seed=3,
    )
    save = g.node("SaveImage", images=erased.out(0), filename_prefix=f"ib_erase_{engine}")
    grown = g.node("SaveImage", images=g.node("MaskToImage", mask=erased.out(1)).out(0), filename_prefix="ib_grown")
    outputs = comfy.run(g.build())
    result = comfy.view(outputs[save.id]["images"][0])
    erased_area = comfy.view(outputs[grown.id]["images"][0])[..., 0] > 127
    assert 0.02 < erased_area.mean() < 0.8, "the segmentation should find the cup, not nothing or everything"
    assert np.array_equal(result[~erased_area], photo[~erased_area])
    changed = np.abs(result[erased_area].astype(int) - photo[erased_area]).mean()
    assert changed > 5


def test_migan_torchscript_model_erases_the_cup_and_keeps_every_unmasked_pixel(comfy, comfy_server, tmp_path):
    # IOPaint-style one-input TorchScript (random 256 px MI-GAN) in models/inpaint, found by the loader's listing.
    from support.tiny_models import build_migan

    traced = build_migan(tmp_path)["torchscript"]
    (comfy_server.models_dir / "inpaint").mkdir(exist_ok=True)
    shutil.copy(traced, comfy_server.models_dir / "inpaint" / traced.name)
    photo = data.coffee()
    name = comfy.upload_image(Image.fromarray(photo), "coffee_erase_migan.png")
    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    cut = u2netp_foreground(g, load.out(0))
    binary = g.node("IB_MaskGrow", mask=cut.out(0), radius=0, kernel="disc")
    model = g.node("IB_EraseModelLoader", model_name=traced.name)
    erased = g.node(
        "IB_Erase",
        image=load.out(0),
        mask=binary.out(0),
        engine="model",
        strategy="crop",
        crop_trigger_size=256,  # the cup's window (> 256 px) is scaled into the 256² model and back
        crop_margin=64,
        resize_limit=1280,
        dilate=10,
        feather=4,
        candidates=1,
        seed=0,
        erase_model=model.out(0),
    )
    save = g.node("SaveImage", images=erased.out(0), filename_prefix="ib_erase_migan")
    grown = g.node("SaveImage", images=g.node("MaskToImage", mask=erased.out(1)).out(0), filename_prefix="ib_grown")
    outputs = comfy.run(g.build())
    result = comfy.view(outputs[save.id]["images"][0])
    erased_area = comfy.view(outputs[grown.id]["images"][0])[..., 0] > 127
    assert result.shape == photo.shape and 0.02 < erased_area.mean() < 0.8
    assert np.array_equal(result[~erased_area], photo[~erased_area])
    assert np.abs(result[erased_area].astype(int) - photo[erased_area]).mean() > 5
