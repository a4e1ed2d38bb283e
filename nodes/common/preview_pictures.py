"""Pictures the frontend previews on (the SAM editor, the outpaint preview), decoded once per file version."""

import numpy as np
from PIL import Image, ImageOps

from .model_cache import PREVIEW_IMAGES, file_key


def load_picture(path: str) -> np.ndarray:
    """HxWx3 uint8 RGB as ComfyUI's LoadImage sees the file (EXIF orientation applied), cached by file identity."""

    def read():
        with Image.open(path) as picture:
            return np.ascontiguousarray(ImageOps.exif_transpose(picture).convert("RGB"))

    return PREVIEW_IMAGES.get_or_create(file_key(path), read)
