"""Settings: environment, TOML file, precedence, and the production guard."""

from __future__ import annotations

import pathlib
import re

import pytest
from pydantic import ValidationError

from services import cli
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


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MARQUEE_CORS_ALLOWED_ORIGINS", '["https://app.example.com"]', "comma separated (a,b), not a JSON list"),
        ("MARQUEE_CORS_ALLOWED_ORIGINS", "https://app.example.com/", "is not an origin"),
        ("MARQUEE_CORS_ALLOWED_ORIGINS", "app.example.com", "is not an origin"),
        ("MARQUEE_ALLOWED_REDIRECT_URIS", '["http://localhost"]', "not a JSON list"),
        ("MARQUEE_ALLOWED_REDIRECT_URIS", "localhost:3000", "is not an absolute URL prefix"),
        ("MARQUEE_TRUSTED_PROXIES", "[10.0.0.0/8]", "not a JSON list"),
        ("MARQUEE_SERVICES", '["auth"]', "not a JSON list"),
        ("MARQUEE_REDIS_URL", "localhost:6379", "is not a URL starting with redis://"),
        ("MARQUEE_DATABASE_URL", "postgres://u:hunter2@db/marquee", "is not a URL starting with sqlite:"),
        ("MARQUEE_SMTP_URL", "mail.example.com:25", "is not a URL starting with smtp://"),
        ("MARQUEE_PUBLIC_URL", "marquee.example.com", "is not an http(s) URL"),
        ("MARQUEE_LOG_LEVEL", "LOUD", "is not a log level"),
        ("MARQUEE_PEER_ADDRESSES", '{"billing": "billing"}', "is not host:port"),
        ("MARQUEE_PEER_ADDRESSES", '{"payments": "payments:50051"}', "is not a service"),
    ],
)
def test_badly_formatted_values_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=re.escape(message)):
        Settings()
    # At start-up: one clear line naming the variable, exit status 2, no traceback.
    assert cli.main(["config"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("marquee: invalid settings:")
    assert f"{variable}: " in err
    assert message in err
    assert "Traceback" not in err
    assert "hunter2" not in err  # a password in a URL is masked


def test_well_formed_values_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARQUEE_CORS_ALLOWED_ORIGINS", "https://app.example.com, http://localhost:3000")
    monkeypatch.setenv("MARQUEE_ALLOWED_REDIRECT_URIS", "https://app.example.com/auth/callback,marquee://callback")
    monkeypatch.setenv("MARQUEE_REDIS_URL", "unix:///run/redis.sock")
    monkeypatch.setenv("MARQUEE_DATABASE_URL", "postgresql+psycopg://u@db:5432/marquee")
    monkeypatch.setenv("MARQUEE_SMTP_URL", "smtps://u:p@mail.example.com:465")
    monkeypatch.setenv(
        "MARQUEE_PEER_ADDRESSES", '{"billing": "billing:50051", "auth": "[::1]:50052", "ads": "unix:/run/ads.sock"}'
    )
    monkeypatch.setenv("MARQUEE_LOG_LEVEL", "debug")
    settings = Settings()
    assert settings.cors_allowed_origins == ["https://app.example.com", "http://localhost:3000"]
    assert settings.peer_addresses["auth"] == "[::1]:50052"


def test_a_services_own_bad_value_is_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MARQUEE_STRIPE_WEBHOOK_TOLERANCE_SECONDS", "soon")
    assert cli.main(["config"]) == 2
    assert "MARQUEE_STRIPE_WEBHOOK_TOLERANCE_SECONDS: " in capsys.readouterr().err
