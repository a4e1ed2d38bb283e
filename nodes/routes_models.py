"""``GET /inpaint-bridge/models``: every model this pack's nodes and ComfyUI's core loaders can use, by kind.

Diffusion checkpoints and UNets come with their family (``sd15`` / ``sdxl`` / ``other``, read from the
safetensors header; ``unknown`` for formats that cannot be read without unpickling, unless the catalog
names the file) and whether they are inpainting variants; ``models/inpaint`` files with their
architecture (LaMa / MAT / MI-GAN, or a Fooocus head / patch) from their tensor names; SAM, rembg and
GroundingDINO models under the names their loaders show. Every file carries the catalog entry it
matches (``scripts/models.sh``), by file name.

The answer is rebuilt only when a model folder's modification time changes (files added, removed or
renamed: what a download does), and each file is read once per size and mtime (``model_facts``).
``erase_default`` says what IB_Erase's engine ``auto`` runs now (``erase_auto``).
"""

import asyncio
import os

import folder_paths
from aiohttp import web

from ._server import ROUTE_PREFIX, route_table
from .background import FOLDER as REMBG_FOLDER
from .background import installed_rembg_models
from .common.erase_auto import FALLBACK
from .common.model_catalog import entry_for_file, matching_entry
from .common.model_facts import diffusion_facts, inpaint_facts
from .common.model_files import onnx_pair_files
from .common.model_kinds import ERASE_ARCHITECTURES
from .detect import FOLDER as DINO_FOLDER
from .detect import installed_dino_models
from .erase import FOLDER as ERASE_FOLDER
from .erase import installed_lama
from .fooocus_inpaint import installed_patches
from .mask_generate import CHECKPOINT_EXTENSIONS, installed_sam_models
from .mask_generate import FOLDER as SAM_FOLDER

DIFFUSION_FOLDERS = ("checkpoints", "diffusion_models")
PLAIN_FOLDERS = ("vae", "loras", "embeddings")
WATCHED = (*DIFFUSION_FOLDERS, *PLAIN_FOLDERS, ERASE_FOLDER, SAM_FOLDER, REMBG_FOLDER, DINO_FOLDER)


def _file_entry(folder: str, name: str, path: str) -> dict:
    return {"name": name, "size": os.path.getsize(path), "catalog": entry_for_file(folder, name)}


def _files(folder: str):
    for name in folder_paths.get_filename_list(folder):
        path = folder_paths.get_full_path(folder, name)
        if path and os.path.isfile(path):
            yield name, path


def _diffusion(folder: str) -> list[dict]:
    out = []
    for name, path in _files(folder):
        entry = {**_file_entry(folder, name, path), **diffusion_facts(path)}
        known = matching_entry(folder, name)
        if entry["detected_by"] is None and known is not None and known.family:
            entry.update(family=known.family, inpainting=known.inpainting, detected_by="catalog")
        out.append(entry)
    return out


def _inpaint_folder() -> tuple[list[dict], list[dict]]:
    erase, patches = [], []
    for name, path in _files(ERASE_FOLDER):
        facts = inpaint_facts(path)
        entry = {**_file_entry(ERASE_FOLDER, name, path), "format": facts["format"]}
        if facts["kind"] in (None, *ERASE_ARCHITECTURES):
            erase.append({**entry, "architecture": facts["kind"]})
        else:
            patches.append({**entry, "type": facts["kind"]})
    listed = {entry["name"] for entry in erase + patches}  # another pack may register .patch for this folder
    for name, path in installed_patches():
        if name not in listed:
            patches.append({**_file_entry(ERASE_FOLDER, name, path), "format": "pickle", "type": "fooocus_patch"})
    return erase, patches


def _sam() -> list[dict]:
    out = []
    for name in installed_sam_models():
        if name.endswith(CHECKPOINT_EXTENSIONS):
            files, fmt = [name], "segment-anything"
        else:
            files, fmt = list(onnx_pair_files(name)), "onnx"
        out.append({"name": name, "format": fmt, "files": files, "catalog": entry_for_file(SAM_FOLDER, files[0])})
    return out


def _rembg() -> list[dict]:
    return [
        {"name": name, "file": f"{name}.onnx", "catalog": entry_for_file(REMBG_FOLDER, f"{name}.onnx")}
        for name in installed_rembg_models()
    ]


def _grounding_dino() -> list[dict]:
    return [
        {"name": name, "catalog": entry_for_file(DINO_FOLDER, f"{name}/config.json")}
        for name in installed_dino_models()
    ]


def _erase_default() -> dict:
    """What IB_Erase's engine ``auto`` runs now, with no erase model connected."""
    name = installed_lama()
    return {"engine": "lama", "model": name} if name else {"engine": FALLBACK, "model": None}


def installed_models() -> dict:
    erase, patches = _inpaint_folder()
    listing = {folder: _diffusion(folder) for folder in DIFFUSION_FOLDERS}
    listing.update({folder: [_file_entry(folder, n, p) for n, p in _files(folder)] for folder in PLAIN_FOLDERS})
    listing.update(
        erase_models=erase,
        inpaint_patches=patches,
        sam=_sam(),
        rembg=_rembg(),
        grounding_dino=_grounding_dino(),
        erase_default=_erase_default(),
    )
    return listing


def folder_stamp() -> tuple:
    """Modification times of every directory the watched model folders span (sub-folders included)."""
    stamp = []
    for folder in WATCHED:
        for base in folder_paths.get_folder_paths(folder):
            for root, _dirs, _files in os.walk(base, followlinks=True):
                try:
                    stamp.append((root, os.stat(root).st_mtime_ns))
                except OSError:
                    continue
    return tuple(stamp)


class Listing:
    """The last answer and the folder stamp it was built for."""

    def __init__(self):
        self._stamp, self._body = None, None

    def get(self) -> dict:
        stamp = folder_stamp()
        if stamp != self._stamp or self._body is None:
            self._body, self._stamp = installed_models(), stamp
        return self._body


LISTING = Listing()


async def list_models(request: web.Request) -> web.Response:
    return web.json_response(await asyncio.to_thread(LISTING.get))


routes = route_table()
if routes is not None:
    routes.get(f"{ROUTE_PREFIX}/models")(list_models)
