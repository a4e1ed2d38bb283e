"""Collects every node class of the pack from the node modules.

Each capability module (``mask_info``, ``mask_generate`` ...) exposes ``NODES``.
Modules are discovered, so adding a capability does not touch a shared list; a
module that fails to import fails the whole pack loudly rather than hiding nodes.
"""

import importlib
import pkgutil

from . import __name__ as _package_name
from . import __path__ as _package_path


def node_modules() -> list[str]:
    return sorted(
        name
        for _, name, is_pkg in pkgutil.iter_modules(_package_path)
        if not is_pkg and not name.startswith("_") and name != "registry"
    )


def all_nodes() -> list[type]:
    nodes: list[type] = []
    for name in node_modules():
        module = importlib.import_module(f"{_package_name}.{name}")
        nodes.extend(getattr(module, "NODES", ()))
    ids = [n.define_schema().node_id for n in nodes]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuntimeError(f"duplicate node ids in the pack: {sorted(duplicates)}")
    return nodes
