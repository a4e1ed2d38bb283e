"""IB_Inpaint: "inpaint these regions with this model and prompt" in one node.

It expands (V3 node expansion) into the sub-graph a user would wire by hand, from core
nodes and this pack's crop/stitch: IB_InpaintCrop → CLIPTextEncode ×2 → [DifferentialDiffusion]
→ InpaintModelConditioning | VAEEncode + SetLatentNoiseMask | VAEEncodeForInpaint → one
KSampler + VAEDecode per result (seeds seed..seed+N−1) → ImageBatch → IB_InpaintStitch.
Nothing is re-implemented; ComfyUI runs and caches every part as usual. With a noise
multiplier other than 1 (A1111's initial noise multiplier) each KSampler becomes core
SamplerCustomAdvanced (KSamplerSelect, BasicScheduler, CFGGuider) fed by IB_ScaledNoise.

Chosen automatically (overridable): a 9-channel inpainting UNet gets
InpaintModelConditioning, any other SetLatentNoiseMask (keeps ``denoise`` < 1 meaningful);
a soft mask turns on Differential Diffusion.
"""

import json

import comfy.samplers
import torch

from ._comfy import GraphBuilder, io, optional, schema
from .common.inpaint_mask import stabilise
from .common.tensors import as_image_batch, as_mask_batch, pair_batches
from .fooocus_inpaint import FooocusInpaint
from .inpaint import CROP_DEFAULTS, STITCH_DEFAULTS, crop_inputs, stitch_inputs
from .noise import MAX_MULTIPLIER as MAX_NOISE_MULTIPLIER

CONDITIONING_MODES = ("auto", "inpaint_model_conditioning", "set_latent_noise_mask", "vae_encode_for_inpaint")
SWITCH = ("auto", "on", "off")
MAX_RESULTS = 32  # Fooocus' image_number goes to 32
SEED_SPACE = 1 << 64  # KSampler's seed range


def is_inpainting_model(model) -> bool:
    """True for a model whose UNet takes the masked image as extra input channels (9-channel SD inpainting)."""
    config = getattr(getattr(model, "model", None), "model_config", None)
    return bool(config is not None and config.inpaint_model())


def choose_conditioning(requested: str, inpainting_model: bool) -> str:
    if requested not in CONDITIONING_MODES:
        raise ValueError(f"unknown conditioning {requested!r}; choose one of {', '.join(CONDITIONING_MODES)}")
    if requested == "auto":
        return "inpaint_model_conditioning" if inpainting_model else "set_latent_noise_mask"
    if requested == "inpaint_model_conditioning" and not inpainting_model:
        raise ValueError(
            "conditioning 'inpaint_model_conditioning' needs an inpainting checkpoint (9-channel UNet); "
            "this model is a plain one: use 'auto', 'set_latent_noise_mask' or 'vae_encode_for_inpaint'"
        )
    return requested


def mask_is_soft(mask: torch.Tensor, snap: float) -> bool:
    m = stabilise(as_mask_batch(mask).detach().float().cpu().numpy(), snap)
    return bool(((m > 0) & (m < 1)).any())


def seeds_for(seed: int, count: int, images: int) -> list[int]:
    """Seed of each output image, image-major: every image's result j uses seed + j."""
    return [(seed + j) % SEED_SPACE for _ in range(images) for j in range(count)]


def _sampler(g, model, positive, negative, latent, sampling: dict):
    """A function seed → the sampled LATENT: KSampler, or (noise multiplier ≠ 1) core custom sampling whose
    noise is IB_ScaledNoise; the sampler, sigmas and guider are shared by every result."""
    multiplier = sampling.get("noise_multiplier", 1.0)
    if multiplier == 1.0:

        def ksampler(seed: int):
            return g.node(
                "KSampler",
                model=model,
                seed=seed,
                steps=sampling["steps"],
                cfg=sampling["cfg"],
                sampler_name=sampling["sampler_name"],
                scheduler=sampling["scheduler"],
                positive=positive,
                negative=negative,
                latent_image=latent,
                denoise=sampling["denoise"],
            ).out(0)

        return ksampler
    sampler = g.node("KSamplerSelect", sampler_name=sampling["sampler_name"]).out(0)
    sigmas = g.node(
        "BasicScheduler",
        model=model,
        scheduler=sampling["scheduler"],
        steps=sampling["steps"],
        denoise=sampling["denoise"],
    ).out(0)
    guider = g.node("CFGGuider", model=model, positive=positive, negative=negative, cfg=sampling["cfg"]).out(0)

    def custom(seed: int):
        noise = g.node("IB_ScaledNoise", noise_seed=seed, multiplier=multiplier).out(0)
        return g.node(
            "SamplerCustomAdvanced", noise=noise, guider=guider, sampler=sampler, sigmas=sigmas, latent_image=latent
        ).out(0)

    return custom


def build_graph(g, *, model, clip, vae, image, mask, sampling: dict, conditioning: str, differential: bool,
                crop: dict, blend: dict, grow_mask_by: int = 6, fooocus_inpaint=None):  # fmt: skip
    """Add the inpaint sub-graph to GraphBuilder ``g``; returns the IB_InpaintStitch node."""
    cut = g.node("IB_InpaintCrop", image=image, mask=mask, **crop)
    positive = g.node("CLIPTextEncode", text=sampling["positive"], clip=clip).out(0)
    negative = g.node("CLIPTextEncode", text=sampling["negative"], clip=clip).out(0)
    if fooocus_inpaint is not None:  # Fooocus's head sees each crop and its mask: applied per crop batch
        model = g.node(
            "IB_FooocusInpaintApply",
            model=model,
            fooocus_inpaint=fooocus_inpaint,
            vae=vae,
            pixels=cut.out(0),
            mask=cut.out(1),
        ).out(0)
    if differential:
        model = g.node("DifferentialDiffusion", model=model).out(0)
    if conditioning == "inpaint_model_conditioning":
        c = g.node(
            "InpaintModelConditioning",
            positive=positive,
            negative=negative,
            vae=vae,
            pixels=cut.out(0),
            mask=cut.out(1),
            noise_mask=True,
        )
        positive, negative, latent = c.out(0), c.out(1), c.out(2)
    elif conditioning == "set_latent_noise_mask":
        encoded = g.node("VAEEncode", pixels=cut.out(0), vae=vae).out(0)
        latent = g.node("SetLatentNoiseMask", samples=encoded, mask=cut.out(1)).out(0)
    else:
        latent = g.node("VAEEncodeForInpaint", pixels=cut.out(0), vae=vae, mask=cut.out(1), grow_mask_by=grow_mask_by)
        latent = latent.out(0)
    sample = _sampler(g, model, positive, negative, latent, sampling)
    decoded = None
    for j in range(sampling["count"]):
        run = sample((sampling["seed"] + j) % SEED_SPACE)
        # Decoded one result at a time: a batched decode rounds differently, and result j must be
        # exactly what a single run with seed + j gives.
        pixels = g.node("VAEDecode", samples=run, vae=vae).out(0)
        decoded = pixels if decoded is None else g.node("ImageBatch", image1=decoded, image2=pixels).out(0)
    return g.node("IB_InpaintStitch", stitch=cut.out(2), sampled=decoded, **blend)


class Inpaint(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_Inpaint",
            display_name="Inpaint (crop, sample, stitch)",
            category="inpaint",
            description=(
                "Inpaints every masked region with a diffusion model in one node: crops each region with "
                "context, samples the crops as one batch with your prompt, and stitches them back seam-free "
                "(unmasked pixels bit for bit). N results use seeds seed..seed+N-1 (reported). An inpainting "
                "checkpoint gets InpaintModelConditioning, a plain one SetLatentNoiseMask; soft masks use "
                "Differential Diffusion. Expands into core nodes plus Inpaint Crop / Stitch."
            ),
            search_aliases=["inpaint", "inpainting", "repaint", "fill with prompt", "generative fill", "outpaint"],
            enable_expand=True,
            inputs=[
                io.Model.Input("model", tooltip="The diffusion model (an inpainting checkpoint works best)."),
                io.Clip.Input("clip", tooltip="Text encoder of the checkpoint (after LoRAs / clip skip)."),
                io.Vae.Input("vae", tooltip="VAE of the checkpoint."),
                io.Image.Input("image", tooltip="Image(s) to inpaint."),
                io.Mask.Input("mask", tooltip="What to repaint (1 = repaint; soft values for Differential Diffusion)."),
                io.String.Input("positive", multiline=True, default="", tooltip="What the masked area should show."),
                io.Int.Input(
                    "seed",
                    default=0,
                    min=0,
                    max=SEED_SPACE - 1,
                    control_after_generate=True,
                    tooltip="Seed of the first result; result j uses seed + j.",
                ),
                io.Int.Input("steps", default=20, min=1, max=10000, tooltip="Sampling steps."),
                io.Float.Input("cfg", default=7.0, min=0.0, max=100.0, step=0.1, tooltip="Classifier-free guidance."),
                io.Combo.Input(
                    "sampler_name", options=list(comfy.samplers.KSampler.SAMPLERS), tooltip="ComfyUI sampler."
                ),
                io.Combo.Input(
                    "scheduler", options=list(comfy.samplers.KSampler.SCHEDULERS), tooltip="ComfyUI scheduler."
                ),
                io.Float.Input(
                    "denoise", default=1.0, min=0.0, max=1.0, step=0.01, tooltip="Strength: 1 repaints fully."
                ),
                *optional(
                    io.String.Input("negative", multiline=True, default="", tooltip="What it should not show."),
                    io.Int.Input(
                        "count", default=1, min=1, max=MAX_RESULTS, tooltip="Results per image (one seed each)."
                    ),
                    io.Combo.Input(
                        "conditioning",
                        options=list(CONDITIONING_MODES),
                        default="auto",
                        tooltip="'auto': InpaintModelConditioning for an inpainting model, else SetLatentNoiseMask.",
                    ),
                    io.Combo.Input(
                        "differential_diffusion",
                        options=list(SWITCH),
                        default="auto",
                        tooltip="'auto': on when the mask has soft values.",
                    ),
                    io.Int.Input(
                        "grow_mask_by", default=6, min=0, max=64, tooltip="VAEEncodeForInpaint's mask growth (px)."
                    ),
                ),
                *crop_inputs(),
                *stitch_inputs(),
                # Last, so saved workflows' widget values keep their places (a socket has no widget value).
                *optional(
                    io.Float.Input(
                        "noise_multiplier",
                        default=1.0,
                        min=0.0,
                        max=MAX_NOISE_MULTIPLIER,
                        step=0.01,
                        tooltip=(
                            "A1111's initial noise multiplier: the sampler's starting noise times this; "
                            "1: KSampler; any other value: SamplerCustomAdvanced with Random Noise (scaled)."
                        ),
                    ),
                    FooocusInpaint.Input(
                        "fooocus_inpaint",
                        tooltip="From Load Fooocus Inpaint: an SDXL model becomes an inpainting one as in Fooocus.",
                    ),
                ),
            ],
            outputs=[
                io.Image.Output("inpainted", tooltip="The results, image-major (N results of image 0 first)."),
                io.Mask.Output("blend_mask", tooltip="The alpha each result was blended with (0 = original)."),
                io.String.Output("seeds", tooltip="JSON list: the seed of each output image."),
                io.String.Output("quality", tooltip="JSON list: one quality report per output image."),
            ],
        )

    @classmethod
    def execute(
        cls,
        model,
        clip,
        vae,
        image,
        mask,
        positive="",
        negative="",
        seed=0,
        steps=20,
        cfg=7.0,
        sampler_name="euler",
        scheduler="normal",
        denoise=1.0,
        count=1,
        conditioning="auto",
        differential_diffusion="auto",
        grow_mask_by=6,
        noise_multiplier=1.0,
        fooocus_inpaint=None,
        **settings,
    ) -> io.NodeOutput:
        unknown = set(settings) - set(CROP_DEFAULTS) - set(STITCH_DEFAULTS)
        if unknown:
            raise ValueError(f"unknown inputs: {', '.join(sorted(unknown))}")
        crop = {k: settings.get(k, v) for k, v in CROP_DEFAULTS.items()}
        blend = {k: settings.get(k, v) for k, v in STITCH_DEFAULTS.items()}
        images = pair_batches(as_image_batch(image).shape[0], as_mask_batch(mask).shape[0])
        # Fooocus's patch makes a plain SDXL model inpaint with its latent noise mask.
        fooocus = fooocus_inpaint is not None
        chosen = choose_conditioning(conditioning, is_inpainting_model(model) and not fooocus)
        if differential_diffusion not in SWITCH:
            raise ValueError(f"unknown differential_diffusion {differential_diffusion!r}; choose one of {SWITCH}")
        differential = differential_diffusion == "on" or (
            differential_diffusion == "auto" and mask_is_soft(mask, crop["snap"])
        )
        sampling = {
            "positive": positive,
            "negative": negative,
            "seed": seed,
            "steps": steps,
            "cfg": cfg,
            "sampler_name": sampler_name,
            "scheduler": scheduler,
            "denoise": denoise,
            "count": count,
            "noise_multiplier": noise_multiplier,
        }
        g = GraphBuilder()
        stitched = build_graph(
            g,
            model=model,
            clip=clip,
            vae=vae,
            image=image,
            mask=mask,
            sampling=sampling,
            conditioning=chosen,
            differential=differential,
            crop=crop,
            blend=blend,
            grow_mask_by=grow_mask_by,
            fooocus_inpaint=fooocus_inpaint,
        )
        seeds = seeds_for(seed, count, images)
        return io.NodeOutput(
            stitched.out(0),
            stitched.out(1),
            json.dumps(seeds),
            stitched.out(2),
            # ib_* facts for the bridge: lists with one entry per output image.
            ui={
                "ib_seeds": seeds,
                "ib_inpaint": [
                    {
                        "conditioning": chosen,
                        "differential_diffusion": differential,
                        "fooocus_inpaint": fooocus_inpaint is not None,
                    }
                ]
                * len(seeds),
            },
            expand=g.finalize(),
        )


NODES = [Inpaint]
