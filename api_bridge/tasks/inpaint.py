"""The ``inpaint`` and ``outpaint`` task kinds: repaint masked regions (or a padded canvas) with a diffusion model.

Both are composed of the same parts, so every contract maps its knobs onto one field each
(``api_bridge/README.md`` has the table): :class:`DiffusionModel` (checkpoint, VAE, LoRAs,
embeddings, clip skip), :class:`Prompt`, :class:`Sampling`, :class:`Region` (where the sampler
works and at what size), :class:`Blend` (how the result is pasted back) and, for outpaint,
:class:`OutpaintOptions`. Model names are files as the contract resolved them; the recipe
refuses one that is not installed on the ComfyUI the task runs on.

Option values equal the nodes' (``IB_Inpaint``, ``IB_OutpaintExpand``);
``tests/unit/test_bridge_options.py`` checks every literal and range against the captured ``/object_info``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictFloat, StrictInt, StrictStr, model_validator

from . import ImageRef, Part, TaskBase, task_kind
from .parts import MaskAdjust, MaskPicture

ContextMode = Literal["pixels", "factor", "respective_field", "whole_image"]
ColorMatch = Literal["ring", "off"]
BlendMode = Literal["linear", "multiband", "poisson"]
Conditioning = Literal["auto", "inpaint_model_conditioning", "set_latent_noise_mask", "vae_encode_for_inpaint"]
Switch = Literal["auto", "on", "off"]
Prefill = Literal["edge", "grey", "telea", "navier_stokes", "exemplar", "noise"]
Anchor = Literal["center", "top-left", "top", "top-right", "left", "right", "bottom-left", "bottom", "bottom-right"]

MAX_SIDE = 8192
FileName = Annotated[StrictStr, Field(min_length=1, max_length=255, description="A file in a ComfyUI model folder.")]
# One word in ComfyUI's prompt syntax (``embedding:NAME``): no spaces, commas, brackets or colons.
EmbeddingName = Annotated[StrictStr, Field(min_length=1, max_length=255, pattern=r"^[^\s,:()\[\]{}<>\\]+$")]


class Lora(Part):
    """A LoRA applied to the model and the text encoder (LoraLoader), in list order."""

    name: FileName = Field(description="File in models/loras.")
    model_strength: StrictFloat = Field(1.0, ge=-100.0, le=100.0)
    clip_strength: StrictFloat = Field(1.0, ge=-100.0, le=100.0)


class Embedding(Part):
    """A textual-inversion embedding (a file in models/embeddings), written into a prompt as ``embedding:NAME``.

    ``where``: ``mentioned`` (A1111's rule: the file's stem where a prompt names it as a word becomes the
    embedding; not named, no effect), or appended to the ``positive`` / ``negative`` prompt.
    """

    name: EmbeddingName
    where: Literal["mentioned", "positive", "negative"] = "mentioned"


class FooocusInpaint(Part):
    """Fooocus's inpaint engine for an SDXL checkpoint (IB_FooocusInpaintLoader → IB_Inpaint ``fooocus_inpaint``):
    its head and patch files in models/inpaint."""

    head: FileName = Field("fooocus_inpaint_head.pth", description="The head file.")
    patch: FileName = Field(description="The patch file, e.g. inpaint_v26.fooocus.patch.")


class DiffusionModel(Part):
    """What samples: a checkpoint (CheckpointLoaderSimple), optionally another VAE, LoRAs, embeddings, clip skip,
    Fooocus's inpaint head + patch."""

    checkpoint: FileName = Field(description="File in models/checkpoints.")
    vae: FileName | None = Field(None, description="File in models/vae; None: the checkpoint's own VAE.")
    loras: list[Lora] = Field(default_factory=list, max_length=16)
    embeddings: list[Embedding] = Field(default_factory=list, max_length=16)
    clip_skip: StrictInt = Field(
        1, ge=1, le=24, description="A1111 convention: 1 = the last CLIP layer (no change), 2 = the one before."
    )
    fooocus_inpaint: FooocusInpaint | None = Field(None, description="Fooocus's inpaint engine (SDXL checkpoints).")


class Prompt(Part):
    positive: StrictStr = Field("", max_length=16384, description="What the repainted area should show.")
    negative: StrictStr = Field("", max_length=16384, description="What it should not show.")


class Sampling(Part):
    """The sampler run (KSampler inside IB_Inpaint). Result j of ``count`` uses seed + j (reported)."""

    steps: StrictInt = Field(20, ge=1, le=1000)
    cfg: StrictFloat = Field(7.0, ge=0.0, le=100.0, description="Classifier-free guidance scale.")
    sampler: StrictStr = Field(
        "euler", min_length=1, max_length=64, description="An A1111 name ('DPM++ 2M Karras') or ComfyUI's ('euler')."
    )
    scheduler: StrictStr | None = Field(
        None, max_length=64, description="An A1111 schedule type or ComfyUI scheduler; None: from the sampler name."
    )
    denoise: StrictFloat = Field(1.0, ge=0.0, le=1.0, description="Strength: 1 repaints fully, less keeps more.")
    count: StrictInt = Field(1, ge=1, le=32, description="Results per image, seeds seed..seed+count-1.")
    noise_multiplier: StrictFloat = Field(
        1.0, ge=0.0, le=2.0, description="A1111's initial noise multiplier (Novita initial_noise_multiplier)."
    )
    conditioning: Conditioning = Field("auto", description="'auto': by the checkpoint (inpainting or plain).")
    differential_diffusion: Switch = Field("auto", description="'auto': on when the mask has soft values.")


class Region(Part):
    """Where the sampler works: one crop per masked region with context, resized to the model's size."""

    context: ContextMode = Field("pixels", description="'whole_image': no crop (Novita inpainting_full_res 0).")
    padding: StrictInt = Field(64, ge=0, le=MAX_SIDE, description="Context per side in px ('pixels').")
    factor: StrictFloat = Field(0.5, ge=0.0, le=10.0, description="Context per side as a fraction of the region.")
    respective_field: StrictFloat = Field(0.618, ge=0.0, le=1.0, description="Fooocus inpaint_respective_field.")
    min_context: StrictInt = Field(32, ge=0, le=1024, description="Context kept in any mode (room for the blend).")
    width: StrictInt = Field(512, ge=8, le=MAX_SIDE, multiple_of=8, description="Crop width for the model.")
    height: StrictInt = Field(512, ge=8, le=MAX_SIDE, multiple_of=8, description="Crop height for the model.")


class Blend(Part):
    """How the sampled crops are pasted back; outside the grown + feathered mask the original is kept exactly."""

    grow: StrictInt = Field(2, ge=0, le=256, description="Grow the region before feathering (px).")
    feather: StrictInt = Field(8, ge=0, le=256, description="Outward fade (px): the contracts' mask blur.")
    color_match: ColorMatch = "ring"
    ring_width: StrictInt = Field(8, ge=1, le=128, description="Width of the colour-match ring (px).")
    mode: BlendMode = "multiband"


class InpaintTaskBase(TaskBase):
    """The parts inpaint and outpaint share (not a kind itself)."""

    image: ImageRef
    model: DiffusionModel
    prompt: Prompt = Prompt()
    sampling: Sampling = Sampling()
    region: Region = Region()
    blend: Blend = Blend()
    adjust: MaskAdjust = MaskAdjust()


@task_kind
class InpaintTask(InpaintTaskBase):
    """Repaint the masked regions. Output 'image' × count; pixels outside the blend band are the input's."""

    kind: Literal["inpaint"] = "inpaint"
    mask: MaskPicture


class PadPixels(Part):
    """Pixels added on each side (Fooocus outpaint_distance, IOPaint's extender)."""

    mode: Literal["pixels"] = "pixels"
    left: StrictInt = Field(0, ge=0, le=MAX_SIDE)
    top: StrictInt = Field(0, ge=0, le=MAX_SIDE)
    right: StrictInt = Field(0, ge=0, le=MAX_SIDE)
    bottom: StrictInt = Field(0, ge=0, le=MAX_SIDE)

    def adds(self, width: int, height: int) -> bool:
        return any((self.left, self.top, self.right, self.bottom))


class PadFractions(Part):
    """Padding per side as a fraction of the image width (left/right) or height (top/bottom); Fooocus: 0.3."""

    mode: Literal["fraction"] = "fraction"
    left: StrictFloat = Field(0.0, ge=0.0, le=4.0)
    top: StrictFloat = Field(0.0, ge=0.0, le=4.0)
    right: StrictFloat = Field(0.0, ge=0.0, le=4.0)
    bottom: StrictFloat = Field(0.0, ge=0.0, le=4.0)

    def adds(self, width: int, height: int) -> bool:
        # The node truncates as Fooocus does: int(width * fraction).
        return any((int(width * self.left), int(height * self.top), int(width * self.right), int(height * self.bottom)))


class PadToSize(Part):
    """A target canvas (multiple of 8, not smaller than the image) with the original at ``anchor``."""

    mode: Literal["target"] = "target"
    width: StrictInt = Field(ge=8, le=MAX_SIDE, multiple_of=8)
    height: StrictInt = Field(ge=8, le=MAX_SIDE, multiple_of=8)
    anchor: Anchor = "center"

    def adds(self, width: int, height: int) -> bool:
        return self.width > width or self.height > height


Extent = Annotated[PadPixels | PadFractions | PadToSize, Field(discriminator="mode")]


class OutpaintOptions(Part):
    """The larger canvas (IB_OutpaintExpand): padded sides are rounded up so the canvas is a multiple of 8."""

    extent: Extent
    overlap: StrictInt = Field(32, ge=0, le=1024, description="Depth (px) of the feathered band into the original.")
    prefill: Prefill = Field("edge", description="What the new area starts as (Fooocus: edge; core: grey).")


@task_kind
class OutpaintTask(InpaintTaskBase):
    """Extend the canvas and paint the new area (and a masked area of the original, if a mask is given).

    Output 'image' × count, canvas-sized. With the default blend (grow 0, feather 0) the overlap band is
    the blend: the original beyond it is kept bit for bit.
    """

    kind: Literal["outpaint"] = "outpaint"
    outpaint: OutpaintOptions
    mask: MaskPicture | None = Field(None, description="Also repaint these pixels of the original (Fooocus).")
    blend: Blend = Blend(grow=0, feather=0)

    @model_validator(mode="after")
    def _grows_the_canvas(self) -> OutpaintTask:
        extent, width, height = self.outpaint.extent, self.image.width, self.image.height
        if isinstance(extent, PadToSize) and (extent.width < width or extent.height < height):
            raise ValueError(
                f"outpaint target {extent.width}×{extent.height} is smaller than the image {width}×{height}: "
                "outpaint only grows"
            )
        if not extent.adds(width, height):
            raise ValueError(f"outpaint adds no pixels to the {width}×{height} image: give at least one side")
        if self.mask is None and not self.adjust.is_identity:
            raise ValueError("adjust shapes the mask of the original: give a mask, or leave adjust out")
        return self
