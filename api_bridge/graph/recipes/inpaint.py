"""Recipes for inpaint and outpaint: checkpoint (+ LoRAs, clip skip, VAE) → IB_Inpaint → image × count.

IB_Inpaint expands on the server into IB_InpaintCrop → CLIPTextEncode → core conditioning
(InpaintModelConditioning / SetLatentNoiseMask / VAEEncodeForInpaint, chosen by the checkpoint) →
one KSampler + VAEDecode per result → IB_InpaintStitch, and reports ``ib_seeds``, ``ib_crop`` and
``ib_quality`` (→ ``record.info``). Outpaint puts IB_OutpaintExpand in front; a mask of the
original, when given, is added onto the expanded mask at the original's place (MaskComposite).
"""

from __future__ import annotations

from ...prompt_embeddings import with_embeddings
from ...samplers import resolve_sampler
from ...tasks.inpaint import DiffusionModel, InpaintTask, InpaintTaskBase, OutpaintTask, PadFractions, PadPixels
from .. import node_ids as N  # noqa: N812
from ..builder import Graph, Output
from . import recipe
from .parts import adjust_mask, image_result, mask_from_picture, require_installed

OUTPAINT_SEEDS = 1 << 32  # IB_OutpaintExpand's seed range (pre-fill noise / exemplar)


def fooocus_inpaint(g: Graph, m: DiffusionModel) -> Output | None:
    """IB_FooocusInpaintLoader for the task's head + patch (IB_Inpaint applies them to its crops), or None."""
    if m.fooocus_inpaint is None:
        return None
    head, patch = m.fooocus_inpaint.head, m.fooocus_inpaint.patch
    node, folder = N.FOOOCUS_INPAINT_LOADER, "inpaint"
    require_installed(g, node, "head", head, kind="fooocus_head", field="model.fooocus_inpaint.head", folder=folder)
    require_installed(g, node, "patch", patch, kind="fooocus_patch", field="model.fooocus_inpaint.patch", folder=folder)
    return g.add(node, head=head, patch=patch).out(0)


def load_model(g: Graph, m: DiffusionModel) -> tuple[Output, Output, Output]:
    """(MODEL, CLIP, VAE): the checkpoint, its LoRAs in order, clip skip on the text encoder, another VAE."""
    require_installed(
        g,
        N.CHECKPOINT_LOADER,
        "ckpt_name",
        m.checkpoint,
        kind="checkpoint",
        field="model.checkpoint",
        folder="checkpoints",
    )
    ckpt = g.add(N.CHECKPOINT_LOADER, ckpt_name=m.checkpoint)
    model, clip, vae = ckpt.out(0), ckpt.out(1), ckpt.out(2)
    for i, lora in enumerate(m.loras):
        field = f"model.loras[{i}].name"
        require_installed(g, N.LORA_LOADER, "lora_name", lora.name, kind="lora", field=field, folder="loras")
        node = g.add(
            N.LORA_LOADER,
            model=model,
            clip=clip,
            lora_name=lora.name,
            strength_model=lora.model_strength,
            strength_clip=lora.clip_strength,
        )
        model, clip = node.out(0), node.out(1)
    if m.clip_skip > 1:
        clip = g.add(N.CLIP_SET_LAST_LAYER, clip=clip, stop_at_clip_layer=-m.clip_skip).out(0)
    if m.vae:
        require_installed(g, N.VAE_LOADER, "vae_name", m.vae, kind="vae", field="model.vae", folder="vae")
        vae = g.add(N.VAE_LOADER, vae_name=m.vae).out(0)
    return model, clip, vae


def _listed(g: Graph, node: str, *inputs: str) -> list[tuple]:
    """The choices of combo inputs as this ComfyUI lists them (empty when the node is missing: g.add says so)."""
    specs = g.object_info.spec(node).inputs if node in g.object_info else {}
    return [specs[name].choices or () if name in specs else () for name in inputs]


def _sample_and_stitch(g: Graph, task: InpaintTaskBase, image: Output, mask: Output) -> None:
    model, clip, vae = load_model(g, task.model)
    s, r, b = task.sampling, task.region, task.blend
    choice = resolve_sampler(s.sampler, s.scheduler, *_listed(g, N.INPAINT, "sampler_name", "scheduler"))
    positive, negative = with_embeddings(task.prompt.positive, task.prompt.negative, task.model.embeddings)
    node = g.add(
        N.INPAINT,
        model=model,
        clip=clip,
        vae=vae,
        image=image,
        mask=mask,
        positive=positive,
        negative=negative,
        seed=task.seed if task.seed is not None else 0,
        steps=s.steps,
        cfg=s.cfg,
        sampler_name=choice.sampler,
        scheduler=choice.scheduler,
        denoise=s.denoise,
        count=s.count,
        noise_multiplier=s.noise_multiplier,
        conditioning=s.conditioning,
        differential_diffusion=s.differential_diffusion,
        context_mode=r.context,
        context_pixels=r.padding,
        context_factor=r.factor,
        respective_field=r.respective_field,
        min_context=r.min_context,
        target_width=r.width,
        target_height=r.height,
        grow=b.grow,
        feather=b.feather,
        color_match=b.color_match,
        ring_width=b.ring_width,
        blend=b.mode,
        fooocus_inpaint=fooocus_inpaint(g, task.model),
    )
    image_result(g, "image", node.out(0))


@recipe("inpaint")
def inpaint(task: InpaintTask, g: Graph) -> None:
    image = g.load_image(task.image.blob)["IMAGE"]
    mask = adjust_mask(g, mask_from_picture(g, task.mask), task.adjust)
    _sample_and_stitch(g, task, image, mask)


def _padding(task: OutpaintTask) -> dict:
    extent = task.outpaint.extent
    if isinstance(extent, PadPixels):
        return {"left": extent.left, "top": extent.top, "right": extent.right, "bottom": extent.bottom}
    if isinstance(extent, PadFractions):
        sides = {"left": extent.left, "top": extent.top, "right": extent.right, "bottom": extent.bottom}
        return {f"{side}_fraction": value for side, value in sides.items()}
    return {"target_width": extent.width, "target_height": extent.height, "anchor": extent.anchor}


@recipe("outpaint")
def outpaint(task: OutpaintTask, g: Graph) -> None:
    image = g.load_image(task.image.blob)["IMAGE"]
    opts = task.outpaint
    expand = g.add(
        N.OUTPAINT_EXPAND,
        image=image,
        mode=opts.extent.mode,
        **_padding(task),
        overlap=opts.overlap,
        prefill=opts.prefill,
        seed=(task.seed or 0) % OUTPAINT_SEEDS,
    )
    mask = expand["mask"]
    if task.mask is not None:
        # The original's mask lands where the original sits on the canvas; "add" clamps at 1 (a union for 0/1).
        inner = adjust_mask(g, mask_from_picture(g, task.mask), task.adjust)
        composite = g.add(
            N.MASK_COMPOSITE, destination=mask, source=inner, x=expand["x"], y=expand["y"], operation="add"
        )
        mask = composite.out(0)
    _sample_and_stitch(g, task, expand["expanded"], mask)
