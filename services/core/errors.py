"""Domain errors and their one mapping to gRPC statuses with google.rpc details.

Domain code raises these; the error interceptor turns them into a
`google.rpc.Status` carrying `ErrorInfo` (a stable reason), `BadRequest` field
violations and `RetryInfo` where they apply. Anything else becomes INTERNAL with
a correlation id, logged and never leaked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"
# What any one echoed value may take in a status: a message, a metadata value, a
# violation's field or description. Errors quote input ("titles/<1 MB> not found");
# unbounded, a 1 MB field came back as a 2 MB trailer that common clients refuse.
MAX_ECHO_CHARS = 200
MAX_MESSAGE_CHARS = 400
MAX_METADATA_ENTRIES = 20
MAX_VIOLATIONS = 20


def bounded(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    """`text` cut to `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field: `field` is a dotted path into the request."""

    field: str
    description: str
    reason: str = ""


class DomainError(Exception):
    """A failure the caller can act on. Subclasses fix the status code."""

    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN
    default_reason: str = "UNKNOWN"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
        violations: Iterable[FieldViolation] = (),
        retry_after_seconds: float | None = None,
        domain: str | None = None,
        commit: bool = False,
    ) -> None:
        super().__init__(message)
        # Commit the unit of work before failing: the failure itself changed state
        # that must stick (a reused refresh token revokes its session).
        self.commit = commit
        self.message = message
        self.reason = reason or self.default_reason
        self.metadata = dict(metadata or {})
        self.violations = tuple(violations)
        self.retry_after_seconds = retry_after_seconds
        self.domain = domain


class InvalidArgument(DomainError):
    code = grpc.StatusCode.INVALID_ARGUMENT
    default_reason = "INVALID_ARGUMENT"


class NotFound(DomainError):
    code = grpc.StatusCode.NOT_FOUND
    default_reason = "NOT_FOUND"


class AlreadyExists(DomainError):
    code = grpc.StatusCode.ALREADY_EXISTS
    default_reason = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    code = grpc.StatusCode.FAILED_PRECONDITION
    default_reason = "FAILED_PRECONDITION"


class Aborted(DomainError):
    code = grpc.StatusCode.ABORTED
    default_reason = "ETAG_MISMATCH"


class PermissionDenied(DomainError):
    code = grpc.StatusCode.PERMISSION_DENIED
    default_reason = "ROLE_REQUIRED"


class Unauthenticated(DomainError):
    code = grpc.StatusCode.UNAUTHENTICATED
    default_reason = "TOKEN_INVALID"


class ResourceExhausted(DomainError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED
    default_reason = "RATE_LIMITED"


class Unavailable(DomainError):
    code = grpc.StatusCode.UNAVAILABLE
    default_reason = "DEPENDENCY_UNAVAILABLE"


class Unimplemented(DomainError):
    code = grpc.StatusCode.UNIMPLEMENTED
    default_reason = "NOT_IMPLEMENTED"


class DeadlineExceeded(DomainError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED
    default_reason = "DEADLINE_EXCEEDED"


def invalid(field: str, description: str, *, reason: str = "INVALID_ARGUMENT") -> InvalidArgument:
    """A single-field INVALID_ARGUMENT, the most common error."""
    return InvalidArgument(f"{field}: {description}", reason=reason, violations=[FieldViolation(field, description)])


def _pack(message: Message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def to_status(error: DomainError, domain: str) -> status_pb2.Status:
    """The google.rpc.Status sent for a domain error."""
    details = [
        _pack(
            error_details_pb2.ErrorInfo(
                reason=bounded(error.reason),
                domain=bounded(error.domain or domain),
                metadata={bounded(key, 64): bounded(value) for key, value in list(error.metadata.items())[:MAX_METADATA_ENTRIES]},
            )
        )
    ]
    if error.violations:
        details.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(
                            field=bounded(v.field), description=bounded(v.description), reason=bounded(v.reason)
                        )
                        for v in error.violations[:MAX_VIOLATIONS]
                    ]
                )
            )
        )
    if error.retry_after_seconds is not None:
        seconds = max(0.0, error.retry_after_seconds)
        whole = math.floor(seconds)
        details.append(
            _pack(
                error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=whole, nanos=int((seconds - whole) * 1e9)))
            )
        )
    return status_pb2.Status(code=error.code.value[0], message=bounded(error.message, MAX_MESSAGE_CHARS), details=details)


def internal_status(correlation_id: str, domain: str) -> status_pb2.Status:
    """What an unexpected exception becomes: no internals, a correlation id to quote."""
    info = error_details_pb2.ErrorInfo(reason="INTERNAL", domain=domain, metadata={"correlation_id": correlation_id})
    return status_pb2.Status(
        code=code_pb2.INTERNAL,
        message=f"internal error (correlation id {correlation_id})",
        details=[_pack(info)],
    )


def status_code(status: status_pb2.Status) -> grpc.StatusCode:
    return next(code for code in grpc.StatusCode if code.value[0] == status.code)
