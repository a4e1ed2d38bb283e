"""Typed task models: discriminated by kind, composed of parts, strict on unknown keys."""

import pytest
from pydantic import ValidationError

from api_bridge.tasks import (
    AdjustMaskTask,
    EraseTask,
    GenerateMaskTask,
    ImageRef,
    MaskPicture,
    RembgSegmenter,
    SamSegmenter,
    parse_task,
)

REF = {"blob": "abcdefgh12.png", "width": 32, "height": 16}


def test_parse_task_picks_the_model_by_kind_and_round_trips():
    erase = parse_task({"kind": "erase", "image": REF, "mask": {"image": REF, "rule": "luminance"}})
    assert isinstance(erase, EraseTask)
    assert erase.mask.rule == "luminance" and erase.erase.engine == "exemplar" and erase.erase.dilate == 15
    assert parse_task(erase.model_dump(mode="json")) == erase
    mask = parse_task({"kind": "adjust_mask", "mask": {"image": REF}, "adjust": {"grow": -3}})
    assert isinstance(mask, AdjustMaskTask) and mask.adjust.grow == -3


def test_generate_mask_segmenter_is_discriminated_by_method():
    t = parse_task({"kind": "generate_mask", "image": REF, "segmenter": {"method": "rembg", "model_name": "u2net"}})
    assert isinstance(t, GenerateMaskTask) and isinstance(t.segmenter, RembgSegmenter)
    assert isinstance(GenerateMaskTask(image=ImageRef(**REF)).segmenter, SamSegmenter)


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "paint", "image": REF},
        {"kind": "erase", "image": REF},  # mask missing
        {"kind": "erase", "image": REF, "mask": {"image": REF, "rule": "magic"}},
        {"kind": "erase", "image": REF, "mask": {"image": REF}, "surprise": 1},
        {"kind": "adjust_mask", "mask": {"image": REF, "threshold": 300}},
        {"kind": "adjust_mask", "mask": {"image": {**REF, "width": 0}}},
    ],
)
def test_invalid_tasks_are_refused(bad):
    with pytest.raises(ValidationError):
        parse_task(bad)


def test_parts_are_immutable():
    pic = MaskPicture(image=ImageRef(**REF))
    with pytest.raises(ValidationError):
        pic.rule = "alpha"
