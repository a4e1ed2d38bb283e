"""Image and mask rules: formats, size limits before decoding, the three mask encodings."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from api_bridge.contracts.volcengine import inputs
from api_bridge.contracts.volcengine.errors import BusinessError


def encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def refused(fn, *args) -> str:
    with pytest.raises(BusinessError) as info:
        fn(*args)
    assert info.value.code == 50400 and info.value.http_status == 400
    return info.value.message


IMAGE = inputs.check_image(encode(Image.new("RGB", (96, 80), (10, 20, 30)), "JPEG"))
GREY = np.zeros((80, 96), np.uint8)
GREY[20:40, 30:60] = 255


def test_image_header_is_read():
    assert (IMAGE.format, IMAGE.width, IMAGE.height) == ("JPEG", 96, 80)
    png = inputs.check_image(encode(Image.new("RGB", (64, 4096))))
    assert (png.format, png.width, png.height) == ("PNG", 64, 4096)


def test_exif_orientation_swaps_the_size():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90: stored 96x80, shown 80x96
    img = inputs.check_image(encode(Image.new("RGB", (96, 80)), "JPEG", exif=exif))
    assert (img.width, img.height) == (80, 96)


def test_base64_bare_and_data_url():
    raw = encode(Image.new("L", (64, 64)))
    text = base64.b64encode(raw).decode()
    assert inputs.decode_base64(text, "image") == raw
    assert inputs.decode_base64("data:application/octet-stream;base64," + text, "image") == raw
    assert inputs.decode_base64("data:image/png;base64," + text.rstrip("="), "image") == raw
    assert "not valid base64" in refused(inputs.decode_base64, "***", "image")
    assert "empty" in refused(inputs.decode_base64, "", "mask")


def test_image_limits():
    assert "5 MB" in refused(inputs.check_image, b"\xff" * (5 * 1024 * 1024 + 1))
    assert "between 64 and 4096" in refused(inputs.check_image, encode(Image.new("RGB", (63, 100))))
    assert "between 64 and 4096" in refused(inputs.check_image, encode(Image.new("RGB", (100, 4097))))
    assert "only JPG, JPEG and PNG" in refused(inputs.check_image, encode(Image.new("RGB", (100, 100)), "BMP"))
    assert "not a readable image" in refused(inputs.check_image, b"hello world")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_huge_dimensions_are_refused_from_the_header_alone():
    # PNGs of zeros compress to well under 5 MB; decoding them would take hundreds of MB.
    big = encode(Image.new("L", (12000, 12000)))
    assert len(big) < 5 * 1024 * 1024
    assert "12000x12000" in refused(inputs.check_image, big)
    bomb = encode(Image.new("1", (20000, 20000)))
    assert "at most 4096" in refused(inputs.check_image, bomb)


@pytest.mark.parametrize(
    "mask",
    [
        Image.fromarray(GREY, "L"),
        Image.fromarray(np.stack([GREY] * 3, -1), "RGB"),
        Image.fromarray(np.dstack([GREY, GREY, GREY, np.full_like(GREY, 255)]), "RGBA"),
    ],
    ids=["grey", "rgb", "rgba"],
)
def test_the_three_documented_mask_encodings(mask):
    checked = inputs.check_mask(encode(mask), IMAGE)
    assert (checked.width, checked.height) == (96, 80)


def test_masks_outside_the_contract_are_refused_clearly():
    colour = np.stack([GREY, GREY // 2, GREY], -1)
    assert "R = G = B" in refused(inputs.check_mask, encode(Image.fromarray(colour, "RGB")), IMAGE)
    alpha = np.dstack([GREY, GREY, GREY, np.full_like(GREY, 128)])
    assert "A = 255" in refused(inputs.check_mask, encode(Image.fromarray(alpha, "RGBA")), IMAGE)
    assert "mode LA" in refused(inputs.check_mask, encode(Image.fromarray(GREY, "L").convert("LA")), IMAGE)
    assert "mode P" in refused(inputs.check_mask, encode(Image.fromarray(GREY, "L").convert("P")), IMAGE)
    sixteen = Image.fromarray(GREY.astype(np.uint16) * 257)
    assert "mode I" in refused(inputs.check_mask, encode(sixteen), IMAGE)
    assert "PNG" in refused(inputs.check_mask, encode(Image.fromarray(GREY, "L"), "JPEG"), IMAGE)
    small = Image.fromarray(GREY[:64, :64], "L")
    assert "must match" in refused(inputs.check_mask, encode(small), IMAGE)
