"""SSRF guard: refuse URLs that resolve to private, loopback or link-local addresses."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from monitor._exceptions import Blocked, FetchError


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


async def check_address(url: str, allow_private: bool) -> None:
    """Raise Blocked if ``url``'s host resolves to an address the config does not allow."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Blocked(url, f"scheme {parts.scheme!r} is not allowed")
    if allow_private:
        return
    host = parts.hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, parts.port or 0, type=socket.SOCK_STREAM
        )
    except socket.gaierror as exc:
        raise FetchError(url, f"cannot resolve host {host!r}: {exc.strerror}") from exc
    for info in infos:
        address = str(info[4][0])
        if _forbidden(address):
            raise Blocked(
                url,
                f"{host} resolves to {address}, a private or local address "
                "(set defaults.allow_private_addresses to allow it)",
            )
