"""``POST /inpaint-bridge/cleanup``: the bridge removes what one run left on this ComfyUI.

ComfyUI can upload input files but not delete them, and preview images stay in its temp folder
until it restarts. The bridge sends, after each run, the inputs it uploaded (only files under
``input/inpaint-bridge/`` with a bridge blob name) and the preview files the run wrote (only files
inside the temp folder). Anything else is refused, never deleted.
"""

import logging
import os
import re

import folder_paths
from aiohttp import web

from ._server import ROUTE_PREFIX, route_table

log = logging.getLogger(__name__)
INPUT_SUBFOLDER = "inpaint-bridge"  # where the bridge uploads (api_bridge/graph/builder.py load_image)
_BLOB_NAME = re.compile(r"^[A-Za-z0-9_-]{8,64}\.(png|jpg|jpeg|webp)$")


def _inside(base: str, path: str) -> bool:
    base = os.path.realpath(base)
    return os.path.commonpath((base, os.path.realpath(path))) == base


def input_path(name: str) -> str | None:
    subfolder, _, filename = str(name).rpartition("/")
    if subfolder != INPUT_SUBFOLDER or not _BLOB_NAME.match(filename):
        return None
    return os.path.join(folder_paths.get_input_directory(), INPUT_SUBFOLDER, filename)


def temp_path(item: dict) -> str | None:
    filename, subfolder = str(item.get("filename") or ""), str(item.get("subfolder") or "")
    if not filename or "/" in filename or "\\" in filename:
        return None
    path = os.path.join(folder_paths.get_temp_directory(), subfolder, filename)
    return path if _inside(folder_paths.get_temp_directory(), path) else None


def remove(paths: list[str]) -> int:
    removed = 0
    for path in paths:
        try:
            os.unlink(path)
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def register(routes) -> None:
    @routes.post(f"{ROUTE_PREFIX}/cleanup")
    async def cleanup(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            inputs = [input_path(n) for n in body.get("inputs") or []]
            temps = [temp_path(i) for i in body.get("temp") or [] if isinstance(i, dict)]
        except (ValueError, AttributeError, TypeError):
            return web.json_response({"error": "expected {'inputs': [...], 'temp': [...]}"}, status=400)
        refused = inputs.count(None) + temps.count(None)
        removed = remove([p for p in inputs + temps if p is not None])
        if refused:
            log.warning("cleanup: refused %d names outside the bridge's folders", refused)
        return web.json_response({"removed": removed, "refused": refused})


_routes = route_table()
if _routes is not None:
    register(_routes)
