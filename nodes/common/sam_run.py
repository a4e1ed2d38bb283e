"""Running SAM on one image: cached embedding, one decode per instance, selection, clean-up."""

from dataclasses import dataclass

import numpy as np

from .mask_bounds import bounding_box
from .mask_regions import fill_holes, remove_islands
from .model_cache import EMBEDDINGS, content_hash
from .sam_prompts import PromptSet, decoder_prompts

SELECTIONS = ("best", "largest", "all")


@dataclass
class Segmentation:
    masks: list[np.ndarray]  # bool [H,W] per instance
    scores: list[float]
    boxes: list[list[int]]  # x0, y0, x1, y1 (exclusive) per instance; [0,0,0,0] when empty

    def merged(self, height: int, width: int) -> np.ndarray:
        out = np.zeros((height, width), bool)
        for m in self.masks:
            out |= m
        return out


def mask_box(mask: np.ndarray) -> list[int]:
    """[x0, y0, x1, y1] of the mask (ends exclusive); zeros when empty."""
    return list(bounding_box(mask) or (0, 0, 0, 0))


def cleanup(mask: np.ndarray, area: int) -> np.ndarray:
    """Fooocus-style: drop islands and fill holes smaller than ``area`` pixels."""
    if area <= 0:
        return mask
    on = remove_islands(mask.astype(np.uint8), area)
    return fill_holes(on, max_area=area - 1).astype(bool)


def _select(masks: np.ndarray, scores: np.ndarray, selection: str) -> list[int]:
    if selection == "all" or len(scores) == 1:
        return list(range(len(scores)))
    if selection == "best":
        return [int(np.argmax(scores))]
    if selection == "largest":
        return [int(np.argmax(masks.reshape(len(masks), -1).sum(1)))]
    raise ValueError(f"unknown selection {selection!r}; choose one of {', '.join(SELECTIONS)}")


def embedding_key(model_key, image_uint8: np.ndarray) -> tuple:
    """Cache key of an image's embedding: the model and the image content."""
    return model_key, content_hash(np.ascontiguousarray(image_uint8))


def image_embedding(backend, model_key, image_uint8: np.ndarray, key: tuple | None = None):
    """The image's embedding from the shared cache, computed by the encoder on a miss.

    Keyed by model and image content, so the node and the editor's preview route share it.
    """
    key = key or embedding_key(model_key, image_uint8)
    return EMBEDDINGS.get_or_create(key, lambda: backend.embed(image_uint8))


def decode(
    backend, embedding, prompt: PromptSet, height: int, width: int, selection: str = "best", cleanup_area: int = 0
) -> Segmentation:
    """Only the prompt decoder: one decode per instance of ``prompt``, then selection and clean-up."""
    result = Segmentation([], [], [])
    for coords, labels in decoder_prompts(prompt, height, width):
        # Ask for every candidate the model can give (3 for SAM checkpoints; ONNX
        # exports give what they were exported with) and choose by ``selection``.
        masks, scores = backend.decode(embedding, coords, labels, multimask=True)
        for index in _select(masks, scores, selection):
            mask = cleanup(masks[index], cleanup_area)
            if mask.any():
                result.masks.append(mask)
                result.scores.append(float(scores[index]))
                result.boxes.append(mask_box(mask))
    return result


def segment(
    backend, model_key, image_uint8: np.ndarray, prompt: PromptSet, selection: str = "best", cleanup_area: int = 0
) -> Segmentation:
    """Segment one HWC uint8 image; the embedding is computed once per (model, image content)."""
    if prompt.empty:
        return Segmentation([], [], [])
    height, width = image_uint8.shape[:2]
    embedding = image_embedding(backend, model_key, image_uint8)
    return decode(backend, embedding, prompt, height, width, selection, cleanup_area)
