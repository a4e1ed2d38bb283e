"""The Volcengine request through the contract's own mapping and the erase recipe, on the real ComfyUI.

The SDK's form is parsed and its images loaded and checked as the handler does (the bridge's image
loader, the contract's mask rules), turned into the erase task (``erase_task``), and that task's
graph (``build_graph`` against the live /object_info) runs on ComfyUI: a real photo, a u2netp mask.
"""

import asyncio
import base64
import io
import json

import numpy as np
from PIL import Image
from skimage import data

from api_bridge.contracts.volcengine import inputs
from api_bridge.contracts.volcengine.contract import erase_task
from api_bridge.contracts.volcengine.models import erase_settings, parse_request
from api_bridge.contracts.volcengine.service import EraseJob
from api_bridge.graph import ObjectInfo
from api_bridge.graph.recipes import build_graph
from api_bridge.server.images import ImageLoader
from api_bridge.tasks import ImageRef
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
    loader = ImageLoader()
    image = asyncio.run(loader.load(request.sources[0], inputs.IMAGE_LIMITS, allow_url=False))
    mask_image = asyncio.run(loader.load(request.sources[1], inputs.MASK_LIMITS, allow_url=False, keep_mode=True))
    inputs.check_mask(mask_image, image)
    job = EraseJob("r1", request, image, mask_image, erase_settings(request.quality))
    refs = [ImageRef(blob=f"in-volcchain{i}.png", width=image.width, height=image.height) for i in (0, 1)]
    task = erase_task(job, *refs).model_copy(update={"seed": 3})
    built = build_graph(task, ObjectInfo(comfy.object_info()))
    pictures = {refs[0].blob: image, refs[1].blob: mask_image}
    assert set(built.uploads.values()) == set(pictures)
    for name, key in built.uploads.items():  # what the executor does with the blobs
        folder, _, file = name.rpartition("/")
        comfy.upload_image(pictures[key], file, subfolder=folder)
    prompt = dict(built.prompt)  # plus the grown mask, to know where pixels may differ
    erase_id = next(k for k, v in prompt.items() if v["class_type"] == "IB_Erase")
    prompt["grown"] = {"class_type": "MaskToImage", "inputs": {"mask": [erase_id, 1]}}
    prompt["grown_save"] = {"class_type": "SaveImage", "inputs": {"images": ["grown", 0], "filename_prefix": "ib_g"}}
    outputs = comfy.run(prompt)
    out = comfy.view(outputs[built.outputs["image"]]["images"][0])[..., :3]
    grown_mask = comfy.view(outputs["grown_save"]["images"][0])[..., 0] > 127

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
