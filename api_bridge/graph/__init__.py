"""Graph building: typed builder checked against ComfyUI's /object_info, pure recipes, node ids in one module."""

from .builder import BuiltGraph, Graph, GraphBuildError, NodeRef, Output
from .object_info import ObjectInfo

__all__ = ["BuiltGraph", "Graph", "GraphBuildError", "NodeRef", "ObjectInfo", "Output"]
