"""Novita / PPIO ``/v3/async/inpainting`` with ``/v3/async/task-result``, ``/v3/model`` and webhooks.

Modules: ``models`` (request bodies), ``auth`` (keys), ``errors`` (the error body and reasons),
``catalog`` (model names through the bridge's catalog), ``task`` (request → inpaint task),
``results`` (record → task result / webhook), ``outputs`` (png / webp / jpeg copies), ``listing``
(``/v3/model``), ``service`` (framework-free handlers), ``routes`` (FastAPI), ``contract`` (wiring).
"""

from .contract import CONTRACT

__all__ = ["CONTRACT"]
