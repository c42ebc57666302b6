"""Fetching a document's uri without reaching the inside of the network (SSRF).

Every connection the HTTP client opens — the first and one per redirect to a new origin — goes through
`GuardedBackend.connect_tcp`: the host is resolved once, every address it resolves to is checked against the
`FetchPolicy` (one refused address refuses the host: a name with a public and a private answer is not
half-trusted), and the socket is opened to exactly the address that was checked. A DNS answer that changes
between the check and the connect (rebinding) cannot swap the address, and TLS still verifies the name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

from services.chat.domain import FetchPolicy

Resolver = Callable[[str, int], Awaitable[list[str]]]


class FetchRefused(Exception):
    """The uri's host resolves to an address the policy refuses; the message is safe to show."""


async def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, through the loop's resolver (a thread, never blocking the loop)."""
    found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, policy: FetchPolicy, resolver: Resolver = resolve) -> None:
        self._policy = policy
        self._resolve = resolver
        self._inner = httpcore.AnyIOBackend()

    async def checked_address(self, host: str, port: int) -> str:
        """The one address to connect to for `host`, or FetchRefused."""
        try:
            addresses = await self._resolve(host.strip("[]"), port)
        except OSError as exc:
            raise httpcore.ConnectError(f"{host} could not be resolved: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        for address in addresses:
            refusal = self._policy.refusal(ipaddress.ip_address(address.split("%", 1)[0]))
            if refusal:
                raise FetchRefused(f"{host} resolves to {address}, {refusal}; such addresses are not fetched")
        return addresses[0]

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 -- httpcore's interface passes it in
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = await self.checked_address(host, port)
        return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 -- httpcore's interface passes it in
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise FetchRefused("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose every connection is opened by `GuardedBackend`."""

    def __init__(self, policy: FetchPolicy, resolver: Resolver = resolve) -> None:
        super().__init__(trust_env=False)
        # httpx does not take a network backend, httpcore's pool does: the pool is rebuilt with the same TLS
        # context around the guard. `tests/unit/chat/test_fetching.py` fails if an upgrade drops the guard.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=10, max_keepalive_connections=5,
            keepalive_expiry=5.0, network_backend=GuardedBackend(policy, resolver),
        )  # fmt: skip


def guarded_client(policy: FetchPolicy, *, timeout: float, headers: dict[str, str], max_redirects: int = 5) -> httpx.AsyncClient:
    """An HTTP client that follows at most `max_redirects` redirects, each one's host checked as it connects;
    no proxy from the environment (a proxy would connect on our behalf, past the check)."""
    return httpx.AsyncClient(
        transport=GuardedTransport(policy), timeout=timeout, follow_redirects=True, max_redirects=max_redirects,
        headers=headers, trust_env=False,
    )  # fmt: skip
