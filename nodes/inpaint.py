"""Inpaint crop and stitch: one crop per masked region for the sampler, and a seam-free paste back.

Schema and glue only; the work is in ``nodes/common`` (``inpaint_crop``, ``stitch``).
Sampling in between is ComfyUI core's (VAEEncode + SetLatentNoiseMask or
InpaintModelConditioning, KSampler, VAEDecode); ``IB_Inpaint`` wires it in one node.
"""

import json

import comfy.model_management
import comfy.utils

from ._comfy import io, optional, schema
from .common.crop_plan import CONTEXT_MODES, ContextRule
from .common.inpaint_crop import crop_for_inpaint
from .common.inpaint_mask import DEFAULT_SNAP
from .common.seam_blend import BLEND_MODES
from .common.stitch import COLOR_MATCH_MODES, BlendSettings, stitch_crops
from .common.tensors import as_image_batch

CATEGORY = "inpaint"
Stitch = io.Custom("IB_STITCH")
MAX_SIDE = 8192


def crop_inputs() -> list:
    """The crop settings (shared with IB_Inpaint, which passes them on unchanged)."""
    return optional(
        io.Combo.Input(
            "context_mode",
            options=list(CONTEXT_MODES),
            default="pixels",
            tooltip=(
                "Context around each region: 'pixels' of padding (A1111 only-masked padding), 'factor' of the "
                "region's size, Fooocus 'respective_field', or the 'whole_image' (Novita inpainting_full_res 0)."
            ),
        ),
        io.Int.Input("context_pixels", default=64, min=0, max=MAX_SIDE, tooltip="Padding per side for 'pixels'."),
        io.Float.Input(
            "context_factor", default=0.5, min=0.0, max=10.0, step=0.05, tooltip="Padding per side for 'factor'."
        ),
        io.Float.Input(
            "respective_field",
            default=0.618,
            min=0.0,
            max=1.0,
            step=0.001,
            tooltip="Fooocus inpaint_respective_field: the crop spans at least this fraction of the image.",
        ),
        io.Int.Input(
            "min_context",
            default=32,
            min=0,
            max=1024,
            tooltip="Context kept on every side in any mode: room for the stitch's grow + feather.",
        ),
        io.Int.Input(
            "target_width",
            default=512,
            min=8,
            max=MAX_SIDE,
            step=8,
            tooltip="Crop width for the model (512 for SD1.5, 1024 for SDXL; multiple of 8).",
        ),
        io.Int.Input("target_height", default=512, min=8, max=MAX_SIDE, step=8, tooltip="Crop height (multiple of 8)."),
        io.Float.Input(
            "snap",
            default=DEFAULT_SNAP,
            min=0.0,
            max=0.49,
            step=0.01,
            tooltip="Mask values this close to 0 or 1 become exactly 0 or 1 (stabilises soft masks).",
        ),
        io.Int.Input("min_island_area", default=0, min=0, max=1 << 26, tooltip="Drop mask regions below this (px)."),
        io.Int.Input("max_hole_area", default=0, min=0, max=1 << 26, tooltip="Fill mask holes up to this (px)."),
    )


def crop_settings(
    context_mode="pixels",
    context_pixels=64,
    context_factor=0.5,
    respective_field=0.618,
    min_context=32,
    target_width=512,
    target_height=512,
    snap=DEFAULT_SNAP,
    min_island_area=0,
    max_hole_area=0,
) -> dict:
    """The crop inputs as keyword arguments of ``crop_for_inpaint``."""
    return {
        "rule": ContextRule(context_mode, context_pixels, context_factor, respective_field, min_context),
        "target_width": target_width,
        "target_height": target_height,
        "snap": snap,
        "min_island_area": min_island_area,
        "max_hole_area": max_hole_area,
    }


CROP_DEFAULTS = {i.id: i.default for i in crop_inputs()}


def stitch_inputs() -> list:
    """The blend settings (shared with IB_Inpaint)."""
    return optional(
        io.Int.Input("grow", default=2, min=0, max=256, tooltip="Grow the region before feathering (px)."),
        io.Int.Input(
            "feather",
            default=8,
            min=0,
            max=256,
            tooltip="Outward fade of the blend (px); contracts' mask blur maps here. Never fades inward.",
        ),
        io.Combo.Input(
            "color_match",
            options=list(COLOR_MATCH_MODES),
            default="ring",
            tooltip="'ring': match the fill's colours to the original on a ring just outside the mask.",
        ),
        io.Int.Input("ring_width", default=8, min=1, max=128, tooltip="Width of the colour-match ring (px)."),
        io.Combo.Input(
            "blend",
            options=list(BLEND_MODES),
            default="multiband",
            tooltip=(
                "'multiband': colour fades over the band, fine detail right outside the mask stays the original's; "
                "'linear' alpha blend; 'poisson' (gradient domain)."
            ),
        ),
    )


STITCH_DEFAULTS = {i.id: i.default for i in stitch_inputs()}


def blend_settings(grow=2, feather=8, color_match="ring", ring_width=8, blend="multiband") -> BlendSettings:
    return BlendSettings(grow, feather, color_match, ring_width, blend)


class InpaintCrop(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_InpaintCrop",
            display_name="Inpaint Crop (per region)",
            category=CATEGORY,
            description=(
                "Cuts one crop per separate masked region (regions whose context windows overlap share one), "
                "with context as padding, a factor, Fooocus' respective field or the whole image, each resized "
                "to the model's resolution so all crops form one batch for one sampler call. The mask is "
                "cleaned first (near-0/1 values snapped, islands and holes by area) and the clean-up reported. "
                "Feed crops and crop masks to the sampler and the stitch handle to Inpaint Stitch."
            ),
            search_aliases=["crop and stitch", "inpaint crop", "only masked", "inpaint full res", "crop mask region"],
            inputs=[
                io.Image.Input("image", tooltip="Image(s) to inpaint."),
                io.Mask.Input("mask", tooltip="What to repaint (1 = repaint; soft values allowed); one or one each."),
                *crop_inputs(),
            ],
            outputs=[
                io.Image.Output("crops", tooltip="One crop per region of every image, all target-sized."),
                io.Mask.Output("crop_masks", tooltip="The cleaned mask of each crop, for the sampler."),
                Stitch.Output("stitch", tooltip="Where each crop came from, for Inpaint Stitch (read-only)."),
                io.String.Output("crop_report", tooltip="JSON per image: regions, crop windows, mask clean-up."),
            ],
        )

    @classmethod
    def execute(cls, image, mask, **settings) -> io.NodeOutput:
        result = crop_for_inpaint(image, mask, **crop_settings(**settings))
        report = result.report()
        return io.NodeOutput(result.crops, result.crop_masks, result.handle, json.dumps(report), ui={"ib_crop": report})


class InpaintStitch(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_InpaintStitch",
            display_name="Inpaint Stitch (seam-free)",
            category=CATEGORY,
            description=(
                "Pastes sampled crops back into the original: the blend mask is the region grown then feathered "
                "outward (never inward past the edge), the fill's colours are matched to the original on a ring "
                "just outside the mask, optionally multiband or Poisson blended. Every pixel outside the blend "
                "mask is the original, bit for bit. Reports, per image, the largest change outside the blend "
                "(must be 0), the seam's CIEDE2000 ΔE and gradient jump, mask coverage and region count."
            ),
            search_aliases=["stitch", "paste back", "uncrop", "composite inpaint", "seamless blend", "color match"],
            inputs=[
                Stitch.Input("stitch", tooltip="From Inpaint Crop."),
                io.Image.Input(
                    "sampled",
                    tooltip="Decoded crops: k results of all crops, result-major (what k sampler runs batch up to).",
                ),
                *stitch_inputs(),
            ],
            outputs=[
                io.Image.Output("image", tooltip="The inpainted images, image-major (k results of image 0 first)."),
                io.Mask.Output("blend_mask", tooltip="The alpha each result was blended with (0 = original)."),
                io.String.Output("quality", tooltip="JSON list: one quality report per output image."),
            ],
        )

    @classmethod
    def execute(cls, stitch, sampled, **settings) -> io.NodeOutput:
        bar = comfy.utils.ProgressBar(as_image_batch(sampled).shape[0])  # one step per pasted crop

        def before_crop():
            comfy.model_management.throw_exception_if_processing_interrupted()  # a cancel lands between crops
            bar.update(1)

        result = stitch_crops(stitch, sampled, blend_settings(**settings), before_crop)
        reports = list(result.reports)
        return io.NodeOutput(result.images, result.alphas, json.dumps(reports), ui={"ib_quality": reports})


NODES = [InpaintCrop, InpaintStitch]
