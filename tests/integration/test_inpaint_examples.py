"""The inpaint and outpaint example workflows, with their shipped input images, on the real ComfyUI.

They name an SD1.5 inpainting checkpoint; the reduced test checkpoint sits under that name,
and sampling is cut to 2 steps at 64² crops (``cpu_sized``): the output is noise, the
wiring and geometry are what the saved workflow has.
"""

import json

import numpy as np
from PIL import Image
from scipy import ndimage

from api_bridge.workflows.convert import ui_to_api
from support.example_checks import referenced_input_images
from support.paths import REPO_ROOT
from support.test_checkpoints import cpu_sized

EXAMPLES = REPO_ROOT / "example_workflows"


def _run(comfy, name: str):
    ui = json.loads((EXAMPLES / f"{name}.json").read_text())
    (picture,) = referenced_input_images(ui)
    shipped = Image.open(EXAMPLES / "input" / picture)
    assert comfy.upload_image(shipped, picture) == picture
    nodes = {n["id"]: n for n in ui["nodes"]}
    return np.array(shipped), nodes, comfy.run(cpu_sized(ui_to_api(ui, comfy.object_info())))


def _by_type(nodes: dict, kind: str) -> str:
    (node_id,) = [str(i) for i, n in nodes.items() if n["type"] == kind]
    return node_id


def _reported(outputs: dict, key: str) -> list:
    return [entry for out in outputs.values() for entry in out.get(key, [])]


def test_inpaint_crop_stitch_example_repaints_only_the_painted_regions(comfy, test_checkpoints):
    rgba, nodes, outputs = _run(comfy, "inpaint_crop_stitch")
    photo, painted = rgba[..., :3], rgba[..., 3] == 0  # the mask editor paints transparency
    result = comfy.view(outputs[_by_type(nodes, "SaveImage")]["images"][0])[..., :3]
    assert result.shape == photo.shape
    stitch = nodes[int(_by_type(nodes, "IB_InpaintStitch"))]
    grow, feather = stitch["widgets_values"][:2]
    far = ndimage.distance_transform_edt(~painted) > grow + feather + 2
    assert np.array_equal(result[far], photo[far])
    assert np.abs(result[painted].astype(int) - photo[painted]).mean() > 5
    crops = outputs[_by_type(nodes, "PreviewImage")]["images"]
    assert len(crops) == 2, "two painted regions, two crops"
    (quality,) = outputs[_by_type(nodes, "IB_InpaintStitch")]["ib_quality"]
    assert quality["max_abs_outside"] == 0 and quality["regions"] == 2


def test_outpaint_example_extends_both_sides_and_keeps_the_original(comfy, test_checkpoints):
    photo, nodes, outputs = _run(comfy, "outpaint")
    result = comfy.view(outputs[_by_type(nodes, "SaveImage")]["images"][0])[..., :3]
    # 30% of 384 = 115 px a side (Fooocus truncates); 614 wide rounded up to 616, one more px each side.
    (padding,) = outputs[_by_type(nodes, "IB_OutpaintExpand")]["ib_outpaint"]
    assert padding == {"left": 116, "top": 0, "right": 116, "bottom": 0, "width": 616, "height": 256}
    assert result.shape == (256, 616, 3)
    overlap = nodes[int(_by_type(nodes, "IB_OutpaintExpand"))]["widgets_values"][12]
    original = result[:, 116 : 116 + 384]
    assert np.array_equal(original[:, overlap:-overlap], photo[:, overlap:-overlap])
    assert not np.array_equal(original[:, :overlap], photo[:, :overlap]), "the overlap band is blended"
    quality = _reported(outputs, "ib_quality")
    assert quality[0]["max_abs_outside"] == 0 and quality[0]["regions"] == 2
