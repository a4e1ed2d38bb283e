"""Erase inside the real ComfyUI on a real photo, with a mask from the default segmentation model."""

import numpy as np
import pytest
from PIL import Image
from skimage import data

from support.graph import GraphBuilder, u2netp_foreground


def _erase_the_cup(comfy, tag: str, model_file=None, **erase_inputs) -> tuple[list[np.ndarray], np.ndarray]:
    """LoadImage → u2netp foreground → IB_Erase on skimage's coffee; (results, erased area) as numpy."""
    photo = data.coffee()
    name = comfy.upload_image(Image.fromarray(photo), f"coffee_erase_{tag}.png")
    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    binary = g.node("IB_MaskGrow", mask=u2netp_foreground(g, load.out(0)).out(0), radius=0, kernel="disc")
    if model_file is not None:
        erase_inputs["erase_model"] = g.node("IB_EraseModelLoader", model_name=model_file.name).out(0)
    settings = {
        "strategy": "crop",
        "crop_trigger_size": 256,  # the cup's window (> 256 px) is erased on its own
        "crop_margin": 64,
        "resize_limit": 1280,
        **erase_inputs,
    }
    erased = g.node("IB_Erase", image=load.out(0), mask=binary.out(0), **settings)
    save = g.node("SaveImage", images=erased.out(0), filename_prefix=f"ib_erase_{tag}")
    grown = g.node("SaveImage", images=g.node("MaskToImage", mask=erased.out(1)).out(0), filename_prefix="ib_grown")
    outputs = comfy.run(g.build())
    results = [comfy.view(item) for item in outputs[save.id]["images"]]
    erased_area = comfy.view(outputs[grown.id]["images"][0])[..., 0] > 127
    assert 0.02 < erased_area.mean() < 0.8, "the segmentation should find the cup, not nothing or everything"
    for result in results:
        assert result.shape == photo.shape
        assert np.array_equal(result[~erased_area], photo[~erased_area]), "a pixel outside the grown mask changed"
        assert np.abs(result[erased_area].astype(int) - photo[erased_area]).mean() > 5, "the cup is still there"
    return results, erased_area


@pytest.mark.parametrize("engine", ["exemplar", "telea", "navier_stokes"])
def test_erase_the_cup_keeps_every_unmasked_pixel(comfy, engine):
    (_,), _ = _erase_the_cup(comfy, engine, engine=engine, dilate=10, feather=4, candidates=1, seed=3)


@pytest.mark.parametrize("kind", ["lama", "migan"])
def test_learned_model_erase_keeps_every_unmasked_pixel(comfy, comfy_server, kind):
    # Random-weight models in IOPaint's TorchScript formats (big-lama.pt-style LaMa, a 256 px MI-GAN that scales
    # the window into 256² and back), loaded from models/inpaint by IB_EraseModelLoader.
    from support.tiny_models import build_lama, build_migan

    model_file = (build_lama if kind == "lama" else build_migan)(comfy_server.models_dir / "inpaint")["torchscript"]
    (first, second), _ = _erase_the_cup(
        comfy, kind, model_file, engine="model", dilate=6, feather=3, candidates=2, seed=0
    )
    assert not np.array_equal(first, second)  # the model, then (deterministic model) an exemplar alternative
