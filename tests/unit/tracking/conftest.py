"""Tracking's domain tests run against an in-memory SQLite database with Tracking's tables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.tracking.models import Base
from services.tracking.repository import TrackingRepository


@pytest.fixture
def repo() -> Iterator[TrackingRepository]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield TrackingRepository(session)
    engine.dispose()
