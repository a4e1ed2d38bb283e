"""A textual-inversion embedding for the reduced SD1.5 checkpoint (CLIP-L width 768), for bridge tests."""

import pathlib

EMBEDDING = "ib-test-embedding.safetensors"


def write_embedding(path: pathlib.Path, vectors: int = 2, seed: int = 3) -> pathlib.Path:
    """``emb_params`` [vectors, 768]: the layout ComfyUI's embedding loader reads from a safetensors file."""
    import torch
    from safetensors.torch import save_file

    if path.exists():
        return path
    generator = torch.Generator().manual_seed(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({"emb_params": (torch.randn((vectors, 768), generator=generator) * 0.02).contiguous()}, str(path))
    return path
