"""Recipes: pure functions task → graph, one per task kind, registered in :data:`RECIPES`.

A new kind adds a module here whose functions register with :func:`recipe`; modules are discovered,
so the executor, the service and this file never change.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from ...errors import BridgeError, ErrorCode
from ..builder import BuiltGraph, Graph
from ..object_info import ObjectInfo

RecipeFn = Callable[[Any, Graph], None]
RECIPES: dict[str, RecipeFn] = {}


def recipe(kind: str) -> Callable[[RecipeFn], RecipeFn]:
    def register(fn: RecipeFn) -> RecipeFn:
        RECIPES[kind] = fn
        return fn

    return register


@functools.cache
def discover() -> dict[str, RecipeFn]:
    """Import every recipe module of this package once; returns the registry."""
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_") and mod.name != "parts":
            importlib.import_module(f"{__name__}.{mod.name}")
    return RECIPES


def build_graph(task: Any, object_info: ObjectInfo) -> BuiltGraph:
    """The graph for ``task`` (its seed must already be resolved), checked against ``object_info``."""
    fn = discover().get(task.kind)
    if fn is None:
        raise BridgeError(ErrorCode.internal, f"no recipe for task kind {task.kind!r}")
    g = Graph(object_info)
    fn(task, g)
    return g.build()
