"""The outpaint preview reads the frontend's widget values exactly as the node reads its inputs: for any
widget values, the preview's geometry is what IB_OutpaintExpand reports after running on them."""

import random

import numpy as np
import torch
from skimage import data

from inpaint_bridge.nodes.common.outpaint_expand import ExpandSettings
from inpaint_bridge.nodes.common.outpaint_preview import outpaint_preview
from support.outpaint_settings import random_settings


def test_preview_geometry_equals_the_nodes_run_over_many_widget_settings(pack_module):
    node = pack_module("outpaint").OutpaintExpand
    rng = random.Random(17)
    photo = data.coffee()[::4, ::4]  # 150×100: runs stay cheap
    image = torch.from_numpy(np.ascontiguousarray(photo)).float().div(255)[None]
    height, width = photo.shape[:2]
    for _ in range(30):
        values = random_settings(rng, width, height)
        inputs = {k: v for k, v in values.items() if k != "control_after_generate"}  # what ComfyUI passes
        out = node.execute(image=image, **inputs)
        (reported,) = out.ui["ib_outpaint"]
        preview = outpaint_preview(width, height, ExpandSettings.from_values(values))
        assert preview["outpaint"] == reported, values
        canvas, mask = out.args[:2]
        assert canvas.shape[1:3] == (reported["height"], reported["width"])
        x0, y0, x1, y1 = preview["kept"]
        kept = torch.zeros_like(mask[0], dtype=torch.bool)
        kept[y0:y1, x0:x1] = True
        assert torch.equal(mask[0] == 0, kept), "the mask is 0 exactly on the box drawn as kept"
        left, top, right, bottom = preview["original"]
        assert torch.equal(canvas[0, top:bottom, left:right], image[0]), "the original sits in the box drawn"
