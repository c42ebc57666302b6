"""The caller's network address: the peer, or the client a trusted proxy forwarded.

`x-forwarded-for` is only as honest as whoever added it. A client that reaches the gRPC port
directly can send any value, and a per-client login limit keyed on it could be escaped by
rotating it. So a forwarded address counts only when the call came through our own gateway
(Envoy sets `x-marquee-gateway` to a token derived from the server secret, replacing whatever
the client sent) or from a configured trusted proxy (`MARQUEE_TRUSTED_PROXIES`, CIDRs); every
other call is the peer it came from.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Mapping

from services.core.settings import Settings

GATEWAY_HEADER = "x-marquee-gateway"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def gateway_token(settings: Settings) -> str:
    """The value our Envoy sends in `x-marquee-gateway`: set, or derived from the server secret
    (so `marquee up` and every `marquee gateway-config` of one deployment agree with no setup)."""
    configured = settings.gateway_token.get_secret_value()
    if configured:
        return configured
    secret = settings.secret_key.get_secret_value().encode()
    return hmac.new(secret, b"marquee gateway token v1", hashlib.sha256).hexdigest()


def peer_ip(peer: str) -> str:
    """`ipv4:1.2.3.4:5678` / `ipv6:[::1]:5678` → the address; anything else (unix sockets) → ``."""
    if not peer.startswith(("ipv4:", "ipv6:")):
        return ""
    host = peer.split(":", 1)[1].rsplit(":", 1)[0]
    return host.replace("%5B", "").replace("%5D", "").strip("[]")


class ClientAddresses:
    def __init__(self, token: str, trusted_proxies: Iterable[str] = ()) -> None:
        self._token = token.encode()
        self._trusted: tuple[Network, ...] = tuple(ipaddress.ip_network(cidr, strict=False) for cidr in trusted_proxies)

    @classmethod
    def from_settings(cls, settings: Settings) -> ClientAddresses:
        return cls(gateway_token(settings), settings.trusted_proxies)

    def resolve(self, peer: str, metadata: Mapping[str, str]) -> str:
        """The client's address for this call (see the module docstring)."""
        ip = peer_ip(peer)
        forwarded = metadata.get("x-forwarded-for", "")
        if not forwarded or not self._trusts(ip, metadata.get(GATEWAY_HEADER, "")):
            return ip
        # The last entry is the one the trusted proxy itself appended: the address it saw.
        candidate = forwarded.rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return ip

    def _trusts(self, ip: str, token: str) -> bool:
        if token and hmac.compare_digest(token.encode(), self._token):
            return True
        if not self._trusted or not ip:
            return False
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in network for network in self._trusted)
