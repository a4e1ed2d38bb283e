"""Every saved UI workflow in example_workflows/ converts and runs on the real ComfyUI."""

import json

import numpy as np
import pytest
from PIL import Image
from skimage import data

from support.paths import REPO_ROOT
from support.test_checkpoints import cpu_sized, needs_checkpoint
from support.ui_workflow import referenced_input_images, ui_to_api

EXAMPLES = sorted((REPO_ROOT / "example_workflows").glob("*.json"))


def _rgba_with_painted_mask(size=(96, 64), top=20, left=30) -> Image.Image:
    # LoadImage's MASK is 1 - alpha: a transparent rectangle is what the mask editor paints.
    rgba = np.full((size[1], size[0], 4), 200, np.uint8)
    rgba[top : top + 20, left : left + 30, 3] = 0
    return Image.fromarray(rgba, "RGBA")


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_workflow_runs(path, comfy, request):
    ui = json.loads(path.read_text())
    if needs_checkpoint(ui):  # diffusion examples: the reduced checkpoints under the names they use
        request.getfixturevalue("test_checkpoints")
    for name in referenced_input_images(ui):
        assert comfy.upload_image(_rgba_with_painted_mask(), name) == name
    graph = cpu_sized(ui_to_api(ui, comfy.object_info()))
    outputs = comfy.run(graph)
    assert outputs, f"{path.name} produced no output"
    for node_id, out in outputs.items():
        for item in out.get("images", []):
            assert comfy.view(item).size > 0, f"{path.name}: node {node_id} image unreadable"


def test_mask_statistics_example_reports_the_painted_region(comfy):
    ui = json.loads((REPO_ROOT / "example_workflows" / "mask_statistics.json").read_text())
    for name in referenced_input_images(ui):
        # Not the picture the test above used: ComfyUI would serve the cached node outputs.
        comfy.upload_image(_rgba_with_painted_mask(top=10, left=50), name)
    outputs = comfy.run(ui_to_api(ui, comfy.object_info()))
    (stats,) = outputs["3"]["stats"]
    # 30x20 hole grown by 4 with tapered corners: bbox grows by 4 on each side.
    assert stats["bbox"] == [46, 6, 38, 28] and stats["components"] == 1


def _run_example(comfy, name: str, picture: Image.Image) -> tuple[dict, dict]:
    ui = json.loads((REPO_ROOT / "example_workflows" / f"{name}.json").read_text())
    for image_name in referenced_input_images(ui):
        comfy.upload_image(picture, image_name)
    return ui, comfy.run(ui_to_api(ui, comfy.object_info()))


def test_erase_painted_mask_example_fills_the_painted_object_only(comfy):
    photo = data.chelsea()[:240, :320]
    rgba = np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    rgba[90:150, 120:200, 3] = 0  # what the mask editor paints: transparent = masked
    _, outputs = _run_example(comfy, "erase_painted_mask", Image.fromarray(rgba, "RGBA"))
    result = comfy.view(outputs["3"]["images"][0])
    grown = comfy.view(outputs["5"]["images"][0])[..., 0] > 127
    assert grown[90:150, 120:200].all() and grown.mean() < 0.2
    assert np.array_equal(result[~grown], photo[~grown])
    assert np.abs(result[grown].astype(int) - photo[grown]).mean() > 5


def test_remove_by_click_example_removes_the_clicked_object(comfy):
    # The saved point (420, 100) lies on the shuttle in skimage's astronaut photo.
    photo = data.astronaut()
    ui, outputs = _run_example(comfy, "remove_by_click", Image.fromarray(photo))
    result = comfy.view(outputs["5"]["images"][0])
    changed = np.abs(result.astype(int) - photo).sum(-1) > 0
    assert changed[60:140, 400:440].mean() > 0.5, "the shuttle under the click is erased"
    assert not changed[300:, :300].any(), "the astronaut's body, far from the click, is untouched"
