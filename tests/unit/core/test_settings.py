"""Settings: environment, TOML file, precedence, and the production guard."""

from __future__ import annotations

import pathlib

import pytest
from pydantic import ValidationError

from services.auth.settings import AuthSettings
from services.core.settings import Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("MARQUEE_"):
            monkeypatch.delenv(key)


def test_defaults_are_the_embedded_ones(tmp_path: pathlib.Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'marquee.db').resolve()}"
    assert settings.redis_url == ""
    assert settings.services == ["auth", "catalog", "tracking", "media", "notes", "chat", "billing", "ads"]


def test_environment_switches_to_real_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARQUEE_DATABASE_URL", "postgresql+psycopg://u@db:5432/marquee")
    monkeypatch.setenv("MARQUEE_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("MARQUEE_SERVICES", "auth, catalog")
    monkeypatch.setenv("MARQUEE_OAUTH_GOOGLE__CLIENT_ID", "google-client")
    settings = Settings()
    assert settings.resolved_database_url == "postgresql+psycopg://u@db:5432/marquee"
    assert not settings.is_sqlite
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.services == ["auth", "catalog"]
    auth = AuthSettings.load(settings)  # a service's own settings, from the same environment
    assert auth.oauth_google.client_id == "google-client"
    assert auth.oauth_google.token_url == "https://oauth2.googleapis.com/token"  # preset endpoint kept


def test_config_file_is_read_and_the_environment_wins(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "marquee.toml"
    config.write_text('grpc_port = 6000\nlog_level = "DEBUG"\nservices = ["auth"]\n')
    monkeypatch.setenv("MARQUEE_CONFIG_FILE", str(config))
    monkeypatch.setenv("MARQUEE_LOG_LEVEL", "ERROR")
    settings = Settings()
    assert settings.grpc_port == 6000
    assert settings.services == ["auth"]
    assert settings.log_level == "ERROR"


def test_unknown_service_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown services"):
        Settings(services="auth,payments")


def test_unknown_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError):
        Settings(grpc_prot=1)  # type: ignore[call-arg]


def test_production_refuses_every_unsafe_default() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(env="production")
    message = str(refused.value)
    assert "development signing key is refused" in message
    assert "MARQUEE_SECRET_KEY" in message
    assert "MARQUEE_CORS_ALLOWED_ORIGINS" in message


def test_production_accepts_real_settings() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    settings = Settings(
        env="production",
        jwt_keys=[{"kid": "2026-11", "private_key_pem": pem}],
        secret_key="x" * 48,
        cors_allowed_origins="https://app.example.com",
    )
    assert settings.cors_allowed_origins == ["https://app.example.com"]
