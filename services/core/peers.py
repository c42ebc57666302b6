"""Calls between Marquee services: a gRPC channel per peer and a service credential.

Services never import each other; they call each other's contracts over gRPC, even
inside one process. A peer's address comes from MARQUEE_PEER_ADDRESSES (for example
`{"billing": "billing:50051"}`), else it is this process's own server, which is what
`marquee up` runs. The credential is an access token with role `service`: minted
locally when this process holds the signing key, otherwise obtained from Auth's
`IssueServiceToken` with MARQUEE_SERVICE_CLIENT_ID / _SECRET.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import ClassVar, Generic, TypeVar

import grpc

from services.core.settings import Settings
from services.core.tokens import ROLE_SERVICE, KeySet, TokenSigner

# Renew a cached service token this long before it expires.
RENEW_MARGIN_SECONDS = 60.0
# Per-call deadline a typed peer client gives each call unless it says otherwise.
CALL_TIMEOUT_SECONDS = 5.0

Metadata = tuple[tuple[str, str], ...]
K = TypeVar("K")
V = TypeVar("V")


class AnswerCache(Generic[K, V]):
    """A peer's answers kept in process, each until its own deadline; bounded, cleared when full.

    Clearing (not evicting one by one) keeps it O(1) and is harmless: an entry is only a saved call.
    """

    def __init__(self, *, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._max_entries = max_entries
        self._clock = clock
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> tuple[bool, V | None]:
        """`(True, value)` while the entry is fresh, else `(False, None)` (a cached value may be None)."""
        found = self._entries.get(key)
        if found is None or self._clock() >= found[0]:
            return False, None
        return True, found[1]

    def put(self, key: K, value: V, *, seconds: float) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[key] = (self._clock() + seconds, value)

    def forget(self, key: K) -> None:
        self._entries.pop(key, None)


class PeerClient:
    """The base of a typed client for one peer: where its channel and its service credential come from.

    A subclass adds the peer's stub and typed methods (facts, not messages) and maps the peer's
    errors to its own; `channel` and `metadata` are callables so a client is built before the
    event loop that owns the channel runs (`Peers.channel`, `Peers.metadata`).
    """

    def __init__(self, channel: Callable[[], grpc.aio.Channel], metadata: Callable[[], Awaitable[Metadata]]) -> None:
        self._channel = channel
        self._metadata = metadata


class CachingPeerClient(PeerClient, Generic[K, V]):
    """A typed peer client whose answers are kept briefly (`AnswerCache`), for facts asked on hot paths.

    A subclass sets how long by default, the most any caller may ask for, and the bound.
    """

    CACHE_SECONDS: ClassVar[float] = 60.0
    MAX_CACHE_SECONDS: ClassVar[float] = float("inf")
    MAX_CACHE_ENTRIES: ClassVar[int] = 5000

    def __init__(
        self,
        channel: Callable[[], grpc.aio.Channel],
        metadata: Callable[[], Awaitable[Metadata]],
        *,
        cache_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(channel, metadata)
        wanted = self.CACHE_SECONDS if cache_seconds is None else cache_seconds
        self._cache_seconds = min(wanted, self.MAX_CACHE_SECONDS)
        self._cache: AnswerCache[K, V] = AnswerCache(max_entries=self.MAX_CACHE_ENTRIES, clock=clock)


class Peers:
    def __init__(self, settings: Settings, keys: KeySet, *, caller: str = "marquee") -> None:
        self._settings = settings
        self._keys = keys
        self._caller = caller
        self._channels: dict[str, grpc.aio.Channel] = {}
        self._token = ""
        self._token_expiry = 0.0
        self.self_address = ""  # set once this process's server has bound its port

    def address(self, service: str) -> str:
        configured = self._settings.peer_addresses.get(service)
        if configured:
            return configured
        if not self.self_address:
            raise RuntimeError(f"no address for peer {service!r}: set MARQUEE_PEER_ADDRESSES")
        return self.self_address

    def channel(self, service: str) -> grpc.aio.Channel:
        """A channel to the service (created in the running event loop on first use)."""
        channel = self._channels.get(service)
        if channel is None:
            channel = grpc.aio.insecure_channel(
                self.address(service),
                options=[("grpc.max_receive_message_length", self._settings.max_message_bytes)],
            )
            self._channels[service] = channel
        return channel

    async def metadata(self) -> tuple[tuple[str, str], ...]:
        """Call metadata carrying a valid service credential."""
        if time.time() > self._token_expiry - RENEW_MARGIN_SECONDS:
            self._token, self._token_expiry = await self._new_token()
        return (("authorization", f"Bearer {self._token}"),)

    async def _new_token(self) -> tuple[str, float]:
        if self._keys.active.private is not None:
            signer = TokenSigner.from_settings(self._settings, self._keys)
            return signer.sign(f"services/{self._caller}", token_id=f"{self._caller}-{time.time_ns()}", role=ROLE_SERVICE)
        from marquee.auth.v1 import auth_pb2, auth_pb2_grpc

        reply = await auth_pb2_grpc.AuthServiceStub(self.channel("auth")).IssueServiceToken(
            auth_pb2.IssueServiceTokenRequest(
                client_id=self._settings.service_client_id,
                client_secret=self._settings.service_client_secret.get_secret_value(),
            ),
            timeout=10,
        )
        return reply.access_token, reply.expire_time.ToSeconds()

    async def close(self) -> None:
        channels, self._channels = self._channels, {}
        for channel in channels.values():
            await channel.close(None)
