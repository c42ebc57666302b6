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
        kind: str = "spend"  # a stored plain value: the enum number by the descriptor
        create_time: dt.datetime = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
        secret: str = "not a field"

    entry = convert.message_from(pb.CreditLedgerEntry, Row(), name="users/u/creditLedger/e", balance_after=None)
    assert (entry.name, entry.delta, entry.reason, entry.request_id) == ("users/u/creditLedger/e", -3, "spent", "")
    assert entry.kind == pb.CREDIT_ENTRY_KIND_SPEND
    assert entry.create_time.ToJsonString() == "2026-01-02T03:04:05Z"
    given = convert.message_from(pb.CreditLedgerEntry, Row(), kind=pb.CREDIT_ENTRY_KIND_GRANT, reason="given wins")
    assert (given.kind, given.reason) == (pb.CREDIT_ENTRY_KIND_GRANT, "given wins")
    unknown = convert.message_from(pb.CreditLedgerEntry, Row(kind="no_such_kind"))
    assert unknown.kind == pb.CREDIT_ENTRY_KIND_UNSPECIFIED


def test_message_from_fills_enums_well_known_types_and_named_messages() -> None:
    import dataclasses

    from google.type import money_pb2
    from marquee.ads.v1 import ads_pb2 as ads
    from marquee.billing.v1 import billing_pb2 as pb
    from marquee.catalog.v1 import catalog_pb2 as catalog

    @dataclasses.dataclass
    class Proration:
        amount_due_now: int = 250
        unused_time_credit: int | None = None  # None: unset, never converted
        effective_time: dt.datetime = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)

    def cents(value: int) -> money_pb2.Money:
        return money_pb2.Money(currency_code="USD", units=value // 100, nanos=value % 100 * 10_000_000)

    preview = convert.message_from(pb.ProrationPreview, Proration(), messages={money_pb2.Money: cents})
    assert preview.amount_due_now == cents(250)
    assert not preview.HasField("unused_time_credit")
    assert preview.effective_time.ToJsonString() == "2026-01-02T00:00:00Z"

    @dataclasses.dataclass
    class Season:
        season_number: int = 2
        air_date: dt.date = dt.date(2026, 3, 4)

    @dataclasses.dataclass
    class Later:
        air_date: dt.datetime = dt.datetime(2026, 3, 4, tzinfo=dt.UTC)  # a datetime is not a Date: unset
        season_number: int = 9
        display_name: str = "from the second source"

    season = convert.message_from(catalog.Season, Season(), Later())
    assert (season.season_number, season.display_name) == (2, "from the second source")
    assert (season.air_date.year, season.air_date.month, season.air_date.day) == (2026, 3, 4)
    assert not convert.message_from(catalog.Season, Later()).HasField("air_date")

    @dataclasses.dataclass
    class Targeting:
        device_types: tuple[int, ...] = (ads.DEVICE_TYPE_ANDROID,)  # numbers pass as they are
        countries: tuple[str, ...] = ("DE", "FR")

    targeting = convert.message_from(ads.Targeting, Targeting())
    assert list(targeting.device_types) == [ads.DEVICE_TYPE_ANDROID]
    assert list(targeting.countries) == ["DE", "FR"]

    @dataclasses.dataclass
    class Timed:
        duration: dt.timedelta = dt.timedelta(seconds=-1, microseconds=500_000)
        skip_offset: float = 5.0  # not a timedelta: never guessed

    creative = convert.message_from(ads.Creative, Timed())
    assert (creative.duration.seconds, creative.duration.nanos) == (0, -500_000_000)
    assert not creative.HasField("skip_offset")


def test_plain_from_reads_same_named_scalars_and_repeated_fields_as_tuples() -> None:
    import dataclasses

    from marquee.ads.v1 import ads_pb2 as ads

    @dataclasses.dataclass(frozen=True)
    class Creative:
        width: int = 0
        alt_text: str = ""
        duration_ms: int = -1  # no such field: the default stands unless given
        not_a_field: str = "kept"

    @dataclasses.dataclass(frozen=True)
    class Targeting:
        countries: tuple[str, ...] = ()
        device_types: tuple[int, ...] = ()

    message = ads.Creative(width=640, alt_text="a poster")
    message.duration.seconds = 30
    assert convert.plain_from(Creative, message) == Creative(width=640, alt_text="a poster")
    assert convert.plain_from(Creative, message, duration_ms=30_000, width=1).duration_ms == 30_000
    targeting = convert.plain_from(Targeting, ads.Targeting(countries=["DE"], device_types=[ads.DEVICE_TYPE_ANDROID]))
    assert targeting == Targeting(countries=("DE",), device_types=(ads.DEVICE_TYPE_ANDROID,))


def test_enum_values_get_is_lenient() -> None:
    from marquee.billing.v1 import billing_pb2 as pb

    orders = convert.enum_values(pb.SubscriptionOrder)
    assert orders.get(pb.SUBSCRIPTION_ORDER_PERIOD_END_ASC) == "period_end_asc"
    assert orders.get(pb.SUBSCRIPTION_ORDER_UNSPECIFIED) is None
    assert orders.get(99, "fallback") == "fallback"
