"""Conversions between Python values and the well-known protobuf types, shared by all handlers."""

from __future__ import annotations

import datetime as dt

from google.protobuf import timestamp_pb2

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def timestamp(value: dt.datetime | None) -> timestamp_pb2.Timestamp | None:
    """A Timestamp for `value` (naive datetimes are UTC, as the databases store them), None for None.

    Built from the seconds and nanos directly: `Timestamp.FromDatetime` is pure Python and
    showed up in the profile of the hottest read (GetUser builds four of them).
    """
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    delta = value - _EPOCH
    return timestamp_pb2.Timestamp(seconds=delta.days * 86_400 + delta.seconds, nanos=delta.microseconds * 1000)
