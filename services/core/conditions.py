"""Query conditions the services' repositories spell alike (only repositories call these)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement


def in_window(column: Any, start: dt.datetime | None, end: dt.datetime | None) -> list[ColumnElement[bool]]:
    """`column` in the half-open window [start, end); an open side (None) is no condition."""
    found: list[ColumnElement[bool]] = []
    if start is not None:
        found.append(column >= start)
    if end is not None:
        found.append(column < end)
    return found
