"""api_bridge must deploy without torch or ComfyUI: importing all of it pulls neither."""

import subprocess
import sys

from support.paths import REPO_ROOT

CODE = """
import importlib, pkgutil, sys
import api_bridge
for m in pkgutil.walk_packages(api_bridge.__path__, "api_bridge."):
    if not m.name.endswith("__main__"):
        importlib.import_module(m.name)
from api_bridge.server.app import create_app  # the whole server, contracts included
bad = sorted(n for n in sys.modules if n.split(".")[0] in ("torch", "comfy", "comfy_api", "comfy_execution",
             "nodes", "folder_paths", "torchvision", "inpaint_bridge"))
print("BAD:" + ",".join(bad))
"""


def test_importing_api_bridge_pulls_no_torch_or_comfy():
    out = subprocess.run(
        [sys.executable, "-c", CODE], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "BAD:", out
