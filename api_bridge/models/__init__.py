"""What models the ComfyUI behind the bridge has, and which file a request's model name means.

The pack answers ``GET /inpaint-bridge/models`` on ComfyUI (``nodes/routes_models.py``: files by kind, checkpoint
families, erase architectures); :class:`ModelCatalog` reads it over HTTP (never importing ComfyUI), keeps it a
few seconds, and refetches once when a name is not found, so a file dropped in while the bridge runs is seen.
Names resolve by :func:`resolve.resolve`: file name, stem, alias (``IB_MODEL_ALIASES``), default
(``IB_DEFAULT_CHECKPOINT``); an unknown name is ``model_not_found`` listing what is installed, never a
substitute.
"""

from .catalog import ModelCatalog
from .resolve import KINDS, installed_names, resolve

__all__ = ["KINDS", "ModelCatalog", "installed_names", "resolve"]
