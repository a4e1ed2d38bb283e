"""The SAM editor's live preview: the mask for one picture and prompt set, fast after the first click.

Only the prompt decoder runs once the picture's embedding is cached (the cache the node uses,
so a preview after a run, or a run after the editor opened, skips the encoder too). The
picture file is decoded once and kept, and the mask travels as a 1-bit PNG whose masked pixels
are one colour and the rest transparent, ready to draw over the picture.
"""

import base64
import io
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .model_cache import EMBEDDINGS
from .sam_prompts import PromptSet
from .sam_run import decode, embedding_key, image_embedding

MASK_COLOUR = (30, 144, 255)


def mask_png(mask: np.ndarray) -> bytes:
    """A [H,W] bool mask as a 1-bit palette PNG: masked pixels MASK_COLOUR, the rest transparent."""
    picture = Image.fromarray(mask.astype(np.uint8), "P")
    picture.putpalette([0, 0, 0, *MASK_COLOUR])
    out = io.BytesIO()
    picture.save(out, "PNG", bits=1, transparency=0, compress_level=1)
    return out.getvalue()


@dataclass
class Preview:
    width: int
    height: int
    mask: np.ndarray  # [H,W] bool, all instances merged
    scores: list[float]
    boxes: list[list[int]]
    embedding_cached: bool
    timings_ms: dict

    def as_json(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "mask": "data:image/png;base64," + base64.b64encode(mask_png(self.mask)).decode(),
            "scores": self.scores,
            "boxes": self.boxes,
            "empty": not self.mask.any(),
            "embedding_cached": self.embedding_cached,
            "timings_ms": self.timings_ms,
        }


def preview(backend, model_key, image_uint8: np.ndarray, prompt: PromptSet, selection: str, cleanup_area: int):
    """The node's own segmentation of one picture (same embedding cache, decoder, selection and clean-up).

    An empty prompt still computes the embedding: the editor sends one when it opens, so the
    first click only decodes.
    """
    started = time.perf_counter()
    height, width = image_uint8.shape[:2]
    key = embedding_key(model_key, image_uint8)
    cached = EMBEDDINGS.contains(key)
    embedding = image_embedding(backend, model_key, image_uint8, key=key)
    embedded = time.perf_counter()
    result = decode(backend, embedding, prompt, height, width, selection, cleanup_area)
    decoded = time.perf_counter()
    timings = {"embed": (embedded - started) * 1000, "decode": (decoded - embedded) * 1000}
    return Preview(width, height, result.merged(height, width), result.scores, result.boxes, cached, timings)
