"""The segment-anything (.pth) backend on a random-weight vit_b built with the real architecture."""

import json

import numpy as np
import pytest
import torch

from support.model_folders import extra_model_folder


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory, comfy_nodes):
    from support.tiny_models import build_sam_vit_b

    folder = tmp_path_factory.mktemp("sams")
    build_sam_vit_b(folder / "sam_vit_b_random.pth")
    with extra_model_folder("sams", folder):
        yield folder / "sam_vit_b_random.pth"


def test_checkpoint_loads_runs_and_gives_three_candidates(pack_module, checkpoint):
    sam = pack_module("mask_generate")
    assert "sam_vit_b_random.pth" in sam.sam_choices()
    (handle,) = sam.SAMLoader.execute(model_name="sam_vit_b_random.pth").args
    assert handle.kind == "segment-anything"
    key, held = handle.load()
    backend = held.model
    assert backend.variant == "vit_b"
    pixels = (np.random.default_rng(0).random((48, 64, 3)) * 255).astype(np.uint8)
    emb = backend.embed(pixels)
    coords = np.array([[[10.0, 12.0], [100.0, 120.0], [400.0, 300.0]]], np.float32)  # a point + box corners
    labels = np.array([[1.0, 2.0, 3.0]], np.float32)
    masks, scores = backend.decode(emb, coords, labels, multimask=True)
    assert masks.shape == (3, 48, 64) and masks.dtype == bool and scores.shape == (3,)
    image = torch.from_numpy(pixels).float().div(255)[None]
    out = sam.SAMSegment.execute(sam_model=handle, image=image, points="[[5, 5, 1]]", multimask="all").args
    assert out[0].shape == (1, 48, 64) and len(json.loads(out[2])[0]) <= 3


def test_variant_detection_and_non_sam_files(pack_module):
    import importlib

    package = pack_module("mask_generate").__name__.rsplit(".", 1)[0]
    backends = importlib.import_module(f"{package}.common.sam_backends")
    for width, name in ((768, "vit_b"), (1024, "vit_l"), (1280, "vit_h")):
        assert backends.detect_sam_variant({"image_encoder.pos_embed": torch.zeros(1, 64, 64, width)}) == name
    with pytest.raises(ValueError, match="not a Segment-Anything checkpoint"):
        backends.detect_sam_variant({"foo": torch.zeros(1)})
    with pytest.raises(ValueError, match="unsupported SAM encoder width 512"):
        backends.detect_sam_variant({"image_encoder.pos_embed": torch.zeros(1, 64, 64, 512)})


def test_corrupt_checkpoint_is_named(pack_module, checkpoint):
    sam = pack_module("mask_generate")
    corrupt = checkpoint.with_name("sam_vit_l_corrupt.pth")
    corrupt.write_bytes(b"\x00" * 128)
    handle = sam.sam_handle("sam_vit_l_corrupt.pth")
    with pytest.raises(ValueError, match="could not load SAM model 'sam_vit_l_corrupt.pth' from .*corrupt.pth"):
        handle.load()


def test_sam_hq_checkpoint_runs_its_shared_sam_weights(pack_module, checkpoint):
    sam = pack_module("mask_generate")
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    state["mask_decoder.hf_token.weight"] = torch.zeros(1, 256)  # SAM-HQ's extra decoder parts
    state["mask_decoder.hf_mlp.layers.0.weight"] = torch.zeros(256, 256)
    hq = checkpoint.with_name("sam_hq_vit_b_random.pth")
    torch.save(state, hq)
    assert sam.sam_handle(hq.name).load()[1].model.variant == "vit_b"
    image = torch.from_numpy((np.random.default_rng(1).random((32, 40, 3)) * 255).astype(np.uint8)).float() / 255
    out = sam.SAMSegment.execute(sam_model=sam.sam_handle(hq.name), image=image[None], points="[[5, 5, 1]]").args
    assert out[0].shape == (1, 32, 40)
