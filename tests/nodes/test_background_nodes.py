"""rembg nodes: offline sessions from models/rembg, equal to rembg.remove, clear errors."""

import importlib
import shutil

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data
from skimage.transform import resize


@pytest.fixture(scope="module")
def bg(pack_module):
    return pack_module("background")


@pytest.fixture(scope="module")
def sessions(bg):
    package = bg.__name__.rsplit(".", 1)[0]
    return importlib.import_module(f"{package}.common.rembg_sessions")


def _photo(name="chelsea", size=None):
    pixels = getattr(data, name)()[..., :3]
    if size:
        pixels = (resize(pixels, size, anti_aliasing=True) * 255).round().astype(np.uint8)
    return pixels


def test_u2netp_mask_equals_rembg_remove_with_the_same_session(bg):
    import rembg

    (handle,) = bg.RembgLoader.execute(model_name="u2netp", cloth_category="full").args
    pixels = _photo()
    image = torch.from_numpy(pixels).float().div(255)[None]
    before = image.clone()
    mask, rgba = bg.RemoveBackground.execute(session=handle, image=image).args
    assert torch.equal(image, before)
    reference = np.asarray(rembg.remove(Image.fromarray(pixels), session=handle.load(), only_mask=True))
    assert np.array_equal((mask[0].numpy() * 255).round().astype(np.uint8), reference)
    assert rgba.shape == (1, *pixels.shape[:2], 4) and torch.equal(rgba[..., 3], mask)
    # the cat is the foreground: the centre is kept, a top corner is not
    h, w = pixels.shape[:2]
    assert mask[0, h // 2, w // 2] > 0.5 and mask[0, 5, 5] < 0.5


def test_every_contract_model_name_loads_its_class_from_a_local_file(sessions, tmp_path):
    from support.paths import default_models_dir

    source = default_models_dir() / "rembg" / "u2netp.onnx"
    pixels = _photo(size=(96, 128))
    for name in ("u2net", "u2net_human_seg", "silueta", "my_custom_model"):
        path = tmp_path / f"{name}.onnx"
        shutil.copyfile(source, path)  # same u2net-family I/O: exercises each class's loading code
        session = sessions.load_session(name, str(path))
        expected_class = sessions.session_class(name)
        assert isinstance(session, expected_class)
        mask = sessions.predict_mask(session, pixels)
        assert mask.shape == (96, 128) and mask.min() >= 0 and mask.max() <= 1


def test_missing_and_corrupt_model_files_name_the_path(bg, sessions, tmp_path):
    with pytest.raises(ValueError, match=r"models/rembg/isnet-anime.onnx"):
        bg.RembgLoader.execute(model_name="isnet-anime")
    junk = tmp_path / "silueta.onnx"
    junk.write_bytes(b"not an onnx file")
    with pytest.raises(ValueError, match="could not load rembg model 'silueta' from .*silueta.onnx"):
        sessions.load_session("silueta", str(junk))


def test_batch_and_alpha_matting_refines_edges(bg):
    (handle,) = bg.RembgLoader.execute(model_name="u2netp").args
    pixels = _photo(size=(120, 160))
    image = torch.from_numpy(np.stack([pixels, pixels[:, ::-1].copy()])).float().div(255)
    plain, _ = bg.RemoveBackground.execute(session=handle, image=image).args
    matted, rgba = bg.RemoveBackground.execute(session=handle, image=image[:1], alpha_matting=True).args
    assert plain.shape == (2, 120, 160)
    assert (plain[1] - plain[0].flip(1)).abs().mean() < 0.05  # each image segmented on its own
    assert matted.shape == (1, 120, 160) and not torch.equal(matted[0], plain[0])
    assert matted.min() >= 0 and matted.max() <= 1
