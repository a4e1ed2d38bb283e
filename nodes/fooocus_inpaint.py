"""Fooocus's inpaint engine for any SDXL checkpoint: load the head + patch, apply them to a model.

Files from ``lllyasviel/fooocus_inpaint`` in ``models/inpaint``: ``fooocus_inpaint_head.pth`` and one patch,
``inpaint.fooocus.patch`` (Fooocus's v1), ``inpaint_v25.fooocus.patch`` or ``inpaint_v26.fooocus.patch``.
The patch's weight deltas go through ComfyUI's own weight patching (a weight adapter, decoded from uint8
layer by layer when the model is loaded, never all at once); the head's feature is added after the
UNet's first input block (a model input-block patch). The pure parts are ``common/fooocus_patch.py``.
"""

import logging
import os
from dataclasses import dataclass

import comfy.model_base
import comfy.model_management
import comfy.utils
import comfy.weight_adapter
import folder_paths
import torch

from ._comfy import io, schema
from .common.fooocus_patch import HeadFeature, check_patch, dequantize, grey_filled, head_feed, head_from_state
from .common.model_cache import MODELS, file_key
from .common.model_files import resolve
from .common.tensors import as_image_batch, as_mask_batch, pair_batches

log = logging.getLogger(__name__)

FOLDER = "inpaint"
PATCH_SUFFIX = ".patch"  # not an extension of the folder's registration: the erase loader must not list patches
HEAD_FILE = "fooocus_inpaint_head.pth"
FooocusInpaint = io.Custom("IB_FOOOCUS_INPAINT")


def installed_patches() -> list[tuple[str, str]]:
    """(name, path) of every ``.patch`` file under ``models/inpaint`` (and its extra paths), names relative."""
    found: dict[str, str] = {}
    for base in folder_paths.get_folder_paths(FOLDER):
        if not os.path.isdir(base):
            continue
        for name in sorted(folder_paths.recursive_search(base)[0]):
            if name.endswith(PATCH_SUFFIX):
                found.setdefault(name, os.path.join(base, name))
    return sorted(found.items())


def _patch_path(name: str) -> str:
    paths = dict(installed_patches())
    if name not in paths:
        return resolve(FOLDER, name, lambda *_: None, folder_paths.get_folder_paths(FOLDER))  # raises, naming it
    return paths[name]


class FooocusPatchWeight(comfy.weight_adapter.WeightAdapterBase):
    """One layer's Fooocus delta, decoded from uint8 when ComfyUI patches the layer (at strength × 1)."""

    name = "fooocus"

    def __init__(self, q: torch.Tensor, w_min: torch.Tensor, w_max: torch.Tensor):
        self.weights = [q, w_min, w_max]
        self.loaded_keys = set()

    def calculate_weight(
        self,
        weight,
        key,
        strength,
        strength_model,
        offset,
        function,
        intermediate_dtype=torch.float32,
        original_weight=None,
    ):
        if strength == 0.0:
            return weight
        q, w_min, w_max = (
            comfy.model_management.cast_to_device(w, weight.device, intermediate_dtype) for w in self.weights
        )
        delta = dequantize(q, w_min, w_max, intermediate_dtype)
        if delta.shape != weight.shape:
            log.warning(
                "Fooocus patch: %s has shape %s, the model's %s; not applied",
                key,
                list(delta.shape),
                list(weight.shape),
            )
            return weight
        weight += function((strength * delta).type(weight.dtype))
        return weight


@dataclass(frozen=True)
class FooocusInpaintFiles:
    """The loader's handle: the files; their contents come from the model cache."""

    head_path: str
    patch_path: str

    def load(self):
        head = MODELS.get_or_create(
            file_key(self.head_path),
            lambda: head_from_state(comfy.utils.load_torch_file(self.head_path, safe_load=True), self.head_path),
        )
        patch = MODELS.get_or_create(
            file_key(self.patch_path),
            lambda: check_patch(comfy.utils.load_torch_file(self.patch_path, safe_load=True), self.patch_path),
        )
        return head, patch


class FooocusInpaintLoader(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        heads = folder_paths.get_filename_list(FOLDER) or [HEAD_FILE]
        patches = [name for name, _ in installed_patches()] or ["inpaint_v26.fooocus.patch"]
        return schema(
            node_id="IB_FooocusInpaintLoader",
            display_name="Load Fooocus Inpaint",
            category="inpaint",
            description=(
                "Loads Fooocus's inpaint head and patch from models/inpaint (lllyasviel/fooocus_inpaint: "
                "fooocus_inpaint_head.pth + inpaint_v26.fooocus.patch, or v1 / v2.5). Apply Fooocus Inpaint "
                "turns any SDXL checkpoint into an inpainting model with them."
            ),
            search_aliases=["fooocus inpaint", "inpaint patch", "inpaint head", "sdxl inpaint"],
            inputs=[
                io.Combo.Input("head", options=heads, tooltip="The head file (fooocus_inpaint_head.pth)."),
                io.Combo.Input("patch", options=patches, tooltip="The patch file (*.fooocus.patch)."),
            ],
            outputs=[FooocusInpaint.Output("fooocus_inpaint", tooltip="For Apply Fooocus Inpaint / Inpaint.")],
        )

    @classmethod
    def execute(cls, head: str, patch: str) -> io.NodeOutput:
        head_path = resolve(FOLDER, head, folder_paths.get_full_path, folder_paths.get_folder_paths(FOLDER))
        files = FooocusInpaintFiles(head_path, _patch_path(patch))
        files.load()  # a wrong file is an error here, naming it
        return io.NodeOutput(files)


def is_sdxl(model) -> bool:
    return isinstance(getattr(model, "model", None), comfy.model_base.SDXL)


def apply(model, files: FooocusInpaintFiles, vae, pixels: torch.Tensor, mask: torch.Tensor):
    """A clone of ``model`` with the head feature and the patch (the input model is untouched)."""
    if not is_sdxl(model):
        kind = type(getattr(model, "model", model)).__name__
        raise ValueError(
            f"Fooocus's inpaint patch is made for SDXL models; this model is {kind}. Use an SDXL checkpoint "
            "(or, for other models, an inpainting checkpoint with InpaintModelConditioning)"
        )
    head, patch = files.load()
    images = as_image_batch(pixels)
    masks = as_mask_batch(mask)
    n = pair_batches(images.shape[0], masks.shape[0])
    images = images.expand(n, -1, -1, -1) if images.shape[0] != n else images
    masks = masks.expand(n, -1, -1) if masks.shape[0] != n else masks
    if masks.shape[1:] != images.shape[1:3]:
        raise ValueError(f"the mask is {list(masks.shape[1:])} but the pixels are {list(images.shape[1:3])}")
    latent = vae.encode(grey_filled(images, masks.to(images))[..., :3])
    latent = model.model.process_latent_in(latent.float())
    with torch.no_grad():
        feature = head(head_feed(latent, masks.to(latent.device)))
    state = model.model.state_dict()
    matched = {k: FooocusPatchWeight(*v) for k, v in patch.items() if k in state}
    if not matched:
        raise ValueError(
            f"no layer of {os.path.basename(files.patch_path)} is in this model: it is not a Fooocus patch for it"
        )
    patched = model.clone()
    patched.set_model_input_block_patch(HeadFeature(feature.detach()))
    patched.add_patches(matched, 1.0)
    if len(matched) < len(patch):
        log.info("Fooocus patch: %d of %d layers are in this model", len(matched), len(patch))
    return patched, len(matched), len(patch)


class FooocusInpaintApply(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_FooocusInpaintApply",
            display_name="Apply Fooocus Inpaint",
            category="inpaint",
            description=(
                "Makes an SDXL model an inpainting model as Fooocus does: the head sees the mask and the image with "
                "its masked pixels grey (encoded by the VAE) and adds its feature after the UNet's first input "
                "block; the patch's weight deltas are applied by ComfyUI's weight patching. Sample the same "
                "pixels' latent with the same mask as noise mask (SetLatentNoiseMask) with the returned model."
            ),
            search_aliases=["fooocus inpaint", "apply inpaint patch", "sdxl inpaint", "inpaint head"],
            inputs=[
                io.Model.Input("model", tooltip="An SDXL model."),
                FooocusInpaint.Input("fooocus_inpaint", tooltip="From Load Fooocus Inpaint."),
                io.Vae.Input("vae", tooltip="The model's VAE (encodes what the head sees)."),
                io.Image.Input("pixels", tooltip="The image (crop) that will be sampled."),
                io.Mask.Input("mask", tooltip="What will be repainted (1), the same as the sampler's noise mask."),
            ],
            outputs=[
                io.Model.Output("patched_model", tooltip="The patched model (the input model is left as it was).")
            ],
        )

    @classmethod
    def execute(cls, model, fooocus_inpaint, vae, pixels, mask) -> io.NodeOutput:
        patched, used, total = apply(model, fooocus_inpaint, vae, pixels, mask)
        facts = {"layers_patched": used, "layers_in_patch": total}
        return io.NodeOutput(patched, ui={"ib_fooocus_inpaint": [facts] * as_image_batch(pixels).shape[0]})


NODES = [FooocusInpaintLoader, FooocusInpaintApply]
