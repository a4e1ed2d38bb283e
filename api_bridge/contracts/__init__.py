"""Third-party API contracts: each module here that defines ``CONTRACT = Contract(...)`` is served.

A contract is discovered like a node module (no shared list to edit). It gives:

* ``name``: short id (``"volcengine"``), used as the task's ``contract`` and in metrics;
* ``make_router(ctx) -> APIRouter``: its routes; they call ``ctx.service`` (submit / run /
  get / wait / cancel), ``ctx.images.load`` (safe image input with this contract's limits)
  and ``ctx.output_url(request, key)`` (stable, unauthenticated result URLs);
* ``make_root(ctx) -> RootHandler`` (optional): its share of ``POST /``, for instruction-style APIs
  that post every action to the host root (``contracts/root.py`` dispatches between them);
* ``error_envelope(error: ErrorInfo, status: int) -> Response``: the contract's own error
  body. Every ``BridgeError`` raised on one of its routes — bad image, queue full (429),
  unknown task, graph or ComfyUI failure — is answered through it.

A contract whose API posts webhooks in its own body shape keeps the URL in the task's ``meta`` and
sends the body from a finish hook (``ctx.service.on_finished``) with ``ctx.service.webhooks``, which
checks, signs and retries it as every bridge webhook.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import APIRouter
from starlette.responses import Response

from ..errors import ErrorInfo

if TYPE_CHECKING:
    from ..server.context import BridgeContext
    from .root import RootHandler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Contract:
    name: str
    error_envelope: Callable[[ErrorInfo, int], Response]
    make_router: Callable[[BridgeContext], APIRouter] | None = None
    make_root: Callable[[BridgeContext], RootHandler] | None = None
    description: str = ""


def discover() -> list[Contract]:
    """Every ``CONTRACT`` in ``api_bridge.contracts.<module>`` (modules starting with ``_`` skipped)."""
    found: list[Contract] = []
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        contract = getattr(module, "CONTRACT", None)
        if isinstance(contract, Contract):
            found.append(contract)
    return found
