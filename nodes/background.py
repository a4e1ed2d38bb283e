"""Background / foreground and clothing segmentation through rembg, offline from models/rembg."""

import logging
from dataclasses import dataclass

import comfy.model_management
import comfy.utils
import folder_paths
import numpy as np
import torch

from ._comfy import io, schema
from .common.model_cache import MODELS, file_key
from .common.model_files import resolve
from .common.rembg_sessions import CLOTH_CATEGORIES, CONTRACT_MODELS, load_session, matted_alpha, predict_mask
from .common.tensors import as_image_batch, to_uint8_rgb

log = logging.getLogger(__name__)
FOLDER = "rembg"
RembgSession = io.Custom("IB_REMBG_SESSION")


@dataclass(frozen=True)
class RembgHandle:
    model_name: str
    path: str
    cloth_category: str

    def load(self):
        key = file_key(self.path) + (self.model_name,)
        return MODELS.get_or_create(key, lambda: load_session(self.model_name, self.path))


def installed_rembg_models() -> list[str]:
    """The loader's names for the files in models/rembg (``<name>.onnx`` -> ``<name>``)."""
    return [f[: -len(".onnx")] for f in folder_paths.get_filename_list(FOLDER) if f.endswith(".onnx")]


def rembg_choices() -> list[str]:
    # Contract names too (even when missing: choosing one explains where to get it).
    return list(dict.fromkeys([*installed_rembg_models(), *CONTRACT_MODELS]))


class RembgLoader(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_RembgLoader",
            display_name="Load Background Remover (rembg)",
            category="inpaint/mask/segment",
            description=(
                "Chooses a rembg model from models/rembg/<name>.onnx: u2net, u2netp (installed by default), "
                "u2net_human_seg, u2net_cloth_seg (clothing: full/upper/lower), silueta, isnet-general-use, "
                "isnet-anime, or any other u2net-style ONNX file. Never downloads; the session is cached."
            ),
            search_aliases=["rembg", "remove background", "u2net", "cloth segmentation", "matting"],
            inputs=[
                io.Combo.Input("model_name", options=rembg_choices(), tooltip="File name in models/rembg."),
                io.Combo.Input(
                    "cloth_category",
                    options=list(CLOTH_CATEGORIES),
                    default="full",
                    tooltip="Only for u2net_cloth_seg: which garments make the mask.",
                ),
            ],
            outputs=[RembgSession.Output("session", tooltip="Handle for Remove Background.")],
        )

    @classmethod
    def execute(cls, model_name: str, cloth_category: str = "full") -> io.NodeOutput:
        searched = folder_paths.get_folder_paths(FOLDER)
        path = resolve(FOLDER, f"{model_name}.onnx", folder_paths.get_full_path, searched)
        return io.NodeOutput(RembgHandle(model_name, path, cloth_category))


class RemoveBackground(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_RemoveBackground",
            display_name="Remove Background",
            category="inpaint/mask/segment",
            description=(
                "Foreground mask and RGBA cut-out of each image with a rembg model (the same pre- and "
                "post-processing as rembg.remove). Alpha matting refines hair and soft edges (slower)."
            ),
            search_aliases=["rembg", "background removal", "foreground mask", "cutout", "person mask"],
            inputs=[
                RembgSession.Input("session", tooltip="From Load Background Remover."),
                io.Image.Input("image", tooltip="Image(s) to cut out."),
                io.Boolean.Input("alpha_matting", default=False, tooltip="Refine edges with closed-form matting."),
                io.Int.Input("foreground_threshold", default=240, min=0, max=255, tooltip="Matting: sure foreground."),
                io.Int.Input("background_threshold", default=10, min=0, max=255, tooltip="Matting: sure background."),
                io.Int.Input("erode_size", default=10, min=0, max=255, tooltip="Matting: unknown band width."),
            ],
            outputs=[
                io.Mask.Output("mask", tooltip="Foreground, 0..1 (1 = keep the subject)."),
                io.Image.Output("rgba", tooltip="The image with the mask as a 4th (alpha) channel."),
            ],
        )

    @classmethod
    def execute(
        cls, session, image, alpha_matting=False, foreground_threshold=240, background_threshold=10, erode_size=10
    ) -> io.NodeOutput:
        images = as_image_batch(image)
        rembg_session = session.load()
        bar = comfy.utils.ProgressBar(images.shape[0])
        masks = []
        for item in images:
            comfy.model_management.throw_exception_if_processing_interrupted()
            pixels = to_uint8_rgb(item)
            mask = predict_mask(rembg_session, pixels, session.cloth_category)
            if alpha_matting:
                mask = matted_alpha(pixels, mask, foreground_threshold, background_threshold, erode_size)
            masks.append(mask)
            bar.update(1)
        mask_t = torch.from_numpy(np.stack(masks)).to(images.device, images.dtype)
        rgba = torch.cat([images[..., :3], mask_t[..., None]], dim=-1)
        return io.NodeOutput(mask_t, rgba)


NODES = [RembgLoader, RemoveBackground]
