"""A service's own settings come from the same environment and file as the core settings."""

from __future__ import annotations

import pathlib

import pytest
from pydantic import Field

from services.core.settings import Cidrs, CommaSeparated, ServiceSettings, Settings


class ExampleSettings(ServiceSettings):
    example_bucket: str = Field("media", description="A bucket name.")
    example_limit: int = Field(3, ge=1, description="A limit.")


def test_environment_then_file_then_default(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "marquee.toml"
    config.write_text('example_bucket = "from-file"\nexample_limit = 7\nunrelated = 1\n')
    core = Settings(config_file=config, data_dir=tmp_path)
    assert ExampleSettings.load(core).example_bucket == "from-file"
    monkeypatch.setenv("MARQUEE_EXAMPLE_BUCKET", "from-env")
    loaded = ExampleSettings.load(core)
    assert (loaded.example_bucket, loaded.example_limit) == ("from-env", 7)  # the environment wins over the file
    assert ExampleSettings.load(Settings(data_dir=tmp_path)).example_limit == 3
    assert ExampleSettings.load(core, example_limit=9).example_limit == 9


def test_bad_values_are_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match="example_limit"):
        ExampleSettings.load(Settings(data_dir=tmp_path), example_limit=0)


class ListSettings(ServiceSettings):
    example_names: CommaSeparated = Field(default_factory=list, description="Some names.")
    example_networks: Cidrs = Field(default_factory=list, description="Some networks.")


def test_list_settings_are_comma_separated_in_the_environment(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    core = Settings(data_dir=tmp_path)
    monkeypatch.setenv("MARQUEE_EXAMPLE_NAMES", " a, b ,,c")
    monkeypatch.setenv("MARQUEE_EXAMPLE_NETWORKS", "10.0.0.0/8,::1")
    loaded = ListSettings.load(core)
    assert (loaded.example_names, loaded.example_networks) == (["a", "b", "c"], ["10.0.0.0/8", "::1"])
    assert ListSettings.load(core, example_names=["x,y"]).example_names == ["x,y"]  # a list passes through
    monkeypatch.setenv("MARQUEE_EXAMPLE_NAMES", '["a", "b"]')
    with pytest.raises(ValueError, match="not a JSON list"):
        ListSettings.load(core)
    monkeypatch.setenv("MARQUEE_EXAMPLE_NAMES", "a")
    monkeypatch.setenv("MARQUEE_EXAMPLE_NETWORKS", "10.0.0.0/8,not-a-network")
    with pytest.raises(ValueError, match="'not-a-network' is not an address or CIDR"):
        ListSettings.load(core)
