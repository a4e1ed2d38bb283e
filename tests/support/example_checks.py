"""What each example workflow must produce, checked the same way whether it ran from the API or the browser.

Every example gets the generic check (a successful run whose every output image is readable);
the examples below also get checks of what they are for. Outputs are found by the output node's
title (set by ``scripts/make_examples.py``), so node ids may change when an example is rebuilt.
"""

import json
import pathlib

import numpy as np
from PIL import Image

from .paths import REPO_ROOT

EXAMPLES_DIR = REPO_ROOT / "example_workflows"
INPUT_DIR = EXAMPLES_DIR / "input"


def example_paths() -> list[pathlib.Path]:
    return sorted(EXAMPLES_DIR.glob("*.json"))


def input_picture(name: str, mode: str = "RGB") -> np.ndarray:
    return np.asarray(Image.open(INPUT_DIR / name).convert(mode))


class Run:
    """One finished run of an example: its UI workflow and its /history outputs, viewable as arrays."""

    def __init__(self, ui: dict, outputs: dict, view):
        self.ui, self.outputs, self._view = ui, outputs, view

    def _node_ids(self, **match) -> list[str]:
        return [str(n["id"]) for n in self.ui["nodes"] if all(n.get(k) == v for k, v in match.items())]

    def image(self, title: str) -> np.ndarray:
        (node_id,) = self._node_ids(title=title)
        return self._view(self.outputs[node_id]["images"][0])

    def mask(self, title: str = "Mask") -> np.ndarray:
        return self.image(title)[..., 0] > 127

    def ui_output(self, node_type: str, key: str):
        (node_id,) = self._node_ids(type=node_type)
        return self.outputs[node_id][key]

    def input_name(self) -> str:
        (name,) = {n["widgets_values"][0] for n in self.ui["nodes"] if n["type"] == "LoadImage"}
        return name


def check_generic(run: Run) -> None:
    assert run.outputs, "the example produced no output"
    for node_id, out in run.outputs.items():
        for item in out.get("images", []):
            assert run._view(item).size > 0, f"node {node_id}: image unreadable"


def _mask_from_points(run: Run) -> None:
    mask = run.mask()
    assert mask[190, 290], "the clicked cup is in the mask"
    assert not mask[380, 20] and not mask[20, 580], "the table corners are not"
    assert 0.05 < mask.mean() < 0.6


def _remove_background(run: Run) -> None:
    mask = run.mask()
    assert mask[110, 230] and mask[400, 200], "the astronaut's face and suit are foreground"
    cutout = run.image("Cut-out")
    assert cutout.shape[-1] == 4, "the cut-out carries the mask as alpha"
    assert np.array_equal(cutout[..., 3] > 127, mask)


def _mask_adjust(run: Run) -> None:
    values = run.image("Mask")[..., 0]
    assert values[110, 230] == 255, "the subject stays fully masked"
    soft = (values > 0) & (values < 255)
    assert soft.sum() > 1000, "the feathered band is soft"


def _erased_outside_mask_is_untouched(run: Run) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    photo = input_picture(run.input_name())
    result = run.image("Erased")
    changed = np.abs(result.astype(int) - photo).sum(-1) > 0
    return photo, result, changed


def _erase_painted_mask(run: Run) -> None:
    photo, result, changed = _erased_outside_mask_is_untouched(run)
    grown = run.mask()
    painted = input_picture(run.input_name(), "RGBA")[..., 3] < 128
    assert grown[painted].all(), "the grown mask covers the painted area"
    assert np.array_equal(result[~grown], photo[~grown]), "pixels outside the grown mask are the input's, bit for bit"
    assert np.abs(result[painted].astype(int) - photo[painted]).mean() > 5, "the painted object is replaced"


def _remove_by_click(run: Run) -> None:
    _, _, changed = _erased_outside_mask_is_untouched(run)
    assert changed[60:140, 400:440].mean() > 0.5, "the shuttle under the click is erased"
    assert not changed[300:, :300].any(), "the astronaut's body, far from the click, is untouched"


def _mask_statistics(run: Run) -> None:
    painted = input_picture(run.input_name(), "RGBA")[..., 3] < 128
    ys, xs = np.nonzero(painted)
    (stats,) = run.ui_output("IB_MaskStatistics", "stats")
    # GrowMask by 4 (tapered corners) moves every side of the box out by 4.
    x0, y0 = xs.min() - 4, ys.min() - 4
    assert stats["bbox"] == [x0, y0, xs.max() + 5 - x0, ys.max() + 5 - y0]
    assert stats["components"] == 1 and stats["coverage"] > painted.mean()


CHECKS = {
    "mask_from_points": _mask_from_points,
    "remove_background": _remove_background,
    "mask_adjust": _mask_adjust,
    "erase_painted_mask": _erase_painted_mask,
    "remove_by_click": _remove_by_click,
    "mask_statistics": _mask_statistics,
}


def check_example(name: str, ui: dict, outputs: dict, view) -> None:
    """The generic check, then the example's own (text_prompted_mask runs a random stand-in detector: generic)."""
    run = Run(ui, outputs, view)
    check_generic(run)
    specific = CHECKS.get(name)
    if specific:
        specific(run)


def load_ui(path: pathlib.Path) -> dict:
    return json.loads(path.read_text())


def referenced_input_images(ui: dict) -> list[str]:
    """The pictures a UI workflow's Load Image nodes name."""
    return [n["widgets_values"][0] for n in ui["nodes"] if n["type"] == "LoadImage"]
