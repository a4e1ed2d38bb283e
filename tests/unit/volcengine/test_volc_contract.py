"""The Volcengine request as the bridge's erase task, and that task's graph (against the captured object_info)."""

import json
import pathlib

import pytest

from api_bridge.contracts.volcengine.contract import erase_task, parse_credentials
from api_bridge.contracts.volcengine.models import erase_settings, parse_request
from api_bridge.contracts.volcengine.service import EraseJob
from api_bridge.recipes import build_graph

OBJECT_INFO = json.loads((pathlib.Path(__file__).parents[1] / "data" / "object_info.json").read_text())


def job(**fields) -> EraseJob:
    body = {"req_key": "i2i_inpainting", "binary_data_base64": ["a", "b"], **fields}
    request = parse_request(json.dumps(body).encode())
    return EraseJob("r", request, None, None, erase_settings(request.quality))


def nodes(task) -> dict:
    return {n["class_type"]: n["inputs"] for n in build_graph(task, OBJECT_INFO).values()}


def test_defaults_map_to_mask_rule_dilate_and_exemplar():
    task = erase_task(job(), "t1")
    assert (task.image, task.mask.image) == ("ib_t1_image.png", "ib_t1_mask.png")
    assert (task.mask.rule, task.mask.threshold, task.mask.invert) == ("rgb_mean", 127, False)
    o = task.options
    assert (o.engine, o.strategy, o.dilate, o.feather, o.candidates, o.seed) == ("exemplar", "crop", 15, 4, 1, 0)
    graph = nodes(task)
    assert "IB_TextWatermark" not in graph
    assert graph["IB_Erase"]["engine"] == "exemplar" and graph["IB_Erase"]["dilate"] == 15
    assert graph["IB_MaskFromImage"]["rule"] == "rgb_mean"


@pytest.mark.parametrize("quality, engine, strategy", [("H", "exemplar", "crop"), ("L", "telea", "resize")])
def test_quality(quality, engine, strategy):
    graph = nodes(erase_task(job(quality=quality), "t"))
    assert (graph["IB_Erase"]["engine"], graph["IB_Erase"]["strategy"]) == (engine, strategy)


def test_small_dilate_keeps_the_feather_inside_it():
    o = erase_task(job(dilate_size=2), "t").options
    assert (o.dilate, o.feather) == (2, 2)


def test_logo_info_adds_the_watermark_node_before_saving():
    task = erase_task(job(logo_info={"add_logo": True, "position": 1, "language": 1, "opacity": 0.7}), "t")
    graph = build_graph(task, OBJECT_INFO)
    by_type = {n["class_type"]: (k, n["inputs"]) for k, n in graph.items()}
    mark_id, mark = by_type["IB_TextWatermark"]
    assert (mark["position"], mark["language"], mark["opacity"], mark["text"]) == ("bottom-left", "en", 0.7, "")
    assert by_type["SaveImage"][1]["images"] == [mark_id, 0]
    custom = erase_task(job(logo_info={"add_logo": True, "logo_text_content": "水印"}), "t")
    assert nodes(custom)["IB_TextWatermark"]["text"] == "水印"


def test_random_seed_when_minus_one():
    seeds = {erase_task(job(seed=-1), "t").options.seed for _ in range(5)}
    assert len(seeds) > 1 and all(s >= 0 for s in seeds)


def test_credentials_formats():
    assert parse_credentials("") == {}
    assert parse_credentials('{"AK1": "SK1"}') == {"AK1": "SK1"}
    assert parse_credentials("AK1:SK1, AK2:S:K2") == {"AK1": "SK1", "AK2": "S:K2"}
    with pytest.raises(ValueError, match="AK:SK"):
        parse_credentials("justakey")
