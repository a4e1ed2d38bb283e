"""Text-prompted detection (GroundingDINO) whose boxes feed Segment (SAM): Fooocus's `sam` mode."""

import json
import os
from dataclasses import dataclass

import comfy.model_management
import comfy.utils
import folder_paths
import numpy as np
import torch

from ._comfy import io, optional, schema
from .common.box_ops import boxes_mask, grow_box
from .common.grounding_dino import HOW_TO_GET, Detection, GroundingDino, check_model_folder
from .common.model_cache import MODELS, file_key
from .common.sam_prompts import parse_prompts
from .common.tensors import as_image_batch, to_uint8_rgb
from .model_placement import Held, hold, on_compute_device

FOLDER = "grounding-dino"
MAX_GROW = 1024.0  # px a box edge may move (Fooocus allows -64..64)
DinoModel = io.Custom("IB_GROUNDING_DINO")


def installed_dino_models() -> list[str]:
    """Model folders: sub-folders of models/grounding-dino holding a config.json."""
    return sorted({f.split("/")[0] for f in folder_paths.get_filename_list(FOLDER) if f.endswith("/config.json")})


def dino_choices() -> list[str]:
    return installed_dino_models() or ["grounding-dino-tiny"]


def model_folder(name: str) -> str:
    for base in folder_paths.get_folder_paths(FOLDER):
        candidate = os.path.join(base, name)
        if os.path.isdir(candidate):
            return candidate
    bases = ", ".join(folder_paths.get_folder_paths(FOLDER))
    raise ValueError(
        f"GroundingDINO model folder '{name}' not found (expected models/{FOLDER}/{name}/ with config.json and "
        f"model.safetensors; searched: {bases}); to get it: {HOW_TO_GET}"
    )


@dataclass(frozen=True)
class DinoHandle:
    name: str
    folder: str

    def load(self) -> Held[GroundingDino]:
        """The model from the CPU cache, placed per run by ComfyUI's memory manager (``model_placement``)."""
        config = os.path.join(self.folder, "config.json")
        return MODELS.get_or_create(file_key(config), lambda: hold(GroundingDino(self.folder)))


class GroundingDinoLoader(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_GroundingDinoLoader",
            display_name="Load GroundingDINO",
            category="inpaint/mask/segment",
            description=(
                "Picks a GroundingDINO model folder (Hugging Face format: config.json, model.safetensors, "
                "processor and tokenizer files) from models/grounding-dino/. Loaded offline on first use."
            ),
            search_aliases=["grounding dino", "text detection", "open vocabulary detection", "dino"],
            inputs=[io.Combo.Input("model_name", options=dino_choices(), tooltip="Folder in models/grounding-dino.")],
            outputs=[DinoModel.Output("dino_model", tooltip="Handle for Detect From Text.")],
        )

    @classmethod
    def execute(cls, model_name: str) -> io.NodeOutput:
        folder = model_folder(model_name)
        check_model_folder(folder)
        return io.NodeOutput(DinoHandle(model_name, folder))


def _grown(found: Detection, pixels: float, height: int, width: int) -> Detection:
    kept = [
        (box, score, label)
        for box, score, label in zip(
            (grow_box(b, pixels, height, width) for b in found.boxes), found.scores, found.labels, strict=True
        )
        if box is not None
    ]
    return Detection(boxes=[k[0] for k in kept], scores=[k[1] for k in kept], labels=[k[2] for k in kept])


class TextPromptDetect(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_TextPromptDetect",
            display_name="Detect From Text (GroundingDINO)",
            category="inpaint/mask/segment",
            description=(
                "Finds what a text prompt names ('a cat. a red hat.') and returns boxes as JSON for Segment (SAM), "
                "as Fooocus does with dino_prompt_text, box_threshold, text_threshold and sam_max_detections."
            ),
            search_aliases=["text to mask", "detect objects", "grounding dino", "find object"],
            inputs=[
                DinoModel.Input("dino_model", tooltip="From Load GroundingDINO."),
                io.Image.Input("image", tooltip="Image(s) to search."),
                io.String.Input("prompt", default="", multiline=True, tooltip="What to find; phrases end with '.'."),
                io.Float.Input(
                    "box_threshold", default=0.3, min=0.0, max=1.0, step=0.01, tooltip="Minimum box confidence."
                ),
                io.Float.Input(
                    "text_threshold", default=0.25, min=0.0, max=1.0, step=0.01, tooltip="Minimum phrase match."
                ),
                io.Int.Input("max_detections", default=0, min=0, max=100, tooltip="Keep the N best boxes (0 = all)."),
                *optional(
                    io.Float.Input(
                        "grow_boxes",
                        default=0.0,
                        min=-MAX_GROW,
                        max=MAX_GROW,
                        step=1.0,
                        tooltip="Move every box edge outward by this many pixels (inward when negative), inside "
                        "the image: Fooocus's dino_erode_or_dilate.",
                    ),
                ),
            ],
            outputs=[
                io.String.Output("boxes", tooltip="[[x0,y0,x1,y1],...] (one list per image for a batch)."),
                io.String.Output("scores", tooltip="Confidence per box, JSON."),
                io.String.Output("labels", tooltip="Matched phrase per box, JSON."),
                io.Int.Output("count", tooltip="Boxes found in all images."),
            ],
        )

    @classmethod
    def execute(
        cls, dino_model, image, prompt: str, box_threshold=0.3, text_threshold=0.25, max_detections=0, grow_boxes=0.0
    ) -> io.NodeOutput:
        images = as_image_batch(image)
        height, width = images.shape[1:3]
        model = on_compute_device(dino_model.load())
        bar = comfy.utils.ProgressBar(images.shape[0])
        results = []
        for item in images:
            comfy.model_management.throw_exception_if_processing_interrupted()
            pixels = to_uint8_rgb(item)
            results.append(model.detect(pixels, prompt, box_threshold, text_threshold, max_detections))
            bar.update(1)
        pick = (lambda xs: xs[0]) if len(results) == 1 else (lambda xs: xs)
        if grow_boxes:
            results = [_grown(r, grow_boxes, height, width) for r in results]
        boxes = pick([r.boxes for r in results])
        scores = pick([r.scores for r in results])
        labels = pick([r.labels for r in results])
        count = sum(len(r.boxes) for r in results)
        return io.NodeOutput(json.dumps(boxes), json.dumps(scores), json.dumps(labels), count)


class BoxesToMask(io.ComfyNode):
    @classmethod
    def define_schema(cls) -> io.Schema:
        return schema(
            node_id="IB_BoxesToMask",
            display_name="Boxes to Mask",
            category="inpaint/mask/segment",
            description=(
                "Paints boxes (JSON [[x0,y0,x1,y1],...] in pixels, e.g. from Detect From Text) as a mask the size "
                "of the image: 1 inside every box. Fooocus's dino_debug output, or a rough mask without SAM."
            ),
            search_aliases=["box mask", "bbox to mask", "rectangle mask", "dino debug"],
            inputs=[
                io.Image.Input("image", tooltip="Gives the mask size (and the batch)."),
                io.String.Input(
                    "boxes", default="[]", multiline=True, tooltip="Boxes as JSON; one list per image for a batch."
                ),
            ],
            outputs=[io.Mask.Output("mask", tooltip="1 inside the boxes (corners included), 0 elsewhere.")],
        )

    @classmethod
    def execute(cls, image, boxes="[]") -> io.NodeOutput:
        images = as_image_batch(image)
        batch, height, width = images.shape[:3]
        prompts = parse_prompts("[]", boxes, batch)
        masks = [boxes_mask(p.boxes.tolist(), height, width) for p in prompts]
        return io.NodeOutput(torch.from_numpy(np.stack(masks)))


NODES = [GroundingDinoLoader, TextPromptDetect, BoxesToMask]
