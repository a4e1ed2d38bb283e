"""IB_TextWatermark through the pack as ComfyUI loads it."""

import pytest
import torch


def photo() -> torch.Tensor:
    from skimage import data

    return (torch.from_numpy(data.chelsea()[::3, ::3].copy()).float() / 255.0)[None]


def test_registered_with_the_default_font(comfy_nodes):
    node = comfy_nodes.NODE_CLASS_MAPPINGS["IB_TextWatermark"]
    info = node.INPUT_TYPES()
    assert info["required"]["font"][1]["default"] == "NotoSansSC_400Regular.ttf"


@pytest.mark.parametrize("language, position", [("zh", "bottom-right"), ("en", "top-left")])
def test_labels_the_chosen_corner_in_both_scripts(pack_module, language, position):
    node = pack_module("watermark").TextWatermark
    image = photo()
    (out,) = node.execute(image, "", language, position, 1.0, 0.08).result
    changed = (out != image).any(-1)[0]
    ys, xs = torch.nonzero(changed, as_tuple=True)
    h, w = changed.shape
    assert len(ys) > 100
    if position == "bottom-right":
        assert ys.min() >= h // 2 and xs.min() >= w // 2 and xs.max() > w - 12
    else:  # the English label is wide: it starts at the left edge and stays in the top half
        assert ys.max() < h // 2 and xs.min() < 12 and xs.max() < w - 12


def test_custom_text_differs_from_the_default(pack_module):
    node = pack_module("watermark").TextWatermark
    image = photo()
    (zh,) = node.execute(image, "", "zh", "bottom-right", 1.0, 0.08).result
    (custom,) = node.execute(image, "Mine", "zh", "bottom-right", 1.0, 0.08).result
    assert not torch.equal(zh, custom)


def test_missing_font_names_folder_and_how_to_get(pack_module):
    node = pack_module("watermark").TextWatermark
    with pytest.raises(ValueError, match="fonts"):
        node.execute(photo(), "x", "en", "top-left", 1.0, 0.05, "NoSuchFont.ttf")
