"""The smallest SDXL-shaped UNet ComfyUI detects, and Fooocus inpaint head / patch files of the real layout for it.

ComfyUI (0.3.75) matches an SDXL family model by ``model_channels`` 320, a linear ``proj_in``, context 2048,
``adm_in_channels`` 2816 and the input blocks' transformer depths; the smallest such family is Segmind Vega
(depths [0, 0, 1, 1, 2, 2]), a subclass of ComfyUI's SDXL (``model_base.SDXL``: pooled output and size
embeddings). Channel multipliers are not matched, so every level here stays at 320; there is no middle
block and the output blocks have no transformers (both read from the weights): ~75M parameters, the
real SDXL key names (``input_blocks.4.1.transformer_blocks.0...``), built in memory in about a second.

The Fooocus files take that layout: the head ``{"head": [320, 5, 3, 3]}``; the patch
``{"diffusion_model.<key>": (uint8 q, w_min, w_max)}`` for every weight of the UNet (random values, so
applying it changes every layer).
"""

from __future__ import annotations

import pathlib

import torch

from .test_checkpoints import _script

C = 320
CONTEXT = 2048
ADM = 2816  # pooled CLIP-G (1280) + 6 size embeddings of 256
DEPTHS = (0, 0, 1, 1, 2, 2)  # transformer blocks in input blocks 1, 2, 4, 5, 7, 8 (Segmind Vega)


def _transformer(prefix: str, depth: int, c: int = C) -> dict[str, tuple[int, ...]]:
    s = _script()
    out = {
        **s._norm(f"{prefix}.norm", c),
        **s._linear(f"{prefix}.proj_in", c, c),
        **s._linear(f"{prefix}.proj_out", c, c),
    }
    for i in range(depth):
        block = f"{prefix}.transformer_blocks.{i}"
        for attn, kv in (("attn1", c), ("attn2", CONTEXT)):
            out.update(s._linear(f"{block}.{attn}.to_q", c, c, bias=False))
            out.update(s._linear(f"{block}.{attn}.to_k", c, kv, bias=False))
            out.update(s._linear(f"{block}.{attn}.to_v", c, kv, bias=False))
            out.update(s._linear(f"{block}.{attn}.to_out.0", c, c))
        out.update(s._linear(f"{block}.ff.net.0.proj", 8 * c, c))
        out.update(s._linear(f"{block}.ff.net.2", c, 4 * c))
        for n in (1, 2, 3):
            out.update(s._norm(f"{block}.norm{n}", c))
    return out


def unet_shapes() -> dict[str, tuple[int, ...]]:
    s = _script()
    shapes = {
        **s._linear("time_embed.0", 4 * C, C),
        **s._linear("time_embed.2", 4 * C, 4 * C),
        **s._linear("label_emb.0.0", 4 * C, ADM),
        **s._linear("label_emb.0.2", 4 * C, 4 * C),
        **s._conv("input_blocks.0.0", C, 4),
    }
    depths = iter(DEPTHS)
    block = 1
    for level in range(3):
        for _ in range(2):
            shapes.update(s._unet_resblock(f"input_blocks.{block}.0", C, C))
            depth = next(depths)
            if depth:
                shapes.update(_transformer(f"input_blocks.{block}.1", depth))
            block += 1
        if level < 2:
            shapes.update(s._conv(f"input_blocks.{block}.0.op", C, C))
            block += 1
    for i in range(9):  # 3 per level, each taking its skip connection (320 + 320)
        shapes.update(s._unet_resblock(f"output_blocks.{i}.0", 2 * C, C))
        if i in (2, 5):  # the last block of the two lower levels upsamples
            shapes.update(s._conv(f"output_blocks.{i}.1.conv", C, C))
    shapes.update(s._norm("out.0", C))
    shapes.update(s._conv("out.2", 4, C))
    return shapes


def unet_state_dict(seed: int = 0) -> dict[str, torch.Tensor]:
    s = _script()
    generator = torch.Generator().manual_seed(seed)
    return {k: s._value(k, shape, generator) for k, shape in sorted(unet_shapes().items())}


def write_fooocus_files(folder: pathlib.Path, unet: dict[str, torch.Tensor], seed: int = 1, scale: float = 0.05):
    """``fooocus_inpaint_head.pth`` and ``inpaint_v26.fooocus.patch`` for ``unet`` (random, Fooocus's layout)."""
    generator = torch.Generator().manual_seed(seed)
    folder.mkdir(parents=True, exist_ok=True)
    head = folder / "fooocus_inpaint_head.pth"
    torch.save({"head": torch.randn((320, 5, 3, 3), generator=generator) * 0.1}, head)
    patch = {}
    for key, weight in unet.items():
        q = torch.randint(0, 256, weight.shape, generator=generator, dtype=torch.uint8)
        patch[f"diffusion_model.{key}"] = (q, torch.tensor(-scale), torch.tensor(scale))
    path = folder / "inpaint_v26.fooocus.patch"
    torch.save(patch, path)
    return head, path
