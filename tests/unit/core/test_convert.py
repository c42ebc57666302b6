"""The shared Timestamp conversion agrees with protobuf's own, for aware, naive and pre-1970 datetimes."""

from __future__ import annotations

import datetime as dt

import pytest
from google.protobuf import timestamp_pb2

from services.core import convert
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


def test_message_from_copies_same_named_plain_fields() -> None:
    import dataclasses

    from marquee.billing.v1 import billing_pb2 as pb

    @dataclasses.dataclass
    class Row:
        delta: int = -3
        reason: str = "spent"
        request_id: str | None = None  # None leaves the field unset
        kind: str = "spend"  # enums are never guessed from a string
        create_time: dt.datetime = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
        secret: str = "not a field"

    entry = convert.message_from(pb.CreditLedgerEntry, Row(), name="users/u/creditLedger/e", balance_after=None)
    assert (entry.name, entry.delta, entry.reason, entry.request_id) == ("users/u/creditLedger/e", -3, "spent", "")
    assert entry.kind == pb.CREDIT_ENTRY_KIND_UNSPECIFIED
    assert entry.create_time.ToJsonString() == "2026-01-02T03:04:05Z"
    given = convert.message_from(pb.CreditLedgerEntry, Row(), kind=pb.CREDIT_ENTRY_KIND_SPEND, reason="given wins")
    assert (given.kind, given.reason) == (pb.CREDIT_ENTRY_KIND_SPEND, "given wins")
