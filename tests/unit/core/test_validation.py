"""The descriptor-driven bounds check, on plain messages (no server)."""

from __future__ import annotations

import pytest
from google.protobuf import field_mask_pb2, timestamp_pb2
from google.type import date_pb2, interval_pb2
from marquee.auth.v1 import auth_pb2
from marquee.billing.v1 import billing_pb2
from marquee.catalog.v1 import catalog_pb2
from marquee.tracking.v1 import tracking_pb2

from services.core import errors, validation


def fields(request: object) -> list[str]:
    return [v.field for v in validation.violations(request)]  # type: ignore[arg-type]


def test_a_well_formed_request_passes() -> None:
    request = tracking_pb2.ListHistoryEntriesRequest(
        parent="users/me", page_size=10, since=timestamp_pb2.Timestamp(seconds=1_700_000_000)
    )
    validation.check(request)
    assert fields(request) == []


def test_timestamps_durations_and_intervals() -> None:
    bad = timestamp_pb2.Timestamp(seconds=253_402_300_800)
    assert fields(tracking_pb2.ListHistoryEntriesRequest(since=bad)) == ["since"]
    backwards = interval_pb2.Interval(start_time=timestamp_pb2.Timestamp(seconds=10), end_time=timestamp_pb2.Timestamp(seconds=5))
    assert fields(tracking_pb2.GetStatsRequest(interval=backwards)) == ["interval.end_time"]


def test_64_bit_integers_beyond_what_json_and_sums_allow() -> None:
    assert fields(billing_pb2.GrantCreditsRequest(amount=validation.SAFE_INTEGER)) == []
    assert fields(billing_pb2.GrantCreditsRequest(amount=validation.SAFE_INTEGER + 1)) == ["amount"]


def test_strings_documented_maximum_else_the_default() -> None:
    assert fields(billing_pb2.CancelSubscriptionRequest(comment="x" * 1000)) == []
    assert fields(billing_pb2.CancelSubscriptionRequest(comment="x" * 1001)) == ["comment"]
    long_filter = auth_pb2.ListUsersRequest(filter=auth_pb2.UserFilter(email_contains="a" * 4097))
    assert fields(long_filter) == ["filter.email_contains"]


def test_repeated_entries_are_checked_each_with_its_index() -> None:
    request = billing_pb2.BatchGetEntitlementsRequest(names=["users/a/entitlements", "x" * 5000])
    assert fields(request) == ["names[1]"]
    mask = field_mask_pb2.FieldMask(paths=["p"] * 1001)
    assert fields(auth_pb2.UpdateUserRequest(update_mask=mask)) == ["update_mask.paths"]


def test_undeclared_enum_numbers() -> None:
    assert fields(catalog_pb2.ListTitlesRequest(filter=catalog_pb2.TitleFilter(kind=catalog_pb2.TITLE_KIND_MOVIE))) == []
    assert fields(catalog_pb2.ListTitlesRequest(filter=catalog_pb2.TitleFilter(kind=42))) == ["filter.kind"]


@pytest.mark.parametrize(
    ("date", "ok"),
    [((2024, 2, 29), True), ((0, 3, 1), True), ((2024, 0, 0), True), ((2023, 2, 29), False), ((10000, 1, 1), False),
     ((2024, 13, 1), False), ((2024, 0, 5), False)],
)  # fmt: skip
def test_dates_allow_partial_but_not_impossible(date: tuple[int, int, int], ok: bool) -> None:
    year, month, day = date
    assert (validation._date_problem(date_pb2.Date(year=year, month=month, day=day)) is None) is ok


def test_check_raises_with_every_violation() -> None:
    request = tracking_pb2.ListHistoryEntriesRequest(since=timestamp_pb2.Timestamp(nanos=-1), page_token="t" * 5000)
    with pytest.raises(errors.InvalidArgument) as caught:
        validation.check(request)
    assert sorted(v.field for v in caught.value.violations) == ["page_token", "since"]
    assert "(and 1 more)" in caught.value.message


def test_a_documented_reason_is_the_error_reason() -> None:
    from marquee.chat.v1 import chat_pb2

    with pytest.raises(errors.InvalidArgument) as caught:
        validation.check(chat_pb2.SendMessageRequest(content="x" * 8001))
    assert caught.value.reason == "MESSAGE_TOO_LONG"
    assert [v.field for v in caught.value.violations] == ["content"]
    validation.check(chat_pb2.SendMessageRequest(content="x" * 8000))  # over the 4,096 default, within its own
