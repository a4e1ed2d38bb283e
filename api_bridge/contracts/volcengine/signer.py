"""Volcengine SignerV4 (HMAC-SHA256) verification over the exact bytes received.

Mirrors what the official SDK (``volcengine/auth/SignerV4.py``) signs: the canonical
request is built from the method, path, sorted query, the headers named in
``SignedHeaders=`` with the values received, and the SHA-256 of the raw body, so a
re-serialised body can never verify by accident.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from .errors import GatewayError

ALGORITHM = "HMAC-SHA256"
REGION = "cn-north-1"
SERVICE = "cv"
TERMINATOR = "request"
CLOCK_SKEW = timedelta(minutes=15)  # undocumented upstream; the contract file fixes ±15 min for the bridge

_AUTH_RE = re.compile(
    r"^HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*SignedHeaders=(?P<signed>[^,\s]+)\s*,"
    r"\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*$"
)
_X_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str = REGION, service: str = SERVICE) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC(SK, date), region), service), "request")."""
    k_date = _hmac(secret_key.encode("utf-8"), date)
    return _hmac(_hmac(_hmac(k_date, region), service), TERMINATOR)


def _encode(value: str) -> str:
    # Only A-Z a-z 0-9 - _ . ~ stay unescaped (quote with safe="" keeps exactly those plus nothing else).
    return quote(value, safe="-_.~")


def canonical_query(query: Mapping[str, str] | list[tuple[str, str]]) -> str:
    pairs = list(query.items()) if isinstance(query, Mapping) else list(query)
    pairs.sort()
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs).replace("+", "%20")


def canonical_path(path: str) -> str:
    return (quote(path or "/", safe="") or "/").replace("%2F", "/").replace("+", "%20")


def _header_value(name: str, value: str) -> str:
    value = value.strip()
    if name == "host":
        # The SDK drops only the default ports from the signed host.
        for default in (":80", ":443"):
            if value.endswith(default):
                value = value[: -len(default)]
    return value


def canonical_request(
    method: str,
    path: str,
    query: Mapping[str, str] | list[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: list[str],
    body_sha256: str,
) -> str:
    """The six-part canonical request (note the empty line after the header block)."""
    lower = {k.lower(): v for k, v in headers.items()}
    names = sorted(h.lower() for h in signed_headers)
    header_block = "".join(f"{name}:{_header_value(name, lower.get(name, ''))}\n" for name in names)
    return "\n".join(
        [method.upper(), canonical_path(path), canonical_query(query), header_block, ";".join(names), body_sha256]
    )


def string_to_sign(x_date: str, canonical: str, region: str = REGION, service: str = SERVICE) -> str:
    scope = f"{x_date[:8]}/{region}/{service}/{TERMINATOR}"
    return "\n".join([ALGORITHM, x_date, scope, sha256_hex(canonical.encode("utf-8"))])


def signature(secret_key: str, x_date: str, canonical: str) -> str:
    key = signing_key(secret_key, x_date[:8])
    return hmac.new(key, string_to_sign(x_date, canonical).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Authorization:
    access_key: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: list[str]
    signature: str


def parse_authorization(value: str | None) -> Authorization:
    if not value:
        raise GatewayError("MissingAuthenticationToken", "The request has no Authorization header.")
    match = _AUTH_RE.match(value.strip())
    if not match:
        raise GatewayError(
            "MissingSignature",
            "The Authorization header is not 'HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'.",
        )
    scope = match["credential"].split("/")
    if len(scope) != 5:
        raise GatewayError("MissingRequestInfo", "Credential must be AK/YYYYMMDD/region/service/request.")
    ak, date, region, service, terminator = scope
    return Authorization(
        access_key=ak,
        date=date,
        region=region,
        service=service,
        terminator=terminator,
        signed_headers=[h for h in match["signed"].lower().split(";") if h],
        signature=match["signature"].lower(),
    )


def parse_x_date(value: str | None) -> datetime:
    if not value:
        raise GatewayError("InvalidTimestamp", "The request has no X-Date header.")
    try:
        return datetime.strptime(value, _X_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise GatewayError("InvalidTimestamp", f"X-Date {value!r} is not YYYYMMDDTHHMMSSZ.") from None


def verify_request(
    *,
    method: str,
    path: str,
    query: Mapping[str, str] | list[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    credentials: Mapping[str, str],
    now: datetime | None = None,
    clock_skew: timedelta = CLOCK_SKEW,
) -> str:
    """Check a request signed by SignerV4; return its access key or raise ``GatewayError``.

    ``credentials`` maps access key -> secret key. ``headers`` must give case-insensitive
    access or be a plain dict (keys are lower-cased here).
    """
    lower = {k.lower(): v for k, v in headers.items()}
    auth = parse_authorization(lower.get("authorization"))
    if (auth.region, auth.service, auth.terminator) != (REGION, SERVICE, TERMINATOR):
        raise GatewayError(
            "SignatureDoesNotMatch",
            f"Credential scope must be YYYYMMDD/{REGION}/{SERVICE}/{TERMINATOR}, "
            f"got {auth.region}/{auth.service}/{auth.terminator}.",
        )
    x_date = lower.get("x-date")
    when = parse_x_date(x_date)
    now = now or datetime.now(UTC)
    if abs(now - when) > clock_skew:
        raise GatewayError(
            "InvalidTimestamp",
            f"X-Date {x_date} is more than {int(clock_skew.total_seconds() // 60)} minutes from the server time.",
        )
    if auth.date != x_date[:8]:
        raise GatewayError("SignatureDoesNotMatch", "The credential date does not match X-Date.")
    for required in ("host", "x-date"):
        if required not in auth.signed_headers:
            raise GatewayError("SignatureDoesNotMatch", f"SignedHeaders must include {required}.")
    missing = [h for h in auth.signed_headers if h not in lower]
    if missing:
        raise GatewayError("MissingRequestInfo", f"Signed header(s) missing from the request: {', '.join(missing)}.")
    secret = credentials.get(auth.access_key)
    if secret is None:
        raise GatewayError("InvalidAccessKey", f"The access key {auth.access_key!r} is not known.")
    body_hash = sha256_hex(body)
    declared = lower.get("x-content-sha256")
    if declared is not None and declared.strip().lower() != body_hash:
        raise GatewayError("SignatureDoesNotMatch", "X-Content-Sha256 does not match the body received.")
    canonical = canonical_request(method, path, query, lower, auth.signed_headers, body_hash)
    expected = signature(secret, x_date, canonical)
    if not hmac.compare_digest(expected, auth.signature):
        raise GatewayError(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your Secret Access Key and signing method.",
        )
    return auth.access_key
