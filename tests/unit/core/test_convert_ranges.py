"""Conversions refuse what their types cannot hold, and enums map by their descriptors."""

from __future__ import annotations

import datetime as dt

import pytest
from google.protobuf import duration_pb2, timestamp_pb2
from google.type import date_pb2, interval_pb2
from marquee.billing.v1 import billing_pb2
from marquee.catalog.v1 import catalog_pb2

from services.core import convert, errors


@pytest.mark.parametrize(
    ("seconds", "nanos"),
    [(convert.MAX_TIMESTAMP_SECONDS + 1, 0), (convert.MIN_TIMESTAMP_SECONDS - 1, 0), (0, -1), (0, 1_000_000_000), (2**63 - 1, 0)],
)
def test_timestamp_out_of_range_is_a_field_violation(seconds: int, nanos: int) -> None:
    with pytest.raises(errors.InvalidArgument) as caught:
        convert.to_datetime(timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos), field="since")
    assert [v.field for v in caught.value.violations] == ["since"]


def test_timestamp_edges_convert() -> None:
    low = convert.to_datetime(timestamp_pb2.Timestamp(seconds=convert.MIN_TIMESTAMP_SECONDS), field="t")
    high = convert.to_datetime(timestamp_pb2.Timestamp(seconds=convert.MAX_TIMESTAMP_SECONDS, nanos=999_999_999), field="t")
    assert low == dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    assert high == dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
    assert convert.timestamp(high) == timestamp_pb2.Timestamp(seconds=convert.MAX_TIMESTAMP_SECONDS, nanos=999_999_000)


def test_optional_datetime_is_none_when_unset() -> None:
    request = billing_pb2.GrantCreditsRequest()
    assert convert.optional_datetime(request, "expire_time") is None


def test_duration_round_trip_and_ranges() -> None:
    for delta in [dt.timedelta(0), dt.timedelta(seconds=-1.5), dt.timedelta(days=3, microseconds=7)]:
        assert convert.to_timedelta(convert.duration(delta), field="d") == delta
    for bad in [duration_pb2.Duration(seconds=convert.MAX_DURATION_SECONDS + 1), duration_pb2.Duration(seconds=1, nanos=-1),
                duration_pb2.Duration(nanos=10**9)]:  # fmt: skip
        with pytest.raises(errors.InvalidArgument):
            convert.to_timedelta(bad, field="d")
    with pytest.raises(errors.InvalidArgument):
        convert.to_timedelta(duration_pb2.Duration(seconds=-5), field="d", minimum=dt.timedelta(0))


def test_date_checks_the_calendar() -> None:
    assert convert.to_date(date_pb2.Date(year=2024, month=2, day=29), field="d") == dt.date(2024, 2, 29)
    for bad in [date_pb2.Date(year=2023, month=2, day=29), date_pb2.Date(year=0, month=1, day=1),
                date_pb2.Date(year=10000, month=1, day=1), date_pb2.Date(year=2024, month=13, day=1)]:  # fmt: skip
        with pytest.raises(errors.InvalidArgument):
            convert.to_date(bad, field="d")
    assert convert.date(dt.date(2026, 1, 2)) == date_pb2.Date(year=2026, month=1, day=2)


def test_interval_checks_each_end_and_their_order() -> None:
    start, end = convert.to_interval(interval_pb2.Interval(end_time=timestamp_pb2.Timestamp(seconds=10)), field="interval")
    assert start is None
    assert end == dt.datetime(1970, 1, 1, 0, 0, 10, tzinfo=dt.UTC)
    with pytest.raises(errors.InvalidArgument) as caught:
        convert.to_interval(interval_pb2.Interval(start_time=timestamp_pb2.Timestamp(seconds=-62_167_219_200)), field="interval")
    assert caught.value.violations[0].field == "interval.start_time"
    backwards = interval_pb2.Interval(start_time=timestamp_pb2.Timestamp(seconds=10), end_time=timestamp_pb2.Timestamp(seconds=5))
    with pytest.raises(errors.InvalidArgument):
        convert.to_interval(backwards, field="interval")


def test_enum_values_come_from_the_descriptor() -> None:
    statuses = convert.enum_values(billing_pb2.SubscriptionStatus)
    assert statuses.value(billing_pb2.SUBSCRIPTION_STATUS_PAST_DUE) == "past_due"
    assert statuses.number("incomplete_expired") == billing_pb2.SUBSCRIPTION_STATUS_INCOMPLETE_EXPIRED
    assert statuses.number("no-such") == 0
    kinds = convert.enum_values(catalog_pb2.TitleKind)
    assert kinds.values == ("movie", "series")
    assert kinds.parse(catalog_pb2.TITLE_KIND_SERIES, field="kind") == "series"
    assert kinds.parse(0, field="kind", default="movie") == "movie"
    assert kinds.parse_optional(0, field="kind") is None


@pytest.mark.parametrize("number", [0, 99, -1])
def test_an_unknown_or_missing_enum_is_a_field_violation(number: int) -> None:
    with pytest.raises(errors.InvalidArgument) as caught:
        convert.enum_values(catalog_pb2.TitleKind).parse(number, field="title.kind")
    assert caught.value.violations[0].field == "title.kind"
    assert "TITLE_KIND_MOVIE" in caught.value.violations[0].description


def test_aliases_read_legacy_values() -> None:
    failed = billing_pb2.CANCELLATION_SOURCE_PAYMENT_FAILED
    sources = convert.EnumValues(billing_pb2.CancellationSource.DESCRIPTOR, aliases={"payment_failure": failed})
    assert sources.number("payment_failure") == failed
    assert sources.value(failed) == "payment_failed"
