"""``GET /v3/model``: the models installed on the bridge's ComfyUI, in Novita's model entries.

Every installed file is one entry; ``sd_name`` (and ``sd_name_in_api``) is the file name, what
``model_name``, ``sd_vae`` and the LoRA / embedding names take. Local files are ``public``
(every key sees them) with source ``uploading`` (an operator put them there): ``filter.visibility=private``
and the other sources list nothing. Filters and pagination as documented (``pagination.cursor`` is
``c_<offset>``, ``next_cursor`` empty on the last page). The Python SDK's ``query_model_v3`` sends
``filter.type`` for ``filter.types``; both are read.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import invalid_body

# Novita type name -> (display name, the bridge's model kind); controlnet and upscaler: none served here.
TYPES: dict[str, tuple[str, str | None]] = {
    "checkpoint": ("Checkpoint", "checkpoint"),
    "lora": ("LoRA", "lora"),
    "vae": ("VAE", "vae"),
    "textualinversion": ("Textual Inversion", "embedding"),
    "controlnet": ("ControlNet", None),
    "upscaler": ("Upscaler", None),
}
BASE_MODELS = {"sd15": "SD 1.5", "sdxl": "SDXL 1.0", "other": "Other"}
MAX_LIMIT = 100
VISIBILITIES = ("public", "private")
SOURCES = ("civitai", "training", "uploading")
LOCAL_SOURCE = "uploading"


@dataclass(frozen=True)
class InstalledModel:
    kind: str  # the bridge's kind: checkpoint | lora | vae | embedding
    file: str  # the file name ComfyUI knows (may hold a sub-folder)
    family: str = "unknown"  # sd15 | sdxl | other | unknown
    inpainting: bool = False


@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()
    is_sdxl: bool | None = None
    is_inpainting: bool = False
    visibility: str | None = None
    source: str | None = None
    query: str = ""
    limit: int = MAX_LIMIT
    offset: int = 0


def _flag(name: str, value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    text = value.strip().lower()
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    raise invalid_body(f"{name} must be true/false (or 1/0), got {value!r}")


def _choice(name: str, value: str | None, allowed: Sequence[str]) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        raise invalid_body(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def parse_filters(params: Mapping[str, str]) -> Filters:
    types_text = params.get("filter.types") or params.get("filter.type") or ""
    types = tuple(t.strip() for t in types_text.split(",") if t.strip())
    unknown = [t for t in types if t not in TYPES]
    if unknown:
        raise invalid_body(f"filter.types: unknown type {unknown[0]!r}; one of {', '.join(TYPES)}")
    limit_text = params.get("pagination.limit", str(MAX_LIMIT)).strip()
    if not limit_text.isdigit() or not 0 < int(limit_text) <= MAX_LIMIT:
        raise invalid_body(f"pagination.limit must be a whole number in (0, {MAX_LIMIT}], got {limit_text!r}")
    limit = int(limit_text)
    cursor = params.get("pagination.cursor") or "c_0"
    if not cursor.startswith("c_") or not cursor[2:].isdigit():
        raise invalid_body(f"pagination.cursor must be a next_cursor this server gave (c_<n>), got {cursor!r}")
    return Filters(
        types=types,
        is_sdxl=_flag("filter.is_sdxl", params.get("filter.is_sdxl")),
        is_inpainting=bool(_flag("filter.is_inpainting", params.get("filter.is_inpainting"))),
        visibility=_choice("filter.visibility", params.get("filter.visibility"), VISIBILITIES),
        source=_choice("filter.source", params.get("filter.source"), SOURCES),
        query=(params.get("filter.query") or "").strip().lower(),
        limit=limit,
        offset=int(cursor[2:]),
    )


def _stem(file: str) -> str:
    base = file.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


def entry(type_name: str, model: InstalledModel) -> dict[str, Any]:
    display, _ = TYPES[type_name]
    return {
        "id": zlib.crc32(f"{type_name}:{model.file}".encode()),  # stable across restarts and replicas
        "name": _stem(model.file),
        "sd_name": model.file,
        "sd_name_in_api": model.file,
        "hash_sha256": "",
        "type": {"name": type_name, "display_name": display},
        "categories": [],
        "status": 1,  # available
        "download_url": "",
        "download_url_ttl": 0,
        "tags": [],
        "cover_url": "",
        "source": LOCAL_SOURCE,
        "visibility": "public",
        "base_model": BASE_MODELS.get(model.family, ""),
        "base_model_type": "Inpainting" if model.inpainting else "",
        "is_nsfw": False,
        "is_sdxl": model.family == "sdxl",
        "is_inpainting": model.inpainting,
    }


def _keep(type_name: str, model: InstalledModel, f: Filters) -> bool:
    if f.is_inpainting and not (type_name == "checkpoint" and model.inpainting):
        return False
    if f.is_sdxl is not None and (model.family == "sdxl") != f.is_sdxl:
        return False
    return not f.query or f.query in model.file.lower()


def models_page(installed: Sequence[InstalledModel], f: Filters) -> dict[str, Any]:
    """The page of entries the filters select, in a stable order (type, then file name)."""
    if f.visibility == "private" or (f.source and f.source != LOCAL_SOURCE):
        selected: list[dict[str, Any]] = []
    else:
        wanted = f.types or tuple(TYPES)
        selected = [
            entry(type_name, model)
            for type_name in wanted
            for model in sorted(installed, key=lambda m: m.file.lower())
            if TYPES[type_name][1] == model.kind and _keep(type_name, model, f)
        ]
    page = selected[f.offset : f.offset + f.limit]
    more = f.offset + f.limit < len(selected)
    return {"models": page, "pagination": {"next_cursor": f"c_{f.offset + f.limit}" if more else ""}}


MODEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["models", "pagination"],
    "properties": {
        "models": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "sd_name", "type", "status"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "sd_name": {"type": "string"},
                    "type": {
                        "type": "object",
                        "required": ["name", "display_name"],
                        "properties": {"name": {"type": "string", "enum": list(TYPES)}},
                    },
                    "status": {"type": "integer"},
                },
            },
        },
        "pagination": {"type": "object", "properties": {"next_cursor": {"type": "string"}}},
    },
}
