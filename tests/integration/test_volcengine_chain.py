"""The node chain the Volcengine recipe runs, on the real ComfyUI with a real photo and a u2netp mask.

decode (LoadImage) → mask picture → 0/1 mask (IB_MaskFromImage, white = erase) → IB_Erase
(dilate = dilate_size, engine per quality) → IB_TextWatermark (logo_info) → SaveImage.
"""

import base64
import io
import json

import numpy as np
from PIL import Image
from skimage import data

from api_bridge.contracts.volcengine import inputs
from api_bridge.contracts.volcengine.models import erase_settings, parse_request
from support.graph import GraphBuilder, u2netp_foreground


def _png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def u2netp_mask(comfy, name: str) -> np.ndarray:
    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    cut = u2netp_foreground(g, load.out(0))
    save = g.node("SaveImage", images=g.node("MaskToImage", mask=cut.out(0)).out(0), filename_prefix="ib_volc_m")
    outputs = comfy.run(g.build())
    grey = comfy.view(outputs[save.id]["images"][0])[..., 0]
    return np.where(grey > 127, 255, 0).astype(np.uint8)  # the contract's mask: 255 = erase


def test_erase_the_cup_keeps_everything_else_bit_for_bit(comfy):
    photo = data.coffee()[::2, ::2].copy()  # 200x300, a cup of coffee on a table
    name = comfy.upload_image(Image.fromarray(photo), "volc_coffee.png")
    mask = u2netp_mask(comfy, name)
    assert 0.05 < (mask > 0).mean() < 0.6, "u2netp should find the cup"

    # The request as the SDK would send it, validated by the contract module.
    form = {
        "req_key": "i2i_inpainting",
        "binary_data_base64": [base64.b64encode(_png(photo)).decode(), base64.b64encode(_png(mask)).decode()],
        "quality": "M",
        "logo_info": {"add_logo": True, "position": 2, "language": 0, "opacity": 1.0},
    }
    request = parse_request(json.dumps(form).encode())
    image = inputs.check_image(inputs.decode_base64(request.sources[0], "image"))
    inputs.check_mask(inputs.decode_base64(request.sources[1], "mask"), image)
    settings = erase_settings(request.quality)
    mask_name = comfy.upload_image(Image.fromarray(mask, "L"), "volc_coffee_mask.png")

    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    mask_picture = g.node("LoadImage", image=mask_name)
    binary = g.node("IB_MaskFromImage", image=mask_picture.out(0), rule="rgb_mean", threshold=127, invert=False)
    erase = g.node(
        "IB_Erase",
        image=load.out(0),
        mask=binary.out(0),
        engine=settings.engine,
        strategy=settings.strategy,
        crop_trigger_size=800,
        crop_margin=settings.crop_margin,
        resize_limit=settings.resize_limit,
        dilate=request.dilate_size,
        feather=min(4, request.dilate_size),
        candidates=1,
        seed=request.seed,
    )
    logo = request.watermark
    mark = g.node(
        "IB_TextWatermark",
        image=erase.out(0),
        text=logo.logo_text_content or "",
        language="zh" if logo.language == 0 else "en",
        position=("bottom-right", "bottom-left", "top-left", "top-right")[logo.position],
        opacity=logo.opacity,
        size=0.05,
        font="NotoSansSC_400Regular.ttf",
    )
    result = g.node("SaveImage", images=mark.out(0), filename_prefix="ib_volc_out")
    grown = g.node("SaveImage", images=g.node("MaskToImage", mask=erase.out(1)).out(0), filename_prefix="ib_volc_g")
    outputs = comfy.run(g.build())
    out = comfy.view(outputs[result.id]["images"][0])[..., :3]
    grown_mask = comfy.view(outputs[grown.id]["images"][0])[..., 0] > 127

    assert out.shape == photo.shape
    h, w = grown_mask.shape
    watermark_box = np.zeros_like(grown_mask)
    watermark_box[: h // 3, : w // 2] = True  # position 2 = top-left
    keep = ~grown_mask & ~watermark_box
    assert np.array_equal(out[keep], photo[keep]), "unmasked pixels must come back bit for bit"
    inside = mask > 0
    diff = np.abs(out.astype(int) - photo.astype(int))[inside].mean()
    assert diff > 10, f"the cup is still there (mean change {diff:.1f})"
    # The watermark is drawn in the top-left corner and nowhere else outside the mask.
    changed = (out != photo).any(-1) & ~grown_mask
    assert changed[: h // 3, : w // 2].sum() > 50 and not changed[h // 3 :, :].any()
