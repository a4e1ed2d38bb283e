"""Fooocus's inpaint engine as pure torch: the inpaint head and the quantised weight patch.

Fooocus (``lllyasviel/Fooocus`` ``modules/inpaint_worker.py``, ``modules/core.encode_vae_inpaint``) turns any
SDXL model into an inpainting one with two files:

- the **head** (``fooocus_inpaint_head.pth``: one tensor ``head`` of shape [320, 5, 3, 3]): a 3×3 convolution
  (replicate padding, no bias) of the 5-channel input [mask at latent size, latent of the image with the
  masked pixels set to grey], whose 320-channel output is added to the UNet's features after its first
  input block;
- the **patch** (``inpaint_v26.fooocus.patch`` and its v1 / v2.5 kin: a dict ``{"diffusion_model.<layer>":
  (q, w_min, w_max)}``): weight deltas stored as uint8 ``q`` with their range; the delta is
  ``q / 255 · (w_max − w_min) + w_min``, added to the layer's weight at strength 1.

The latent mask is the pixel mask resized to 8× the latent size (bilinear), rounded, max-pooled by 8 and
rounded: a latent cell is masked when any of its pixels is. The grey fill rounds the mask first.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812 (torch's convention)

HEAD_SHAPE = (320, 5, 3, 3)  # out: the SDXL UNet's model_channels; in: mask + 4 latent channels
PATCH_PREFIX = "diffusion_model."


class InpaintHead(torch.nn.Module):
    def __init__(self, weight: torch.Tensor):
        super().__init__()
        self.head = torch.nn.Parameter(weight.detach().clone(), requires_grad=False)

    def forward(self, feed: torch.Tensor) -> torch.Tensor:
        weight = self.head.to(device=feed.device, dtype=feed.dtype)
        return F.conv2d(F.pad(feed, (1, 1, 1, 1), "replicate"), weight)


def head_from_state(state: dict, source: str) -> InpaintHead:
    """The head from its state dict (``{"head": [320, 5, 3, 3]}``); a ValueError naming ``source`` otherwise."""
    weight = state.get("head") if isinstance(state, dict) else None
    if not isinstance(weight, torch.Tensor) or tuple(weight.shape) != HEAD_SHAPE:
        found = tuple(weight.shape) if isinstance(weight, torch.Tensor) else sorted(state)[:5]
        raise ValueError(
            f"{source} is not a Fooocus inpaint head: expected one tensor 'head' of shape {list(HEAD_SHAPE)}, "
            f"found {found}"
        )
    return InpaintHead(weight.float())


def check_patch(patch: dict, source: str) -> dict[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """The patch's entries ``key -> (q, w_min, w_max)``; a ValueError naming ``source`` for anything else."""
    if not isinstance(patch, dict) or not patch:
        raise ValueError(f"{source} is not a Fooocus inpaint patch: expected a dict of weight deltas")
    out = {}
    for key, value in patch.items():
        ok = (
            isinstance(key, str)
            and key.startswith(PATCH_PREFIX)
            and isinstance(value, tuple | list)
            and len(value) == 3
            and all(isinstance(v, torch.Tensor) for v in value)
        )
        if not ok:
            raise ValueError(
                f"{source} is not a Fooocus inpaint patch: entry {key!r} is not "
                f"'{PATCH_PREFIX}<layer>' -> (uint8 weights, w_min, w_max)"
            )
        out[key] = (value[0], value[1], value[2])
    return out


def dequantize(q: torch.Tensor, w_min: torch.Tensor, w_max: torch.Tensor, dtype=torch.float32) -> torch.Tensor:
    """A patch entry's weight delta: ``q / 255 · (w_max − w_min) + w_min``, computed in ``dtype``."""
    q, w_min, w_max = q.to(dtype), w_min.to(dtype), w_max.to(dtype)
    return (q / 255.0) * (w_max - w_min) + w_min


def grey_filled(pixels: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``pixels`` [B,H,W,C] with the (rounded) masked pixels set to 0.5: what the head's latent encodes."""
    m = mask.round()[..., None].to(pixels)
    return pixels * (1.0 - m) + 0.5 * m


def latent_mask(mask: torch.Tensor, latent_height: int, latent_width: int) -> torch.Tensor:
    """[B,H,W] pixel mask → [B,1,h,w]: 1 where any pixel of the latent cell is masked."""
    m = F.interpolate(mask[:, None].float(), size=(latent_height * 8, latent_width * 8), mode="bilinear")
    return F.max_pool2d(m.round(), (8, 8)).round()


def head_feed(latent: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The head's 5-channel input: [latent mask, latent] (``latent``: the model's scale, process_latent_in)."""
    masks = latent_mask(mask, latent.shape[2], latent.shape[3]).to(latent)
    if masks.shape[0] != latent.shape[0]:
        masks = masks.expand(latent.shape[0], -1, -1, -1)
    return torch.cat([masks, latent], dim=1)


class HeadFeature:
    """The input-block patch: adds the head's feature to the UNet's features after input block 0.

    The feature is computed once; the sampler may batch cond and uncond (or several images), so it is
    repeated to the features' batch, and cast to their device and dtype once per combination.
    """

    def __init__(self, feature: torch.Tensor):
        self.feature = feature
        self._cast: dict[tuple, torch.Tensor] = {}

    def __call__(self, h: torch.Tensor, transformer_options: dict) -> torch.Tensor:
        if transformer_options.get("block", (None, None))[1] != 0:
            return h
        key = (h.shape, h.device, h.dtype)
        if key not in self._cast:
            repeats = h.shape[0] // self.feature.shape[0]
            if repeats * self.feature.shape[0] != h.shape[0] or self.feature.shape[1:] != h.shape[1:]:
                raise ValueError(
                    f"the Fooocus inpaint head's feature {list(self.feature.shape)} does not fit the UNet's "
                    f"{list(h.shape)}: the latent sampled must be the one the patch was applied with"
                )
            self._cast = {key: self.feature.to(device=h.device, dtype=h.dtype).repeat(repeats, 1, 1, 1)}
        return h + self._cast[key]
