"""Outpaint expand: a larger canvas, a mask over the new area plus an overlap band, and a pre-fill.

Schema and glue only (``nodes/common/outpaint_expand.py``). Follow it with Inpaint
Crop → sampler → Inpaint Stitch, or IB_Inpaint, with grow and feather 0 so the
overlap band itself is the blend: the original then changes only inside that band.
"""

import json

from ._comfy import io, optional, schema
from .common.outpaint_expand import ANCHORS, EXPAND_MODES, PREFILL_METHODS, ExpandSettings, expand, report
from .common.tensors import as_image_batch

MAX_PAD = 8192
DEFAULTS = ExpandSettings()  # the one place the defaults live: the preview route reads the same


def _side(name: str):
    return io.Int.Input(
        name,
        default=getattr(DEFAULTS, name),
        min=0,
        max=MAX_PAD,
        tooltip=f"Pixels added on the {name} ('pixels' mode).",
    )


def _fraction(name: str, of: str):
    return io.Float.Input(
        f"{name}_fraction",
        default=getattr(DEFAULTS, f"{name}_fraction"),
        min=0.0,
        max=4.0,
        step=0.01,
        tooltip=f"Padding on the {name} as a fraction of the image {of} ('fraction' mode; Fooocus uses 0.3).",
    )


class OutpaintExpand(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_OutpaintExpand",
            display_name="Outpaint Expand",
            category="inpaint/outpaint",
            description=(
                "Pads the image for outpainting: per side in pixels, as a fraction of the side (Fooocus 30%, "
                "FooocusAPI outpaint_distance), or to a target size with an anchor; padded sides are rounded so "
                "the canvas is a multiple of 8. The mask covers the new area and fades over 'overlap' px into "
                "the original; the new area is pre-filled by edge replication (Fooocus), neutral grey (core), "
                "OpenCV Telea / Navier-Stokes, the exemplar erase engine, or noise. One pass: the crop's target "
                "size sets the resolution the new area is sampled at."
            ),
            search_aliases=["outpaint", "expand canvas", "uncrop", "pad image", "extend image", "zoom out"],
            inputs=[
                io.Image.Input("image", tooltip="Image(s) to extend."),
                *optional(
                    io.Combo.Input(
                        "mode",
                        options=list(EXPAND_MODES),
                        default=DEFAULTS.mode,
                        tooltip="How the padding is given: pixels per side, fraction per side, or a target canvas.",
                    ),
                    *(_side(name) for name in ("left", "top", "right", "bottom")),
                    _fraction("left", "width"),
                    _fraction("top", "height"),
                    _fraction("right", "width"),
                    _fraction("bottom", "height"),
                    io.Int.Input(
                        "target_width",
                        default=DEFAULTS.target_width,
                        min=8,
                        max=MAX_PAD,
                        step=8,
                        tooltip="Canvas width ('target').",
                    ),
                    io.Int.Input(
                        "target_height",
                        default=DEFAULTS.target_height,
                        min=8,
                        max=MAX_PAD,
                        step=8,
                        tooltip="Canvas height ('target').",
                    ),
                    io.Combo.Input(
                        "anchor",
                        options=list(ANCHORS),
                        default=DEFAULTS.anchor,
                        tooltip="Where the original sits ('target').",
                    ),
                    io.Int.Input(
                        "overlap",
                        default=DEFAULTS.overlap,
                        min=0,
                        max=1024,
                        tooltip="Depth (px) of the feathered band the mask reaches into the original.",
                    ),
                    io.Combo.Input(
                        "prefill",
                        options=list(PREFILL_METHODS),
                        default=DEFAULTS.prefill,
                        tooltip="What the new area starts as before sampling.",
                    ),
                    io.Int.Input(
                        "multiple",
                        default=DEFAULTS.multiple,
                        min=1,
                        max=128,
                        tooltip="Round padded sides to this multiple.",
                    ),
                    io.Int.Input(
                        "seed", default=DEFAULTS.seed, min=0, max=0xFFFFFFFF, tooltip="Seed for 'noise' and 'exemplar'."
                    ),
                ),
            ],
            outputs=[
                io.Image.Output("expanded", tooltip="The padded, pre-filled canvas."),
                io.Mask.Output("mask", tooltip="1 on the new area, fading over the overlap band, 0 elsewhere."),
                io.Int.Output("x", tooltip="Left edge of the original on the canvas."),
                io.Int.Output("y", tooltip="Top edge of the original on the canvas."),
                io.String.Output("padding", tooltip="JSON: the padding added per side, after rounding."),
            ],
        )

    @classmethod
    def execute(cls, image, **inputs) -> io.NodeOutput:
        images = as_image_batch(image)
        height, width = images.shape[1:3]
        settings = ExpandSettings(**inputs)
        padding = settings.padding(width, height)
        canvas, mask = expand(images, padding, settings.overlap, settings.prefill, settings.seed)
        info = report(width, height, padding)
        ui = {"ib_outpaint": [info] * canvas.shape[0]}  # one entry per image, as every ib_* fact
        return io.NodeOutput(canvas, mask, padding.left, padding.top, json.dumps(info), ui=ui)


NODES = [OutpaintExpand]
