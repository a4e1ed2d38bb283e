"""IOPaint 1.6.0's REST API (``/api/v1``) and its own web UI at ``/``, served by ComfyUI graphs.

Modules: ``schema`` (request/response bodies), ``errors`` (IOPaint's error JSON, CORS), ``inputs`` (image and
mask rules, result encoding), ``catalog`` (installed models as IOPaint names them: the only user of the
bridge's model catalog), ``mapping`` (requests → typed tasks, pure), ``handlers`` (the endpoints without a
web framework), ``routes`` (``/api/v1``), ``web`` (the UI's files), ``contract`` (settings, ``CONTRACT``).
"""

from .contract import CONTRACT, IOPaintSettings

__all__ = ["CONTRACT", "IOPaintSettings"]
