"""Mask adjustment nodes: grow/shrink, feather, blur, clean-up, combine, bounds, masks from pictures.

Schema and glue only; the work is in ``nodes/common`` (no ComfyUI import there).
Morphology and clean-up binarise at 0.5 and return 0/1 masks; feather and blur
return soft masks. Outputs keep the input's device and dtype.
"""

import numpy as np

from ._comfy import io, schema
from .common.mask_bounds import mask_region
from .common.mask_convert import OPERATIONS, RULES, combine, mask_from_image
from .common.mask_regions import clean_mask
from .common.mask_soft import DIRECTIONS, FALLOFFS, feather, gaussian_blur, smooth_edges
from .common.morphology import KERNELS, from_numpy_like, grow_mask, to_binary_numpy
from .common.tensors import as_image_batch, as_mask_batch

CATEGORY = "inpaint/mask"
MAX_RADIUS = 1024


def _per_item(mask, fn, binarise: bool = True):
    """Apply ``fn`` to each [H,W] numpy item; back to a tensor like ``mask``."""
    items = to_binary_numpy(mask) if binarise else as_mask_batch(mask).detach().to("cpu").float().numpy()
    return from_numpy_like(np.stack([fn(item) for item in items]), mask)


def _mask_in(tooltip="The mask to adjust: [B,H,W], 1 = masked."):
    return io.Mask.Input("mask", tooltip=tooltip)


def _mask_out(tooltip):
    # Output ids must differ from input ids in V3; the socket still reads "mask".
    return io.Mask.Output("mask_out", display_name="mask", tooltip=tooltip)


class MaskGrow(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_MaskGrow",
            display_name="Grow / Shrink Mask",
            category=CATEGORY,
            description=(
                "Expands (positive radius) or shrinks (negative radius) a mask by an exact distance in one pass, "
                "not by repeating 3×3 steps. 'disc' is true Euclidean distance; 'square' equals Fooocus "
                "erode_or_dilate; 'diamond' equals core GrowMask with tapered corners; 'ellipse_iopaint' equals "
                "IOPaint adjust_mask. The result is a 0/1 mask."
            ),
            search_aliases=["expand mask", "dilate", "erode", "shrink mask", "grow mask", "erode_or_dilate"],
            inputs=[
                _mask_in(),
                io.Int.Input(
                    "radius",
                    default=8,
                    min=-MAX_RADIUS,
                    max=MAX_RADIUS,
                    tooltip="Pixels to grow by; negative shrinks. 0 only binarises.",
                ),
                io.Combo.Input(
                    "kernel", options=list(KERNELS), default="disc", tooltip="Distance that defines the new edge."
                ),
            ],
            outputs=[_mask_out("The grown or shrunk 0/1 mask.")],
        )

    @classmethod
    def execute(cls, mask, radius: int, kernel: str = "disc") -> io.NodeOutput:
        return io.NodeOutput(grow_mask(mask, radius, kernel=kernel))


class MaskFeather(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_MaskFeather",
            display_name="Feather Mask Edge",
            category=CATEGORY,
            description=(
                "Softens the mask edge over a distance measured exactly from the edge. 'outer' fades outside the "
                "mask (masked pixels stay 1), 'inner' fades inside it (nothing outside the mask is touched), "
                "'both' centres the ramp on the edge."
            ),
            search_aliases=["soft mask", "feather", "mask falloff", "edge blend"],
            inputs=[
                _mask_in(),
                io.Int.Input("radius", default=16, min=0, max=MAX_RADIUS, tooltip="Width of the fade in pixels."),
                io.Combo.Input(
                    "direction", options=list(DIRECTIONS), default="outer", tooltip="Which side of the edge fades."
                ),
                io.Combo.Input(
                    "falloff", options=list(FALLOFFS), default="smooth", tooltip="Shape of the fade from 1 to 0."
                ),
            ],
            outputs=[_mask_out("The feathered soft mask (0..1).")],
        )

    @classmethod
    def execute(cls, mask, radius: int, direction: str = "outer", falloff: str = "smooth") -> io.NodeOutput:
        return io.NodeOutput(_per_item(mask, lambda m: feather(m, radius, direction, falloff)))


class MaskBlur(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_MaskBlur",
            display_name="Blur Mask",
            category=CATEGORY,
            description="Gaussian blur of a (soft) mask with a (2r+1)² kernel, as IOPaint and A1111 blur masks.",
            search_aliases=["mask blur", "gaussian mask", "MaskBlur"],
            inputs=[
                _mask_in(),
                io.Int.Input("radius", default=4, min=0, max=MAX_RADIUS, tooltip="Kernel radius in pixels."),
                io.Float.Input(
                    "sigma", default=0.0, min=0.0, max=512.0, step=0.1, tooltip="0 derives it from the radius."
                ),
            ],
            outputs=[_mask_out("The blurred soft mask (0..1).")],
        )

    @classmethod
    def execute(cls, mask, radius: int, sigma: float = 0.0) -> io.NodeOutput:
        return io.NodeOutput(_per_item(mask, lambda m: gaussian_blur(m, radius, sigma), binarise=False))


class MaskCleanup(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_MaskCleanup",
            display_name="Clean Up Mask",
            category=CATEGORY,
            description=(
                "Removes specks and fills holes: drops regions smaller than an area, fills enclosed holes (all, or "
                "those up to an area), keeps only the N largest or smallest regions, and rounds jagged edges."
            ),
            search_aliases=["fill holes", "remove small regions", "despeckle", "keep largest"],
            inputs=[
                _mask_in(),
                io.Int.Input(
                    "min_island_area", default=0, min=0, max=1 << 26, tooltip="Regions below this many px go."
                ),
                io.Boolean.Input("fill_holes", default=False, tooltip="Fill every hole enclosed by the mask."),
                io.Int.Input(
                    "max_hole_area",
                    default=0,
                    min=0,
                    max=1 << 26,
                    tooltip="Fill holes up to this many px (when fill_holes is off).",
                ),
                io.Int.Input("keep", default=0, min=0, max=4096, tooltip="Keep only this many regions (0 = all)."),
                io.Combo.Input(
                    "keep_which", options=["largest", "smallest"], default="largest", tooltip="Which regions to keep."
                ),
                io.Int.Input("smooth", default=0, min=0, max=256, tooltip="Edge-smoothing radius (0 = off)."),
            ],
            outputs=[_mask_out("The cleaned 0/1 mask.")],
        )

    @classmethod
    def execute(
        cls,
        mask,
        min_island_area: int = 0,
        fill_holes: bool = False,
        max_hole_area: int = 0,
        keep: int = 0,
        keep_which: str = "largest",
        smooth: int = 0,
    ) -> io.NodeOutput:
        def clean(on):
            out = clean_mask(on, min_island_area, max_hole_area, fill_holes, keep, keep_which == "largest")
            return smooth_edges(out, smooth)

        return io.NodeOutput(_per_item(mask, clean))


class MaskCombine(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_MaskCombine",
            display_name="Combine Masks",
            category=CATEGORY,
            description="Union, intersection, difference (a − b) or xor of two masks; one mask broadcasts over N.",
            search_aliases=["mask union", "mask intersect", "subtract mask", "mask math"],
            inputs=[
                io.Mask.Input("mask_a", tooltip="First mask."),
                io.Mask.Input("mask_b", tooltip="Second mask, same size."),
                io.Combo.Input("operation", options=list(OPERATIONS), default="union", tooltip="How to combine them."),
            ],
            outputs=[_mask_out("The combined mask.")],
        )

    @classmethod
    def execute(cls, mask_a, mask_b, operation: str = "union") -> io.NodeOutput:
        return io.NodeOutput(combine(mask_a, mask_b, operation))


class MaskFromImage(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_MaskFromImage",
            display_name="Mask From Picture (contract rules)",
            category=CATEGORY,
            description=(
                "Turns an uploaded mask picture into a mask with the rule each API uses: RGB mean > 127 "
                "(Fooocus, PICPIK), greyscale L > 127 ignoring alpha (IOPaint's yellow brush), alpha, or one "
                "channel. Values compare on the picture's 8-bit scale."
            ),
            search_aliases=["binarize", "threshold mask", "image to mask", "mask from rgb"],
            inputs=[
                io.Image.Input("image", tooltip="The mask picture (IMAGE; 3 or 4 channels)."),
                io.Combo.Input("rule", options=list(RULES), default="rgb_mean", tooltip="Which value is compared."),
                io.Int.Input("threshold", default=127, min=0, max=255, tooltip="Masked where value > threshold."),
                io.Boolean.Input("invert", default=False, tooltip="Swap masked and unmasked."),
                io.Mask.Input(
                    "alpha",
                    optional=True,
                    tooltip="Alpha for rule 'alpha' when the IMAGE has 3 channels (1 = opaque; LoadImage's MASK "
                    "output is 1 − alpha: invert it first).",
                ),
            ],
            outputs=[_mask_out("0/1 mask, 1 = masked.")],
        )

    @classmethod
    def execute(cls, image, rule: str = "rgb_mean", threshold: int = 127, invert: bool = False, alpha=None):
        return io.NodeOutput(mask_from_image(image, rule, threshold, invert, alpha))


class MaskBounds(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_MaskBounds",
            display_name="Crop To Mask",
            category=CATEGORY,
            description=(
                "Crops image and mask to the masked region plus a margin (the union over the batch), optionally "
                "rounded to a multiple and to a minimum size for context. An empty mask keeps the whole frame."
            ),
            search_aliases=["mask bbox", "crop to mask", "mask bounding box", "crop region"],
            inputs=[
                io.Image.Input("image", tooltip="Image to crop along with the mask."),
                _mask_in("Mask whose masked pixels define the region."),
                io.Int.Input("margin", default=32, min=0, max=8192, tooltip="Context added on every side (px)."),
                io.Int.Input("multiple", default=8, min=1, max=256, tooltip="Round the size up to this multiple."),
                io.Int.Input("min_size", default=0, min=0, max=8192, tooltip="Smallest width/height of the crop."),
            ],
            outputs=[
                io.Image.Output("cropped_image", display_name="image", tooltip="The cropped image."),
                io.Mask.Output("cropped_mask", display_name="mask", tooltip="The cropped mask."),
                io.Int.Output("x", tooltip="Left of the crop in the original."),
                io.Int.Output("y", tooltip="Top of the crop in the original."),
                io.Int.Output("width", tooltip="Crop width."),
                io.Int.Output("height", tooltip="Crop height."),
            ],
        )

    @classmethod
    def execute(cls, image, mask, margin: int = 32, multiple: int = 8, min_size: int = 0) -> io.NodeOutput:
        images, masks = as_image_batch(image), as_mask_batch(mask)
        if images.shape[1:3] != masks.shape[1:3]:
            raise ValueError(
                f"image is {images.shape[2]}×{images.shape[1]} but mask is {masks.shape[2]}×{masks.shape[1]}"
            )
        region = mask_region(masks, margin, multiple=multiple, min_size=min_size)
        if region is None:
            h, w = masks.shape[1:3]
            return io.NodeOutput(images, masks, 0, 0, w, h)
        rows, cols = region.slices()
        return io.NodeOutput(
            images[:, rows, cols], masks[:, rows, cols], region.x, region.y, region.width, region.height
        )


NODES = [MaskGrow, MaskFeather, MaskBlur, MaskCleanup, MaskCombine, MaskFromImage, MaskBounds]
