"""A local stand-in for Google, GitHub and Discord sign-in: a real HTTP server on 127.0.0.1, port 0.

It speaks the authorization-code flow with PKCE the way the real providers do (one-time codes bound to
the client, redirect URI and challenge; each provider's own profile JSON), so tests exercise the
production client over a real socket rather than a mocked transport.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import httpx
from pydantic import SecretStr

from services.core.settings import OAuthProvider

PROVIDERS = ("google", "github", "discord")
TokenFailure = Literal["server_error", "invalid_grant", "hang"]

# The paths mirror each provider's real layout under a /{provider} prefix.
_USERINFO_PATHS = {"google": "/google/userinfo", "github": "/github/user", "discord": "/discord/users/@me"}
_SCOPES = {"google": ["openid", "email", "profile"], "github": ["read:user", "user:email"], "discord": ["identify", "email"]}
# A hung token call is released when the server stops; the cap only guards against a forgotten stop().
_HANG_CAP_SECONDS = 30.0


@dataclass(frozen=True)
class _Account:
    subject: str
    email: str
    email_verified: bool
    name: str
    avatar: str
    overrides: Mapping[str, Any]


@dataclass
class _Grant:
    provider: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    account: _Account
    used: bool = False


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_account: dict[str, _Account] = field(default_factory=dict)
    grants: dict[str, _Grant] = field(default_factory=dict)
    tokens: dict[str, tuple[str, _Account]] = field(default_factory=dict)
    token_failures: deque[TokenFailure] = field(default_factory=deque)


class LocalOAuthProvider:
    """The far end of social sign-in for tests. Use as a context manager, or start() and stop()."""

    # The default secret is a test fixture the fake provider and its settings_for() share.
    def __init__(self, *, client_id: str = "marquee-test", client_secret: str = "test-secret") -> None:  # noqa: S107
        self.client_id = client_id
        self.client_secret = client_secret
        self.requests: list[tuple[str, str]] = []
        self.base_url = ""
        self._state = _State()
        self._release = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("already started")
        self._release.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler, self)
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        # A short poll keeps stop() quick: shutdown() waits for the serving loop to notice.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="local-oauth-provider", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._release.set()  # let any hung token call finish so its thread can be joined
        self._server.shutdown()
        self._server.server_close()  # joins the request threads (daemon_threads is off)
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> LocalOAuthProvider:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def settings_for(self, provider: str) -> OAuthProvider:
        _check_provider(provider)
        root = f"{self.base_url}/{provider}"
        return OAuthProvider(
            client_id=self.client_id,
            client_secret=SecretStr(self.client_secret),
            authorize_url=f"{root}/authorize",
            token_url=f"{root}/token",
            userinfo_url=f"{self.base_url}{_USERINFO_PATHS[provider]}",
            emails_url=f"{root}/user/emails" if provider == "github" else "",
            scopes=list(_SCOPES[provider]),
        )

    def add_account(
        self,
        provider: str,
        *,
        subject: str,
        email: str,
        email_verified: bool = True,
        name: str = "Test User",
        avatar: str = "",
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        """Set who the next authorizations on `provider` sign in as (until another account is added).

        `avatar` is a Discord avatar hash or a picture URL for the others. `overrides` are set as-is in
        the profile JSON, to mimic provider quirks (Google's string "true", a null name, a missing id).
        """
        _check_provider(provider)
        account = _Account(subject, email, email_verified, name, avatar, dict(overrides or {}))
        with self._state.lock:
            self._state.next_account[provider] = account

    def fail_next_token(self, failure: TokenFailure, *, times: int = 1) -> None:
        """Make the next `times` token calls (any provider) fail before looking at the code.

        server_error answers 500; invalid_grant answers 400 {"error": "invalid_grant"}; hang answers nothing
        until the caller gives up (or the server stops).
        """
        with self._state.lock:
            self._state.token_failures.extend([failure] * times)

    def authorize(self, authorization_url: str) -> tuple[str, str]:
        """Play the browser: open the authorization URL and return (code, state) from the redirect."""
        if not authorization_url.startswith(self.base_url + "/"):
            raise ValueError(f"{authorization_url!r} does not point at this provider ({self.base_url})")
        with httpx.Client(follow_redirects=False) as browser:
            response = browser.get(authorization_url)
        if response.status_code != 302:
            raise AssertionError(f"authorization answered HTTP {response.status_code}: {response.text}")
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        return query["code"][0], query["state"][0]

    def token_calls(self) -> int:
        """How many token requests arrived, on any provider."""
        return sum(1 for method, path in self.requests if method == "POST" and path.endswith("/token"))

    # Request handling, called from the server's threads.

    def _record(self, method: str, path: str) -> None:
        with self._state.lock:
            self.requests.append((method, path))

    def _authorize(self, provider: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        problems = []
        if query.get("client_id") != self.client_id:
            problems.append("unknown client_id")
        if not query.get("redirect_uri"):
            problems.append("redirect_uri missing")
        if query.get("response_type") != "code":
            problems.append("response_type must be code")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            problems.append("PKCE with code_challenge_method=S256 is required")
        if not query.get("state"):
            problems.append("state missing")
        with self._state.lock:
            account = self._state.next_account.get(provider)
            if account is None:
                problems.append(f"no {provider} account was added")
            if problems or account is None:
                return 400, {"Content-Type": "text/plain"}, "; ".join(problems).encode()
            code = secrets.token_urlsafe(24)
            self._state.grants[code] = _Grant(
                provider, query["client_id"], query["redirect_uri"], query["code_challenge"], account
            )
        redirect = query["redirect_uri"]
        separator = "&" if urlsplit(redirect).query else "?"
        return 302, {"Location": f"{redirect}{separator}{urlencode({'code': code, 'state': query['state']})}"}, b""

    def _token_failure(self) -> TokenFailure | None:
        with self._state.lock:
            return self._state.token_failures.popleft() if self._state.token_failures else None

    def _wait_for_release(self) -> None:
        self._release.wait(_HANG_CAP_SECONDS)

    def _token(self, provider: str, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        client_id, client_secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if client_id != self.client_id or not secrets.compare_digest(client_secret, self.client_secret):
            return 400, {"error": "invalid_client", "error_description": "client authentication failed"}
        with self._state.lock:
            grant = self._state.grants.get(form.get("code", ""))
            if grant is None or grant.used:
                return 400, {"error": "invalid_grant", "error_description": "unknown or already used code"}
            # Any redemption spends the code, as the real providers do, so a failed guess cannot be retried.
            grant.used = True
            if grant.provider != provider or grant.client_id != client_id or grant.redirect_uri != form.get("redirect_uri"):
                return 400, {"error": "invalid_grant", "error_description": "code was issued for another client or redirect_uri"}
            if not secrets.compare_digest(_s256(form.get("code_verifier", "")), grant.code_challenge):
                return 400, {"error": "invalid_grant", "error_description": "code_verifier does not match the challenge"}
            token = secrets.token_urlsafe(32)
            self._state.tokens[token] = (provider, grant.account)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": 3600, "scope": " ".join(_SCOPES[provider])}

    def _account_for(self, provider: str, authorization: str) -> _Account | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        with self._state.lock:
            entry = self._state.tokens.get(token.strip())
        return entry[1] if entry is not None and entry[0] == provider else None


def _check_provider(provider: str) -> None:
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; choose from {', '.join(PROVIDERS)}")


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _login(account: _Account) -> str:
    return "".join(ch for ch in account.name.lower() if ch.isalnum()) or f"user{account.subject}"


def _google_user(account: _Account) -> dict[str, Any]:
    user: dict[str, Any] = {"sub": account.subject, "name": account.name, "picture": account.avatar}
    if account.email:
        user |= {"email": account.email, "email_verified": account.email_verified}
    return user


def _github_user(account: _Account) -> dict[str, Any]:
    return {
        "id": int(account.subject) if account.subject.isdigit() else account.subject,
        "login": _login(account),
        "name": account.name,
        "avatar_url": account.avatar,
        "email": account.email or None,  # the public email; null when the person keeps it private
    }


def _github_emails(account: _Account) -> list[dict[str, Any]]:
    # GitHub lists the verified noreply address too; putting it first checks that the primary one wins.
    emails = [{"email": f"{account.subject}+{_login(account)}@users.noreply.github.com", "primary": False, "verified": True}]
    if account.email:
        emails.append({"email": account.email, "primary": True, "verified": account.email_verified})
    return emails


def _discord_user(account: _Account) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": account.subject,
        "username": _login(account),
        "global_name": account.name,
        "avatar": account.avatar or None,
        "verified": account.email_verified,
    }
    if account.email:
        user["email"] = account.email
    return user


_PROFILES = {"google": _google_user, "github": _github_user, "discord": _discord_user}


class _Server(ThreadingHTTPServer):
    # Request threads are joined on close, so a test never ends with one still running.
    daemon_threads = False

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], owner: LocalOAuthProvider) -> None:
        super().__init__(address, handler)
        self.owner = owner


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.0 closes every connection after its response, so no keep-alive socket outlives a test.
    protocol_version = "HTTP/1.0"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is `requests`; stderr noise would hide test output

    def do_GET(self) -> None:
        owner = self.server.owner
        url = urlsplit(self.path)
        path = unquote(url.path)
        owner._record("GET", path)
        provider, _, rest = path.lstrip("/").partition("/")
        if provider not in PROVIDERS:
            self._send_json(404, {"error": "not_found"})
        elif rest == "authorize":
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            status, headers, body = owner._authorize(provider, query)
            self._send(status, headers, body)
        elif path == _USERINFO_PATHS[provider] or (provider == "github" and rest == "user/emails"):
            account = owner._account_for(provider, self.headers.get("Authorization", ""))
            if account is None:
                self._send_json(401, {"error": "invalid_token", "message": "Bad credentials"})
            elif rest == "user/emails":
                self._send_json(200, _github_emails(account))
            else:
                self._send_json(200, _PROFILES[provider](account) | dict(account.overrides))
        else:
            self._send_json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        owner = self.server.owner
        url = urlsplit(self.path)
        owner._record("POST", url.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or "0"))
        provider, _, rest = url.path.lstrip("/").partition("/")
        if provider not in PROVIDERS or rest != "token":
            self._send_json(404, {"error": "not_found"})
            return
        failure = owner._token_failure()
        if failure == "hang":
            owner._wait_for_release()
            self.close_connection = True  # the caller has given up; answer nothing
            return
        if failure == "server_error":
            self._send_json(500, {"error": "server_error"})
            return
        if failure == "invalid_grant":
            self._send_json(400, {"error": "invalid_grant", "error_description": "injected by the test"})
            return
        form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        status, payload = owner._token(provider, form, self._basic_auth())
        self._send_json(status, payload)

    def _basic_auth(self) -> tuple[str, str] | None:
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        client_id, _, client_secret = base64.b64decode(encoded).decode().partition(":")
        return client_id, client_secret

    def _send_json(self, status: int, payload: Any) -> None:
        self._send(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())

    def _send(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
