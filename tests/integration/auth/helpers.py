"""Shared helpers for the Auth integration tests: accounts, admins, outbox links and hand-made tokens."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import pathlib
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc

from services.core.settings import Settings
from services.core.tokens import KeySet
from tests.conftest import ADMIN_EMAIL
from tests.support.harness import RpcError, bearer, rpc_error
from tests.support.rpc import expect_error, fails  # noqa: F401  (re-exported to the area's tests)

PASSWORD = "Tulip-Harbour-2291"
NEW_PASSWORD = "Granite-Meadow-7710"
ADMIN_PASSWORD = "Lantern-Quay-5532"
REDIRECT_URI = "http://localhost:8080/oauth/callback"
AUTH_DOMAIN = "marquee.auth"


def unique_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.test"


def stub_for(channel: grpc.aio.Channel) -> auth_pb2_grpc.AuthServiceStub:
    return auth_pb2_grpc.AuthServiceStub(channel)


def assert_error(error: RpcError, code: grpc.StatusCode, reason: str, *, domain: str | None = AUTH_DOMAIN) -> None:
    expect_error(error, code, reason, domain=domain)


def violation_fields(error: RpcError) -> list[str]:
    return [v.field for v in error.bad_request.field_violations] if error.bad_request else []


@dataclass
class Account:
    email: str
    password: str
    user: auth_pb2.User
    tokens: auth_pb2.TokenPair

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def user_id(self) -> str:
        return self.user.name.removeprefix("users/")

    @property
    def access(self) -> str:
        return self.tokens.access_token

    @property
    def refresh(self) -> str:
        return self.tokens.refresh_token

    @property
    def session_id(self) -> str:
        return self.tokens.session.rsplit("/", 1)[1]

    @property
    def auth(self) -> tuple[tuple[str, str], ...]:
        return bearer(self.tokens.access_token)


async def register(
    stub: auth_pb2_grpc.AuthServiceStub,
    email_address: str | None = None,
    *,
    password: str = PASSWORD,
    device_id: str = "",
    device_name: str = "",
    display_name: str = "",
) -> Account:
    address = email_address or unique_email()
    response = await stub.Register(
        auth_pb2.RegisterRequest(
            email=address,
            password=password,
            display_name=display_name,
            client=auth_pb2.ClientInfo(device_id=device_id, device_name=device_name),
        )
    )
    return Account(response.user.email, password, response.user, response.tokens)


async def login(
    stub: auth_pb2_grpc.AuthServiceStub, account: Account, *, device_id: str = "", password: str | None = None
) -> Account:
    """Signs `account` in again (a new session) and returns the account with the new tokens."""
    response = await stub.Login(
        auth_pb2.LoginRequest(
            email=account.email,
            password=password if password is not None else account.password,
            client=auth_pb2.ClientInfo(device_id=device_id, device_name=device_id or "test device"),
        )
    )
    return Account(account.email, account.password, response.user, response.tokens)


async def refresh(stub: auth_pb2_grpc.AuthServiceStub, account: Account) -> Account:
    response = await stub.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=account.refresh))
    return Account(account.email, account.password, account.user, response.tokens)


# -- the admin -----------------------------------------------------------------

_admin: dict[int, Account] = {}


async def admin(stub: auth_pb2_grpc.AuthServiceStub, outbox: pathlib.Path) -> Account:
    """The bootstrap admin (ADMIN_EMAIL), registered once per database and cached for the session.

    Registration is idempotent: EMAIL_TAKEN means an earlier test (or suite) registered it, so we sign in;
    if that suite chose another password, the password is reset through the outbox first.
    """
    cached = _admin.get(0)
    if cached is not None and cached.tokens.access_token_expire_time.seconds > time.time() + 120:
        return cached
    try:
        account = await register(stub, ADMIN_EMAIL, password=ADMIN_PASSWORD)
    except grpc.aio.AioRpcError as exc:
        if rpc_error(exc).reason != "EMAIL_TAKEN":
            raise
        stored = Account(ADMIN_EMAIL, ADMIN_PASSWORD, auth_pb2.User(), auth_pb2.TokenPair())
        try:
            account = await login(stub, stored)
        except grpc.aio.AioRpcError as login_exc:
            if rpc_error(login_exc).reason != "INVALID_CREDENTIALS":
                raise
            seen = set(mail_tokens(outbox, ADMIN_EMAIL, "reset-password"))
            await stub.RequestPasswordReset(auth_pb2.RequestPasswordResetRequest(email=ADMIN_EMAIL))
            token = newest_mail_token(outbox, ADMIN_EMAIL, "reset-password", exclude=seen)
            await stub.ConfirmPasswordReset(auth_pb2.ConfirmPasswordResetRequest(token=token, new_password=ADMIN_PASSWORD))
            account = await login(stub, stored)
    assert account.user.role == auth_pb2.ROLE_ADMIN, "the bootstrap admin email must register as admin"
    _admin[0] = account
    return account


# -- the outbox ------------------------------------------------------------------


def _messages(outbox: pathlib.Path) -> list[tuple[int, email.message.EmailMessage]]:
    found = []
    for path in outbox.glob("*.eml") if outbox.exists() else ():
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found.append((path.stat().st_mtime_ns, message))
    found.sort(key=lambda item: item[0])
    return found  # type: ignore[return-value]


def mail_tokens(outbox: pathlib.Path, to: str, kind: str) -> list[str]:
    """Tokens from `{public_url}/{kind}?token=...` links emailed to `to`, oldest first.

    kind is `verify-email` or `reset-password`.
    """
    pattern = re.compile(rf"/{re.escape(kind)}\?token=([A-Za-z0-9_\-]+)")
    tokens = []
    for _, message in _messages(outbox):
        if str(message["To"]).strip().lower() != to.lower():
            continue
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        tokens.extend(pattern.findall(text))
    return tokens


def newest_mail_token(outbox: pathlib.Path, to: str, kind: str, *, exclude: Iterable[str] = ()) -> str:
    excluded = set(exclude)
    tokens = [t for t in mail_tokens(outbox, to, kind) if t not in excluded]
    assert tokens, f"no {kind} email to {to} in {outbox}"
    return tokens[-1]


async def verify_email(stub: auth_pb2_grpc.AuthServiceStub, outbox: pathlib.Path, account: Account) -> None:
    token = newest_mail_token(outbox, account.email, "verify-email")
    response = await stub.ConfirmEmailVerification(auth_pb2.ConfirmEmailVerificationRequest(token=token))
    assert (response.user, response.email) == (account.name, account.email)


# -- hand-made tokens ---------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def dev_keys(settings: Settings) -> KeySet:
    return KeySet.from_settings(settings)


def claims_for(settings: Settings, account: Account | None = None, **overrides: Any) -> dict[str, Any]:
    """Claims the server would issue for `account` now; `overrides` replace or (value None) remove claims."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": account.user_id if account else uuid.uuid4().hex,
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": uuid.uuid4().hex,
        "role": "user",
        "email_verified": False,
        "auth_time": now,
    }
    if account is not None:
        claims["sid"] = account.session_id
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def es256(claims: Mapping[str, Any], private: ec.EllipticCurvePrivateKey, *, kid: str = "dev-1") -> str:
    return jwt.encode(dict(claims), private, algorithm="ES256", headers={"kid": kid})


def unsigned(claims: Mapping[str, Any], *, kid: str = "dev-1") -> str:
    """An `alg: none` token: header and payload, empty signature."""
    header = {"alg": "none", "typ": "JWT", "kid": kid}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(dict(claims)).encode())}."


def hs256_with_secret(claims: Mapping[str, Any], secret: bytes, *, kid: str = "dev-1") -> str:
    """An HS256 token whose HMAC secret is `secret` (PyJWT refuses PEM secrets, so built by hand)."""
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(dict(claims)).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def with_payload(token: str, **changes: Any) -> str:
    """The same header and signature around a modified payload (a tampered token)."""
    header, payload, signature = token.split(".")
    claims = json.loads(_unb64(payload))
    claims.update(changes)
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def payload_of(token: str) -> dict[str, Any]:
    return json.loads(_unb64(token.split(".")[1]))


def header_of(token: str) -> dict[str, Any]:
    return json.loads(_unb64(token.split(".")[0]))
