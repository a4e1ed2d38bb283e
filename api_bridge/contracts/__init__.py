"""Third-party API contracts: each module here that defines ``CONTRACT = Contract(...)`` is served.

A contract is discovered like a node module (no shared list to edit). It gives:

* ``name``: short id (``"volcengine"``), used as the task's ``contract`` and in metrics;
* ``make_router(ctx) -> APIRouter``: its routes; they call ``ctx.service`` (submit / run /
  get / wait / cancel), ``ctx.images.load`` (safe image input with this contract's limits)
  and ``ctx.output_url(request, key)`` (stable, unauthenticated result URLs);
* ``error_envelope(error: ErrorInfo, status: int) -> Response``: the contract's own error
  body. Every ``BridgeError`` raised on one of its routes — bad image, queue full (429),
  unknown task, graph or ComfyUI failure — is answered through it;
* ``webhook_payloads`` (optional): for the ``contract`` labels its tasks are submitted under,
  the JSON value its webhook posts for a finished record (the API's own body shape). The
  bridge still sends it, signed and retried (``api_bridge/webhooks.py``).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from starlette.responses import Response

from ..errors import ErrorInfo
from ..store.records import TaskRecord

if TYPE_CHECKING:
    from ..server.context import BridgeContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Contract:
    name: str
    make_router: Callable[[BridgeContext], APIRouter]
    error_envelope: Callable[[ErrorInfo, int], Response]
    description: str = ""
    webhook_payloads: Mapping[str, Callable[[TaskRecord], Any]] = field(default_factory=dict)


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
