"""Erase inside the real ComfyUI on a real photo, with a mask from the default segmentation model."""

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


def _learned_model_file(kind: str, folder):
    """A random-weight model in IOPaint's TorchScript format: big-lama.pt-style LaMa or a 256 px MI-GAN."""
    from support.tiny_models import build_lama, build_migan

    return (build_lama if kind == "lama" else build_migan)(folder)["torchscript"]


@pytest.mark.parametrize("kind", ["lama", "migan"])
def test_learned_model_erase_keeps_every_unmasked_pixel(comfy, comfy_server, kind):
    model_file = _learned_model_file(kind, comfy_server.models_dir / "inpaint")
    photo = data.coffee()
    name = comfy.upload_image(Image.fromarray(photo), f"coffee_erase_{kind}.png")
    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    cut = u2netp_foreground(g, load.out(0))
    model = g.node("IB_EraseModelLoader", model_name=model_file.name)
    erased = g.node(
        "IB_Erase",
        image=load.out(0),
        mask=g.node("IB_MaskGrow", mask=cut.out(0), radius=0, kernel="disc").out(0),
        engine="model",
        strategy="crop",
        crop_trigger_size=256,  # the cup's window (> 256 px) runs on its own; MI-GAN scales it into 256² and back
        crop_margin=64,
        resize_limit=1280,
        dilate=6,
        feather=3,
        candidates=2,
        seed=0,
        erase_model=model.out(0),
    )
    save = g.node("SaveImage", images=erased.out(0), filename_prefix=f"ib_erase_{kind}")
    grown = g.node("SaveImage", images=g.node("MaskToImage", mask=erased.out(1)).out(0), filename_prefix="ib_grown_m")
    outputs = comfy.run(g.build())
    first, second = (comfy.view(item) for item in outputs[save.id]["images"])
    erased_area = comfy.view(outputs[grown.id]["images"][0])[..., 0] > 127
    assert first.shape == photo.shape and 0.02 < erased_area.mean() < 0.8
    for result in (first, second):  # the model, then (a deterministic model) an exemplar alternative
        assert np.array_equal(result[~erased_area], photo[~erased_area])
        assert np.abs(result[erased_area].astype(int) - photo[erased_area]).mean() > 5
    assert not np.array_equal(first, second)
