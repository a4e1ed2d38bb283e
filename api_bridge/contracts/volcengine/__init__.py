"""Volcengine visual ``CVProcess`` / ``Img2ImgInpainting`` with ``req_key = i2i_inpainting``.

Modules: ``signer`` (SignerV4 verification), ``models`` (request body, quality mapping),
``inputs`` (image and mask rules), ``errors`` (gateway and service envelopes).
"""

from .errors import BusinessError, GatewayError, success_body
from .models import InpaintingRequest, LogoInfo, parse_request
from .signer import verify_request

ACTIONS = frozenset({"CVProcess", "Img2ImgInpainting"})

__all__ = [
    "ACTIONS",
    "BusinessError",
    "GatewayError",
    "InpaintingRequest",
    "LogoInfo",
    "parse_request",
    "success_body",
    "verify_request",
]
