"""A settable clock for Tracking's domain tests (the domain takes its clock as a callable)."""

from __future__ import annotations

import datetime as dt

from services.core.tokens import Principal

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
ME = Principal(user_id="u1")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now
