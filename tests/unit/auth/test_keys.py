"""Signing keys without sockets: rotation, public-only keys and the production guard on the dev key."""

from __future__ import annotations

import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import ValidationError

from services.core.errors import Unauthenticated
from services.core.settings import DEV_JWT_KID, Settings
from services.core.tokens import KeySet, TokenSigner, TokenVerifier

PRODUCTION_SAFE: dict[str, Any] = {
    "env": "production",
    "secret_key": "x" * 48,
    "cors_allowed_origins": ["https://app.marquee.test"],
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Overrides the suite-wide autouse fixture: these tests need no backend, so none is started."""


def private_pem(key: Any) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def public_pem(key: Any) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.fixture(scope="module")
def old_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def settings_with(keys: list[dict[str, Any]], active: str = "", **extra: Any) -> Settings:
    return Settings(jwt_keys=keys, jwt_active_kid=active, **extra)


def sign(keys: KeySet, settings: Settings) -> str:
    token, _ = TokenSigner.from_settings(settings, keys).sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex, session_id="s1")
    return token


def test_rotation_signs_with_the_active_key_and_still_verifies_the_old_one(
    old_key: ec.EllipticCurvePrivateKey, new_key: ec.EllipticCurvePrivateKey
) -> None:
    only_old = settings_with([{"kid": "k-old", "private_key_pem": private_pem(old_key)}])
    old_token = sign(KeySet.from_settings(only_old), only_old)
    assert jwt.get_unverified_header(old_token)["kid"] == "k-old"

    rotated = settings_with(
        [{"kid": "k-old", "private_key_pem": private_pem(old_key)}, {"kid": "k-new", "private_key_pem": private_pem(new_key)}],
        active="k-new",
    )
    keys = KeySet.from_settings(rotated)
    assert keys.active_kid == "k-new"
    assert set(keys.keys) == {"k-old", "k-new"}

    new_token = sign(keys, rotated)
    assert jwt.get_unverified_header(new_token) == {"alg": "ES256", "kid": "k-new", "typ": "JWT"}
    # The new token really is signed by the new key, not merely labelled with its kid.
    jwt.decode(new_token, new_key.public_key(), algorithms=["ES256"], audience="marquee", issuer="marquee")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(new_token, old_key.public_key(), algorithms=["ES256"], audience="marquee", issuer="marquee")

    verifier = TokenVerifier.from_settings(rotated, keys)
    assert verifier.verify(new_token).session_id == "s1"
    assert verifier.verify(old_token).session_id == "s1"  # still listed: still verifies


def test_a_token_signed_by_a_removed_key_is_token_invalid(
    old_key: ec.EllipticCurvePrivateKey, new_key: ec.EllipticCurvePrivateKey
) -> None:
    only_old = settings_with([{"kid": "k-old", "private_key_pem": private_pem(old_key)}])
    old_token = sign(KeySet.from_settings(only_old), only_old)

    retired = settings_with([{"kid": "k-new", "private_key_pem": private_pem(new_key)}])
    with pytest.raises(Unauthenticated) as caught:
        TokenVerifier.from_settings(retired).verify(old_token)
    assert caught.value.reason == "TOKEN_INVALID"


def test_the_active_kid_defaults_to_the_first_key(
    old_key: ec.EllipticCurvePrivateKey, new_key: ec.EllipticCurvePrivateKey
) -> None:
    settings = settings_with(
        [{"kid": "first", "private_key_pem": private_pem(new_key)}, {"kid": "second", "private_key_pem": private_pem(old_key)}]
    )
    assert KeySet.from_settings(settings).active_kid == "first"


def test_an_active_kid_that_is_not_configured_is_refused(old_key: ec.EllipticCurvePrivateKey) -> None:
    settings = settings_with([{"kid": "k-old", "private_key_pem": private_pem(old_key)}], active="k-missing")
    with pytest.raises(ValueError, match="k-missing"):
        KeySet.from_settings(settings)


def test_a_public_only_key_verifies_but_cannot_sign(old_key: ec.EllipticCurvePrivateKey) -> None:
    signing = settings_with([{"kid": "k-old", "private_key_pem": private_pem(old_key)}])
    token = sign(KeySet.from_settings(signing), signing)

    verifying = settings_with([{"kid": "k-old", "public_key_pem": public_pem(old_key)}])
    keys = KeySet.from_settings(verifying)
    assert keys.active.private is None
    assert TokenVerifier.from_settings(verifying, keys).verify(token).session_id == "s1"
    with pytest.raises(ValueError, match="no private key"):
        TokenSigner.from_settings(verifying, keys)


def test_keys_other_than_p256_are_refused() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(ValueError, match="P-256"):
        KeySet.from_settings(settings_with([{"kid": "rsa", "private_key_pem": private_pem(rsa_key)}]))
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(ValueError, match="P-256"):
        KeySet.from_settings(settings_with([{"kid": "p384", "public_key_pem": public_pem(p384)}]))


def test_a_key_with_neither_half_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a private or a public key"):
        KeySet.from_settings(settings_with([{"kid": "empty"}]))


def test_without_configured_keys_the_dev_key_signs_outside_production() -> None:
    keys = KeySet.from_settings(Settings(env="test"))
    assert keys.active_kid == DEV_JWT_KID == "dev-1"
    assert keys.active.private is not None
    # Deterministic: every process of a local run derives the same key.
    assert KeySet.from_settings(Settings(env="development")).active.public_pem() == keys.active.public_pem()


def test_production_refuses_the_dev_key() -> None:
    with pytest.raises(ValidationError, match="development signing key"):
        Settings(**PRODUCTION_SAFE)


def test_production_refuses_the_dev_kid_even_with_another_key(new_key: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(ValidationError, match="dev-1"):
        Settings(**PRODUCTION_SAFE, jwt_keys=[{"kid": DEV_JWT_KID, "private_key_pem": private_pem(new_key)}])


def test_production_accepts_a_real_key(new_key: ec.EllipticCurvePrivateKey) -> None:
    settings = Settings(**PRODUCTION_SAFE, jwt_keys=[{"kid": "prod-2025-01", "private_key_pem": private_pem(new_key)}])
    assert KeySet.from_settings(settings).active_kid == "prod-2025-01"
