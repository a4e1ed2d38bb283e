"""Small random-weight models of the real architectures, saved in the real file formats.

No GroundingDINO or SAM checkpoint exists on the registries this project can reach,
so tests build tiny ones and run the real loading and inference code on them.
"""

import pathlib

WORDS = ["cat", "dog", "hat", "red", "a", "the", "person", "car", "cup", "tree", "sky", "flag"]


def build_grounding_dino(folder: pathlib.Path, seed: int = 0) -> pathlib.Path:
    """A tiny GroundingDINO (Swin + BERT) in Hugging Face format, with a small WordPiece vocab."""
    import torch
    from transformers import (
        BertConfig,
        BertTokenizerFast,
        GroundingDinoConfig,
        GroundingDinoForObjectDetection,
        GroundingDinoImageProcessor,
        GroundingDinoProcessor,
        SwinConfig,
    )

    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", *WORDS]) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True)
    config = GroundingDinoConfig(
        backbone_config=SwinConfig(
            embed_dim=16, depths=[1, 1, 1, 1], num_heads=[1, 1, 1, 1], out_features=["stage2", "stage3", "stage4"]
        ),
        text_config=BertConfig(
            vocab_size=len(tokenizer),
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=64,
        ),
        d_model=32,
        encoder_layers=1,
        decoder_layers=2,  # transformers ties bbox heads across layers: needs two
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_n_points=2,
        decoder_n_points=2,
        num_queries=20,
    )
    torch.manual_seed(seed)
    model = GroundingDinoForObjectDetection(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    image_processor = GroundingDinoImageProcessor(size={"shortest_edge": 160, "longest_edge": 224})
    GroundingDinoProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    return folder


def build_sam_vit_b(path: pathlib.Path, seed: int = 0) -> pathlib.Path:
    """A random-weight SAM vit_b checkpoint (the real architecture; ~375 MB) as a .pth state dict."""
    import torch
    from segment_anything import sam_model_registry

    torch.manual_seed(seed)
    model = sam_model_registry["vit_b"]()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    return path


def build_lama(folder: pathlib.Path, seed: int = 0, formats=("safetensors", "pth", "torchscript")) -> dict:
    """A random-weight LaMa (spandrel's architecture, big-lama layout) in .safetensors, .pth and TorchScript .pt
    (IOPaint's big-lama.pt format), or the ``formats`` asked for."""
    import torch
    from safetensors.torch import save_file
    from spandrel.architectures.LaMa import LaMa

    torch.manual_seed(seed)
    model = LaMa(in_nc=4, out_nc=3).eval()
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    names = {"safetensors": "lama_random.safetensors", "pth": "lama_random.pth", "torchscript": "lama_random_ts.pt"}
    paths = {fmt: folder / names[fmt] for fmt in formats}
    if "safetensors" in paths:
        save_file(state, str(paths["safetensors"]))
    if "pth" in paths:
        torch.save(state, paths["pth"])
    if "torchscript" in paths:
        example = (torch.rand(1, 3, 64, 64), (torch.rand(1, 1, 64, 64) > 0.5).float())
        with torch.no_grad():
            torch.jit.trace(model, example, check_trace=False).save(str(paths["torchscript"]))
    return paths


def build_mat(path: pathlib.Path, seed: int = 0) -> pathlib.Path:
    """A random-weight MAT (spandrel's extra architecture, the published layout) as .safetensors."""
    import torch
    from safetensors.torch import save_file
    from spandrel_extra_arches.architectures.MAT import MAT

    torch.manual_seed(seed)
    state = {k: v.contiguous() for k, v in MAT().state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path))
    return path


def build_migan(folder: pathlib.Path, seed: int = 0) -> dict[str, pathlib.Path]:
    """A random-weight MI-GAN at 256 px (our module, the official key layout) as .pt and .safetensors state
    dicts and as a traced TorchScript taking one 4-channel input, like IOPaint's ``migan_traced.pt``."""
    import torch
    from safetensors.torch import save_file

    from inpaint_bridge.nodes.common.migan_arch import MIGAN

    torch.manual_seed(seed)
    model = MIGAN(256).eval()
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    paths = {
        "pt": folder / "migan_256_random.pt",
        "safetensors": folder / "migan_256_random.safetensors",
        "torchscript": folder / "migan_256_traced.pt",
    }
    torch.save(state, paths["pt"])
    save_file(state, str(paths["safetensors"]))
    with torch.no_grad():
        torch.jit.trace(model, torch.rand(1, 4, 256, 256) - 0.5, check_trace=False).save(str(paths["torchscript"]))
    return paths
