"""Random IB_OutpaintExpand widget values, as the frontend sends them, over every mode and anchor."""

import random

from inpaint_bridge.nodes.common.outpaint_expand import ANCHORS, EXPAND_MODES

SIDES = ("left", "top", "right", "bottom")


def random_settings(rng: random.Random, width: int, height: int) -> dict:
    """One set of widget values for an image of ``width``×``height`` (a target never smaller than it)."""
    return {
        "mode": rng.choice(EXPAND_MODES),
        **{side: rng.choice([0, 0, rng.randint(1, 300)]) for side in SIDES},
        **{f"{side}_fraction": rng.choice([0.0, round(rng.uniform(0, 1.5), 2)]) for side in SIDES[:3]},
        "bottom_fraction": rng.choice([0, 0.25]),  # an int where a float belongs: JSON has one number type
        "target_width": width + 8 * rng.randint(0, 60),
        "target_height": height + 8 * rng.randint(0, 60),
        "anchor": rng.choice(ANCHORS),
        "overlap": rng.choice([0, 1, rng.randint(2, 200)]),
        "prefill": rng.choice(["edge", "grey", "noise"]),
        "multiple": rng.choice([1, 8, 64]),
        "seed": rng.randint(0, 2**32 - 1),
        "control_after_generate": "fixed",  # a frontend-only widget: ignored
    }
