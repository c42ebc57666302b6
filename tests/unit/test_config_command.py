"""`marquee config` lists the core settings and every service's own, under the unchanged variable names."""

from __future__ import annotations

import pathlib

import pytest

from services.app import service_settings_classes
from services.cli import print_config
from services.core.settings import Settings


def test_config_lists_every_services_settings(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MARQUEE_STRIPE_PRICES", '{"basic_monthly": "price_from_env"}')
    monkeypatch.setenv("MARQUEE_STRIPE_SECRET_KEY", "sk_live_never_printed")
    monkeypatch.setenv("MARQUEE_TMDB_REQUESTS_PER_WINDOW", "7")
    monkeypatch.setenv("MARQUEE_OAUTH_GOOGLE__CLIENT_ID", "google-from-env")
    print_config(Settings(env="test", data_dir=tmp_path))
    out = capsys.readouterr().out
    sections = [line.removeprefix("# ") for line in out.splitlines() if line.startswith("# ")]
    assert sections == ["core", *service_settings_classes()]
    assert {"auth", "catalog", "tracking", "billing"} <= set(sections)
    assert "MARQUEE_STRIPE_PRICES={'basic_monthly': 'price_from_env'}" in out
    assert "MARQUEE_TMDB_REQUESTS_PER_WINDOW=7" in out
    assert "google-from-env" in out
    assert "sk_live_never_printed" not in out
    assert "MARQUEE_STRIPE_SECRET_KEY=***" in out
    assert "MARQUEE_DATABASE_URL=" in out  # the core settings come first
