"""A Novita inpainting request as the bridge's ``inpaint`` task (pure: no I/O).

Every request field maps onto one task field (the table is in the README's Novita section). Where the
contract names no default, A1111's img2img defaults apply (Novita's parameters are A1111's): mask blur 4,
denoising strength 0.75. ``inpainting_full_res`` 0 samples the whole image at the model's native area
(512² for SD1.5, 1024² for SDXL), 1 a crop per masked region with ``inpainting_full_res_padding`` px of
context, resized to that size.
"""

from __future__ import annotations

from ...samplers import SamplerChoice
from ...tasks import ImageRef
from ...tasks.inpaint import Blend, DiffusionModel, Embedding, InpaintTask, Lora, Prompt, Region, Sampling
from ...tasks.parts import MaskPicture
from .catalog import ResolvedModels
from .models import InpaintingRequest

DEFAULT_MASK_BLUR = 4  # A1111's img2img default
DEFAULT_STRENGTH = 0.75  # A1111's denoising_strength default
NATIVE_SIDE = {"sdxl": 1024, "other": 1024}  # every other family (sd15, unknown): 512


def native_side(family: str) -> int:
    return NATIVE_SIDE.get(family, 512)


def inpaint_task(
    req: InpaintingRequest,
    *,
    image: ImageRef,
    mask: ImageRef,
    models: ResolvedModels,
    sampler: SamplerChoice,
    side: int | None = None,
) -> InpaintTask:
    """``side``: the sampling size a side (``IB_NOVITA_SAMPLE_SIDE``); None: the checkpoint's native size."""
    side = side or native_side(models.family)
    blend = Blend(feather=req.mask_blur if req.mask_blur is not None else DEFAULT_MASK_BLUR)
    return InpaintTask(
        seed=None if req.seed < 0 else req.seed,
        image=image,
        # White repaints (A1111); L > 127, so a grey, RGB or RGBA mask reads the same.
        mask=MaskPicture(image=mask, rule="luminance", threshold=127, invert=bool(req.inpainting_mask_invert)),
        model=DiffusionModel(
            checkpoint=models.checkpoint,
            vae=models.vae,
            loras=[Lora(name=name, model_strength=s, clip_strength=s) for name, s in models.loras],
            # A1111's rule: an embedding acts where the prompt names its file's stem.
            embeddings=[Embedding(name=name, where="mentioned") for name in models.embeddings],
            clip_skip=req.clip_skip or 1,
        ),
        prompt=Prompt(positive=req.prompt, negative=req.negative_prompt),
        sampling=Sampling(
            steps=req.steps,
            cfg=float(req.guidance_scale),
            sampler=sampler.sampler,
            scheduler=sampler.scheduler,
            denoise=float(req.strength if req.strength is not None else DEFAULT_STRENGTH),
            count=req.image_num,
            noise_multiplier=float(req.initial_noise_multiplier),
        ),
        region=Region(
            context="pixels" if req.inpainting_full_res else "whole_image",
            padding=req.inpainting_full_res_padding,
            # The padding is honoured down to the room the blend band needs outside the mask.
            min_context=blend.grow + blend.feather + 2,
            width=side,
            height=side,
        ),
        blend=blend,
    )
