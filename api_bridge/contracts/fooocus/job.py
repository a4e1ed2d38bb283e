"""A Fooocus inpaint/outpaint request (either API) as one job, and that job as the bridge's task.

The mapping, field by field (``modules/async_worker.py`` of FooocusAPI's Fooocus is the reference):

- the mask picture: RGB mean > 127 is repainted; ``invert_mask_checkbox`` flips it in the old API and is
  ignored by v2.5 (its pre-processor forces it off); ``inpaint_erode_or_dilate`` k grows (shrinks) it as
  k 3×3 dilations (erosions): a square of radius k;
- prompt: ``inpaint_additional_prompt + "\\n" + prompt`` (only the additional one when the prompt is empty);
- ``outpaint_selections`` + distances (v2.5 ``outpaint_distance`` = [left, top, right, bottom], old API
  ``outpaint_distance_<side>``): a side of distance <= 0 grows by int(0.3 × its length); the new area
  starts as the replicated edge; outpaint forces strength 1 and respective field 1 (the whole image);
- ``inpaint_respective_field``: the "interested area" the sampler sees spans at least that fraction of
  the image around the mask (0 = the mask's box, 1 = the whole image), resized to the model's size;
- ``inpaint_strength`` = denoise; ``guidance_scale`` = cfg; ``sampler_name`` / ``scheduler_name`` as
  ComfyUI names; steps = the performance preset's (Speed 30, Quality 60, Extreme Speed 8, Lightning 4,
  Hyper-SD 4) unless ``overwrite_step`` > 0;
- ``image_number`` results with seeds seed..seed+n−1 (``disable_seed_increment``: one image, n times);
  ``image_seed`` −1 or outside 0..2^63−1 draws one;
- ``base_model_name``, ``loras``, ``vae_name``, ``clip_skip``, ``inpaint_engine``: see ``catalog.py``.

Accepted and without effect (the bridge runs none of these Fooocus features): styles, sharpness, ADM
scalers, adaptive CFG, refiner, FreeU, image prompts / ControlNet, enhance, upscale/vary, aspect ratio,
overwrite width/height/switch/strengths, ``inpaint_disable_initial_latent``, wildcards, metadata, NSFW
black-out, previews, ``save_name``, ``preset``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from ...tasks import ImageRef
from ...tasks.inpaint import (
    DiffusionModel,
    FooocusInpaint,
    InpaintTask,
    Lora,
    OutpaintOptions,
    OutpaintTask,
    PadPixels,
    Prompt,
    Region,
    Sampling,
)
from ...tasks.parts import MaskAdjust, MaskPicture
from .catalog import Checkpoint
from .errors import invalid
from .fields import MASK_RULE, MASK_THRESHOLD, OUTPAINT_DEFAULT_FRACTION, OutpaintSide, Performance
from .fields import Lora as FooocusLora

MAX_SEED = 2**63 - 1  # Fooocus's seed range (modules/constants.py)
CROP_SIZE = {"sd15": 512}  # the model's resolution the interested area is resized to; SDXL and others: 1024
DEFAULT_CROP = 1024


@dataclass(frozen=True)
class InpaintJob:
    """What both APIs' inpaint/outpaint requests mean, once parsed and their images decoded."""

    image: Image.Image
    mask: Image.Image | None
    image_field: str  # the request field of each, for error messages
    mask_field: str
    invert_mask: bool
    prompt: str
    additional_prompt: str
    negative_prompt: str
    outpaint: tuple[OutpaintSide, ...]
    distances: tuple[int, int, int, int]  # left, top, right, bottom; <= 0: the default
    strength: float
    respective_field: float
    erode_or_dilate: int
    image_number: int
    seed: int
    disable_seed_increment: bool
    performance: Performance
    overwrite_step: int
    guidance_scale: float
    sampler: str
    scheduler: str
    base_model: str
    loras: list[FooocusLora] = field(default_factory=list)
    vae_name: str = "Default (model)"
    clip_skip: int = 2
    inpaint_engine: str = "v2.6"

    @property
    def positive(self) -> str:
        if not self.additional_prompt:
            return self.prompt
        return f"{self.additional_prompt}\n{self.prompt}" if self.prompt else self.additional_prompt

    @property
    def steps(self) -> int:
        return self.overwrite_step if self.overwrite_step > 0 else self.performance.steps

    @property
    def task_seed(self) -> int | None:
        """None (drawn by the bridge) for -1 or a seed outside Fooocus's range, as upstream draws."""
        return self.seed if 0 <= self.seed <= MAX_SEED else None

    @property
    def copies(self) -> int:
        """How often the one sampled image is repeated (``disable_seed_increment``: every image is the same)."""
        return self.image_number if self.disable_seed_increment else 1

    @property
    def count(self) -> int:
        return 1 if self.disable_seed_increment else self.image_number

    def padding(self) -> PadPixels:
        """The outpaint canvas: each selected side by its distance, or int(0.3 × its length)."""
        width, height = self.image.size
        left, top, right, bottom = self.distances

        def side(name: OutpaintSide, distance: int, length: int) -> int:
            if name not in self.outpaint:
                return 0
            return distance if distance > 0 else int(length * OUTPAINT_DEFAULT_FRACTION)

        return PadPixels(
            left=side(OutpaintSide.left, left, width),
            top=side(OutpaintSide.top, top, height),
            right=side(OutpaintSide.right, right, width),
            bottom=side(OutpaintSide.bottom, bottom, height),
        )

    def check(self) -> None:
        """What the bridge refuses before it stores anything: nothing to repaint, a mask of another size."""
        if self.mask is None and not self.outpaint:
            raise invalid(
                self.mask_field,
                f"no mask and no outpaint_selections: nothing to inpaint or outpaint (give {self.mask_field}, "
                "or outpaint sides; the bridge does not run Fooocus's text-to-image)",
            )
        if self.mask is not None and self.mask.size != self.image.size:
            raise invalid(
                self.mask_field,
                f"the mask is {self.mask.width}x{self.mask.height} but the image is "
                f"{self.image.width}x{self.image.height}; they must be the same size",
            )


@dataclass(frozen=True)
class ResolvedModels:
    checkpoint: Checkpoint
    loras: list[tuple[str, float]]
    vae: str | None
    fooocus_inpaint: tuple[str, str] | None  # (head, patch) when the Fooocus engine applies


def crop_size(checkpoint: Checkpoint, override: int | None) -> int:
    return override or CROP_SIZE.get(checkpoint.family, DEFAULT_CROP)


def build_task(
    job: InpaintJob,
    image: ImageRef,
    mask: ImageRef | None,
    models: ResolvedModels,
    *,
    crop: int | None = None,
) -> InpaintTask | OutpaintTask:
    """The typed task (pure: refs and names already resolved)."""
    size = crop_size(models.checkpoint, crop)
    model = DiffusionModel(
        checkpoint=models.checkpoint.name,
        vae=models.vae,
        loras=[Lora(name=name, model_strength=weight, clip_strength=weight) for name, weight in models.loras],
        clip_skip=job.clip_skip,
        fooocus_inpaint=FooocusInpaint(head=models.fooocus_inpaint[0], patch=models.fooocus_inpaint[1])
        if models.fooocus_inpaint
        else None,
    )
    outpainting = bool(job.outpaint)
    sampling = Sampling(
        steps=job.steps,
        cfg=job.guidance_scale,
        sampler=job.sampler,
        scheduler=job.scheduler,
        denoise=1.0 if outpainting else job.strength,
        count=job.count,
    )
    region = Region(
        context="respective_field",
        respective_field=1.0 if outpainting else job.respective_field,
        width=size,
        height=size,
    )
    picture = (
        MaskPicture(image=mask, rule=MASK_RULE, threshold=MASK_THRESHOLD, invert=job.invert_mask)
        if mask is not None
        else None
    )
    common = {
        "seed": job.task_seed,
        "image": image,
        "model": model,
        "prompt": Prompt(positive=job.positive, negative=job.negative_prompt),
        "sampling": sampling,
        "region": region,
        # k 3×3 dilations (erosions) of the mask picture; without one there is nothing to grow
        "adjust": MaskAdjust(grow=job.erode_or_dilate, kernel="square")
        if mask and job.erode_or_dilate
        else MaskAdjust(),
    }
    if outpainting:
        return OutpaintTask(outpaint=OutpaintOptions(extent=job.padding(), prefill="edge"), mask=picture, **common)
    return InpaintTask(mask=picture, **common)
