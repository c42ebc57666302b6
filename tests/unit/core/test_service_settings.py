"""A service's own settings come from the same environment and file as the core settings."""

from __future__ import annotations

import pathlib

import pytest
from pydantic import Field

from services.core.settings import ServiceSettings, Settings


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
