"""``POST /inpaint-bridge/outpaint/preview``: what Outpaint Expand will make, drawn on the node as its widgets change.

Request (JSON): ``settings`` = the node's input values by name (``mode``, ``left`` ...
``seed``; names the node does not have are ignored, a missing one takes the node's default),
and either ``image`` = ``{"filename", "subfolder", "type"}`` of the picture a Load Image
upstream holds (``/view``'s fields) or ``width`` and ``height`` when only the size is known
(from the node's last run). Answer: the node's own ``ib_outpaint`` report for those settings
(``outpaint``: padding per side, canvas size), the canvas box that stays bit for bit
(``kept``), ``overlap``, ``prefill``, and with a picture ``pixels``: the canvas pre-filled by
the node's own code and its mask, on a copy downscaled to ``PREVIEW_SIDE`` px. Settings the node
would refuse answer 400 ``{"error": the node's message}``; paths outside ComfyUI's folders 403,
a missing picture 404.
"""

import os

from ._route_pictures import RouteError, json_route, picture_path
from ._server import ROUTE_PREFIX, route_table
from .common.outpaint_expand import ExpandSettings
from .common.outpaint_preview import outpaint_preview
from .common.preview_pictures import load_picture
from .outpaint import MAX_PAD

PATH = f"{ROUTE_PREFIX}/outpaint/preview"
MAX_SIDE = 4 * MAX_PAD  # a size only (no picture) beyond any real image is a mistake, not a picture


def _size(body: dict) -> tuple[int, int]:
    width, height = body.get("width"), body.get("height")
    for name, value in (("width", width), ("height", height)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SIDE:
            raise RouteError(f'"{name}" must be a whole number from 1 to {MAX_SIDE} when no "image" is given')
    return width, height


def run_preview(body) -> dict:
    """Everything the route does after reading JSON; raises RouteError for what the caller got wrong."""
    if not isinstance(body, dict):
        raise RouteError("the body must be a JSON object")
    try:
        settings = ExpandSettings.from_values(body.get("settings", {}))
    except (ValueError, TypeError) as exc:
        raise RouteError(str(exc)) from None
    picture = None
    if body.get("image") is not None:
        path = picture_path(body["image"])
        try:
            picture = load_picture(path)
        except OSError as exc:
            raise RouteError(f"could not read {os.path.basename(path)}: {exc}") from None
        height, width = picture.shape[:2]
    else:
        width, height = _size(body)
    try:
        return outpaint_preview(width, height, settings, picture)
    except ValueError as exc:  # settings the node refuses: its own message
        raise RouteError(str(exc)) from None


routes = route_table()
if routes is not None:
    routes.post(PATH)(json_route(run_preview))
