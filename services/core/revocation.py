"""Revoked sessions and blocked users, known to every process within about a millisecond.

Access tokens are verified offline and live up to 15 minutes, so signing out, revoking a
session, a refresh family caught being reused, demoting an admin, disabling or deleting an
account must reach every process some other way. Auth writes each revocation to Redis (a key
that lives as long as the tokens it refuses could) and publishes it; every process keeps the
whole set in memory, loaded at start and kept current from the channel, so the check on
every call is two dictionary lookups and never a network round trip. When the channel drops,
the listener reconnects and reloads the set, so nothing published meanwhile is missed for
longer than the reconnection takes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import redis.asyncio as aioredis

log = logging.getLogger("marquee.revocation")

CHANNEL = "marquee:revocations"  # + ":<db>": Redis pub/sub ignores database numbers
SESSION_PREFIX = "marquee:revoked:session:"
USER_PREFIX = "marquee:revoked:user:"


@dataclass(frozen=True)
class Revoked:
    """Why a caller is refused: `revoke_reason` as the Auth contract names it."""

    reason: str
    until: float  # epoch seconds after which no token it could refuse is still valid


class Revocations:
    """The revocation set of this process (see the module docstring).

    `lifetime_seconds` is how long a refused token could still be valid: the access token
    lifetime plus the clock leeway. Entries older than that are dropped everywhere.
    """

    def __init__(self, redis_url: str, *, lifetime_seconds: float, reconnect_seconds: float = 0.5) -> None:
        self._redis_url = redis_url
        self._lifetime = lifetime_seconds
        self._reconnect = reconnect_seconds
        self._sessions: dict[str, Revoked] = {}
        self._users: dict[str, Revoked] = {}
        self._client: aioredis.Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._channel = ""

    # -- the check (every call) -----------------------------------------------

    def refused(self, *, user_id: str, session_id: str) -> Revoked | None:
        """The revocation that refuses this caller, or None (two dict lookups when nothing matches)."""
        sessions, users = self._sessions, self._users
        found = sessions.get(session_id) if session_id else None
        if found is None:
            found = users.get(user_id)
            if found is None:
                return None
        if found.until > time.time():
            return found
        # Expired: no token it refused is valid any more.
        if sessions.get(session_id) is found:
            del sessions[session_id]
        else:
            users.pop(user_id, None)
        return self.refused(user_id=user_id, session_id=session_id)

    # -- writes (Auth's use cases, after their unit of work commits) ------------

    async def revoke_sessions(self, session_ids: Iterable[str], reason: str) -> None:
        """Refuse every access token issued for these sessions."""
        await self._publish("session", SESSION_PREFIX, [sid for sid in session_ids if sid], reason)

    async def block_user(self, user_id: str, reason: str) -> None:
        """Refuse every access token of this user (disabled or deleted accounts)."""
        await self._publish("user", USER_PREFIX, [user_id], reason)

    async def unblock_user(self, user_id: str) -> None:
        """A re-enabled account: its new tokens work again (its old sessions stay revoked)."""
        self._users.pop(user_id, None)
        client = self._connection()
        async with client.pipeline(transaction=False) as pipe:
            pipe.delete(USER_PREFIX + user_id)
            pipe.publish(self._channel, f"unblock\t{user_id}")
            await pipe.execute()

    async def _publish(self, kind: str, prefix: str, ids: list[str], reason: str) -> None:
        if not ids:
            return
        until = time.time() + self._lifetime
        table = self._sessions if kind == "session" else self._users
        for key in ids:
            table[key] = Revoked(reason, until)  # this process refuses at once, before the echo
        client = self._connection()
        async with client.pipeline(transaction=False) as pipe:
            for key in ids:
                pipe.set(prefix + key, f"{until:.3f}\t{reason}", px=int(self._lifetime * 1000))
                pipe.publish(self._channel, f"{kind}\t{key}\t{until:.3f}\t{reason}")
            await pipe.execute()

    # -- lifecycle ----------------------------------------------------------------

    async def start(self, timeout_seconds: float = 10.0) -> None:
        """Subscribe and load the current set; returns once calls can be checked."""
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="revocation-listener")
        async with asyncio.timeout(timeout_seconds):
            await self._ready.wait()

    async def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def _connection(self) -> aioredis.Redis:
        if self._client is None:
            self._client = aioredis.Redis.from_url(self._redis_url, health_check_interval=30)
            self._channel = f"{CHANNEL}:{self._client.connection_pool.connection_kwargs.get('db', 0)}"
        return self._client

    async def _listen(self) -> None:
        while True:
            pubsub = self._connection().pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                await self._reload()  # after subscribing: nothing published in between is lost
                self._ready.set()
                async for message in pubsub.listen():
                    self._apply(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:  # any Redis failure: reconnect and reload, never stop listening
                log.warning("revocation channel lost; reconnecting", exc_info=True)
                await asyncio.sleep(self._reconnect)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py types PubSub.aclose loosely

    async def _reload(self) -> None:
        sessions: dict[str, Revoked] = {}
        users: dict[str, Revoked] = {}
        client = self._connection()
        for prefix, table in ((SESSION_PREFIX, sessions), (USER_PREFIX, users)):
            keys = [key async for key in client.scan_iter(match=prefix + "*", count=1000)]
            if not keys:
                continue
            for key, value in zip(keys, await client.mget(keys), strict=True):
                parsed = _parse_value(value)
                if parsed is not None:
                    table[_text(key).removeprefix(prefix)] = parsed
        self._sessions, self._users = sessions, users

    def _apply(self, data: bytes | str) -> None:
        parts = _text(data).split("\t")
        if parts[0] == "unblock" and len(parts) == 2:
            self._users.pop(parts[1], None)
            return
        if len(parts) != 4 or parts[0] not in ("session", "user"):
            log.warning("ignoring a malformed revocation message")
            return
        kind, key, until, reason = parts
        with contextlib.suppress(ValueError):
            (self._sessions if kind == "session" else self._users)[key] = Revoked(reason, float(until))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _parse_value(value: bytes | str | None) -> Revoked | None:
    if value is None:
        return None
    until, _, reason = _text(value).partition("\t")
    try:
        return Revoked(reason, float(until))
    except ValueError:
        return None
