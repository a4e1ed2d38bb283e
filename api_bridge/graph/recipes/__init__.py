"""Recipes: pure functions task → graph, one per task kind, registered in :data:`RECIPES`.

A new kind registers its recipe with :func:`recipe`; the executor and service never change.
"""

from __future__ import annotations

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


def build_graph(task: Any, object_info: ObjectInfo) -> BuiltGraph:
    """The graph for ``task`` (its seed must already be resolved), checked against ``object_info``."""
    fn = RECIPES.get(task.kind)
    if fn is None:
        raise BridgeError(ErrorCode.internal, f"no recipe for task kind {task.kind!r}")
    g = Graph(object_info)
    fn(task, g)
    return g.build()


# Import the recipe modules so they register themselves.
from . import erase, mask  # noqa: E402,F401
