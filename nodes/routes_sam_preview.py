"""``POST /inpaint-bridge/sam/preview``: the live mask of the point/box editor on Segment (SAM).

Request (JSON): ``image`` = ``{"filename", "subfolder", "type"}`` of a picture ComfyUI serves
(``/view``'s fields; type ``input``, ``temp`` or ``output``), ``model`` = the Load SAM Model
choice (default: its first), ``points`` / ``boxes`` (JSON text or lists, the node's format,
one prompt set), ``multimask`` and ``cleanup_area`` as on the node. Answer: the merged mask as
a transparent 1-bit PNG data URL, ``scores``, ``boxes``, ``empty``, ``embedding_cached`` and
``timings_ms``. An empty prompt only computes (and caches) the embedding: the editor sends one
when it opens. Bad input answers 400 with ``{"error": message}``; a missing picture 404.
"""

import json
import logging
import os
import time

from ._route_pictures import RouteError, json_route, picture_path
from ._server import ROUTE_PREFIX, route_table
from .common.preview_pictures import load_picture
from .common.sam_preview import preview
from .common.sam_prompts import parse_prompts
from .common.sam_run import SELECTIONS
from .mask_generate import sam_choices, sam_handle
from .model_placement import on_compute_device

log = logging.getLogger(__name__)
PATH = f"{ROUTE_PREFIX}/sam/preview"


def _as_json_text(value, name: str) -> str:
    if value is None:
        return "[]"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return json.dumps(value)
    raise RouteError(f'"{name}" must be a JSON list (or its text)')


def run_preview(body) -> dict:
    """Everything the route does after reading JSON; raises RouteError for what the caller got wrong."""
    if not isinstance(body, dict):
        raise RouteError("the body must be a JSON object")
    started = time.perf_counter()
    path = picture_path(body.get("image"))
    selection = body.get("multimask", "best")
    if selection not in SELECTIONS:
        raise RouteError(f"multimask must be one of {', '.join(SELECTIONS)}")
    cleanup_area = body.get("cleanup_area", 0)
    if not isinstance(cleanup_area, int) or cleanup_area < 0:
        raise RouteError("cleanup_area must be a whole number >= 0")
    model = body.get("model") or sam_choices()[0]
    if not isinstance(model, str) or model not in sam_choices():
        raise RouteError(f"unknown SAM model {model!r}; models/sams offers: {', '.join(sam_choices())}")
    points, boxes = _as_json_text(body.get("points"), "points"), _as_json_text(body.get("boxes"), "boxes")
    try:
        (prompt,) = parse_prompts(points, boxes, 1)
        picture = load_picture(path)
        model_key, held = sam_handle(model).load()
        backend = on_compute_device(held)  # an ONNX pair: the CPU session; a checkpoint: placed by ComfyUI
    except ValueError as exc:  # a malformed prompt or an unloadable model: the node's own message
        raise RouteError(str(exc)) from None
    except OSError as exc:
        raise RouteError(f"could not read {os.path.basename(path)}: {exc}") from None
    loaded = time.perf_counter()
    result = preview(backend, model_key, picture, prompt, selection, cleanup_area)
    answer = result.as_json()
    answer["timings_ms"] = {
        "load": (loaded - started) * 1000,
        **result.timings_ms,
        "total": (time.perf_counter() - started) * 1000,
    }
    return answer


routes = route_table()
if routes is not None:
    routes.post(PATH)(json_route(run_preview))
