"""Prompt-free fill engines that need no weights: OpenCV Telea / Navier–Stokes and exemplar.

Each engine maps (HxWx3 uint8 image, HxW bool hole, seed) -> HxWx3 uint8 image.

- ``telea`` / ``navier_stokes`` are exactly IOPaint's "cv2" model: ``cv2.inpaint`` with
  ``cv2_radius`` (4). They diffuse border colours inward: fine for thin strokes, a smear
  on large holes.
- ``exemplar`` copies real texture from the rest of the image (PatchMatch, Barnes et
  al. 2009) through the maintained ``pypatchmatch`` library (the one IOPaint and
  InvokeAI use), seeded: equal inputs and seed give equal output. Where the library
  cannot load (Python < 3.11 has no release), the engine falls back to Telea with a
  warning, so the default engine always runs.
"""

import functools
import logging
import threading
from collections.abc import Callable

import cv2
import numpy as np

log = logging.getLogger(__name__)

CLASSICAL_ENGINES = ("exemplar", "telea", "navier_stokes")
SEEDED = {"exemplar"}  # a new seed gives a different fill; Telea / NS always give the same one
# Patch radius 3 (7×7 patches), pypatchmatch's own examples' choice: larger patches keep
# larger structures but blur fine grain and cost quadratically more.
PATCH_RADIUS = 3

# pypatchmatch keeps its random seed in global native state: one seeded fill at a time.
_LIBRARY_LOCK = threading.Lock()


def opencv_fill(image: np.ndarray, hole: np.ndarray, flag: int, radius: int = 4) -> np.ndarray:
    return cv2.inpaint(image, hole.astype(np.uint8) * 255, radius, flag)


def _library():
    """pypatchmatch's module when its native library loads here, else None."""
    try:
        from patchmatch import patch_match
    except ImportError:
        return None
    return patch_match if patch_match.patchmatch_available else None


def library_available() -> bool:
    return _library() is not None


def library_exemplar_fill(image: np.ndarray, hole: np.ndarray, seed: int = 0) -> np.ndarray:
    """PatchMatch fill by pypatchmatch; equal inputs and seed give equal output."""
    library = _library()
    if library is None:
        raise RuntimeError("pypatchmatch is not installed or its native library does not load here")
    with _LIBRARY_LOCK:  # (the library returns a copy itself when there is no hole)
        library.set_random_seed(int(seed) % 2**32)
        return library.inpaint(np.ascontiguousarray(image), hole, patch_size=PATCH_RADIUS)


def exemplar_fill(image: np.ndarray, hole: np.ndarray, seed: int = 0) -> np.ndarray:
    """The exemplar engine: pypatchmatch where it loads, Telea (with one warning) where it does not."""
    if not hole.any():
        return image.copy()
    if hole.all():
        # No known pixel to copy texture from: PatchMatch needs a source.
        return opencv_fill(image, hole, cv2.INPAINT_TELEA)
    if library_available():
        return library_exemplar_fill(image, hole, seed)
    _warn_fallback()
    return opencv_fill(image, hole, cv2.INPAINT_TELEA)


def classical_engine(name: str, radius: int = 4) -> Callable:
    if name == "telea":
        return lambda image, hole, seed: opencv_fill(image, hole, cv2.INPAINT_TELEA, radius)
    if name == "navier_stokes":
        return lambda image, hole, seed: opencv_fill(image, hole, cv2.INPAINT_NS, radius)
    if name == "exemplar":
        return lambda image, hole, seed: exemplar_fill(image, hole, seed=seed)
    raise ValueError(f"unknown erase engine {name!r}; choose one of {', '.join(CLASSICAL_ENGINES)}")


@functools.cache  # once per process
def _warn_fallback() -> None:
    log.warning("pypatchmatch does not load here (pip install pypatchmatch): engine 'exemplar' runs Telea")
