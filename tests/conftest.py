"""Shared test set-up: tier markers by folder, the pack importable as ``inpaint_bridge``.

The repository root is a ComfyUI pack (its folder name is not a Python name), so
tests import it under the alias ``inpaint_bridge``: ``inpaint_bridge.nodes.common``
for pure helpers. Never ``import nodes`` directly: that name is ComfyUI's.
"""

import pathlib

import pytest

from support.pack import import_pack_as
from support.paths import REPO_ROOT

_TIERS = ("unit", "nodes", "integration", "e2e")


def pytest_collection_modifyitems(items):
    for item in items:
        parts = pathlib.Path(str(item.fspath)).relative_to(REPO_ROOT / "tests").parts
        if parts and parts[0] in _TIERS:
            item.add_marker(getattr(pytest.mark, parts[0]))


def pytest_configure(config):
    import_pack_as()
