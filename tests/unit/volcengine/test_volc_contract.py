"""The Volcengine request as the bridge's erase task, and that task's graph (against the captured object_info)."""

import json

import pytest

from api_bridge.contracts.volcengine.contract import erase_task, parse_credentials
from api_bridge.contracts.volcengine.models import erase_settings, parse_request
from api_bridge.contracts.volcengine.service import EraseJob
from api_bridge.graph.recipes import build_graph
from api_bridge.tasks import ImageRef
from support.bridge import object_info

IMG = ImageRef(blob="inputimage01.png", width=64, height=48)
MASK = ImageRef(blob="inputmask001.png", width=64, height=48)


def job(**fields) -> EraseJob:
    body = {"req_key": "i2i_inpainting", "binary_data_base64": ["a", "b"], **fields}
    request = parse_request(json.dumps(body).encode())
    return EraseJob("r", request, None, None, erase_settings(request.quality))


def nodes(task) -> dict:
    built = build_graph(task.model_copy(update={"seed": task.seed if task.seed >= 0 else 5}), object_info())
    return {n["class_type"]: n["inputs"] for n in built.prompt.values()}


def test_defaults_map_to_mask_rule_dilate_and_exemplar():
    task = erase_task(job(), IMG, MASK)
    assert (task.mask.rule, task.mask.threshold, task.mask.invert) == ("rgb_mean", 127, False)
    assert (task.erase.dilate, task.erase.feather, task.erase.candidates) == (15, 4, 1)
    assert task.watermark is None and task.seed == 0
    graph = nodes(task)
    assert "IB_TextWatermark" not in graph
    assert graph["IB_Erase"]["engine"] == "auto" and graph["IB_Erase"]["dilate"] == 15


@pytest.mark.parametrize("quality, engine, strategy", [("H", "auto", "crop"), ("L", "telea", "resize")])
def test_quality(quality, engine, strategy):
    graph = nodes(erase_task(job(quality=quality), IMG, MASK))
    assert (graph["IB_Erase"]["engine"], graph["IB_Erase"]["strategy"]) == (engine, strategy)


def test_small_dilate_keeps_feather_inside_it():
    task = erase_task(job(dilate_size=2), IMG, MASK)
    assert (task.erase.dilate, task.erase.feather) == (2, 2)


def test_logo_info_adds_the_watermark_node():
    task = erase_task(job(logo_info={"add_logo": True, "position": 1, "language": 1, "opacity": 0.7}), IMG, MASK)
    mark = nodes(task)["IB_TextWatermark"]
    assert (mark["position"], mark["language"], mark["opacity"], mark["text"]) == ("bottom-left", "en", 0.7, "")
    task = erase_task(job(logo_info={"add_logo": True, "logo_text_content": "水印"}), IMG, MASK)
    assert nodes(task)["IB_TextWatermark"]["text"] == "水印"


def test_random_seed_is_left_to_the_task_service():
    assert erase_task(job(seed=-1), IMG, MASK).seed == -1


def test_credentials_formats():
    assert parse_credentials("") == {}
    assert parse_credentials('{"AK1": "SK1"}') == {"AK1": "SK1"}
    assert parse_credentials("AK1:SK1, AK2:S:K2") == {"AK1": "SK1", "AK2": "S:K2"}
    with pytest.raises(ValueError, match="AK:SK"):
        parse_credentials("justakey")
