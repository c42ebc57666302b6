"""Fixtures shared by several service areas: one real SeaweedFS for the whole session
(Media, and Ads' creatives from Media assets), where Media's embedded lookup finds it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.core.seaweedfs import EmbeddedSeaweedFS
from services.core.settings import Settings
from services.core.storage import ObjectStore
from tests.support.seaweed import start_store


@pytest.fixture(scope="session")
def seaweed(settings: Settings) -> Iterator[EmbeddedSeaweedFS]:
    # Defined once here: a copy imported into a test module is a second session fixture, and a
    # second store on the same data directory cannot open its filer database.
    started = start_store(settings)
    yield started
    started.stop()


@pytest.fixture(scope="session")
def objects(seaweed: EmbeddedSeaweedFS) -> ObjectStore:
    assert seaweed.connection is not None
    return ObjectStore(seaweed.connection)
