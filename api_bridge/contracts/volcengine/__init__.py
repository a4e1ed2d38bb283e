"""Volcengine visual ``CVProcess`` / ``Img2ImgInpainting`` with ``req_key = i2i_inpainting``.

Modules: ``signer`` (SignerV4 verification), ``models`` (request body, quality mapping),
``inputs`` (image and mask rules), ``errors`` (gateway and service envelopes),
``service`` (the framework-free endpoint handler).
"""

from .contract import CONTRACT
from .errors import BusinessError, GatewayError, success_body
from .models import InpaintingRequest, LogoInfo, parse_request
from .service import ACTIONS, Answer, EraseJob, EraseResult, handle
from .signer import verify_request

__all__ = [
    "ACTIONS",
    "CONTRACT",
    "Answer",
    "EraseJob",
    "EraseResult",
    "handle",
    "BusinessError",
    "GatewayError",
    "InpaintingRequest",
    "LogoInfo",
    "parse_request",
    "success_body",
    "verify_request",
]
