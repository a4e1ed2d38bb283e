"""A ``ModifyMaskedPixels`` request as the bridge's ``inpaint`` task (pure: no I/O).

Mapping choices where PICPIK leaves the meaning open (README, PICPIK section):

* ``Width`` × ``Height`` is the size the model samples each masked region at (rounded down to a
  multiple of 8); the result keeps the input image's size.
* ``Masked.ReferStrength`` (0..2, default 1) is how much of the masked area's original the result
  refers to: denoise = 1 − ReferStrength / 4, so the default is A1111's usual 0.75, 0 repaints fully
  and 2 keeps half.
* ``Masked.PromptsMoreImportant`` weights the positive prompt up (``(prompt:1.2)``, ComfyUI syntax).
* ``TranslatePrompts`` is accepted; prompts are used as sent (no translation model runs here).
* LoRA ``TriggerWordList`` words are added to the positive prompt; an embedding acts where a prompt
  names its file's stem, else it is appended to the positive prompt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...prompt_embeddings import stem
from ...samplers import SamplerChoice
from ...tasks import ImageRef
from ...tasks.inpaint import Blend, DiffusionModel, Embedding, InpaintTask, Lora, Prompt, Region, Sampling
from ...tasks.parts import MaskPicture
from .models import ModifyMaskedPixels

PROMPT_WEIGHT = 1.2
REFER_TO_DENOISE = 0.25


@dataclass(frozen=True)
class ResolvedModels:
    checkpoint: str
    vae: str | None = None
    loras: list[tuple[str, float]] = field(default_factory=list)  # (file, LoraWeight)
    embeddings: list[str] = field(default_factory=list)
    trigger_words: list[str] = field(default_factory=list)


def _multiple_of_8(side: int) -> int:
    return max(64, side // 8 * 8)


def _mentioned(name: str, *prompts: str) -> bool:
    word = stem(name)
    return any(word in p for p in prompts)


def inpaint_task(
    req: ModifyMaskedPixels, *, image: ImageRef, mask: ImageRef, models: ResolvedModels, sampler: SamplerChoice
) -> InpaintTask:
    params = req.MainModel.InferenceParams
    masked = req.Masked
    positive = ", ".join(p for p in [*req.PositivePrompts, *models.trigger_words] if p.strip())
    negative = ", ".join(p for p in req.NegativePrompts if p.strip())
    if masked.PromptsMoreImportant and positive:
        positive = f"({positive}:{PROMPT_WEIGHT})"
    blend = Blend(feather=masked.MaskBlur)
    return InpaintTask(
        seed=None if req.Seed < 0 else req.Seed,
        image=image,
        mask=MaskPicture(image=mask, rule="rgb_mean", threshold=127, invert=masked.InvertMask),  # white redraws
        model=DiffusionModel(
            checkpoint=models.checkpoint,
            vae=models.vae,
            loras=[Lora(name=name, model_strength=w, clip_strength=w) for name, w in models.loras],
            embeddings=[
                Embedding(name=name, where="mentioned" if _mentioned(name, positive, negative) else "positive")
                for name in models.embeddings
            ],
            clip_skip=params.ClipSkip,
        ),
        prompt=Prompt(positive=positive, negative=negative),
        sampling=Sampling(
            steps=params.Steps,
            cfg=float(params.CFGScale),
            sampler=sampler.sampler,
            scheduler=sampler.scheduler,
            denoise=1.0 - REFER_TO_DENOISE * float(masked.ReferStrength),
            count=req.BatchSize,
        ),
        region=Region(
            width=_multiple_of_8(req.Width),
            height=_multiple_of_8(req.Height),
            min_context=blend.grow + blend.feather + 2,  # room for the blend band outside the mask
        ),
        blend=blend,
    )
