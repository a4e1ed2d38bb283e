"""Import the repository (a ComfyUI pack whose folder name is not a Python name) as a package."""

import importlib.util
import sys

from .paths import REPO_ROOT

ALIAS = "inpaint_bridge"


def import_pack_as(name: str = ALIAS):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, REPO_ROOT / "__init__.py", submodule_search_locations=[str(REPO_ROOT)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
