"""The segment-anything (.pth) backend on a random-weight vit_b built with the real architecture.

Embedding an image with vit_b takes ~15–30 s on two cores, so the module embeds two images once (at the same
time, in two threads, through the nodes' embedding cache) and every test decodes from those.
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from support.model_folders import extra_model_folder
from support.placement import assert_placed_by_comfyui

# Two images of different sizes: a decode that used the other one's embedding gives the wrong shape or masks.
IMAGES = [
    (np.random.default_rng(0).random((48, 64, 3)) * 255).astype(np.uint8),
    (np.random.default_rng(2).random((40, 56, 3)) * 255).astype(np.uint8),
]
POINT = [[20, 20, 1]]  # x, y, label: one include point, in both images


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory, comfy_nodes):
    from support.tiny_models import build_sam_vit_b

    folder = tmp_path_factory.mktemp("sams")
    build_sam_vit_b(folder / "sam_vit_b_random.pth")
    with extra_model_folder("sams", folder):
        yield folder / "sam_vit_b_random.pth"


@pytest.fixture(scope="module")
def sam(pack_module):
    return pack_module("mask_generate")


def _common(pack_module, name):
    """A pure helper module of the pack as ComfyUI's loader imported it."""
    import importlib

    package = pack_module("mask_generate").__name__.rsplit(".", 1)[0]
    return importlib.import_module(f"{package}.common.{name}")


@pytest.fixture(scope="module")
def sam_run(pack_module):
    return _common(pack_module, "sam_run")


@pytest.fixture(scope="module")
def decoder_prompt(pack_module):
    """POINT as the decoder gets it for an embedding's image (coords, labels in SAM's 1024 frame)."""
    prompts = _common(pack_module, "sam_prompts")

    def make(embedding):
        (prompt,) = prompts.parse_prompts(json.dumps(POINT), "[]", 1)
        (coords_labels,) = prompts.decoder_prompts(prompt, embedding.height, embedding.width)
        return coords_labels

    return make


@pytest.fixture(scope="module")
def embedded(sam, sam_run, checkpoint):
    """(handle, held model, [embedding per image]): both images embedded at once on the one cached model."""
    (handle,) = sam.SAMLoader.execute(model_name=checkpoint.name).args
    key, held = handle.load()
    with ThreadPoolExecutor(2) as pool:
        embeddings = list(pool.map(lambda pixels: sam_run.image_embedding(held.model, key, pixels), IMAGES))
    return handle, held, embeddings


def _as_image(pixels):
    return torch.from_numpy(pixels).float().div(255)[None]


def test_checkpoint_loads_runs_and_gives_three_candidates(sam, sam_run, decoder_prompt, checkpoint, embedded):
    handle, held, (embedding, _) = embedded
    assert checkpoint.name in sam.sam_choices() and handle.kind == "segment-anything"
    backend = held.model
    assert backend.variant == "vit_b"
    masks, scores = backend.decode(embedding, *decoder_prompt(embedding), multimask=True)
    assert masks.shape == (3, 48, 64) and masks.dtype == bool and scores.shape == (3,)
    areas = masks.reshape(3, -1).sum(1)
    assert (areas > 0).all(), areas
    assert all(not np.array_equal(masks[i], masks[j]) for i, j in ((0, 1), (0, 2), (1, 2)))
    assert len(set(scores.tolist())) == 3 and np.isfinite(scores).all()
    # The node, multimask "all": the same three candidates, from the cached embedding (no second encoder run).
    misses = sam_run.EMBEDDINGS.misses
    out = sam.SAMSegment.execute(
        sam_model=handle, image=_as_image(IMAGES[0]), points=json.dumps(POINT), multimask="all"
    ).args
    assert sam_run.EMBEDDINGS.misses == misses
    assert torch.equal(out[1], torch.from_numpy(masks).float())
    assert json.loads(out[2])[0] == pytest.approx(scores.tolist())
    assert torch.equal(out[0][0], torch.from_numpy(masks.any(0)).float())


def test_two_prompts_decoding_at_once_on_one_model_do_not_mix_their_images(decoder_prompt, embedded):
    _, held, embeddings = embedded
    backend = held.model
    # Embedded at the same time in two threads: each embedding is its own image's.
    assert [(e.height, e.width) for e in embeddings] == [(48, 64), (40, 56)]
    assert not torch.equal(embeddings[0].features, embeddings[1].features)
    prompts = [decoder_prompt(e) for e in embeddings]
    expected = [backend.decode(e, *p, multimask=True) for e, p in zip(embeddings, prompts, strict=True)]
    start = threading.Barrier(2)

    def decode_repeatedly(i):
        start.wait()
        return [backend.decode(embeddings[i], *prompts[i], multimask=True) for _ in range(8)]

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(decode_repeatedly, range(2)))
    for i, runs in enumerate(results):
        for masks, scores in runs:
            assert masks.shape == expected[i][0].shape, f"image {i} decoded with the other image's size"
            # Same image, same embedding: the same masks; scores to float rounding (thread scheduling).
            assert np.array_equal(masks, expected[i][0]) and np.allclose(scores, expected[i][1], rtol=1e-5, atol=1e-6)


def test_model_is_cached_on_the_cpu_and_placed_by_comfyuis_memory_manager(sam, checkpoint, embedded):
    handle, held, _ = embedded
    assert handle.load()[1] is held
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    state_bytes = sum(t.numel() * t.element_size() for t in state.values())
    # The checkpoint's tensors plus SAM's two non-persistent normalisation buffers (3 floats each).
    assert held.memory_bytes() == state_bytes + 2 * 3 * 4

    def run():  # the cached embedding: only the prompt decoder runs
        mask = sam.SAMSegment.execute(sam_model=handle, image=_as_image(IMAGES[1]), points=json.dumps(POINT)).args[0]
        assert mask.shape == (1, 40, 56) and mask.sum() > 0

    assert_placed_by_comfyui(held, run)


def test_variant_detection_and_non_sam_files(pack_module):
    backends = _common(pack_module, "sam_backends")
    for width, name in ((768, "vit_b"), (1024, "vit_l"), (1280, "vit_h")):
        assert backends.detect_sam_variant({"image_encoder.pos_embed": torch.zeros(1, 64, 64, width)}) == name
    with pytest.raises(ValueError, match="not a Segment-Anything checkpoint"):
        backends.detect_sam_variant({"foo": torch.zeros(1)})
    with pytest.raises(ValueError, match="unsupported SAM encoder width 512"):
        backends.detect_sam_variant({"image_encoder.pos_embed": torch.zeros(1, 64, 64, 512)})


def test_corrupt_checkpoint_is_named(sam, checkpoint):
    corrupt = checkpoint.with_name("sam_vit_l_corrupt.pth")
    corrupt.write_bytes(b"\x00" * 128)
    handle = sam.sam_handle("sam_vit_l_corrupt.pth")
    with pytest.raises(ValueError, match="could not load SAM model 'sam_vit_l_corrupt.pth' from .*corrupt.pth"):
        handle.load()


def test_sam_hq_checkpoint_runs_its_shared_sam_weights(sam, decoder_prompt, checkpoint, embedded):
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    state["mask_decoder.hf_token.weight"] = torch.zeros(1, 256)  # SAM-HQ's extra decoder parts
    state["mask_decoder.hf_mlp.layers.0.weight"] = torch.zeros(256, 256)
    hq = checkpoint.with_name("sam_hq_vit_b_random.pth")
    torch.save(state, hq)
    hq_model = sam.sam_handle(hq.name).load()[1].model
    assert hq_model.variant == "vit_b"
    # Its shared weights are the vit_b's: with the vit_b's embedding, its decoder gives the vit_b's masks.
    _, held, (embedding, _) = embedded
    coords, labels = decoder_prompt(embedding)
    hq_masks, hq_scores = hq_model.decode(embedding, coords, labels, multimask=True)
    masks, scores = held.model.decode(embedding, coords, labels, multimask=True)
    assert np.array_equal(hq_masks, masks) and np.array_equal(hq_scores, scores)
