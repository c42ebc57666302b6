"""Bad input over the wire: undecodable bodies, values outside the contract's bounds, and
oversized echoes all answer INVALID_ARGUMENT with details, never UNKNOWN or INTERNAL."""

from __future__ import annotations

import os

import grpc
import pytest
from google.protobuf import timestamp_pb2
from google.type import interval_pb2
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc
from marquee.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from marquee.tracking.v1 import tracking_pb2, tracking_pb2_grpc

from services.core import errors
from services.core.contract import methods_of
from services.core.server import Server
from services.core.settings import Settings
from services.core.tokens import TokenSigner
from tests.support.harness import bearer, rpc_error

SERVED = [
    "marquee.auth.v1.AuthService",
    "marquee.billing.v1.BillingService",
    "marquee.catalog.v1.CatalogService",
    "marquee.tracking.v1.TrackingService",
]
INTERNALS = ("DecodeError", "Error parsing", "Traceback", "Unexpected <class", "google.protobuf")


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _len_field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _nested_struct(depth: int) -> bytes:
    """A google.protobuf.Struct nested `depth` levels: {"a": {"a": {...}}}."""
    struct = b""
    for _ in range(depth):
        value = _len_field(5, struct)  # Value.struct_value
        entry = _len_field(1, b"a") + _len_field(2, value)  # map entry: key, value
        struct = _len_field(1, entry)  # Struct.fields
    return struct


def _update_user_with_preferences(preferences: bytes) -> bytes:
    user_field = auth_pb2.UpdateUserRequest.DESCRIPTOR.fields_by_name["user"].number
    struct_field = auth_pb2.User.DESCRIPTOR.fields_by_name["app_preferences"].number
    return _len_field(user_field, _len_field(struct_field, preferences))


VALID = auth_pb2.GetUserRequest(name="users/me").SerializeToString()
MALFORMED = {
    "random bytes": os.urandom(64) + b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
    "truncated by one byte": VALID[:-1],
    "length prefix that lies": b"\x0a\x7fusers",
    "field number 0": b"\x00\x01",
    "wire type 6": b"\x0e\x01",
    "wire type 7": b"\x0f\x01",
    "unterminated group": b"\x13\x08\x01",
    "deeply nested groups": b"\x13" * 200 + b"\x14" * 200,
    "invalid UTF-8": b"\x0a\x02\xff\xfe",
    "UTF-8 encoded surrogate": b"\x0a\x03\xed\xa0\x80",
    "varint longer than 10 bytes": b"\x10" + b"\xff" * 11 + b"\x01",
}


def _raw(channel: grpc.aio.Channel, path: str) -> grpc.aio.UnaryUnaryMultiCallable:  # type: ignore[type-arg]
    return channel.unary_unary(path, request_serializer=None, response_deserializer=None)


def _assert_malformed(exc: grpc.aio.AioRpcError) -> None:
    error = rpc_error(exc)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT, (error.code, error.message)
    assert error.reason == "MALFORMED_REQUEST"
    assert not any(marker in error.message for marker in INTERNALS), error.message


@pytest.fixture
def admin(settings: Settings) -> tuple[tuple[str, str], ...]:
    token, _ = TokenSigner.from_settings(settings).sign("bounds-admin", token_id="t-bounds", role="admin")
    return bearer(token)


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_undecodable_request_is_invalid_argument(
    channel: grpc.aio.Channel, admin: tuple[tuple[str, str], ...], case: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await _raw(channel, "/marquee.auth.v1.AuthService/GetUser")(MALFORMED[case], metadata=admin)
    _assert_malformed(failure.value)


async def test_a_struct_nested_hundreds_deep_is_malformed(channel: grpc.aio.Channel, admin: tuple[tuple[str, str], ...]) -> None:
    body = _update_user_with_preferences(_nested_struct(300))
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await _raw(channel, "/marquee.auth.v1.AuthService/UpdateUser")(body, metadata=admin)
    _assert_malformed(failure.value)


async def test_every_served_method_maps_undecodable_bodies(channel: grpc.aio.Channel, settings: Settings) -> None:
    token, _ = TokenSigner.from_settings(settings).sign("bad-input-admin", token_id="t-bad-input", role="admin")
    paths = [path for service in SERVED for path, contract in methods_of(service).items()]
    assert len(paths) > 100
    for path in paths:
        method = methods_of(path.split("/")[1])[path]
        body = b"\x0f\x01"  # wire type 7 is never valid
        if method.descriptor.server_streaming:
            call = channel.unary_stream(path, request_serializer=None, response_deserializer=None)
            with pytest.raises(grpc.aio.AioRpcError) as failure:
                async for _ in call(body, metadata=bearer(token)):
                    pass
        else:
            with pytest.raises(grpc.aio.AioRpcError) as failure:
                await _raw(channel, path)(body, metadata=bearer(token))
        _assert_malformed(failure.value)


# -- values outside the contract's bounds -------------------------------------------------


def _violation_fields(exc: grpc.aio.AioRpcError) -> list[str]:
    error = rpc_error(exc)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT, (error.code, error.message)
    assert error.bad_request is not None
    return [v.field for v in error.bad_request.field_violations]


async def test_timestamp_outside_years_1_to_9999(channel: grpc.aio.Channel, admin: tuple[tuple[str, str], ...]) -> None:
    tracking = tracking_pb2_grpc.TrackingServiceStub(channel)
    for stamp in [timestamp_pb2.Timestamp(seconds=253_402_300_800), timestamp_pb2.Timestamp(seconds=-62_135_596_801),
                  timestamp_pb2.Timestamp(seconds=0, nanos=-1), timestamp_pb2.Timestamp(nanos=1_000_000_000)]:  # fmt: skip
        request = tracking_pb2.ListHistoryEntriesRequest(parent="users/me", since=stamp)
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            await tracking.ListHistoryEntries(request, metadata=admin)
        assert _violation_fields(failure.value) == ["since"]


async def test_interval_from_year_0_to_10000(channel: grpc.aio.Channel, admin: tuple[tuple[str, str], ...]) -> None:
    tracking = tracking_pb2_grpc.TrackingServiceStub(channel)
    interval = interval_pb2.Interval(
        start_time=timestamp_pb2.Timestamp(seconds=-62_167_219_200), end_time=timestamp_pb2.Timestamp(seconds=253_402_300_800)
    )
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await tracking.GetStats(tracking_pb2.GetStatsRequest(name="users/me/stats", interval=interval), metadata=admin)
    assert _violation_fields(failure.value) == ["interval.start_time", "interval.end_time"]


async def test_credits_near_int64_max(channel: grpc.aio.Channel, admin: tuple[tuple[str, str], ...]) -> None:
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await billing.GrantCredits(
            billing_pb2.GrantCreditsRequest(user="users/u-credits", amount=2**63 - 1, reason="overflow"), metadata=admin
        )
    assert _violation_fields(failure.value) == ["amount"]
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await billing.AdjustCredits(
            billing_pb2.AdjustCreditsRequest(user="users/u-credits", delta=-(2**63), reason="overflow"), metadata=admin
        )
    assert _violation_fields(failure.value) == ["delta"]


async def test_a_40_kb_email_contains(channel: grpc.aio.Channel, admin: tuple[tuple[str, str], ...]) -> None:
    auth = auth_pb2_grpc.AuthServiceStub(channel)
    request = auth_pb2.ListUsersRequest(filter=auth_pb2.UserFilter(email_contains="%_" * 20_000))
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await auth.ListUsers(request, metadata=admin)
    assert _violation_fields(failure.value) == ["filter.email_contains"]


async def test_a_documented_maximum_is_enforced(channel: grpc.aio.Channel, admin: tuple[tuple[str, str], ...]) -> None:
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    # CancelSubscriptionRequest.comment: "at most 1,000 characters" -> (marquee.api.v1.limits).max_length = 1000.
    request = billing_pb2.CancelSubscriptionRequest(name="users/me/subscription", comment="x" * 1001)
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await billing.CancelSubscription(request, metadata=admin)
    assert _violation_fields(failure.value) == ["comment"]


async def test_an_undeclared_enum_number(channel: grpc.aio.Channel, admin: tuple[tuple[str, str], ...]) -> None:
    catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await catalog.ListTitles(catalog_pb2.ListTitlesRequest(filter=catalog_pb2.TitleFilter(kind=77)), metadata=admin)
    assert _violation_fields(failure.value) == ["filter.kind"]


# -- bounded echoes -------------------------------------------------------------------------


async def test_a_1_mb_field_does_not_come_back_as_a_huge_trailer(server: Server) -> None:
    big = "titles/" + "x" * 1_000_000
    async with grpc.aio.insecure_channel(
        f"127.0.0.1:{server.port}", options=[("grpc.max_send_message_length", 4 * 1024 * 1024)]
    ) as channel:
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            await catalog.GetTitle(catalog_pb2.GetTitleRequest(name=big))
    error = failure.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    trailer_bytes = sum(len(key) + len(value) for key, value in error.trailing_metadata() or ())
    assert len(error.details() or "") <= errors.MAX_MESSAGE_CHARS + 40
    assert trailer_bytes < 4_000


def test_bounded_cuts_and_says_how_much() -> None:
    assert errors.bounded("abc") == "abc"
    cut = errors.bounded("y" * 1000)
    assert cut.startswith("y" * errors.MAX_ECHO_CHARS)
    assert cut.endswith("(800 more characters)")
    status = errors.to_status(
        errors.NotFound("n" * 10_000, metadata={"name": "n" * 10_000}, violations=[errors.FieldViolation("f" * 999, "d" * 999)]),
        "marquee.test",
    )
    assert len(status.SerializeToString()) < 2_000


# -- request ids ------------------------------------------------------------------------------


async def test_request_id_comes_back_in_headers_and_trailers(channel: grpc.aio.Channel) -> None:
    # A reply carries it in its trailers, and in its headers when the call came through our gateway
    # (Envoy adds x-marquee-gateway); an error (a trailers-only reply) in its trailers.
    catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
    call = catalog.ListTitles(catalog_pb2.ListTitlesRequest(), metadata=(("x-request-id", "client-chosen-42"),))
    await call
    assert (await call.trailing_metadata()).get("x-request-id") == "client-chosen-42"
    assert "x-request-id" not in dict(await call.initial_metadata())  # native gRPC: no separate header batch
    proxied = catalog.ListTitles(
        catalog_pb2.ListTitlesRequest(), metadata=(("x-request-id", "via-gateway-7"), ("x-marquee-gateway", "none"))
    )
    await proxied
    assert (await proxied.initial_metadata()).get("x-request-id") == "via-gateway-7"
    assert (await proxied.trailing_metadata()).get("x-request-id") == "via-gateway-7"
    failing = catalog.GetTitle(catalog_pb2.GetTitleRequest(name="not-a-title"), metadata=(("x-request-id", "r" * 500),))
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await failing
    trailers = failure.value.trailing_metadata()
    assert trailers is not None
    generated = trailers.get("x-request-id")
    assert generated
    assert generated != "r" * 500
