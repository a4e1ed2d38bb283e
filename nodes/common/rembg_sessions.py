"""rembg sessions from local model files only (never a download at run time).

rembg's session classes fetch their weights on construction unless the file is in
rembg's own home folder. Here each class is given the exact file from ComfyUI's
``models/rembg`` folder instead, so the same pre/post-processing runs offline.
"""

import logging
import os

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

# Every name the Fooocus generate_mask contract lists, plus the other local ones.
CONTRACT_MODELS = (
    "u2net",
    "u2netp",
    "u2net_human_seg",
    "u2net_cloth_seg",
    "silueta",
    "isnet-general-use",
    "isnet-anime",
)
CLOTH_CATEGORIES = ("full", "upper", "lower")
CUSTOM = "u2net_custom"  # any other .onnx with u2net-style I/O


def session_class(model_name: str):
    from rembg.sessions import sessions  # imports pymatting: slow the very first time (numba)

    name = model_name if model_name in sessions else CUSTOM
    cls = sessions[name]
    if not cls.is_local():
        raise ValueError(f"rembg model '{model_name}' is a remote service, not a local file")
    return cls


def load_session(model_name: str, path: str, providers: list[str] | None = None):
    """A rembg session of the right class for ``model_name`` reading ``path``."""
    import onnxruntime as ort

    base = session_class(model_name)

    class LocalFile(base):  # the class's own predict(), our file
        @classmethod
        def download_models(cls, *args, **kwargs):
            return path

        @classmethod
        def name(cls, *args, **kwargs):
            return base.name(*args, **kwargs)

    options = ort.SessionOptions()
    threads = int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
    if threads:
        options.intra_op_num_threads = threads
    try:
        # model_path: the custom-session class insists on it (our download_models ignores it).
        return LocalFile(model_name, options, providers=providers or ["CPUExecutionProvider"], model_path=path)
    except Exception as exc:
        raise ValueError(f"could not load rembg model '{model_name}' from {path}: {exc}") from exc


def predict_mask(session, image_uint8: np.ndarray, cloth_category: str = "full") -> np.ndarray:
    """Float32 [H,W] 0..1 foreground mask, as rembg computes it (LANCZOS-resized to the input)."""
    pil = Image.fromarray(image_uint8)
    masks = session.predict(pil, cc=cloth_category)
    return np.asarray(masks[0], dtype=np.float32) / 255.0


def matted_alpha(image_uint8: np.ndarray, mask: np.ndarray, fg: int = 240, bg: int = 10, erode: int = 10):
    """rembg's alpha matting (closed-form via pymatting) -> float32 alpha 0..1."""
    from rembg.bg import alpha_matting_cutout

    pil_mask = Image.fromarray((mask * 255).round().astype(np.uint8), "L")
    try:
        cutout = alpha_matting_cutout(Image.fromarray(image_uint8), pil_mask, fg, bg, erode)
    except ValueError:  # rembg falls back the same way when the trimap is degenerate
        return mask
    return np.asarray(cutout, dtype=np.float32)[..., 3] / 255.0
