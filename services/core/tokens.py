"""Access-token keys and verification (every service verifies; only Auth signs).

Tokens are ES256 (ECDSA P-256) JWTs, as the Auth contract documents. The
verifier pins the algorithm and selects the key by `kid`; the token's own
`alg` header is never trusted, so `none`, HS/RS confusion and unknown keys all
fail the same way.
"""

from __future__ import annotations

import base64
import time
from collections import OrderedDict
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from services.core.errors import Unauthenticated
from services.core.revocation import Revocations
from services.core.settings import DEV_JWT_KID, DEV_JWT_SEED_HEX, Settings

ALGORITHM = "ES256"
REQUIRED_CLAIMS = ("exp", "iat", "nbf", "iss", "aud", "sub", "jti", "role")
ROLE_USER = "user"
ROLE_ADMIN = "admin"
ROLE_SERVICE = "service"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    public: ec.EllipticCurvePublicKey
    private: ec.EllipticCurvePrivateKey | None = None

    def public_pem(self) -> str:
        return self.public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def jwk(self) -> dict[str, str]:
        """The public key as an RFC 7517 JSON Web Key."""
        numbers = self.public.public_numbers()
        return {
            "kid": self.kid,
            "kty": "EC",
            "alg": ALGORITHM,
            "use": "sig",
            "crv": "P-256",
            "x": _b64_int(numbers.x),
            "y": _b64_int(numbers.y),
        }


def _b64_int(value: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes(32, "big")).rstrip(b"=").decode()


def _dev_private_key() -> ec.EllipticCurvePrivateKey:
    seed = int.from_bytes(bytes.fromhex(DEV_JWT_SEED_HEX), "big")
    return ec.derive_private_key(seed, ec.SECP256R1())


def _check_curve(key: object, kid: str) -> None:
    if not isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"key {kid}: only ECDSA P-256 keys (ES256) are supported")


@dataclass(frozen=True)
class KeySet:
    """All keys that verify, and the one that signs new tokens."""

    keys: dict[str, SigningKey]
    active_kid: str

    @property
    def active(self) -> SigningKey:
        return self.keys[self.active_kid]

    @classmethod
    def from_settings(cls, settings: Settings) -> KeySet:
        if not settings.jwt_keys:
            dev = _dev_private_key()
            return cls({DEV_JWT_KID: SigningKey(DEV_JWT_KID, dev.public_key(), dev)}, DEV_JWT_KID)
        keys: dict[str, SigningKey] = {}
        for configured in settings.jwt_keys:
            private = None
            if configured.private_key_pem is not None:
                loaded = serialization.load_pem_private_key(configured.private_key_pem.get_secret_value().encode(), None)
                _check_curve(loaded, configured.kid)
                assert isinstance(loaded, ec.EllipticCurvePrivateKey)
                private = loaded
            if configured.public_key_pem:
                public = serialization.load_pem_public_key(configured.public_key_pem.encode())
                _check_curve(public, configured.kid)
                assert isinstance(public, ec.EllipticCurvePublicKey)
            elif private is not None:
                public = private.public_key()
            else:
                raise ValueError(f"key {configured.kid}: needs a private or a public key")
            keys[configured.kid] = SigningKey(configured.kid, public, private)
        active = settings.jwt_active_kid or settings.jwt_keys[0].kid
        if active not in keys:
            raise ValueError(f"MARQUEE_JWT_ACTIVE_KID {active!r} is not among the configured keys")
        return cls(keys, active)


@dataclass(frozen=True)
class Principal:
    """Who is calling, as proven by a verified access token."""

    user_id: str
    role: str = ROLE_USER
    token_id: str = ""
    session_id: str = ""
    expires_at: float = 0.0
    auth_time: float = 0.0
    email_verified: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def is_service(self) -> bool:
        return self.role == ROLE_SERVICE


class TokenVerifier:
    """Verifies access tokens offline against a key set.

    A token is immutable, so once its signature and claims check out the result is
    remembered until the token expires: an app sends the same token on every call
    for 15 minutes, and only the first pays for parsing and ECDSA verification.
    """

    def __init__(self, keys: KeySet, *, issuer: str, audience: str, leeway_seconds: int, cache_size: int = 10_000) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._cache: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size
        # Set by the composition root: signed-out sessions and blocked users, checked on every call
        # (a verified token stays cached; whether it is still honoured is asked every time).
        self.revocations: Revocations | None = None

    @classmethod
    def from_settings(cls, settings: Settings, keys: KeySet | None = None) -> TokenVerifier:
        return cls(
            keys or KeySet.from_settings(settings),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            leeway_seconds=settings.clock_skew_seconds,
        )

    def verify(self, token: str) -> Principal:
        cached = self._cache.get(token)
        if cached is not None and time.time() > cached.expires_at + self._leeway:
            del self._cache[token]
            cached = None
        if cached is None:
            cached = self._verify(token)
            self._cache[token] = cached
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        if self.revocations is not None:
            refused = self.revocations.refused(user_id=cached.user_id, session_id=cached.session_id)
            if refused is not None:
                self._cache.pop(token, None)  # a refused token stays refused: keep no room for it
                raise Unauthenticated(
                    "this session was signed out; sign in again", reason="SESSION_REVOKED",
                    metadata={"revoke_reason": refused.reason},
                )  # fmt: skip
        return cached

    def _verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("access token is malformed", reason="TOKEN_INVALID") from exc
        key = self._keys.keys.get(str(header.get("kid", "")))
        if key is None or header.get("alg") != ALGORITHM:
            raise Unauthenticated("access token is not signed by a known key", reason="TOKEN_INVALID")
        try:
            claims = jwt.decode(
                token,
                key.public,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("access token has expired; refresh it", reason="TOKEN_EXPIRED") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"access token rejected: {exc}", reason="TOKEN_INVALID") from exc
        role = claims["role"]
        if role not in (ROLE_USER, ROLE_ADMIN, ROLE_SERVICE):
            raise Unauthenticated("access token has an unknown role", reason="TOKEN_INVALID")
        return Principal(
            user_id=str(claims["sub"]),
            role=role,
            token_id=str(claims["jti"]),
            session_id=str(claims.get("sid", "")),
            expires_at=float(claims["exp"]),
            auth_time=float(claims.get("auth_time", claims["iat"])),
            email_verified=bool(claims.get("email_verified", False)),
        )


class TokenSigner:
    """Issues access tokens with the active key. Used by Auth, and by tests and tools."""

    def __init__(self, keys: KeySet, *, issuer: str, audience: str, ttl_seconds: int) -> None:
        if keys.active.private is None:
            raise ValueError(f"active key {keys.active_kid!r} has no private key; this process cannot sign")
        self.keys = keys
        self._private: ec.EllipticCurvePrivateKey = keys.active.private
        self._issuer = issuer
        self._audience = audience
        self.ttl_seconds = ttl_seconds

    @classmethod
    def from_settings(cls, settings: Settings, keys: KeySet | None = None) -> TokenSigner:
        return cls(
            keys or KeySet.from_settings(settings),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
        )

    def sign(
        self,
        subject: str,
        *,
        token_id: str,
        role: str = ROLE_USER,
        session_id: str = "",
        auth_time: float | None = None,
        email_verified: bool = False,
        now: float | None = None,
        extra_claims: dict[str, object] | None = None,
    ) -> tuple[str, float]:
        """A signed access token and its expiry (epoch seconds)."""
        issued = int(now if now is not None else time.time())
        expires = issued + self.ttl_seconds
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": subject,
            "iat": issued,
            "nbf": issued,
            "exp": expires,
            "jti": token_id,
            "role": role,
            "email_verified": email_verified,
            "auth_time": int(auth_time if auth_time is not None else issued),
            **(extra_claims or {}),
        }
        if session_id:
            claims["sid"] = session_id
        active = self.keys.active
        token = jwt.encode(claims, self._private, algorithm=ALGORITHM, headers={"kid": active.kid})
        return token, float(expires)
