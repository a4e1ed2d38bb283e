"""Pictures the pack's preview routes read: ``/view``'s fields to a file, kept inside ComfyUI's folders.

Shared by the SAM editor's and the outpaint preview's routes, so both refuse the same paths alike.
"""

import os

import folder_paths


class RouteError(ValueError):
    """What a caller got wrong: answered as ``{"error": message}`` with ``status``."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


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
