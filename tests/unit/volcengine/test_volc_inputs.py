"""Image and mask rules of the contract through the bridge's one image loader: formats, limits, mask encodings."""

import asyncio
import base64
import io

import numpy as np
import pytest
from PIL import Image

from api_bridge.contracts.volcengine import inputs
from api_bridge.contracts.volcengine.errors import BusinessError
from api_bridge.errors import BridgeError, ErrorCode
from api_bridge.server.images import ImageLoader

LOADER = ImageLoader()


def encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def load(data: bytes, limits=inputs.IMAGE_LIMITS, **kw) -> Image.Image:
    return asyncio.run(LOADER.load(b64(data), limits, what="image", allow_url=False, **kw))


def refused_by_loader(data: bytes, limits=inputs.IMAGE_LIMITS) -> BridgeError:
    with pytest.raises(BridgeError) as info:
        load(data, limits)
    assert info.value.code in (ErrorCode.invalid_input, ErrorCode.input_too_large)
    return info.value


def refused_mask(mask: Image.Image, image: Image.Image) -> str:
    with pytest.raises(BusinessError) as info:
        inputs.check_mask(mask, image)
    assert info.value.code == 50400 and info.value.http_status == 400
    return info.value.message


IMAGE = load(encode(Image.new("RGB", (96, 80), (10, 20, 30)), "JPEG"))
GREY = np.zeros((80, 96), np.uint8)
GREY[20:40, 30:60] = 255


def test_jpeg_and_png_images_are_read_and_exif_applied():
    assert IMAGE.size == (96, 80) and IMAGE.mode == "RGB"
    assert load(encode(Image.new("RGB", (64, 4096)))).size == (64, 4096)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90: stored 96x80, shown 80x96
    assert load(encode(Image.new("RGB", (96, 80)), "JPEG", exif=exif)).size == (80, 96)


def test_base64_bare_and_data_url():
    raw = encode(Image.new("L", (64, 64)))
    for value in (b64(raw), "data:application/octet-stream;base64," + b64(raw), "data:image/png;base64," + b64(raw)):
        out = asyncio.run(LOADER.load(value, inputs.MASK_LIMITS, keep_mode=True))
        assert out.mode == "L" and out.size == (64, 64)
    with pytest.raises(BridgeError, match="not valid base64"):
        asyncio.run(LOADER.load("***", inputs.IMAGE_LIMITS))


def test_image_limits():
    assert "5 MB" in str(refused_by_loader(b"\xff" * (5 * 1024 * 1024 + 1)))
    assert "at least 64" in str(refused_by_loader(encode(Image.new("RGB", (63, 100)))))
    assert "4096" in str(refused_by_loader(encode(Image.new("RGB", (100, 4097)))))
    assert "accepted formats: JPEG, PNG" in str(refused_by_loader(encode(Image.new("RGB", (100, 100)), "BMP")))
    assert "not a readable image" in str(refused_by_loader(b"hello world"))
    assert "accepted formats: PNG" in str(
        refused_by_loader(encode(Image.new("L", (96, 80)), "JPEG"), inputs.MASK_LIMITS)
    )


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_huge_dimensions_are_refused_from_the_header_alone():
    # PNGs of zeros compress to well under 5 MB; decoding them would take hundreds of MB.
    big = encode(Image.new("L", (12000, 12000)))
    assert len(big) < 5 * 1024 * 1024
    assert "12000x12000" in str(refused_by_loader(big))
    bomb = encode(Image.new("1", (20000, 20000)))
    assert refused_by_loader(bomb).code is ErrorCode.input_too_large


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
    decoded = load(encode(mask), inputs.MASK_LIMITS, keep_mode=True)
    assert decoded.mode == mask.mode
    inputs.check_mask(decoded, IMAGE)  # no error


def test_masks_outside_the_contract_are_refused_clearly():
    def mask(img: Image.Image) -> Image.Image:
        return load(encode(img), inputs.MASK_LIMITS, keep_mode=True)

    colour = np.stack([GREY, GREY // 2, GREY], -1)
    assert "R = G = B" in refused_mask(mask(Image.fromarray(colour, "RGB")), IMAGE)
    alpha = np.dstack([GREY, GREY, GREY, np.full_like(GREY, 128)])
    assert "A = 255" in refused_mask(mask(Image.fromarray(alpha, "RGBA")), IMAGE)
    assert "mode LA" in refused_mask(mask(Image.fromarray(GREY, "L").convert("LA")), IMAGE)
    assert "mode P" in refused_mask(mask(Image.fromarray(GREY, "L").convert("P")), IMAGE)
    sixteen = Image.fromarray(GREY.astype(np.uint16) * 257)
    assert "mode I" in refused_mask(mask(sixteen), IMAGE)
    small = Image.fromarray(GREY[:64, :64], "L")
    assert "must match" in refused_mask(mask(small), IMAGE)
