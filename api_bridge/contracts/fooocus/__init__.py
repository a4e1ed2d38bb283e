"""Fooocus: FooocusAPI v2.5 (``mrhan1993/FooocusAPI``) and the old Fooocus-API 0.5 (``mrhan1993/Fooocus-API``).

Modules: ``requests_v25`` / ``requests_v05`` / ``requests_mask`` (request models), ``fields`` (their shared
vocabulary), ``inputs`` (images and the job of each API), ``job`` (job → inpaint / outpaint task),
``catalog`` (model names), ``runner`` (the calls into the bridge), ``views_v25`` / ``views_v05`` (answer
shapes), ``files`` (result URLs), ``errors``, ``auth``, ``routes_*`` (thin routes), ``contract``.
"""

from .contract import CONTRACT, FooocusSettings

__all__ = ["CONTRACT", "FooocusSettings"]
