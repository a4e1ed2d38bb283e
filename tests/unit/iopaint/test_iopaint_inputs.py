"""IOPaint's picture rules: the input's format comes back, alpha and PNG text kept; masks for the web UI."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from api_bridge.contracts.iopaint.errors import IOPaintError, error_body
from api_bridge.contracts.iopaint.inputs import (
    OVERLAY,
    Picture,
    encode_result,
    image_format,
    overlay_mask,
    request_bytes,
    result_is_as_stored,
)


def encoded(image: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize(
    "fmt, ext", [("PNG", "png"), ("JPEG", "jpeg"), ("WEBP", "webp"), ("GIF", "gif"), ("BMP", "bmp"), ("TIFF", "tiff")]
)
def test_the_format_is_read_from_the_bytes(fmt, ext):
    assert image_format(encoded(Image.new("RGB", (8, 8)), fmt)) == ext


def test_an_unknown_signature_is_jpeg_as_in_iopaint():
    assert image_format(b"\x00\x01garbage") == "jpeg"


def test_a_png_result_keeps_the_inputs_alpha_and_parameters():
    alpha = Image.fromarray(np.tile(np.arange(16, dtype=np.uint8) * 16, (8, 1)))
    source = Image.new("RGBA", (16, 8), (10, 20, 30, 255))
    source.putalpha(alpha)
    like = Picture(source, "png", {"parameters": "a cat\nNegative prompt: dog"})
    data, media = encode_result(Image.new("RGB", (16, 8), (200, 100, 50)), like)
    out = Image.open(io.BytesIO(data))
    assert media == "image/png" and out.mode == "RGBA" and out.info["parameters"] == "a cat\nNegative prompt: dog"
    assert np.array_equal(np.asarray(out)[..., 3], np.asarray(alpha))
    assert np.asarray(out)[0, 0, :3].tolist() == [200, 100, 50]


def test_jpeg_and_webp_results_are_encoded_at_the_quality():
    like = Picture(Image.new("RGB", (32, 32)), "jpeg")
    noisy = Image.fromarray(np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8))
    high, media = encode_result(noisy, like, quality=95)
    low, _ = encode_result(noisy, like, quality=20)
    assert media == "image/jpeg" and Image.open(io.BytesIO(high)).format == "JPEG" and len(low) < len(high)
    webp, media = encode_result(noisy, Picture(noisy, "webp"))
    assert media == "image/webp" and Image.open(io.BytesIO(webp)).format == "WEBP"


def test_the_overlay_mask_is_the_web_uis_colour_on_transparent():
    mask = np.zeros((10, 12), np.uint8)
    mask[2:5, 3:9] = 255
    mask[8, 0] = 128  # not above 128
    out = np.asarray(Image.open(io.BytesIO(overlay_mask(Image.fromarray(mask)))))
    assert out.shape == (10, 12, 4)
    assert (out[mask > 128] == OVERLAY).all() and (out[mask <= 128] == 0).all()


def test_request_images_accept_iopaints_prefixes_and_refuse_a_missing_one():
    raw = encoded(Image.new("RGB", (4, 4)), "PNG")
    text = base64.b64encode(raw).decode()
    for value in (text, "data:image/png;base64," + text, "data:application/octet-stream;base64," + text):
        assert request_bytes(value, "image") == raw
    with pytest.raises(IOPaintError) as info:
        request_bytes(None, "image")
    assert info.value.status == 400


def test_error_body_is_iopaints():
    assert error_body(422, "Plugin not found") == {
        "error": "HTTPException",
        "detail": "Plugin not found",
        "body": "",
        "errors": "422: Plugin not found",
    }


def test_only_an_opaque_png_with_nothing_to_carry_is_answered_as_stored():
    opaque = Image.new("RGB", (4, 4))
    assert result_is_as_stored(Picture(opaque, "png"))
    assert not result_is_as_stored(Picture(opaque, "jpeg"))
    assert not result_is_as_stored(Picture(Image.new("RGBA", (4, 4)), "png"))
    assert not result_is_as_stored(Picture(opaque, "png", {"parameters": "a cat"}))
    assert not result_is_as_stored(Picture(opaque, "png", {"dpi": (300, 300)}))
