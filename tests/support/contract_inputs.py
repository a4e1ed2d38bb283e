"""Pictures as the contracts' clients send them: a box mask, an array as bare base64 PNG, the band test."""

import base64
import io

import numpy as np
from PIL import Image
from scipy import ndimage


def box_mask(shape: tuple[int, int], box: tuple[int, int, int, int]) -> np.ndarray:
    """255 inside ``box`` (x0, y0, x1, y1, ends exclusive), 0 elsewhere."""
    mask = np.zeros(shape, np.uint8)
    x0, y0, x1, y1 = box
    mask[y0:y1, x0:x1] = 255
    return mask


def b64png(arr: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


def outside_band(mask: np.ndarray, band: float) -> np.ndarray:
    """Pixels farther than ``band`` from the masked area: where an inpaint result must equal its input."""
    return ndimage.distance_transform_edt(mask == 0) > band
