"""The bridge's task literals and ranges against the node pack's own, as /object_info reports them.

The bridge never imports the pack, so each fact it restates (an option list, a range, a default
model name) is checked here against the captured object_info; the integration tier checks that
capture against the live nodes. Add a row when a task part restates a node input.
"""

import typing

import pytest
from pydantic import BaseModel

from api_bridge.tasks.erase import EraseOptions, HDOptions, Watermark
from api_bridge.tasks.inpaint import (
    Blend,
    DiffusionModel,
    Lora,
    OutpaintOptions,
    PadFractions,
    PadPixels,
    PadToSize,
    Region,
    Sampling,
)
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
    (EraseOptions, "radius"): ("IB_Erase", "radius"),
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
    (Sampling, "steps"): ("IB_Inpaint", "steps"),
    (Sampling, "cfg"): ("IB_Inpaint", "cfg"),
    (Sampling, "denoise"): ("IB_Inpaint", "denoise"),
    (Sampling, "count"): ("IB_Inpaint", "count"),
    (Sampling, "noise_multiplier"): ("IB_Inpaint", "noise_multiplier"),
    (Sampling, "conditioning"): ("IB_Inpaint", "conditioning"),
    (Sampling, "differential_diffusion"): ("IB_Inpaint", "differential_diffusion"),
    (Region, "context"): ("IB_Inpaint", "context_mode"),
    (Region, "padding"): ("IB_Inpaint", "context_pixels"),
    (Region, "factor"): ("IB_Inpaint", "context_factor"),
    (Region, "respective_field"): ("IB_Inpaint", "respective_field"),
    (Region, "min_context"): ("IB_Inpaint", "min_context"),
    (Region, "width"): ("IB_Inpaint", "target_width"),
    (Region, "height"): ("IB_Inpaint", "target_height"),
    (Blend, "grow"): ("IB_Inpaint", "grow"),
    (Blend, "feather"): ("IB_Inpaint", "feather"),
    (Blend, "color_match"): ("IB_Inpaint", "color_match"),
    (Blend, "ring_width"): ("IB_Inpaint", "ring_width"),
    (Blend, "mode"): ("IB_Inpaint", "blend"),
    (Lora, "model_strength"): ("LoraLoader", "strength_model"),
    (Lora, "clip_strength"): ("LoraLoader", "strength_clip"),
    (PadPixels, "left"): ("IB_OutpaintExpand", "left"),
    (PadPixels, "top"): ("IB_OutpaintExpand", "top"),
    (PadPixels, "right"): ("IB_OutpaintExpand", "right"),
    (PadPixels, "bottom"): ("IB_OutpaintExpand", "bottom"),
    (PadFractions, "left"): ("IB_OutpaintExpand", "left_fraction"),
    (PadFractions, "top"): ("IB_OutpaintExpand", "top_fraction"),
    (PadFractions, "right"): ("IB_OutpaintExpand", "right_fraction"),
    (PadFractions, "bottom"): ("IB_OutpaintExpand", "bottom_fraction"),
    (PadToSize, "anchor"): ("IB_OutpaintExpand", "anchor"),
    (OutpaintOptions, "overlap"): ("IB_OutpaintExpand", "overlap"),
    (OutpaintOptions, "prefill"): ("IB_OutpaintExpand", "prefill"),
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
    if field.is_required():
        return
    assert lo <= field.default <= hi


def test_outpaint_extent_modes_are_the_expand_modes():
    modes = tuple(literal_values(p.model_fields["mode"].annotation)[0] for p in (PadPixels, PadFractions, PadToSize))
    assert modes == tuple(object_info().spec("IB_OutpaintExpand").inputs["mode"].choices)
    for side in ("width", "height"):  # the target canvas, within the node's range
        lo, hi = bounds(PadToSize.model_fields[side])
        spec = object_info().spec("IB_OutpaintExpand").inputs[f"target_{side}"]
        assert spec.options["min"] <= lo <= hi <= spec.options["max"]


def test_clip_skip_is_the_negated_last_layer():
    # A1111 clip_skip n (1 = the last layer) is CLIPSetLastLayer's stop_at_clip_layer -n.
    spec = object_info().spec("CLIPSetLastLayer").inputs["stop_at_clip_layer"]
    lo, hi = bounds(DiffusionModel.model_fields["clip_skip"])
    assert (-hi, -lo) == (spec.options["min"], spec.options["max"])
    assert -DiffusionModel.model_fields["clip_skip"].default == spec.options["default"]


@pytest.mark.parametrize("part, name", list(DEFAULT_MODELS), ids=lambda v: getattr(v, "__name__", v))
def test_default_model_names_are_what_the_loaders_list(part, name):
    node, input_name = DEFAULT_MODELS[(part, name)]
    assert part.model_fields[name].default in object_info().spec(node).inputs[input_name].choices
