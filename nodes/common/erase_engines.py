"""Prompt-free fill engines that need no weights: OpenCV Telea / Navier–Stokes and exemplar.

Each engine maps (HxWx3 uint8 image, HxW bool hole, seed) -> HxWx3 uint8 image.
Telea/NS are exactly IOPaint's "cv2" model: ``cv2.inpaint`` with ``cv2_radius``.
"""

from collections.abc import Callable

import cv2
import numpy as np

from .patchmatch import exemplar_fill

CLASSICAL_ENGINES = ("exemplar", "telea", "navier_stokes")
DETERMINISTIC = {"telea", "navier_stokes"}


def opencv_fill(image: np.ndarray, hole: np.ndarray, flag: int, radius: int = 4) -> np.ndarray:
    return cv2.inpaint(image, hole.astype(np.uint8) * 255, radius, flag)


def classical_engine(name: str, radius: int = 4, iterations: int = 4) -> Callable:
    if name == "telea":
        return lambda image, hole, seed: opencv_fill(image, hole, cv2.INPAINT_TELEA, radius)
    if name == "navier_stokes":
        return lambda image, hole, seed: opencv_fill(image, hole, cv2.INPAINT_NS, radius)
    if name == "exemplar":
        return lambda image, hole, seed: exemplar_fill(image, hole, seed=seed, iterations=iterations)
    raise ValueError(f"unknown erase engine {name!r}; choose one of {', '.join(CLASSICAL_ENGINES)}")
