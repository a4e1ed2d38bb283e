"""Shape rules at the node boundary: IMAGE is [B,H,W,C] float 0..1, MASK is [B,H,W].

Masks arrive as [H,W], [B,H,W] or [B,1,H,W]; they are normalised once here.
Nothing here mutates its input (ComfyUI caches node outputs).
"""

import torch


def as_mask_batch(mask: torch.Tensor) -> torch.Tensor:
    """Return ``mask`` as [B,H,W] (a view when possible, never modified in place)."""
    if not isinstance(mask, torch.Tensor):
        raise ValueError(f"mask must be a torch.Tensor, got {type(mask).__name__}")
    if mask.ndim == 2:
        return mask.unsqueeze(0)
    if mask.ndim == 3:
        return mask
    if mask.ndim == 4 and mask.shape[1] == 1:
        return mask[:, 0]
    raise ValueError(f"mask must be [H,W], [B,H,W] or [B,1,H,W]; got shape {tuple(mask.shape)}")


def as_image_batch(image: torch.Tensor) -> torch.Tensor:
    """Return ``image`` as [B,H,W,C]; a single [H,W,C] image gains a batch axis."""
    if not isinstance(image, torch.Tensor):
        raise ValueError(f"image must be a torch.Tensor, got {type(image).__name__}")
    if image.ndim == 3:
        return image.unsqueeze(0)
    if image.ndim == 4:
        return image
    raise ValueError(f"image must be [H,W,C] or [B,H,W,C]; got shape {tuple(image.shape)}")


def pair_batches(count_a: int, count_b: int, what_a: str = "images", what_b: str = "masks") -> int:
    """Batch rule: N with 1 broadcast, N with N pair up, anything else is an error."""
    if count_a == count_b or count_b == 1 or count_a == 1:
        return max(count_a, count_b)
    raise ValueError(
        f"batch sizes do not match: {count_a} {what_a} and {count_b} {what_b} "
        f"(use one {what_b[:-1]} for all, or one per {what_a[:-1]})"
    )


def to_uint8_rgb(image: torch.Tensor):
    """One [H,W,C] IMAGE item as the HxWx3 uint8 numpy array a decoded PNG/JPEG had."""
    return (image[..., :3].clamp(0, 1) * 255).round().to(torch.uint8).cpu().numpy()
