"""Typed task models: discriminated by kind, composed of parts, strict on unknown keys and on scalar types."""

from typing import Literal

import pytest
from pydantic import ValidationError

from api_bridge import tasks
from api_bridge.tasks import ImageRef, TaskBase, image_refs, kinds, parse_task, task_kind
from api_bridge.tasks.erase import EraseTask
from api_bridge.tasks.mask import AdjustMaskTask, GenerateMaskTask, RembgSegmenter, SamSegmenter
from api_bridge.tasks.parts import MaskPicture

REF = {"blob": "in-abcdefgh12.png", "width": 32, "height": 16}


def test_parse_task_picks_the_model_by_kind_and_round_trips():
    erase = parse_task({"kind": "erase", "image": REF, "mask": {"image": REF, "rule": "luminance"}})
    assert isinstance(erase, EraseTask)
    assert erase.mask.rule == "luminance" and erase.erase.engine == "auto" and erase.erase.dilate == 15
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
        # bool/number/string mix-ups are refused, not coerced
        {"kind": "erase", "image": REF, "mask": {"image": REF}, "watermark": {"opacity": False}},
        {"kind": "erase", "image": REF, "mask": {"image": REF, "invert": 1}},
        {"kind": "erase", "image": REF, "mask": {"image": REF}, "erase": {"dilate": "15"}},
        {"kind": "erase", "image": REF, "mask": {"image": REF}, "erase": {"dilate": 15.0}},
        {"kind": "erase", "image": REF, "mask": {"image": REF}, "seed": True},
        {"kind": "generate_mask", "image": REF, "segmenter": {"method": "sam", "points": [[1, 2, True]]}},
        {"kind": "generate_mask", "image": REF, "segmenter": {"method": "sam", "points": [["1", 2, 1]]}},
        {"kind": "generate_mask", "image": REF, "segmenter": {"method": "sam", "multimask": "most"}},
        {"kind": "generate_mask", "image": REF, "segmenter": {"method": "rembg", "cloth_category": "hat"}},
        {"kind": "erase", "image": {**REF, "width": "32"}, "mask": {"image": REF}},
    ],
)
def test_invalid_tasks_are_refused(bad):
    with pytest.raises(ValidationError):
        parse_task(bad)


def test_points_from_json_lists_are_read_as_tuples():
    segmenter = {"method": "sam", "points": [[10, 12.5, 1]], "boxes": []}
    t = parse_task({"kind": "generate_mask", "image": REF, "segmenter": segmenter})
    assert t.segmenter.points == [(10.0, 12.5, 1)]


def test_engine_model_needs_a_model_name():
    base = {"kind": "erase", "image": REF, "mask": {"image": REF}}
    with pytest.raises(ValidationError, match="needs model_name"):
        parse_task({**base, "erase": {"engine": "model"}})
    with pytest.raises(ValidationError, match="needs model_name"):
        parse_task({**base, "erase": {"engine": "model", "model_name": ""}})
    assert parse_task({**base, "erase": {"engine": "model", "model_name": "big-lama.pt"}}).erase.model_name


def test_parts_are_immutable():
    pic = MaskPicture(image=ImageRef(**REF))
    with pytest.raises(ValidationError):
        pic.rule = "alpha"


def test_image_refs_names_every_image_with_its_field_path():
    task = parse_task({"kind": "erase", "image": REF, "mask": {"image": {**REF, "blob": "in-maskmask01.png"}}})
    assert [(path, ref.blob) for path, ref in image_refs(task)] == [
        ("image", "in-abcdefgh12.png"),
        ("mask.image", "in-maskmask01.png"),
    ]


@pytest.fixture
def extra_kind():
    """A kind registered from outside the package (as a new module would), removed afterwards."""

    @task_kind
    class StampTask(TaskBase):
        kind: Literal["test_stamp"] = "test_stamp"
        image: ImageRef

    yield StampTask
    tasks._KINDS.pop("test_stamp")


def test_a_new_kind_registers_itself_without_editing_the_core(extra_kind):
    assert "test_stamp" in kinds()
    parsed = parse_task({"kind": "test_stamp", "image": REF})
    assert isinstance(parsed, extra_kind) and parsed.image.width == 32
    assert isinstance(parse_task({"kind": "erase", "image": REF, "mask": {"image": REF}}), EraseTask)


def test_a_kind_cannot_be_registered_twice(extra_kind):
    with pytest.raises(ValueError, match="registered twice"):

        @task_kind
        class Again(TaskBase):
            kind: Literal["test_stamp"] = "test_stamp"


def test_a_text_prompt_replaces_the_boxes_of_a_sam_segmenter():
    SamSegmenter(detect={"model_name": "d", "prompt": "a cat."}, points=[(1.0, 2.0, 1)])
    with pytest.raises(ValidationError, match="boxes or a text prompt"):
        SamSegmenter(detect={"model_name": "d", "prompt": "a cat."}, boxes=[(0.0, 0.0, 4.0, 4.0)])
