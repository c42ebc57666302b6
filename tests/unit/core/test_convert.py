"""The shared Timestamp conversion agrees with protobuf's own, for aware, naive and pre-1970 datetimes."""

from __future__ import annotations

import datetime as dt

import pytest
from google.protobuf import timestamp_pb2

from services.core.convert import timestamp


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 11, 22, 10, 30, 15, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 22, 10, 30, 15, 123456),  # naive: stored as UTC
        dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
        dt.datetime(1969, 7, 20, 20, 17, 40, 1, tzinfo=dt.UTC),
        dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
    ],
)
def test_matches_from_datetime(value: dt.datetime) -> None:
    expected = timestamp_pb2.Timestamp()
    expected.FromDatetime(value)
    assert timestamp(value) == expected


def test_none_is_none() -> None:
    assert timestamp(None) is None
