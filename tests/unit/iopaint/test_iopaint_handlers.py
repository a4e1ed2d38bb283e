"""The handlers' file endpoints without a server: inputimage's three answers, save_image's refusals, gen-info.

(Everything that runs a task is tested over HTTP on the real bridge: tests/e2e/test_iopaint_api.py.)
"""

import asyncio
import io
import pathlib

import pytest
from PIL import Image, PngImagePlugin

from api_bridge.contracts.iopaint.catalog import Catalog
from api_bridge.contracts.iopaint.errors import IOPaintError
from api_bridge.contracts.iopaint.handlers import IOPaint, Selections
from api_bridge.server.images import ImageLoader


def api(input_path=None, output_dir=None) -> IOPaint:
    return IOPaint(
        service=None,
        load=ImageLoader().load,
        catalog=Catalog(None),
        selections=Selections(),
        timeout=1,
        quality=95,
        input_path=input_path,
        output_dir=output_dir,
    )


def test_inputimage_answers_like_iopaint(tmp_path: pathlib.Path):
    with pytest.raises(IOPaintError) as none:
        api().input_image()
    assert (none.value.status, none.value.detail) == (200, "No input image configured")  # IOPaint's status 200
    with pytest.raises(IOPaintError) as missing:
        api(tmp_path / "gone.png").input_image()
    assert (missing.value.status, missing.value.detail) == (404, "Input image not found")
    photo = tmp_path / "photo.png"
    Image.new("RGB", (4, 4)).save(photo)
    assert api(photo).input_image() == photo


def test_save_image_needs_an_output_folder_and_keeps_only_the_base_name(tmp_path: pathlib.Path):
    with pytest.raises(IOPaintError) as refused:
        asyncio.run(api().save_image("a.png", b"x"))
    assert (refused.value.status, refused.value.detail) == (400, "Output directory not configured or doesn't exist")
    asyncio.run(api(output_dir=tmp_path).save_image("../../escape/b.png", b"data"))
    assert (tmp_path / "b.png").read_bytes() == b"data" and not (tmp_path.parent / "escape").exists()
    with pytest.raises(IOPaintError):
        asyncio.run(api(output_dir=tmp_path).save_image("..", b"data"))


def test_gen_info_reads_the_png_parameters():
    text = PngImagePlugin.PngInfo()
    text.add_text("parameters", "a red cat, sitting\nNegative prompt: blurry, dog\nSteps: 20, Sampler: Euler a")
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "PNG", pnginfo=text)
    got = asyncio.run(api().gen_info(buf.getvalue()))
    assert (got.prompt, got.negative_prompt) == ("a red cat, sitting", "blurry, dog")
    plain = io.BytesIO()
    Image.new("RGB", (8, 8)).save(plain, "JPEG")
    assert asyncio.run(api().gen_info(plain.getvalue())).model_dump() == {"prompt": "", "negative_prompt": ""}
