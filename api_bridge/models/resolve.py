"""Pure model-name resolution over a listing (the pack's ``/inpaint-bridge/models`` answer)."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from ..errors import BridgeError, ErrorCode

# kind -> (listing section, filter on an entry's "type", or None)
KINDS: dict[str, tuple[str, str | None]] = {
    "checkpoint": ("checkpoints", None),
    "unet": ("diffusion_models", None),
    "vae": ("vae", None),
    "lora": ("loras", None),
    "embedding": ("embeddings", None),
    "erase": ("erase_models", None),
    "sam": ("sam", None),
    "rembg": ("rembg", None),
    "grounding_dino": ("grounding_dino", None),
    "fooocus_head": ("inpaint_patches", "fooocus_head"),
    "fooocus_patch": ("inpaint_patches", "fooocus_patch"),
}


def entries(listing: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; kinds: {', '.join(KINDS)}")
    section, wanted = KINDS[kind]
    found = listing.get(section) or []
    return [e for e in found if wanted is None or e.get("type") == wanted]


def installed_names(listing: Mapping[str, Any], kind: str) -> list[str]:
    return [e["name"] for e in entries(listing, kind)]


def _stem(name: str) -> str:
    base = posixpath.basename(name)
    return base.rsplit(".", 1)[0] if "." in base else base


def not_found(kind: str, name: str | None, installed: list[str], why: str) -> BridgeError:
    shown = ", ".join(installed) if installed else "none"
    return BridgeError(
        ErrorCode.model_not_found,
        f"{why}; installed {kind} models: {shown}",
        details={"kind": kind, "name": name, "installed": installed},
    )


def resolve(
    listing: Mapping[str, Any],
    kind: str,
    name: str | None,
    *,
    aliases: Mapping[str, str] | None = None,
    default: str | None = None,
) -> str:
    """The installed file name ``name`` means for ``kind``: exact file name, then an alias, then a unique stem
    (file name without folder or extension, case-insensitive). ``name`` empty: ``default`` (checkpoints)."""
    installed = installed_names(listing, kind)
    wanted = (name or "").strip()
    if not wanted:
        if not default:
            raise not_found(kind, name, installed, f"no {kind} model named and no default configured")
        wanted = default
    if wanted in installed:
        return wanted
    target = (aliases or {}).get(wanted)
    if target is not None:
        if target in installed:
            return target
        wanted = target
    forms = {posixpath.basename(wanted).lower(), _stem(wanted).lower()}  # "x.fooocus" names x.fooocus.patch
    by_stem = [n for n in installed if _stem(n).lower() in forms]
    if len(by_stem) == 1:
        return by_stem[0]
    if len(by_stem) > 1:
        raise not_found(kind, name, installed, f"{wanted!r} matches several {kind} files: {', '.join(by_stem)}")
    raise not_found(kind, name, installed, f"{kind} model {wanted!r} is not installed")
