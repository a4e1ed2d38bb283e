"""What a model file is, read once per file version (size + mtime) and cached in ``FILE_FACTS``.

The model listing and the erase engine's ``auto`` choice ask the same questions of the same files;
both go through here, so a file is read once and judged by one rule.
"""

import logging
import os

from .model_cache import FILE_FACTS, file_key
from .model_kinds import diffusion_family, inpaint_folder_kind
from .weight_headers import is_torchscript, pickle_strings, safetensors_shapes

log = logging.getLogger(__name__)

SAFETENSORS = (".safetensors", ".sft")


def _cached(path: str, read):
    return FILE_FACTS.get_or_create(file_key(path) + (read.__name__,), lambda: read(path))


def _diffusion(path: str) -> dict:
    if not path.endswith(SAFETENSORS):  # .ckpt / .pt: reading their shapes would mean unpickling
        return {"family": "unknown", "inpainting": None, "detected_by": None}
    try:
        family, inpainting = diffusion_family(safetensors_shapes(path))
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return {"family": "unknown", "inpainting": None, "detected_by": None}
    return {"family": family, "inpainting": inpainting, "detected_by": "header"}


def _inpaint(path: str) -> dict:
    try:
        if path.endswith(SAFETENSORS):
            fmt, names = "safetensors", set(safetensors_shapes(path))
        else:
            fmt, names = ("torchscript" if is_torchscript(path) else "pickle"), pickle_strings(path)
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return {"format": None, "kind": None}
    return {"format": fmt, "kind": inpaint_folder_kind(names, os.path.basename(path))}


def diffusion_facts(path: str) -> dict:
    """``family`` (sd15 / sdxl / other / unknown), ``inpainting`` and ``detected_by`` of a UNet file."""
    return _cached(path, _diffusion)


def inpaint_facts(path: str) -> dict:
    """``format`` (safetensors / torchscript / pickle) and ``kind`` (lama, mat, migan, fooocus_head, ...)."""
    return _cached(path, _inpaint)
