"""What kind of model a file is, from its tensor names and shapes alone (see ``weight_headers``).

- ``diffusion_family``: a diffusion UNet's family (``sd15`` / ``sdxl`` / ``other``) and whether it is
  an inpainting variant (9 input channels: latent + mask + masked-image latent), for single-file
  checkpoints (``model.diffusion_model.*``), bare LDM UNets and diffusers UNets alike;
- ``inpaint_folder_kind``: what a file in ``models/inpaint`` is: an erase model (LaMa, MAT, MI-GAN,
  by the layers only each has) or a Fooocus inpaint head / patch.
"""

import re
from collections.abc import Iterable

_LDM_PREFIXES = ("model.diffusion_model.", "")
_LDM_CONTEXT = re.compile(r"(?:input|output)_blocks\.\d+\.1\.transformer_blocks\.0\.attn2\.to_k\.weight$")
_DIFFUSERS_CONTEXT = re.compile(
    r"(?:down|up)_blocks\.\d+\.attentions\.\d+\.transformer_blocks\.0\.attn2\.to_k\.weight$"
)


def _family(context_dim: int | None, adm_channels: int | None) -> str:
    if context_dim == 768 and adm_channels is None:
        return "sd15"
    if context_dim == 2048 and adm_channels == 2816:
        return "sdxl"
    return "other"  # SD2 (1024), the SDXL refiner (1280 / 2560), anything else


def _context_dim(shapes: dict[str, list[int]], prefix: str, pattern: re.Pattern) -> int | None:
    for name, shape in shapes.items():
        if name.startswith(prefix) and pattern.search(name[len(prefix) :]) and len(shape) == 2:
            return int(shape[1])
    return None


def diffusion_family(shapes: dict[str, list[int]]) -> tuple[str, bool | None]:
    """(family, inpainting) of a UNet's tensors; ("other", None) when no SD-style UNet is recognised."""
    for prefix in _LDM_PREFIXES:
        conv_in = shapes.get(f"{prefix}input_blocks.0.0.weight")
        if conv_in and len(conv_in) == 4:
            adm = shapes.get(f"{prefix}label_emb.0.0.weight")
            family = _family(_context_dim(shapes, prefix, _LDM_CONTEXT), int(adm[1]) if adm else None)
            return family, int(conv_in[1]) == 9
    conv_in = shapes.get("conv_in.weight")
    if conv_in and len(conv_in) == 4:  # diffusers layout
        adm = shapes.get("add_embedding.linear_1.weight")
        family = _family(_context_dim(shapes, "", _DIFFUSERS_CONTEXT), int(adm[1]) if adm else None)
        return family, int(conv_in[1]) == 9
    return "other", None


def inpaint_folder_kind(names: Iterable[str], filename: str = "") -> str | None:
    """``lama`` / ``mat`` / ``migan`` (erase models), ``fooocus_head`` / ``fooocus_patch``, or None."""
    names = set(names)
    if filename.endswith(".fooocus.patch") or any(n.startswith("diffusion_model.") for n in names):
        return "fooocus_patch"
    if any("convl2l" in n or "bn_l.running_mean" in n for n in names):  # LaMa's fast Fourier convolutions
        return "lama"
    if any("first_stage" in n for n in names) and any("resample_filter" in n for n in names):
        return "mat"
    if any("fromrgb" in n for n in names) and any("torgb" in n for n in names):
        return "migan"
    if "head" in names and not any("." in n for n in names):  # one tensor named "head": Fooocus's 5->320 conv
        return "fooocus_head"
    return None


ERASE_ARCHITECTURES = ("lama", "mat", "migan")
