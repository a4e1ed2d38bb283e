"""The bridge's task literals and ranges against the node pack's own, as /object_info reports them.

The bridge never imports the pack, so each fact it restates (an option list, a range, a default
model name) is checked here against the captured object_info; the integration tier checks that
capture against the live nodes. Add a row when a task part restates a node input.
"""

import typing

import pytest
from pydantic import BaseModel

from api_bridge.tasks.erase import EraseOptions, HDOptions, Watermark
from api_bridge.tasks.mask import RembgSegmenter, SamSegmenter, TextDetect
from api_bridge.tasks.parts import MaskAdjust, MaskPicture
from support.bridge import object_info

# (task part, field) -> (node class, input name)
SAME_INPUT: dict[tuple[type[BaseModel], str], tuple[str, str]] = {
    (MaskPicture, "rule"): ("IB_MaskFromImage", "rule"),
    (MaskPicture, "threshold"): ("IB_MaskFromImage", "threshold"),
    (MaskAdjust, "grow"): ("IB_MaskGrow", "radius"),
    (MaskAdjust, "kernel"): ("IB_MaskGrow", "kernel"),
    (MaskAdjust, "feather"): ("IB_MaskFeather", "radius"),
    (MaskAdjust, "min_island_area"): ("IB_MaskCleanup", "min_island_area"),
    (SamSegmenter, "multimask"): ("IB_SAMSegment", "multimask"),
    (SamSegmenter, "cleanup_area"): ("IB_SAMSegment", "cleanup_area"),
    (RembgSegmenter, "cloth_category"): ("IB_RembgLoader", "cloth_category"),
    (TextDetect, "box_threshold"): ("IB_TextPromptDetect", "box_threshold"),
    (TextDetect, "text_threshold"): ("IB_TextPromptDetect", "text_threshold"),
    (TextDetect, "max_detections"): ("IB_TextPromptDetect", "max_detections"),
    (TextDetect, "grow_boxes"): ("IB_TextPromptDetect", "grow_boxes"),
    (EraseOptions, "engine"): ("IB_Erase", "engine"),
    (EraseOptions, "dilate"): ("IB_Erase", "dilate"),
    (EraseOptions, "feather"): ("IB_Erase", "feather"),
    (EraseOptions, "candidates"): ("IB_Erase", "candidates"),
    (HDOptions, "strategy"): ("IB_Erase", "strategy"),
    (HDOptions, "crop_trigger_size"): ("IB_Erase", "crop_trigger_size"),
    (HDOptions, "crop_margin"): ("IB_Erase", "crop_margin"),
    (HDOptions, "resize_limit"): ("IB_Erase", "resize_limit"),
    (Watermark, "language"): ("IB_TextWatermark", "language"),
    (Watermark, "position"): ("IB_TextWatermark", "position"),
    (Watermark, "opacity"): ("IB_TextWatermark", "opacity"),
    (Watermark, "size"): ("IB_TextWatermark", "size"),
}

# Default model names the bridge sends: installed by the set-up, so the capture lists them.
DEFAULT_MODELS = {
    (SamSegmenter, "model_name"): ("IB_SAMLoader", "model_name"),
    (RembgSegmenter, "model_name"): ("IB_RembgLoader", "model_name"),
}


def literal_values(annotation) -> tuple | None:
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    return None


def bounds(field) -> tuple:
    lo = hi = None
    for meta in field.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


@pytest.mark.parametrize("part, name", list(SAME_INPUT), ids=lambda v: getattr(v, "__name__", v))
def test_bridge_field_matches_the_node_input(part, name):
    node, input_name = SAME_INPUT[(part, name)]
    spec = object_info().spec(node).inputs[input_name]
    field = part.model_fields[name]
    values = literal_values(field.annotation)
    if values is not None:
        assert spec.type == "COMBO" and tuple(spec.choices) == values, f"{part.__name__}.{name} vs {node}.{input_name}"
        assert field.default in values
        return
    lo, hi = bounds(field)
    node_lo, node_hi = spec.options.get("min"), spec.options.get("max")
    assert lo is not None and hi is not None, f"{part.__name__}.{name} has no range"
    assert node_lo <= lo <= hi <= node_hi, f"{part.__name__}.{name} [{lo}, {hi}] not within {node}.{input_name}"
    assert lo <= field.default <= hi


@pytest.mark.parametrize("part, name", list(DEFAULT_MODELS), ids=lambda v: getattr(v, "__name__", v))
def test_default_model_names_are_what_the_loaders_list(part, name):
    node, input_name = DEFAULT_MODELS[(part, name)]
    assert part.model_fields[name].default in object_info().spec(node).inputs[input_name].choices
