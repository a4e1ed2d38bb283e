"""Golden graphs: every recipe's graph for representative tasks, against the captured object_info.

Regenerate after an intended change with ``IB_UPDATE_GOLDEN=1 pytest tests/unit/test_bridge_recipes.py``
and review the diff of tests/fixtures/golden/.
"""

import json
import os

import pytest

from api_bridge.graph.builder import GraphBuildError
from api_bridge.graph.recipes import RECIPES, build_graph
from api_bridge.tasks import TASK_KINDS, parse_task
from support.bridge import FIXTURES, object_info

REF = {"blob": "inputimage01.png", "width": 64, "height": 48}
MASK = {"blob": "inputmask001.png", "width": 64, "height": 48}

CASES = {
    "adjust_mask_defaults": {"kind": "adjust_mask", "mask": {"image": MASK}},
    "adjust_mask_full": {
        "kind": "adjust_mask",
        "mask": {"image": MASK, "rule": "luminance", "threshold": 100, "invert": True},
        "adjust": {
            "grow": -5,
            "kernel": "ellipse_iopaint",
            "min_island_area": 20,
            "fill_holes": True,
            "feather": 6,
            "invert": True,
        },
    },
    "adjust_mask_alpha_rule": {"kind": "adjust_mask", "mask": {"image": MASK, "rule": "alpha"}},
    "generate_mask_sam": {
        "kind": "generate_mask",
        "image": REF,
        "segmenter": {"method": "sam", "points": [[10, 12, 1], [30, 20, 0]], "boxes": [[1, 2, 40, 30]]},
        "adjust": {"grow": 4},
    },
    "generate_mask_rembg": {
        "kind": "generate_mask",
        "image": REF,
        "segmenter": {"method": "rembg", "model_name": "u2netp", "alpha_matting": True},
    },
    "erase_defaults": {"kind": "erase", "image": REF, "mask": {"image": MASK}, "seed": 7},
    "erase_full": {
        "kind": "erase",
        "image": REF,
        "mask": {"image": MASK, "rule": "rgb_mean", "threshold": 127},
        "adjust": {"grow": 3, "kernel": "square"},
        "erase": {
            "engine": "telea",
            "hd": {"strategy": "resize", "resize_limit": 512},
            "dilate": 2,
            "feather": 2,
            "candidates": 2,
        },
        "seed": 123,
    },
    "erase_watermark": {
        "kind": "erase",
        "image": REF,
        "mask": {"image": MASK},
        "erase": {"dilate": 15, "feather": 4},
        "watermark": {"text": "", "language": "en", "position": "top-right", "opacity": 0.5},
        "seed": 0,
    },
    "erase_model": {
        "kind": "erase",
        "image": REF,
        "mask": {"image": MASK},
        "erase": {"engine": "model", "model_name": "big-lama.pt"},
        "seed": 1,
    },
}


def test_every_task_kind_has_a_recipe_and_a_golden_case():
    assert set(RECIPES) == set(TASK_KINDS)
    assert {c["kind"] for c in CASES.values()} == set(TASK_KINDS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_recipe_matches_golden_graph(name):
    built = build_graph(parse_task(CASES[name]), object_info())
    got = {"prompt": built.prompt, "outputs": built.outputs, "uploads": built.uploads}
    path = FIXTURES / "golden" / f"{name}.json"
    if os.environ.get("IB_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    assert got == json.loads(path.read_text())


def test_recipes_are_pure():
    task = parse_task(CASES["erase_full"])
    assert build_graph(task, object_info()).prompt == build_graph(task, object_info()).prompt


def test_an_erase_model_that_is_not_installed_fails_at_build_time():
    task = parse_task(
        {"kind": "erase", "image": REF, "mask": {"image": MASK}, "erase": {"engine": "model", "model_name": "x.pt"}}
    )
    with pytest.raises(GraphBuildError, match=r"IB_EraseModelLoader.model_name: 'x.pt' is not one of"):
        build_graph(task, object_info())
