"""Callback URLs must not reach into our own network (SSRF): private, loopback and link-local addresses
are refused unless an operator allowlists the host or its network."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from review_app.exceptions import ValidationFailed
from review_app.settings import Settings

MAX_URL = 2048


def _allowlisted(
    host: str, addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address], allowlist: str
) -> bool:
    for entry in (e.strip() for e in allowlist.split(",") if e.strip()):
        if entry.lower() == host.lower():
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if addresses and all(address in network for address in addresses):
            return True
    return False


def check_callback_url(url: str, settings: Settings) -> str:
    """The URL if it is http(s) and every address it resolves to is public or allowlisted; else a 400."""
    if not url or len(url) > MAX_URL:
        raise ValidationFailed("The callback URL is empty or too long.", code="invalid_callback_url")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationFailed("Callback URLs must be http(s) URLs with a host.", code="invalid_callback_url")
    if parts.username or parts.password:
        raise ValidationFailed("Callback URLs may not carry credentials.", code="invalid_callback_url")
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP
        )
    except (socket.gaierror, UnicodeError) as e:
        raise ValidationFailed(
            f"The callback host {host!r} does not resolve.", code="invalid_callback_url"
        ) from e
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if _allowlisted(host, addresses, settings.webhook_allowlist):
        return url
    for address in addresses:
        if not address.is_global or address.is_multicast:
            raise ValidationFailed(
                f"The callback host {host!r} resolves to a private, loopback or link-local address "
                f"({address}); ask an operator to allowlist it (DOCLOOP_WEBHOOK_ALLOWLIST).",
                code="callback_url_not_allowed",
                details={"address": str(address)},
            )
    return url
