"""Outbound HTTP address policy, one for every URL the bridge fetches or posts to (images, webhooks).

Only http(s); private, loopback, link-local, reserved, multicast and unspecified addresses are
refused unless ``allow_private`` (``IB_ALLOW_PRIVATE_URLS``), or the host (``host`` or
``host:port``) is in ``allow_hosts`` (``IB_ALLOW_URL_HOSTS``: e.g. one internal webhook receiver
while the rest of the network stays closed). A literal address is checked at once; a host name on
every connection, by the resolver, so neither a DNS answer nor a redirect can point inside.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver

from .errors import BridgeError, ErrorCode

REDIRECTS = (301, 302, 303, 307, 308)
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class UrlPolicy:
    allow_private: bool = False
    timeout: float = 15.0
    max_redirects: int = 3
    allow_hosts: frozenset[str] = frozenset()

    def allows(self, host: str, port: int | None) -> bool:
        """Host exempt from the address check by configuration."""
        host = host.strip("[]").lower()
        return host in self.allow_hosts or (port is not None and f"{host}:{port}" in self.allow_hosts)


def public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


class _CheckingResolver(AbstractResolver):
    """Resolves like aiohttp, then refuses non-public addresses."""

    def __init__(self, policy: UrlPolicy, what: str) -> None:
        self._inner = DefaultResolver()
        self._policy = policy
        self._what = what

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        infos = await self._inner.resolve(host, port, family)
        if self._policy.allows(host, port):
            return infos
        if any(not public_address(i["host"]) for i in infos):
            raise BridgeError(ErrorCode.url_refused, f"{self._what} host {host!r} resolves to a non-public address")
        return infos

    async def close(self) -> None:
        await self._inner.close()


def check_url(url: str, policy: UrlPolicy, what: str = "URL") -> None:
    """Scheme and literal-address check (names are checked when resolved); raises ``url_refused``."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.hostname:
        raise BridgeError(ErrorCode.url_refused, f"only http(s) URLs are accepted for the {what}")
    if policy.allow_private or policy.allows(parsed.hostname, parsed.port or _DEFAULT_PORTS[parsed.scheme.lower()]):
        return
    try:
        literal = ipaddress.ip_address(parsed.hostname)
    except ValueError:
        return
    if not public_address(str(literal)):
        raise BridgeError(ErrorCode.url_refused, f"{what} host {parsed.hostname} is not a public address")


def session(policy: UrlPolicy, what: str, timeout: float | None = None) -> aiohttp.ClientSession:
    """A client session whose every connection obeys ``policy`` (follow redirects by hand: see ``check_url``)."""
    connector = aiohttp.TCPConnector(resolver=None if policy.allow_private else _CheckingResolver(policy, what))
    total = policy.timeout if timeout is None else timeout
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=total, connect=min(total, 5)))
