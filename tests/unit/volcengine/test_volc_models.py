"""Request models, quality mapping and the service-wrapper envelopes."""

import json

import pytest

from api_bridge.contracts.volcengine import errors
from api_bridge.contracts.volcengine.models import erase_settings, parse_request

IMG = ["aW1hZ2U=", "bWFzaw=="]


def body(**fields) -> bytes:
    return json.dumps({"req_key": "i2i_inpainting", "binary_data_base64": IMG, **fields}).encode()


def refused(raw: bytes) -> errors.BusinessError:
    with pytest.raises(errors.BusinessError) as info:
        parse_request(raw)
    assert info.value.code == 50400 and info.value.http_status == 400
    return info.value


def test_defaults_of_the_contract():
    req = parse_request(body())
    assert (req.steps, req.strength, req.scale, req.seed, req.dilate_size, req.quality) == (30, 0.8, 7.0, 0, 15, "M")
    assert req.return_url is False and req.watermark is None and not req.from_urls
    assert req.sources == ("aW1hZ2U=", "bWFzaw==")


def test_nulls_mean_default_and_unknown_keys_are_ignored():
    req = parse_request(
        body(steps=None, strength=None, dilate_size=None, quality=None, logo_info=None, return_url=None, extra=1)
    )
    assert (req.steps, req.strength, req.dilate_size, req.quality, req.return_url) == (30, 0.8, 15, "M", False)
    req = parse_request(body(logo_info={"add_logo": True, "position": None, "opacity": None, "whatever": "x"}))
    assert req.watermark is not None and req.watermark.position == 0 and req.watermark.opacity == 0.3


def test_contract_example_body():
    raw = b'{"binary_data_base64":["a","b"],"req_key":"i2i_inpainting","scale":7,"seed":0,"steps":30,"strength":0.8}'
    req = parse_request(raw)
    assert req.sources == ("a", "b")


def test_image_urls_source():
    raw = json.dumps({"req_key": "i2i_inpainting", "image_urls": ["http://x/i.jpg", "http://x/m.png"]}).encode()
    req = parse_request(raw)
    assert req.from_urls and req.sources == ("http://x/i.jpg", "http://x/m.png")


def test_logo_info_fields():
    req = parse_request(body(logo_info={"add_logo": True}))
    assert (req.watermark.language, req.watermark.position, req.watermark.logo_text_content) == (0, 0, None)
    req = parse_request(body(logo_info={"add_logo": True, "language": 1, "position": 3, "opacity": 1}))
    assert (req.watermark.language, req.watermark.position, req.watermark.opacity) == (1, 3, 1.0)
    req = parse_request(body(logo_info={"add_logo": True, "language": 1, "logo_text_content": "Mine"}))
    assert req.watermark.logo_text_content == "Mine"
    assert parse_request(body(logo_info={"add_logo": False})).watermark is None


def test_quality_maps_to_an_erase_engine_and_effort():
    assert parse_request(body(quality="h")).quality == "H"
    high, mid, low = (erase_settings(q) for q in "HML")
    assert high.engine == mid.engine == "auto" and high.crop_margin > mid.crop_margin
    assert low.engine == "telea" and low.strategy == "resize"


@pytest.mark.parametrize(
    "raw, fragment",
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (json.dumps({"binary_data_base64": IMG}).encode(), "req_key"),
        (json.dumps({"req_key": "high_aes", "binary_data_base64": IMG}).encode(), "i2i_inpainting"),
        (json.dumps({"req_key": "i2i_inpainting"}).encode(), "exactly one"),
        (json.dumps({"req_key": "i2i_inpainting", "binary_data_base64": IMG, "image_urls": IMG}).encode(), "one"),
        (json.dumps({"req_key": "i2i_inpainting", "binary_data_base64": ["a"]}).encode(), "two entries"),
        (body(quality="X"), "quality"),
        (body(strength=1.5), "strength"),
        (body(scale=0), "scale"),
        (body(seed=-2), "seed"),
        (body(dilate_size=-1), "dilate_size"),
        (body(logo_info={"add_logo": True, "position": 4}), "logo_info.position"),
        (body(logo_info={"add_logo": True, "opacity": 2}), "logo_info.opacity"),
    ],
)
def test_bad_bodies_are_parameter_errors_naming_the_field(raw, fragment):
    err = refused(raw)
    assert fragment in err.message
    body_ = err.body(request_id="r")
    assert body_["code"] == body_["status"] == 50400 and body_["data"] is None


def test_success_wrapper_exactly_as_documented():
    out = errors.success_body(
        request_id="r1",
        time_elapsed=errors.format_elapsed(3.9405),
        image_base64="QUJD",
        image_url=None,
        data_request_id="d1",
    )
    assert out == {
        "code": 10000,
        "message": "Success",
        "request_id": "r1",
        "status": 10000,
        "time_elapsed": "3.940500000s",
        "data": {
            "algorithm_base_resp": {"status_code": 0, "status_message": "Success"},
            "binary_data_base64": ["QUJD"],
            "image_urls": None,
            "request_id": "d1",
        },
    }
    with_url = errors.success_body(
        request_id="r", time_elapsed="1s", image_base64="QUJD", image_url="http://h/o.jpg", data_request_id="d"
    )
    assert with_url["data"]["image_urls"] == ["http://h/o.jpg"]


def test_business_codes_and_statuses():
    full = errors.queue_full()
    assert (full.code, full.http_status, full.message) == (
        50429,
        429,
        "Request Has Reached API Limit, Please Try Later",
    )
    assert errors.BusinessError(50500).http_status == 500
    assert errors.BusinessError(50430).http_status == 429
    assert errors.BusinessError(50411).http_status == 400


def test_bridge_error_codes_map_to_business_codes():
    assert errors.from_bridge_error("queue_full", "cap reached").code == 50429
    bad = errors.from_bridge_error("invalid_input", "mask is empty")
    assert (bad.code, bad.http_status, bad.message) == (50400, 400, "mask is empty")
    for code in ("execution_failed", "timeout", "unavailable", "graph_invalid", "internal"):
        err = errors.from_bridge_error(code, "boom")
        assert (err.code, err.http_status) == (50500, 500) and "boom" in err.message
