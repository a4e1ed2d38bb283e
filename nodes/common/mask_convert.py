"""Masks from pictures by each contract's rule, and mask set operations.

Rules (a pixel is masked when the value is strictly greater than ``threshold``,
on the 0..255 scale of the 8-bit picture the client sent):

- ``rgb_mean``: mean of R, G, B — Fooocus and PICPIK;
- ``luminance``: PIL's ``L`` (ITU-R 601-2 luma, integer rounding) ignoring alpha — IOPaint;
- ``alpha``: the alpha channel; ``red``/``green``/``blue``: one channel.
"""

import torch

from .tensors import as_image_batch, as_mask_batch, pair_batches

RULES = ("rgb_mean", "luminance", "alpha", "red", "green", "blue")
OPERATIONS = ("union", "intersect", "subtract", "xor")


def to_uint8(image: torch.Tensor) -> torch.Tensor:
    """IMAGE floats 0..1 back to the 8-bit values a decoded PNG/JPEG had."""
    return (image.clamp(0, 1) * 255).round().to(torch.int32)


def mask_from_image(
    image: torch.Tensor,
    rule: str = "rgb_mean",
    threshold: int = 127,
    invert: bool = False,
    alpha: torch.Tensor | None = None,
) -> torch.Tensor:
    """[B,H,W] 0/1 mask (image's device, float32) from an IMAGE [B,H,W,C] by ``rule``.

    ``alpha`` (a MASK, 1 = opaque) stands in for a missing 4th channel.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    pixels = to_uint8(as_image_batch(image))
    channels = pixels.shape[-1]
    if rule == "rgb_mean":
        # sum > 3·threshold is exact integer arithmetic for mean > threshold.
        value, limit = pixels[..., :3].sum(-1), 3 * threshold
    elif rule == "luminance":
        r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
        value, limit = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16, threshold
    elif rule == "alpha":
        if channels >= 4:
            value = pixels[..., 3]
        elif alpha is not None:
            value = to_uint8(as_mask_batch(alpha).to(pixels.device))
        else:
            raise ValueError("rule 'alpha' needs an image with 4 channels or the alpha input")
        limit = threshold
    else:
        index = ("red", "green", "blue").index(rule)
        value, limit = pixels[..., index], threshold
    out = value > limit
    if invert:
        out = ~out
    return out.to(torch.float32)


def combine(a: torch.Tensor, b: torch.Tensor, operation: str) -> torch.Tensor:
    """Union (max), intersect (min), subtract (a−b, clamped), xor (|a−b|) of soft masks."""
    a, b = as_mask_batch(a), as_mask_batch(b)
    if a.shape[-2:] != b.shape[-2:]:
        raise ValueError(f"mask sizes differ: {tuple(a.shape[-2:])} and {tuple(b.shape[-2:])} (H,W)")
    n = pair_batches(a.shape[0], b.shape[0], "masks", "masks")
    a, b = a.expand(n, -1, -1), b.to(a.device, a.dtype).expand(n, -1, -1)
    if operation == "union":
        return torch.maximum(a, b)
    if operation == "intersect":
        return torch.minimum(a, b)
    if operation == "subtract":
        return (a - b).clamp(min=0)
    if operation == "xor":
        return (a - b).abs()
    raise ValueError(f"unknown operation {operation!r}; choose one of {', '.join(OPERATIONS)}")
