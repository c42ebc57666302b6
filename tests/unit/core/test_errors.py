"""Domain errors map to google.rpc.Status with the right details."""

from __future__ import annotations

import grpc
from google.rpc import code_pb2, error_details_pb2

from services.core import errors


def details(status: object) -> dict[str, object]:
    found: dict[str, object] = {}
    for detail in status.details:  # type: ignore[attr-defined]
        for kind in (error_details_pb2.ErrorInfo, error_details_pb2.BadRequest, error_details_pb2.RetryInfo):
            if detail.Is(kind.DESCRIPTOR):
                message = kind()
                detail.Unpack(message)
                found[kind.__name__] = message
    return found


def test_invalid_argument_carries_error_info_and_field_violations() -> None:
    status = errors.to_status(errors.invalid("user.email", "must be a valid email address"), "marquee.auth")
    assert status.code == code_pb2.INVALID_ARGUMENT
    found = details(status)
    info = found["ErrorInfo"]
    assert (info.reason, info.domain) == ("INVALID_ARGUMENT", "marquee.auth")  # type: ignore[attr-defined]
    violation = found["BadRequest"].field_violations[0]  # type: ignore[attr-defined]
    assert (violation.field, violation.description) == ("user.email", "must be a valid email address")


def test_rate_limit_carries_retry_info() -> None:
    error = errors.ResourceExhausted("slow down", retry_after_seconds=12.5, metadata={"scope": "client"})
    status = errors.to_status(error, "marquee.auth")
    found = details(status)
    assert status.code == code_pb2.RESOURCE_EXHAUSTED
    assert found["RetryInfo"].retry_delay.seconds == 12  # type: ignore[attr-defined]
    assert found["RetryInfo"].retry_delay.nanos == 500_000_000  # type: ignore[attr-defined]
    assert dict(found["ErrorInfo"].metadata) == {"scope": "client"}  # type: ignore[attr-defined]


def test_explicit_domain_wins_over_the_method_domain() -> None:
    status = errors.to_status(errors.NotFound("gone", domain="marquee.billing"), "marquee.catalog")
    assert details(status)["ErrorInfo"].domain == "marquee.billing"  # type: ignore[attr-defined]


def test_every_error_class_has_its_code() -> None:
    expected = {
        errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
        errors.NotFound: grpc.StatusCode.NOT_FOUND,
        errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
        errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
        errors.Aborted: grpc.StatusCode.ABORTED,
        errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
        errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
        errors.ResourceExhausted: grpc.StatusCode.RESOURCE_EXHAUSTED,
        errors.Unavailable: grpc.StatusCode.UNAVAILABLE,
        errors.Unimplemented: grpc.StatusCode.UNIMPLEMENTED,
        errors.DeadlineExceeded: grpc.StatusCode.DEADLINE_EXCEEDED,
    }
    for cls, code in expected.items():
        status = errors.to_status(cls("x"), "marquee.test")
        assert errors.status_code(status) == code


def test_internal_status_reveals_only_the_correlation_id() -> None:
    status = errors.internal_status("abc123", "marquee.auth")
    assert status.code == code_pb2.INTERNAL
    assert status.message == "internal error (correlation id abc123)"
    assert dict(details(status)["ErrorInfo"].metadata) == {"correlation_id": "abc123"}  # type: ignore[attr-defined]
