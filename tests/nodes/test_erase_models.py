"""Learned erase models: random-weight LaMa in every supported file format, through the real loaders."""

import numpy as np
import pytest
import torch
from skimage import data


@pytest.fixture(scope="module")
def lama_files(tmp_path_factory, comfy_nodes):
    import folder_paths

    from support.tiny_models import build_lama

    folder = tmp_path_factory.mktemp("inpaint")
    paths = build_lama(folder)
    registered, exts = folder_paths.folder_names_and_paths["inpaint"]
    folder_paths.folder_names_and_paths["inpaint"] = ([*registered, str(folder)], exts)
    yield paths
    folder_paths.folder_names_and_paths["inpaint"] = (registered, exts)


@pytest.fixture(scope="module")
def erase(pack_module):
    return pack_module("erase")


@pytest.mark.parametrize("fmt", ["safetensors", "pth", "torchscript"])
def test_each_format_loads_and_erases_with_the_unmasked_area_kept(erase, lama_files, fmt):
    (handle,) = erase.EraseModelLoader.execute(model_name=lama_files[fmt].name).args
    model = handle.load()
    assert model.kind == ("torchscript" if fmt == "torchscript" else "LaMa")
    image = torch.from_numpy(data.chelsea()[:100, :150].copy()).float().div(255)[None]  # not a multiple of 8
    mask = torch.zeros(1, 100, 150)
    mask[0, 30:60, 50:90] = 1
    out, grown = erase.Erase.execute(
        image=image, mask=mask, engine="model", erase_model=handle, dilate=4, feather=2, strategy="original"
    ).args
    outside = grown[0] == 0
    assert out.shape == image.shape and torch.equal(out[0][outside], image[0][outside])
    assert (out[0][mask[0] > 0] - image[0][mask[0] > 0]).abs().mean() > 0.001


def test_state_dict_and_torchscript_give_the_same_fill(erase, lama_files):
    image = (np.random.default_rng(0).random((64, 72, 3)) * 255).astype(np.uint8)
    hole = np.zeros((64, 72), bool)
    hole[20:40, 20:50] = True
    sd = erase.EraseModelLoader.execute(model_name=lama_files["safetensors"].name).args[0].load()
    ts = erase.EraseModelLoader.execute(model_name=lama_files["torchscript"].name).args[0].load()
    a, b = sd(image, hole), ts(image, hole)
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 2  # same weights, both paths padded to 8


def test_missing_wrong_and_absent_models_are_clear(erase, lama_files, tmp_path):
    with pytest.raises(ValueError, match=r"models/inpaint/big-lama.pt"):
        erase.EraseModelLoader.execute(model_name="big-lama.pt")
    with pytest.raises(ValueError, match="engine 'model' needs an erase_model"):
        erase.Erase.execute(image=torch.zeros(1, 8, 8, 3), mask=torch.ones(1, 8, 8), engine="model")
    bogus = lama_files["pth"].with_name("not_a_model.pth")
    torch.save({"weight": torch.zeros(3)}, bogus)
    with pytest.raises(ValueError, match="could not load erase model .*not_a_model.pth"):
        erase.EraseModelLoader.execute(model_name="not_a_model.pth").args[0].load()


def test_mat_fixed_size_model_is_padded_and_keeps_the_unmasked_area(erase, lama_files):
    from support.tiny_models import build_mat

    path = build_mat(lama_files["pth"].with_name("mat_random.safetensors"))
    (handle,) = erase.EraseModelLoader.execute(model_name=path.name).args
    model = handle.load()
    assert model.kind == "MAT"
    image = torch.from_numpy(data.coffee()[:90, :120].copy()).float().div(255)[None]  # far from 512²
    mask = torch.zeros(1, 90, 120)
    mask[0, 30:60, 40:80] = 1
    out, grown = erase.Erase.execute(
        image=image, mask=mask, engine="model", erase_model=handle, dilate=2, feather=1, strategy="original"
    ).args
    outside = grown[0] == 0
    assert out.shape == image.shape and torch.equal(out[0][outside], image[0][outside])
