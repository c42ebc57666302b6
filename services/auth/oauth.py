"""Social sign-in over HTTP: build the provider's authorization URL, then trade the code it returns for a profile.

Only the wire lives here; deciding which account a profile signs in to is the domain's job.
"""

from __future__ import annotations

import base64
import hashlib
import http.cookiejar
import logging
import random
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx

from services.core.settings import OAuthProvider

log = logging.getLogger("marquee.auth.oauth")

PROVIDERS = ("google", "github", "discord")

# Three attempts in all; the sleeps (0.1-0.2 s, then 0.2-0.4 s) ride out a blip while the user waits.
_ATTEMPTS = 3
_BACKOFF_SECONDS = 0.1
# 429 and 5xx say "try later", not "you are wrong", so they are retried like a dropped connection.
_RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
_MAX_ERROR_TEXT = 200


@dataclass(frozen=True)
class ProviderProfile:
    provider: str
    subject: str
    email: str
    email_verified: bool
    display_name: str
    avatar_url: str


class ProviderRejected(Exception):
    """The provider refused the code or returned an account we cannot use."""

    def __init__(self, message: str, error_code: str = "") -> None:
        super().__init__(message)
        # The provider's own code (`invalid_grant`, `invalid_client`...), for ErrorInfo metadata.
        self.error_code = error_code


class ProviderUnavailable(Exception):
    """The provider could not be reached or kept failing; the user may try again later."""


def pkce_pair() -> tuple[str, str]:
    """A fresh (code_verifier, S256 code_challenge) pair (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)  # 48 random bytes encode to exactly 64 url-safe characters
    return verifier, _s256(verifier)


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(config: OAuthProvider, *, redirect_uri: str, state: str, code_challenge: str) -> str:
    """Where to send the browser to start signing in with `config`'s provider."""
    params = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(config.scopes),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    parts = urlsplit(config.authorize_url)
    # The signature names no provider, so Google is recognised by its host. We read the profile once and
    # need no refresh token, and people with several Google accounts should choose rather than be signed
    # in as whichever one is active in the browser.
    if (parts.hostname or "").endswith(".google.com"):
        params |= {"access_type": "online", "prompt": "select_account"}
    # Keep any query the configured URL already carries (some providers need a tenant or similar).
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


class OAuthClient:
    """Trades an authorization code for the provider's profile of the signed-in person.

    Blocking by design: the caller runs it in a worker thread. One `httpx.Client` is shared by all
    threads (its connection pool is thread-safe) so repeated sign-ins reuse connections.
    """

    def __init__(self, *, timeout_seconds: float, transport: httpx.BaseTransport | None = None) -> None:
        self._timeout_seconds = timeout_seconds
        # A shared client would otherwise keep cookies one person's sign-in received and send them
        # with the next person's; a jar whose policy allows no domain stores nothing.
        no_cookies = http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout_seconds,
            follow_redirects=False,
            cookies=no_cookies,
            headers={"User-Agent": "marquee-oauth"},  # GitHub's API refuses requests without one
        )

    def close(self) -> None:
        self._http.close()

    def fetch_profile(
        self, provider: str, config: OAuthProvider, *, code: str, code_verifier: str, redirect_uri: str
    ) -> ProviderProfile:
        """Exchange `code` at the token endpoint, then read the profile it grants.

        The whole exchange shares one budget of `timeout_seconds`, so a stalled provider holds a worker
        thread for one timeout, not one per attempt and request.
        """
        if provider not in PROVIDERS:
            raise ValueError(f"unknown OAuth provider {provider!r}; choose from {', '.join(PROVIDERS)}")
        if not config.configured:
            raise ProviderUnavailable(f"{provider} sign-in is not configured")
        call = _Call(self._http, provider, deadline=time.monotonic() + self._timeout_seconds)
        token = call.exchange_code(config, code=code, code_verifier=code_verifier, redirect_uri=redirect_uri)
        if provider == "google":
            return call.google_profile(config, token)
        if provider == "github":
            return call.github_profile(config, token)
        return call.discord_profile(config, token)


class _Call:
    """One sign-in's requests to one provider, sharing a deadline."""

    def __init__(self, http: httpx.Client, provider: str, *, deadline: float) -> None:
        self._http = http
        self._provider = provider
        self._deadline = deadline

    def exchange_code(self, config: OAuthProvider, *, code: str, code_verifier: str, redirect_uri: str) -> str:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": config.client_id,
            "client_secret": config.client_secret.get_secret_value(),
            "code_verifier": code_verifier,
        }
        # GitHub answers form-encoded unless asked for JSON.
        response = self._send("POST", config.token_url, "token", headers={"Accept": "application/json"}, data=form)
        payload = _json_body(response)
        # GitHub reports a bad code with 200 and an `error` field, the others with 400.
        if response.is_client_error or (isinstance(payload, dict) and payload.get("error")):
            code = str(payload.get("error", "")) if isinstance(payload, dict) else ""
            raise ProviderRejected(
                f"{self._provider} refused the authorization code: {_describe_error(response, payload)}",
                code[:100] or f"http_{response.status_code}",
            )
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise ProviderRejected(
                f"{self._provider} token endpoint answered HTTP {response.status_code} without an access token"
            )
        return token

    def google_profile(self, config: OAuthProvider, token: str) -> ProviderProfile:
        user = self._get_object(config.userinfo_url, "userinfo", token)
        verified = user.get("email_verified")
        return ProviderProfile(
            provider="google",
            subject=self._subject(user, "sub"),
            email=_text(user, "email").strip().lower(),
            # Google's userinfo has sent this both as a boolean and as the string "true".
            email_verified=verified is True or (isinstance(verified, str) and verified.lower() == "true"),
            display_name=_text(user, "name"),
            avatar_url=_text(user, "picture"),
        )

    def github_profile(self, config: OAuthProvider, token: str) -> ProviderProfile:
        accept = "application/vnd.github+json"
        user = self._get_object(config.userinfo_url, "user", token, accept=accept)
        subject = self._subject(user, "id")
        email, verified = self._github_email(config, token, accept, fallback=_text(user, "email"))
        return ProviderProfile(
            provider="github",
            subject=subject,
            email=email.strip().lower(),
            email_verified=verified,
            display_name=_text(user, "name") or _text(user, "login"),
            avatar_url=_text(user, "avatar_url"),
        )

    def _github_email(self, config: OAuthProvider, token: str, accept: str, *, fallback: str) -> tuple[str, bool]:
        # /user shows only the public email, with no word on verification; /user/emails has the truth.
        if not config.emails_url:
            return fallback, False
        response = self._send("GET", config.emails_url, "emails", headers=_bearer(token, accept))
        payload = _json_body(response)
        if response.is_error or not isinstance(payload, list):
            # A GitHub App without the email permission gets 403/404 here. Signing in still works; the
            # email just stays unverified, so it is never trusted to link accounts.
            log.warning(
                "%s emails endpoint answered HTTP %s; using the profile email unverified", self._provider, response.status_code
            )
            return fallback, False
        entries = [e for e in payload if isinstance(e, dict) and isinstance(e.get("email"), str) and e["email"]]
        verified = [e for e in entries if e.get("verified") is True]
        for entry in verified:
            if entry.get("primary") is True:
                return str(entry["email"]), True
        if verified:
            return str(verified[0]["email"]), True
        return fallback, False

    def discord_profile(self, config: OAuthProvider, token: str) -> ProviderProfile:
        user = self._get_object(config.userinfo_url, "user", token)
        subject = self._subject(user, "id")
        email = _text(user, "email").strip().lower()
        avatar = _text(user, "avatar")
        return ProviderProfile(
            provider="discord",
            subject=subject,
            email=email,
            # Discord's `verified` is about the account's email, so it means nothing without one.
            email_verified=bool(email) and user.get("verified") is True,
            display_name=_text(user, "global_name") or _text(user, "username"),
            avatar_url=f"https://cdn.discordapp.com/avatars/{quote(subject)}/{quote(avatar)}.png" if avatar else "",
        )

    def _get_object(self, url: str, what: str, token: str, *, accept: str = "application/json") -> dict[str, Any]:
        response = self._send("GET", url, what, headers=_bearer(token, accept))
        payload = _json_body(response)
        if response.is_error:
            raise ProviderRejected(
                f"{self._provider} {what} endpoint refused the access token: {_describe_error(response, payload)}"
            )
        if not isinstance(payload, dict):
            raise ProviderRejected(f"{self._provider} {what} endpoint answered HTTP {response.status_code} without a JSON object")
        return payload

    def _subject(self, user: dict[str, Any], key: str) -> str:
        value = user.get(key)
        # bool is an int in Python; a `true` id is a broken response, not user 1.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
        raise ProviderRejected(f"{self._provider} profile has no `{key}`")

    def _send(
        self, method: str, url: str, what: str, *, headers: dict[str, str], data: dict[str, str] | None = None
    ) -> httpx.Response:
        """Send with retries on transport errors, 429 and 5xx; any other answer is returned as is."""
        failure = "out of time before the request"
        for attempt in range(_ATTEMPTS):
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                response = self._http.request(method, url, headers=headers, data=data, timeout=remaining)
            except httpx.TransportError as exc:  # connect errors, timeouts, dropped connections
                failure = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code not in _RETRY_STATUSES:
                    return response
                failure = f"HTTP {response.status_code}"
            delay = _BACKOFF_SECONDS * 2**attempt * (1 + random.random())
            if attempt + 1 == _ATTEMPTS or time.monotonic() + delay >= self._deadline:
                break
            # The URL carries no secret (the code and token travel in the body and headers).
            log.warning("%s %s endpoint failed (%s); retrying in %.2f s", self._provider, what, failure, delay)
            time.sleep(delay)
        raise ProviderUnavailable(f"{self._provider} {what} endpoint unavailable: {failure}")


def _bearer(token: str, accept: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": accept}


def _json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:  # not JSON at all, or not UTF-8
        return None


def _text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    return value if isinstance(value, str) else ""


def _describe_error(response: httpx.Response, payload: Any) -> str:
    """The provider's own words (`error`, `error_description`) for the log and the exception, bounded in size."""
    if isinstance(payload, dict):
        words = [str(payload[key]) for key in ("error", "error_description", "message") if payload.get(key)]
        if words:
            return f"HTTP {response.status_code}: " + " - ".join(words)[:_MAX_ERROR_TEXT]
    return f"HTTP {response.status_code}"
