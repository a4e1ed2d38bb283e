"""Prompt-free erase: remove what the mask covers and fill it plausibly, at native resolution.

Engines: ``auto`` (the default: LaMa when one is installed, as IOPaint defaults to, else
``exemplar``), ``exemplar`` (patch-based, weight-free), OpenCV ``telea`` and ``navier_stokes``,
and ``model`` (a loaded erase model). The mask is grown by ``dilate`` first (Volcengine's dilate_size),
the engine runs per the HD ``strategy``, and the fill is blended in over an inner
feather band: every pixel outside the grown mask is returned bit for bit.
"""

import comfy.model_management
import comfy.utils
import folder_paths
import torch

from ._comfy import io, schema
from .common.erase_auto import AUTO, FALLBACK, lama_file
from .common.erase_blend import blend_alpha, composite, grown_hole
from .common.erase_candidates import ENGINES, MODEL, candidate_engines
from .common.erase_engines import classical_engine
from .common.erase_learned import LearnedEraser
from .common.erase_strategy import STRATEGIES, run_strategy
from .common.mask_regions import region_count
from .common.model_cache import MODELS, file_key
from .common.model_files import resolve
from .common.quality_report import quality_report
from .common.tensors import as_image_batch, as_mask_batch, pair_batches, to_uint8_rgb
from .model_placement import Held, hold, on_compute_device

FOLDER = "inpaint"
ENGINE_CHOICES = (AUTO, *ENGINES)
EraseModel = io.Custom("IB_ERASE_MODEL")


class EraseModelHandle:
    def __init__(self, name: str, path: str):
        self.name, self.path = name, path

    def load(self) -> Held[LearnedEraser]:
        """The model from the CPU cache, placed per run by ComfyUI's memory manager (``model_placement``)."""
        return MODELS.get_or_create(file_key(self.path), lambda: hold(LearnedEraser(self.path)))


class EraseModelLoader(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        files = folder_paths.get_filename_list(FOLDER)
        return schema(
            node_id="IB_EraseModelLoader",
            display_name="Load Erase Model",
            category="inpaint/erase",
            description=(
                "Picks a learned erase model from models/inpaint: LaMa or MAT as a state dict (.safetensors/.pth/"
                ".ckpt, architecture detected by spandrel), MI-GAN's official 256/512 state dicts "
                "(migan_512_places2.pt), or IOPaint's TorchScript big-lama.pt / migan_traced.pt. Loaded on first use."
            ),
            search_aliases=["lama", "big-lama", "mat", "mi-gan", "migan", "inpaint model loader", "erase model"],
            inputs=[io.Combo.Input("model_name", options=files or ["big-lama.pt"], tooltip="File in models/inpaint.")],
            outputs=[EraseModel.Output("erase_model", tooltip="For Erase Object with engine 'model'.")],
        )

    @classmethod
    def execute(cls, model_name: str) -> io.NodeOutput:
        path = resolve(FOLDER, model_name, folder_paths.get_full_path, folder_paths.get_folder_paths(FOLDER))
        return io.NodeOutput(EraseModelHandle(model_name, path))


def installed_lama() -> str | None:
    return lama_file(folder_paths.get_filename_list(FOLDER), lambda name: folder_paths.get_full_path(FOLDER, name))


def resolve_engine(engine: str, erase_model):
    """``auto``: the connected erase model, else the installed LaMa, else exemplar. Other engines as given."""
    if engine != AUTO:
        return engine, erase_model
    if erase_model is not None:
        return MODEL, erase_model
    name = installed_lama()
    if name is None:
        return FALLBACK, None
    return MODEL, EraseModelHandle(name, folder_paths.get_full_path(FOLDER, name))


class Erase(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_Erase",
            display_name="Erase Object (no prompt)",
            category="inpaint/erase",
            description=(
                "Removes what the mask covers and fills it from the surroundings, with no prompt, at native "
                "resolution. 'auto' (default) runs LaMa when a LaMa file is in models/inpaint (IOPaint's default; "
                "`bash scripts/models.sh download lama`), else 'exemplar', which copies real texture from the "
                "image with no weights; 'telea' and 'navier_stokes' are OpenCV's (IOPaint's cv2 model). Pixels "
                "outside the grown mask come back bit for bit; the fill is blended over an inner feather band. "
                "Which engine ran is reported per output image (ib_engine)."
            ),
            search_aliases=["object removal", "remove object", "inpaint without prompt", "eraser", "cleanup"],
            inputs=[
                io.Image.Input("image", tooltip="Image(s) to clean."),
                io.Mask.Input("mask", tooltip="What to remove (1 = erase); one mask for all images or one each."),
                io.Combo.Input(
                    "engine",
                    options=list(ENGINE_CHOICES),
                    default=AUTO,
                    tooltip="How the hole is filled: 'auto' = the erase_model input, else an installed LaMa, else "
                    "exemplar; 'model' uses the erase_model input.",
                ),
                io.Combo.Input(
                    "strategy",
                    options=list(STRATEGIES),
                    default="crop",
                    tooltip="IOPaint HD strategy: crop each region with context, resize large images, or original.",
                ),
                io.Int.Input(
                    "crop_trigger_size", default=800, min=64, max=16384, tooltip="Crop when the longest side exceeds."
                ),
                io.Int.Input("crop_margin", default=128, min=0, max=4096, tooltip="Context around each region (px)."),
                io.Int.Input(
                    "resize_limit", default=1280, min=64, max=16384, tooltip="Longest side for the resize strategy."
                ),
                io.Int.Input(
                    "dilate",
                    default=15,
                    min=0,
                    max=256,
                    tooltip="Grow the mask first (px, Euclidean; Volcengine dilate_size).",
                ),
                io.Int.Input(
                    "feather", default=4, min=0, max=256, tooltip="Blend band inside the grown mask (≤ dilate)."
                ),
                io.Int.Input("candidates", default=1, min=1, max=4, tooltip="Results per image (seeds/engines)."),
                io.Int.Input("seed", default=0, min=0, max=0xFFFFFFFF, tooltip="Seed of the exemplar search."),
                EraseModel.Input("erase_model", optional=True, tooltip="Learned model for engine 'model' or 'auto'."),
            ],
            outputs=[
                io.Image.Output("erased", tooltip="image-major batch: candidates of image 0, then of image 1, ..."),
                io.Mask.Output("erased_mask", tooltip="The grown mask that was erased, per image."),
            ],
        )

    @classmethod
    def fingerprint_inputs(cls, engine=AUTO, erase_model=None, **kwargs):
        # 'auto' depends on what models/inpaint holds: a LaMa installed later must not be hidden by a cached result.
        if engine != AUTO or erase_model is not None:
            return engine
        name = installed_lama()
        return file_key(folder_paths.get_full_path(FOLDER, name)) if name else FALLBACK

    @classmethod
    def execute(
        cls,
        image,
        mask,
        engine=AUTO,
        strategy="crop",
        crop_trigger_size=800,
        crop_margin=128,
        resize_limit=1280,
        dilate=15,
        feather=4,
        candidates=1,
        seed=0,
        erase_model=None,
    ) -> io.NodeOutput:
        images, masks = as_image_batch(image), as_mask_batch(mask)
        if images.shape[1:3] != masks.shape[1:3]:
            raise ValueError(
                f"image is {images.shape[2]}×{images.shape[1]} but mask is {masks.shape[2]}×{masks.shape[1]}"
            )
        count = pair_batches(images.shape[0], masks.shape[0])
        engine, erase_model = resolve_engine(engine, erase_model)
        if engine == MODEL and erase_model is None:
            raise ValueError("engine 'model' needs an erase_model input (Load Erase Model)")
        learned = on_compute_device(erase_model.load()) if engine == MODEL else None
        plan = candidate_engines(engine, candidates, learned is not None and learned.stochastic)
        bar = comfy.utils.ProgressBar(count * len(plan))
        results, grown_masks, reports = [], [], []
        for index in range(count):
            original = images[min(index, images.shape[0] - 1)]
            pixels = to_uint8_rgb(original)
            hole = grown_hole(masks[min(index, masks.shape[0] - 1)].float().cpu().numpy(), dilate)
            grown_masks.append(torch.from_numpy(hole.astype("float32")))
            alpha = blend_alpha(hole, feather, grown_by=dilate)
            for name, offset in plan:
                comfy.model_management.throw_exception_if_processing_interrupted()
                fill = run_strategy(
                    pixels,
                    hole,
                    learned if name == MODEL else classical_engine(name),
                    seed + offset,
                    strategy,
                    crop_trigger_size,
                    crop_margin,
                    resize_limit,
                    # A cancel takes effect between regions, not only between candidates.
                    before_window=comfy.model_management.throw_exception_if_processing_interrupted,
                )
                results.append(composite(original, fill, alpha))
                reports.append(_quality(results[-1], original, alpha, hole))
                bar.update(1)
        grown = torch.stack(grown_masks).to(masks.device, masks.dtype)
        ran = [learned.engine_name if name == MODEL else name for name, _ in plan] * count  # image-major
        return io.NodeOutput(torch.stack(results), grown, ui={"ib_quality": reports, "ib_engine": ran})


def _quality(result: torch.Tensor, original: torch.Tensor, alpha, hole) -> dict:
    """The inpaint stitch's quality report for one erased image (for the bridge, under ib_quality)."""

    def pixels(t: torch.Tensor):
        return t.float().cpu().numpy()

    return quality_report(pixels(result), pixels(original[..., :3]), alpha, hole, region_count(hole))


NODES = [EraseModelLoader, Erase]
