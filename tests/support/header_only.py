"""Safetensors files that hold only a header: the tensor names and shapes of a real layout, no data.

Enough for everything that reads the header alone (the model listing's family detection), at a few
kilobytes instead of gigabytes. Loaders that read tensors would fail on them, as they should.
"""

import json
import math
import pathlib
import struct

SD15_INPAINTING = {
    "model.diffusion_model.input_blocks.0.0.weight": [320, 9, 3, 3],
    "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": [320, 768],
    "first_stage_model.decoder.conv_in.weight": [512, 4, 3, 3],
    "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight": [49408, 768],
}
SD15 = {**SD15_INPAINTING, "model.diffusion_model.input_blocks.0.0.weight": [320, 4, 3, 3]}
SDXL = {
    "model.diffusion_model.input_blocks.0.0.weight": [320, 4, 3, 3],
    "model.diffusion_model.label_emb.0.0.weight": [1280, 2816],
    "model.diffusion_model.input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight": [640, 2048],
    "conditioner.embedders.1.model.ln_final.weight": [1280],
}
SDXL_INPAINTING = {**SDXL, "model.diffusion_model.input_blocks.0.0.weight": [320, 9, 3, 3]}
SD2 = {**SD15, "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": [320, 1024]}
SDXL_DIFFUSERS_INPAINTING_UNET = {
    "conv_in.weight": [320, 9, 3, 3],
    "add_embedding.linear_1.weight": [1280, 2816],
    "down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight": [640, 2048],
}
FLUX_LIKE = {"img_in.weight": [3072, 64], "double_blocks.0.img_attn.qkv.weight": [9216, 3072]}


def write_header_only(path: pathlib.Path, shapes: dict[str, list[int]], dtype: str = "F16") -> pathlib.Path:
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape in shapes.items():
        size = math.prod(shape) * 2
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw)
    return path
