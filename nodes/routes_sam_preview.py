"""``POST /inpaint-bridge/sam/preview``: the live mask of the point/box editor on Segment (SAM).

Request (JSON): ``image`` = ``{"filename", "subfolder", "type"}`` of a picture ComfyUI serves
(``/view``'s fields; type ``input``, ``temp`` or ``output``), ``model`` = the Load SAM Model
choice (default: its first), ``points`` / ``boxes`` (JSON text or lists, the node's format,
one prompt set), ``multimask`` and ``cleanup_area`` as on the node. Answer: the merged mask as
a transparent 1-bit PNG data URL, ``scores``, ``boxes``, ``empty``, ``embedding_cached`` and
``timings_ms``. An empty prompt only computes (and caches) the embedding: the editor sends one
when it opens. Bad input answers 400 with ``{"error": message}``; a missing picture 404.
"""

import asyncio
import json
import logging
import os
import time

import folder_paths
from aiohttp import web

from ._server import ROUTE_PREFIX, route_table
from .common.sam_preview import load_picture, preview
from .common.sam_prompts import parse_prompts
from .common.sam_run import SELECTIONS
from .mask_generate import sam_choices, sam_handle
from .model_placement import on_compute_device

log = logging.getLogger(__name__)
PATH = f"{ROUTE_PREFIX}/sam/preview"


class PreviewError(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def picture_path(ref) -> str:
    """The file behind ``{"filename", "subfolder", "type"}``, kept inside that ComfyUI folder (as ``/view`` does)."""
    if not isinstance(ref, dict) or not isinstance(ref.get("filename"), str) or not ref["filename"]:
        raise PreviewError('"image" must be {"filename": ..., "subfolder": ..., "type": "input"|"temp"|"output"}')
    base = folder_paths.get_directory_by_type(ref.get("type") or "input")
    if base is None:
        raise PreviewError(f"image type {ref.get('type')!r} is not one of input, temp, output")
    base = os.path.abspath(base)
    folder = os.path.abspath(os.path.join(base, str(ref.get("subfolder") or "")))
    path = os.path.abspath(os.path.join(folder, ref["filename"]))
    if os.path.commonpath((path, base)) != base:
        raise PreviewError("image path leaves its ComfyUI folder", status=403)
    if not os.path.isfile(path):
        raise PreviewError(f"no picture {ref['filename']!r} in ComfyUI's {ref.get('type') or 'input'} folder", 404)
    return path


def _as_json_text(value, name: str) -> str:
    if value is None:
        return "[]"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return json.dumps(value)
    raise PreviewError(f'"{name}" must be a JSON list (or its text)')


def run_preview(body) -> dict:
    """Everything the route does after reading JSON; raises PreviewError for what the caller got wrong."""
    if not isinstance(body, dict):
        raise PreviewError("the body must be a JSON object")
    started = time.perf_counter()
    path = picture_path(body.get("image"))
    selection = body.get("multimask", "best")
    if selection not in SELECTIONS:
        raise PreviewError(f"multimask must be one of {', '.join(SELECTIONS)}")
    cleanup_area = body.get("cleanup_area", 0)
    if not isinstance(cleanup_area, int) or cleanup_area < 0:
        raise PreviewError("cleanup_area must be a whole number >= 0")
    model = body.get("model") or sam_choices()[0]
    if not isinstance(model, str) or model not in sam_choices():
        raise PreviewError(f"unknown SAM model {model!r}; models/sams offers: {', '.join(sam_choices())}")
    points, boxes = _as_json_text(body.get("points"), "points"), _as_json_text(body.get("boxes"), "boxes")
    try:
        (prompt,) = parse_prompts(points, boxes, 1)
        picture = load_picture(path)
        model_key, held = sam_handle(model).load()
        backend = on_compute_device(held)  # an ONNX pair: the CPU session; a checkpoint: placed by ComfyUI
    except ValueError as exc:  # a malformed prompt or an unloadable model: the node's own message
        raise PreviewError(str(exc)) from None
    except OSError as exc:
        raise PreviewError(f"could not read {os.path.basename(path)}: {exc}") from None
    loaded = time.perf_counter()
    result = preview(backend, model_key, picture, prompt, selection, cleanup_area)
    answer = result.as_json()
    answer["timings_ms"] = {
        "load": (loaded - started) * 1000,
        **result.timings_ms,
        "total": (time.perf_counter() - started) * 1000,
    }
    return answer


async def _preview(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.json_response({"error": "the body must be JSON"}, status=400)
    try:
        # Off the event loop: the first call per picture runs the image encoder (~0.5 s on CPU).
        return web.json_response(await asyncio.to_thread(run_preview, body))
    except PreviewError as exc:
        return web.json_response({"error": str(exc)}, status=exc.status)


routes = route_table()
if routes is not None:
    routes.post(PATH)(_preview)
