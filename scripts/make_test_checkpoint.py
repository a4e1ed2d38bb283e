"""Write a reduced, deterministic SD1.5-shaped checkpoint that ComfyUI's own loader detects as SD15.

    python scripts/make_test_checkpoint.py OUT.safetensors [--inpaint] [--vae taesd|kl] [--seed N]

No diffusion checkpoint can be downloaded here, so tests build this one (random
weights, torch + safetensors only) and run the real CheckpointLoaderSimple → text
encode → inpaint conditioning → KSampler → VAEDecode path on it. The output is noise;
geometry (sizes, unmasked pixels, seeds) is what it tests.

Layout: the original LDM keys (``model.diffusion_model.*``, ``first_stage_model.*``,
``cond_stage_model.transformer.text_model.*``).

- UNet: only it can shrink. ComfyUI's detection reads the shape from the weights but
  needs model_channels 320, context_dim 768 (one SpatialTransformer in an input block)
  and a convolutional proj_in. Smallest match: conv_in, one ResBlock + depth-1
  transformer in ``input_blocks.1``, no middle block, two output ResBlocks, ``out``
  (13.6M parameters). ``--inpaint`` makes conv_in take 9 channels (latent + mask +
  masked-image latent): detected as an inpainting model.
- Text encoder: CLIP-L, complete (12 layers × 768): a missing layer is not
  re-initialised by the loader and would return NaN; the text projection (pooled
  output) is the identity.
- VAE: ``taesd`` (2.45M parameters; ComfyUI builds a TAESD when it finds
  ``taesd_encoder.*`` / ``taesd_decoder.*``) or the full ``kl`` VAE (83.7M).

Weights are drawn from one seeded generator in a fixed key order (fan-in-scaled normal,
norms 1/0, biases 0) and stored in fp16: the same seed gives the same file.
"""

import argparse
import pathlib

import torch
from safetensors.torch import save_file

Shapes = dict[str, tuple[int, ...]]

UNET = "model.diffusion_model."
CLIP = "cond_stage_model.transformer.text_model."
# Not read by SD1.5 conditioning, but left out ComfyUI keeps it uninitialised: identity, as the pooled output's.
TEXT_PROJECTION = "cond_stage_model.transformer.text_projection.weight"
VAE = "first_stage_model."
MODEL_CHANNELS = 320
TIME_EMBED = 4 * MODEL_CHANNELS
CONTEXT = 768
LATENT = 4


def _norm(prefix: str, channels: int) -> Shapes:
    return {f"{prefix}.weight": (channels,), f"{prefix}.bias": (channels,)}


def _conv(prefix: str, c_out: int, c_in: int, k: int = 3, bias: bool = True) -> Shapes:
    out = {f"{prefix}.weight": (c_out, c_in, k, k)}
    if bias:
        out[f"{prefix}.bias"] = (c_out,)
    return out


def _linear(prefix: str, c_out: int, c_in: int, bias: bool = True) -> Shapes:
    out = {f"{prefix}.weight": (c_out, c_in)}
    if bias:
        out[f"{prefix}.bias"] = (c_out,)
    return out


def _unet_resblock(prefix: str, c_in: int, c_out: int) -> Shapes:
    out = {
        **_norm(f"{prefix}.in_layers.0", c_in),
        **_conv(f"{prefix}.in_layers.2", c_out, c_in),
        **_linear(f"{prefix}.emb_layers.1", c_out, TIME_EMBED),
        **_norm(f"{prefix}.out_layers.0", c_out),
        **_conv(f"{prefix}.out_layers.3", c_out, c_out),
    }
    if c_in != c_out:
        out.update(_conv(f"{prefix}.skip_connection", c_out, c_in, 1))
    return out


def _spatial_transformer(prefix: str, c: int) -> Shapes:
    block = f"{prefix}.transformer_blocks.0"
    return {
        **_norm(f"{prefix}.norm", c),
        **_conv(f"{prefix}.proj_in", c, c, 1),
        **_linear(f"{block}.attn1.to_q", c, c, bias=False),
        **_linear(f"{block}.attn1.to_k", c, c, bias=False),
        **_linear(f"{block}.attn1.to_v", c, c, bias=False),
        **_linear(f"{block}.attn1.to_out.0", c, c),
        **_linear(f"{block}.ff.net.0.proj", 8 * c, c),  # GEGLU: two halves of 4c
        **_linear(f"{block}.ff.net.2", c, 4 * c),
        **_linear(f"{block}.attn2.to_q", c, c, bias=False),
        **_linear(f"{block}.attn2.to_k", c, CONTEXT, bias=False),
        **_linear(f"{block}.attn2.to_v", c, CONTEXT, bias=False),
        **_linear(f"{block}.attn2.to_out.0", c, c),
        **_norm(f"{block}.norm1", c),
        **_norm(f"{block}.norm2", c),
        **_norm(f"{block}.norm3", c),
        **_conv(f"{prefix}.proj_out", c, c, 1),
    }


def unet_shapes(inpaint: bool) -> Shapes:
    c = MODEL_CHANNELS
    return {
        **_linear("time_embed.0", TIME_EMBED, c),
        **_linear("time_embed.2", TIME_EMBED, TIME_EMBED),
        **_conv("input_blocks.0.0", c, 9 if inpaint else LATENT),
        **_unet_resblock("input_blocks.1.0", c, c),
        **_spatial_transformer("input_blocks.1.1", c),
        # Skip connections double the input of each output block: h (320) + input block (320).
        **_unet_resblock("output_blocks.0.0", 2 * c, c),
        **_unet_resblock("output_blocks.1.0", 2 * c, c),
        **_norm("out.0", c),
        **_conv("out.2", LATENT, c),
    }


def clip_shapes() -> Shapes:
    width, layers = 768, 12
    out: Shapes = {
        "embeddings.token_embedding.weight": (49408, width),
        "embeddings.position_embedding.weight": (77, width),
    }
    for i in range(layers):
        layer = f"encoder.layers.{i}"
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            out.update(_linear(f"{layer}.self_attn.{proj}", width, width))
        out.update(_norm(f"{layer}.layer_norm1", width))
        out.update(_linear(f"{layer}.mlp.fc1", 4 * width, width))
        out.update(_linear(f"{layer}.mlp.fc2", width, 4 * width))
        out.update(_norm(f"{layer}.layer_norm2", width))
    out.update(_norm("final_layer_norm", width))
    return out


def _taesd_block(prefix: str, c: int = 64) -> Shapes:
    return {**_conv(f"{prefix}.conv.0", c, c), **_conv(f"{prefix}.conv.2", c, c), **_conv(f"{prefix}.conv.4", c, c)}


def taesd_shapes() -> Shapes:
    c = 64
    out: Shapes = {}
    # Encoder (a Sequential): conv, block, then three times (strided conv without bias, three blocks), conv.
    enc = "taesd_encoder"
    out.update(_conv(f"{enc}.0", c, 3))
    out.update(_taesd_block(f"{enc}.1"))
    for stage in range(3):
        base = 2 + 4 * stage
        out.update(_conv(f"{enc}.{base}", c, c, bias=False))
        for j in range(1, 4):
            out.update(_taesd_block(f"{enc}.{base + j}"))
    out.update(_conv(f"{enc}.14", LATENT, c))
    # Decoder: clamp, conv, relu, then three times (three blocks, upsample, conv without bias), block, conv.
    dec = "taesd_decoder"
    out.update(_conv(f"{dec}.1", c, LATENT))
    for stage in range(3):
        base = 3 + 5 * stage
        for j in range(3):
            out.update(_taesd_block(f"{dec}.{base + j}"))
        out.update(_conv(f"{dec}.{base + 4}", c, c, bias=False))
    out.update(_taesd_block(f"{dec}.18"))
    out.update(_conv(f"{dec}.19", 3, c))
    out["vae_scale"] = ()
    out["vae_shift"] = ()
    return out


def _kl_resblock(prefix: str, c_in: int, c_out: int) -> Shapes:
    out = {
        **_norm(f"{prefix}.norm1", c_in),
        **_conv(f"{prefix}.conv1", c_out, c_in),
        **_norm(f"{prefix}.norm2", c_out),
        **_conv(f"{prefix}.conv2", c_out, c_out),
    }
    if c_in != c_out:
        out.update(_conv(f"{prefix}.nin_shortcut", c_out, c_in, 1))
    return out


def _kl_mid(prefix: str, c: int) -> Shapes:
    out = {**_kl_resblock(f"{prefix}.block_1", c, c), **_norm(f"{prefix}.attn_1.norm", c)}
    for name in ("q", "k", "v", "proj_out"):
        out.update(_conv(f"{prefix}.attn_1.{name}", c, c, 1))
    out.update(_kl_resblock(f"{prefix}.block_2", c, c))
    return out


def kl_shapes() -> Shapes:
    ch, mult = 128, (1, 2, 4, 4)  # ComfyUI's fixed SD VAE configuration
    out: Shapes = _conv("encoder.conv_in", ch, 3)
    c_in = ch
    for level, m in enumerate(mult):
        c_out = ch * m
        for j in range(2):
            out.update(_kl_resblock(f"encoder.down.{level}.block.{j}", c_in if j == 0 else c_out, c_out))
        if level < len(mult) - 1:
            out.update(_conv(f"encoder.down.{level}.downsample.conv", c_out, c_out))
        c_in = c_out
    out.update(_kl_mid("encoder.mid", c_in))
    out.update(_norm("encoder.norm_out", c_in))
    out.update(_conv("encoder.conv_out", 2 * LATENT, c_in))
    out.update(_conv("quant_conv", 2 * LATENT, 2 * LATENT, 1))
    out.update(_conv("post_quant_conv", LATENT, LATENT, 1))
    c_in = ch * mult[-1]
    out.update(_conv("decoder.conv_in", c_in, LATENT))
    out.update(_kl_mid("decoder.mid", c_in))
    for level in reversed(range(len(mult))):
        c_out = ch * mult[level]
        for j in range(3):
            out.update(_kl_resblock(f"decoder.up.{level}.block.{j}", c_in if j == 0 else c_out, c_out))
        if level > 0:
            out.update(_conv(f"decoder.up.{level}.upsample.conv", c_out, c_out))
        c_in = c_out
    out.update(_norm("decoder.norm_out", c_in))
    out.update(_conv("decoder.conv_out", 3, c_in))
    return out


def checkpoint_shapes(inpaint: bool = False, vae: str = "taesd") -> Shapes:
    if vae not in ("taesd", "kl"):
        raise ValueError(f"vae must be 'taesd' or 'kl', got {vae!r}")
    vae_part = taesd_shapes() if vae == "taesd" else kl_shapes()
    return {
        **{UNET + k: v for k, v in unet_shapes(inpaint).items()},
        **{CLIP + k: v for k, v in clip_shapes().items()},
        TEXT_PROJECTION: (768, 768),
        **{VAE + k: v for k, v in vae_part.items()},
    }


def _value(name: str, shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    leaf = name.rsplit(".", 1)[-1]
    if name.endswith("vae_scale"):
        return torch.ones(())
    if name == TEXT_PROJECTION:
        return torch.eye(shape[0])
    if name.endswith("vae_shift") or leaf == "bias":
        return torch.zeros(shape)
    if len(shape) == 1:  # GroupNorm / LayerNorm scale
        return torch.ones(shape)
    if "embedding" in name:
        return torch.randn(shape, generator=generator) * 0.02
    fan_in = 1
    for s in shape[1:]:
        fan_in *= s
    return torch.randn(shape, generator=generator) * (1.0 / fan_in) ** 0.5


def build_state_dict(inpaint: bool = False, vae: str = "taesd", seed: int = 0) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(int(seed))
    shapes = checkpoint_shapes(inpaint, vae)
    return {name: _value(name, shape, generator).to(torch.float16).contiguous() for name, shape in shapes.items()}


def write_checkpoint(path, inpaint: bool = False, vae: str = "taesd", seed: int = 0) -> pathlib.Path:
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = build_state_dict(inpaint, vae, seed)
    # One metadata key only: safetensors writes several in a random order, and the file must be reproducible.
    save_file(state, str(path), metadata={"format": "pt"})
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="where to write the .safetensors file")
    parser.add_argument("--inpaint", action="store_true", help="9-channel UNet input (an inpainting model)")
    parser.add_argument("--vae", choices=("taesd", "kl"), default="taesd", help="VAE inside the checkpoint")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    args = parser.parse_args(argv)
    path = write_checkpoint(args.out, args.inpaint, args.vae, args.seed)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
