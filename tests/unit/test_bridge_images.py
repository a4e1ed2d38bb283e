"""Image input: base64 / data: URIs / URLs, EXIF orientation, alpha, limits before decoding, URL policy."""

import asyncio
import base64
import http.server
import threading

import pytest
from PIL import Image

from api_bridge.errors import BridgeError, ErrorCode
from api_bridge.server.images import ImageLimits, ImageLoader, UrlPolicy, bytes_from_text, decode_image
from support.bridge import png_bytes

IMG = Image.new("RGB", (20, 10), (10, 200, 30))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(
    "prefix", ["", "data:image/png;base64,", "data:application/octet-stream;base64,", "DATA:image/jpeg;BASE64,"]
)
def test_base64_and_any_data_uri(prefix):
    img = decode_image(bytes_from_text(prefix + b64(png_bytes(IMG))))
    assert img.size == (20, 10) and img.mode == "RGB" and img.getpixel((3, 3)) == (10, 200, 30)


def test_base64_with_newlines_and_missing_padding():
    text = b64(png_bytes(IMG)).rstrip("=")
    text = "\n".join(text[i : i + 60] for i in range(0, len(text), 60))
    assert decode_image(bytes_from_text(text)).size == (20, 10)


@pytest.mark.parametrize("bad", ["", "data:image/png,notbase64", "!!!!", b64(b"not an image at all")])
def test_garbage_is_invalid_input(bad):
    with pytest.raises(BridgeError) as err:
        decode_image(bytes_from_text(bad))
    assert err.value.code is ErrorCode.invalid_input


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    src = Image.new("RGB", (30, 10), (255, 0, 0))
    src.paste((0, 0, 255), (0, 0, 5, 10))  # blue on the left
    img = decode_image(png_bytes(src, "JPEG", exif=exif, quality=95))
    assert img.size == (10, 30)
    r, g, b = img.getpixel((5, 2))  # the left edge is now at the top
    assert b > 200 and r < 60


def test_alpha_is_kept_and_palette_transparency_too():
    rgba = Image.new("RGBA", (8, 8), (255, 204, 0, 0))
    rgba.putpixel((1, 1), (255, 204, 0, 187))
    out = decode_image(png_bytes(rgba))
    assert out.mode == "RGBA" and out.getpixel((1, 1))[3] == 187
    pal = Image.new("P", (4, 4), 0)
    pal.info["transparency"] = 0
    assert decode_image(png_bytes(pal, transparency=0)).mode == "RGBA"


def test_byte_and_pixel_limits_are_checked_before_decoding():
    data = png_bytes(Image.new("L", (3000, 3000)))  # compresses to a few KB
    with pytest.raises(BridgeError) as err:
        decode_image(data, ImageLimits(max_pixels=1000 * 1000))
    assert err.value.code is ErrorCode.input_too_large and "3000x3000" in err.value.info.message
    with pytest.raises(BridgeError) as err:
        decode_image(data, ImageLimits(max_bytes=100))
    assert err.value.code is ErrorCode.input_too_large


@pytest.mark.parametrize(
    "value, limits, rule",
    [
        (b64(png_bytes(IMG)), ImageLimits(max_bytes=20), "bytes"),
        (b64(png_bytes(IMG)), ImageLimits(max_side=16), "resolution"),
        (b64(png_bytes(IMG)), ImageLimits(min_side=16), "resolution"),
        (b64(png_bytes(IMG)), ImageLimits(formats=frozenset({"JPEG"})), "format"),
        (b64(b"not an image at all"), ImageLimits(), "format"),
        ("!!!!", ImageLimits(), "format"),
    ],
)
def test_each_refusal_names_the_rule_it_broke_for_contracts_with_one_error_per_rule(value, limits, rule):
    # Contracts key their error names on details["limit"] (Novita: FILE_EXCEEDS_MAX_SIZE, EXCEEDS_MAX_RESOLUTION...).
    with pytest.raises(BridgeError) as err:
        asyncio.run(ImageLoader().load(value, limits, what="mask"))
    assert err.value.info.details == {"limit": rule}
    assert err.value.info.message.startswith("mask") or rule == "format"


def test_decompression_bomb_is_refused_even_with_generous_limits():
    bomb = png_bytes(Image.new("1", (20000, 20000)))  # 400 Mpx in ~50 KB
    with pytest.raises(BridgeError) as err:
        decode_image(bomb, ImageLimits(max_pixels=10**10, max_side=10**6, max_bytes=10**9))
    assert err.value.code is ErrorCode.input_too_large


class _Handler(http.server.BaseHTTPRequestHandler):
    body = png_bytes(IMG)

    def do_GET(self):  # noqa: N802
        if self.path == "/big":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * 300_000)
            return
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/img.png")
            self.end_headers()
            return
        self.send_response(200 if self.path == "/img.png" else 404)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        if self.path == "/img.png":
            self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def local_http():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_url_fetch_when_private_addresses_are_allowed(local_http):
    loader = ImageLoader(UrlPolicy(allow_private=True, timeout=5))
    assert asyncio.run(loader.load(local_http + "/img.png")).size == (20, 10)
    assert asyncio.run(loader.load(local_http + "/redirect")).size == (20, 10)
    for path, code in (("/missing", ErrorCode.url_refused), ("/big", ErrorCode.input_too_large)):
        with pytest.raises(BridgeError) as err:
            asyncio.run(loader.load(local_http + path, ImageLimits(max_bytes=100_000)))
        assert err.value.code is code


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254", "[::1]", "0.0.0.0"])
def test_private_loopback_and_link_local_urls_are_refused_by_default(local_http, host):
    port = local_http.rsplit(":", 1)[1]
    loader = ImageLoader(UrlPolicy(timeout=3))
    with pytest.raises(BridgeError) as err:
        asyncio.run(loader.load(f"http://{host}:{port}/img.png"))
    assert err.value.code is ErrorCode.url_refused


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.png", "gopher://x/1"])
def test_non_http_urls_are_refused_by_the_url_check(url):
    with pytest.raises(BridgeError) as info:
        asyncio.run(ImageLoader(UrlPolicy(allow_private=True)).load(url))
    assert info.value.code is ErrorCode.url_refused and "only http(s) URLs" in info.value.info.message
