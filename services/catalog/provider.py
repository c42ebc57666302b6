"""A TMDb-compatible metadata client: retries with backoff, a shared rate limit, a database cache.

Responses are cached in `catalog_provider_cache` (details 7 days, searches 1 day), so a
repeat lookup costs no provider request. The client-side rate limit is a Redis sliding
window shared by every process; 429 and 5xx answers and network errors are retried with
exponential backoff and jitter, honouring Retry-After.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from services.catalog.settings import CatalogSettings
from services.core import errors
from services.core.ratelimit import RateLimiter

DETAILS_TTL = dt.timedelta(days=7)
SEARCH_TTL = dt.timedelta(days=1)
MAX_ATTEMPTS = 4
BACKOFF_BASE_SECONDS = 0.2
# Wait this long at most for a Retry-After or for the local rate limit; longer is RESOURCE_EXHAUSTED.
MAX_WAIT_SECONDS = 2.0
RATE_LIMIT_KEY = "catalog:tmdb"

CacheGet = Callable[[str], Awaitable[dict[str, Any] | None]]
CachePut = Callable[[str, dict[str, Any], dt.timedelta], Awaitable[None]]


def _unavailable(message: str) -> errors.DomainError:
    return errors.Unavailable(message, reason="PROVIDER_UNAVAILABLE")


def _rate_limited(retry_after: float) -> errors.DomainError:
    return errors.ResourceExhausted(
        "the metadata provider's rate limit is reached", reason="PROVIDER_RATE_LIMITED", retry_after_seconds=retry_after
    )


class TmdbClient:
    def __init__(self, settings: CatalogSettings, limiter: RateLimiter, cache_get: CacheGet, cache_put: CachePut) -> None:
        self._base = settings.tmdb_api_base.rstrip("/")
        self._key = settings.tmdb_api_key.get_secret_value()
        self._timeout = settings.tmdb_timeout_seconds
        self._limit = settings.tmdb_requests_per_window
        self._window = settings.tmdb_window_seconds
        self._limiter = limiter
        self._cache_get = cache_get
        self._cache_put = cache_put
        self._client: httpx.AsyncClient | None = None

    def _auth(self) -> tuple[dict[str, str], dict[str, str]]:
        # A v4 read-access token is a JWT (three dot-separated parts); a v3 key is a query parameter.
        if self._key.count(".") == 2:
            return {"Authorization": f"Bearer {self._key}"}, {}
        return {}, {"api_key": self._key}

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _throttle(self) -> None:
        while True:
            decision = await asyncio.to_thread(self._limiter.hit, RATE_LIMIT_KEY, limit=self._limit, window_seconds=self._window)
            if decision.allowed:
                return
            if decision.retry_after_seconds > MAX_WAIT_SECONDS:
                raise _rate_limited(decision.retry_after_seconds)
            await asyncio.sleep(decision.retry_after_seconds + 0.01)

    async def get(self, path: str, params: dict[str, str], *, ttl: dt.timedelta, not_found_ok: bool = False) -> dict[str, Any]:
        """GET a provider resource through the cache; NOT_FOUND / PROVIDER_TITLE_NOT_FOUND on 404."""
        if not self._key:
            raise _unavailable("the metadata provider is not configured (tmdb_api_key is empty)")
        key = path + "?" + "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        cached = await self._cache_get(key)
        if cached is not None:
            return cached
        body = await self._fetch(path, params)
        await self._cache_put(key, body, ttl)
        return body

    async def _fetch(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        headers, auth_params = self._auth()
        last = "no answer"
        for attempt in range(MAX_ATTEMPTS):
            await self._throttle()
            delay = BACKOFF_BASE_SECONDS * (2**attempt) * (0.5 + random.random())
            try:
                response = await self._client.get(self._base + path, params={**params, **auth_params}, headers=headers)
            except httpx.HTTPError as exc:
                last = f"network error: {type(exc).__name__}"
            else:
                if response.status_code == 200:
                    body = response.json()
                    if not isinstance(body, dict):
                        raise _unavailable("the metadata provider sent an unexpected answer")
                    return body
                if response.status_code == 404:
                    raise errors.NotFound("the provider has no title with that id", reason="PROVIDER_TITLE_NOT_FOUND")
                if response.status_code != 429 and response.status_code < 500:
                    raise _unavailable(f"the metadata provider refused the request (HTTP {response.status_code})")
                last = f"HTTP {response.status_code}"
                retry_after = _retry_after(response.headers.get("retry-after", ""))
                if retry_after is not None:
                    if retry_after > MAX_WAIT_SECONDS:
                        raise _rate_limited(retry_after)
                    delay = retry_after
                if response.status_code == 429 and attempt == MAX_ATTEMPTS - 1:
                    raise _rate_limited(retry_after or 1.0)
            if attempt < MAX_ATTEMPTS - 1:
                await asyncio.sleep(delay)
        raise _unavailable(f"the metadata provider did not answer after {MAX_ATTEMPTS} attempts ({last})")


def _retry_after(value: str) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
