"""What the pack's preview routes share: the JSON handler around their work, and the pictures they read
(``/view``'s fields to a file, kept inside ComfyUI's folders), so the SAM editor's and the outpaint preview's
routes refuse bad bodies and paths alike.
"""

import asyncio
import json
import os
from collections.abc import Callable

import folder_paths
from aiohttp import web


class RouteError(ValueError):
    """What a caller got wrong: answered as ``{"error": message}`` with ``status``."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def json_route(run: Callable[[object], dict]):
    """An aiohttp handler: the JSON body to ``run`` (in a thread: the preview work blocks for milliseconds to
    a second), its dict as JSON; a body that is not JSON or a ``RouteError`` as ``{"error": ...}``."""

    async def handle(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response({"error": "the body must be JSON"}, status=400)
        try:
            return web.json_response(await asyncio.to_thread(run, body))
        except RouteError as exc:
            return web.json_response({"error": str(exc)}, status=exc.status)

    return handle


def picture_path(ref) -> str:
    """The file behind ``{"filename", "subfolder", "type"}``, kept inside that ComfyUI folder (as ``/view`` does)."""
    if not isinstance(ref, dict) or not isinstance(ref.get("filename"), str) or not ref["filename"]:
        raise RouteError('"image" must be {"filename": ..., "subfolder": ..., "type": "input"|"temp"|"output"}')
    base = folder_paths.get_directory_by_type(ref.get("type") or "input")
    if base is None:
        raise RouteError(f"image type {ref.get('type')!r} is not one of input, temp, output")
    base = os.path.abspath(base)
    folder = os.path.abspath(os.path.join(base, str(ref.get("subfolder") or "")))
    path = os.path.abspath(os.path.join(folder, ref["filename"]))
    if os.path.commonpath((path, base)) != base:
        raise RouteError("image path leaves its ComfyUI folder", status=403)
    if not os.path.isfile(path):
        raise RouteError(f"no picture {ref['filename']!r} in ComfyUI's {ref.get('type') or 'input'} folder", 404)
    return path
