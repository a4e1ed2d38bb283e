"""Mask statistics node: coverage, components, bounding box and soft-pixel count."""

import json

from ._comfy import io, schema
from .common.mask_stats import bbox_mask, mask_stats


class MaskStatistics(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_MaskStatistics",
            display_name="Mask Statistics",
            category="inpaint/mask",
            description=(
                "Measures a mask: the fraction of pixels above the threshold, how many separate regions "
                "they form (8-connected), their bounding box, and how many pixels are soft (between 0 "
                "and 1). Use it to check a mask before inpainting or to skip empty masks."
            ),
            search_aliases=["mask info", "mask coverage", "mask bbox", "count regions"],
            inputs=[
                io.Mask.Input("mask", tooltip="Mask to measure ([B,H,W]); each batch item is measured alone."),
                io.Float.Input(
                    "threshold",
                    default=0.5,
                    min=0.0,
                    max=1.0,
                    step=0.01,
                    tooltip="Pixels above this value count as masked.",
                ),
            ],
            outputs=[
                io.Float.Output("coverage", tooltip="Masked fraction of the first mask, 0..1."),
                io.Int.Output("components", tooltip="Separate masked regions in the first mask."),
                io.Int.Output("x", tooltip="Left edge of the first mask's bounding box (0 when empty)."),
                io.Int.Output("y", tooltip="Top edge of the first mask's bounding box (0 when empty)."),
                io.Int.Output("width", tooltip="Bounding-box width of the first mask (0 when empty)."),
                io.Int.Output("height", tooltip="Bounding-box height of the first mask (0 when empty)."),
                io.Int.Output("non_binary", tooltip="Pixels strictly between 0 and 1 in the first mask."),
                io.Boolean.Output("empty", tooltip="True when the first mask has no pixel above the threshold."),
                io.Mask.Output("bbox_mask", tooltip="Per item: 1 inside the bounding box, 0 outside."),
                io.String.Output("stats_json", tooltip="Statistics of every batch item as a JSON list."),
            ],
        )

    @classmethod
    def execute(cls, mask, threshold: float = 0.5) -> io.NodeOutput:
        stats = mask_stats(mask, threshold)
        first = stats[0]
        as_json = json.dumps([s.as_dict() for s in stats])
        return io.NodeOutput(
            first.coverage,
            first.components,
            *first.bbox,
            first.non_binary,
            first.empty,
            bbox_mask(mask, threshold),
            as_json,
            # "stats": drawn under the node by the frontend extension; "ib_stats": the bridge's copy (info["stats"]).
            ui={"stats": [s.as_dict() for s in stats], "ib_stats": [s.as_dict() for s in stats]},
        )


NODES = [MaskStatistics]
