"""Text-prompted detection with GroundingDINO (the ``transformers`` implementation).

A model is a Hugging Face folder (config.json, weights, processor and tokenizer
files) under ``models/grounding-dino/<name>/``; it is loaded with
``local_files_only`` so nothing is ever downloaded.
"""

import logging
import os
from dataclasses import dataclass

import numpy as np

from .torch_modules import weights_device

log = logging.getLogger(__name__)

# Each entry: files of which at least one must exist (transformers 5 writes processor_config.json,
# published models carry preprocessor_config.json).
REQUIRED_FILES = (
    ("config.json",),
    ("preprocessor_config.json", "processor_config.json"),
    ("model.safetensors", "pytorch_model.bin"),
)
HOW_TO_GET = (
    "run `bash scripts/models.sh download grounding-dino-tiny --allow-unverified` (its small files have no "
    "published hash), or `huggingface-cli download IDEA-Research/grounding-dino-tiny --local-dir "
    "models/grounding-dino/grounding-dino-tiny` on a machine with internet access and copy the folder here"
)


@dataclass
class Detection:
    boxes: list[list[float]]  # x0, y0, x1, y1 in pixels
    scores: list[float]
    labels: list[str]


def check_model_folder(folder: str) -> None:
    """Raise a ValueError naming what is missing from a model folder."""
    missing = [
        " or ".join(choices)
        for choices in REQUIRED_FILES
        if not any(os.path.isfile(os.path.join(folder, f)) for f in choices)
    ]
    if missing:
        raise ValueError(f"GroundingDINO model folder {folder} lacks {', '.join(missing)}; to get it: {HOW_TO_GET}")


class GroundingDino:
    """Loaded on the CPU; computes wherever its ``network`` is placed."""

    def __init__(self, folder: str):
        from transformers import AutoProcessor, GroundingDinoForObjectDetection

        check_model_folder(folder)
        try:
            self.processor = AutoProcessor.from_pretrained(folder, local_files_only=True)
            model = GroundingDinoForObjectDetection.from_pretrained(folder, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ValueError(f"could not load GroundingDINO from {folder}: {exc}") from exc
        self.network = model.eval()

    def detect(
        self, image_uint8: np.ndarray, prompt: str, box_threshold: float, text_threshold: float, max_detections: int
    ) -> Detection:
        import torch
        from PIL import Image

        text = normalise_prompt(prompt)
        device = weights_device(self.network)
        inputs = self.processor(images=Image.fromarray(image_uint8), text=text, return_tensors="pt").to(device)
        with torch.inference_mode():
            outputs = self.network(**inputs)
        h, w = image_uint8.shape[:2]
        (result,) = self.processor.post_process_grounded_object_detection(
            outputs,
            inputs["input_ids"],
            threshold=box_threshold,
            text_threshold=text_threshold,
            target_sizes=[(h, w)],
        )
        scores = result["scores"].float().cpu().numpy()
        order = np.argsort(-scores, kind="stable")
        boxes = result["boxes"].float().cpu().numpy()
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, w)
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, h)
        # A box entirely outside the image has no area after clipping: SAM cannot use it.
        order = [i for i in order if boxes[i, 2] > boxes[i, 0] and boxes[i, 3] > boxes[i, 1]]
        if max_detections > 0:
            order = order[:max_detections]
        boxes = boxes[order].reshape(-1, 4)
        # Newer transformers: "text_labels" holds the phrases ("labels" becomes ids).
        labels = result["text_labels"] if "text_labels" in result else result.get("labels", [])
        return Detection(
            [[round(float(v), 2) for v in b] for b in boxes],
            [float(scores[i]) for i in order],
            [str(labels[i]) for i in order] if len(labels) else [""] * len(order),
        )


def normalise_prompt(prompt: str) -> str:
    """GroundingDINO expects lower-case phrases each ending with a period."""
    text = " ".join(prompt.strip().lower().split())
    if not text:
        raise ValueError("the detection prompt is empty: name what to find, e.g. 'a cat. a hat.'")
    return text if text.endswith(".") else text + "."
