"""Every request checked against its contract before its handler runs.

The interceptor walks the decoded request by its descriptor and refuses, with
INVALID_ARGUMENT and one BadRequest field violation per bad field:

* Timestamp, Duration and Date values their types cannot hold (years 1 to 9999,
  nanos 0 to 999,999,999, Duration ±10,000 years), an Interval ending before it starts;
* enum numbers the contract does not declare, NaN and infinite floats;
* strings longer than their documented maximum (`(marquee.api.v1.limits)`), else
  4,096 characters; repeated fields with more than 1,000 entries;
* 64-bit integers beyond ±(2^53 - 1): what a JSON client can send exactly, and
  small enough that sums of them stay inside the BIGINT columns they reach.

Only set fields are visited (`ListFields`), and each message type's rules are
computed once, so a small request costs a few microseconds.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor
from google.protobuf.message import Message
from marquee.api.v1 import limits_pb2

from services.core import convert
from services.core.errors import FieldViolation, InvalidArgument

DEFAULT_MAX_STRING_CHARS = 4_096
DEFAULT_MAX_ITEMS = 1_000
SAFE_INTEGER = 2**53 - 1
MAX_VIOLATIONS = 20
# Violation reasons of the check itself; any other comes from `(marquee.api.v1.limits).reason`.
_GENERIC_REASONS = frozenset({"OUT_OF_RANGE", "TOO_LONG", "TOO_MANY"})
# Values whose content is free-form by design: their own checks (size limits, the
# parser's nesting limit) apply, not the per-field defaults.
_OPAQUE = frozenset(
    {
        "google.protobuf.Struct",
        "google.protobuf.Value",
        "google.protobuf.ListValue",
        "google.protobuf.Any",
        "google.api.HttpBody",
    }
)
_INT64 = frozenset(
    {
        descriptor.FieldDescriptor.TYPE_INT64,
        descriptor.FieldDescriptor.TYPE_SINT64,
        descriptor.FieldDescriptor.TYPE_SFIXED64,
        descriptor.FieldDescriptor.TYPE_UINT64,
        descriptor.FieldDescriptor.TYPE_FIXED64,
    }
)
_FLOAT = frozenset({descriptor.FieldDescriptor.TYPE_DOUBLE, descriptor.FieldDescriptor.TYPE_FLOAT})


@dataclass(frozen=True)
class _Rule:
    kind: str  # string, bytes, int, float, enum, timestamp, duration, date, interval, message, opaque, plain
    repeated: bool
    is_map: bool
    max_length: int
    max_items: int
    minimum: int
    maximum: int
    enum_numbers: frozenset[int] = frozenset()
    map_value: descriptor.FieldDescriptor | None = None
    reason: str = ""  # the documented ErrorInfo reason for an over-long value, if any


def _kind(field: descriptor.FieldDescriptor) -> str:
    if field.type == descriptor.FieldDescriptor.TYPE_STRING:
        return "string"
    if field.type == descriptor.FieldDescriptor.TYPE_BYTES:
        return "bytes"
    if field.type in _INT64:
        return "int"
    if field.type in _FLOAT:
        return "float"
    if field.type == descriptor.FieldDescriptor.TYPE_ENUM:
        return "enum"
    if field.type in (descriptor.FieldDescriptor.TYPE_MESSAGE, descriptor.FieldDescriptor.TYPE_GROUP):
        name = field.message_type.full_name
        special = {
            "google.protobuf.Timestamp": "timestamp",
            "google.protobuf.Duration": "duration",
            "google.type.Date": "date",
            "google.type.Interval": "interval",
        }
        if name in special:
            return special[name]
        return "opaque" if name in _OPAQUE else "message"
    return "plain"


@functools.cache
def _rule(field: descriptor.FieldDescriptor) -> _Rule:
    options = field.GetOptions()
    extension: Any = limits_pb2.limits  # the generated stub types it as a plain FieldDescriptor
    limits: limits_pb2.FieldLimits = (
        options.Extensions[extension] if options.HasExtension(extension) else limits_pb2.FieldLimits()
    )
    is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
    kind = _kind(field)
    minimum, maximum = (limits.min_value, limits.max_value) if limits.has_range else (-SAFE_INTEGER, SAFE_INTEGER)
    if (
        kind == "int"
        and not limits.has_range
        and field.type
        in (
            descriptor.FieldDescriptor.TYPE_UINT64,
            descriptor.FieldDescriptor.TYPE_FIXED64,
        )
    ):
        minimum = 0
    return _Rule(
        kind="map" if is_map else kind,
        repeated=field.label == descriptor.FieldDescriptor.LABEL_REPEATED,
        is_map=is_map,
        max_length=limits.max_length or (DEFAULT_MAX_STRING_CHARS if kind == "string" else 0),
        max_items=limits.max_items or DEFAULT_MAX_ITEMS,
        minimum=minimum,
        maximum=maximum,
        enum_numbers=frozenset(v.number for v in field.enum_type.values) if kind == "enum" else frozenset(),
        map_value=field.message_type.fields_by_name["value"] if is_map else None,
        reason=limits.reason,
    )


@functools.cache
def _rules(message: descriptor.Descriptor) -> dict[str, _Rule]:
    return {field.name: _rule(field) for field in message.fields}


def _problem(rule: _Rule, value: Any) -> str | None:
    kind = rule.kind
    if kind == "string":
        return f"must be at most {rule.max_length} characters" if len(value) > rule.max_length else None
    if kind == "bytes":
        return f"must be at most {rule.max_length} bytes" if rule.max_length and len(value) > rule.max_length else None
    if kind == "int":
        return None if rule.minimum <= value <= rule.maximum else f"must be between {rule.minimum} and {rule.maximum}"
    if kind == "float":
        return None if math.isfinite(value) else "must be a finite number"
    if kind == "enum":
        return None if value in rule.enum_numbers else f"unknown enum value {value}"
    if kind == "timestamp":
        return convert.timestamp_problem(value.seconds, value.nanos)
    if kind == "duration":
        return convert.duration_problem(value.seconds, value.nanos)
    if kind == "date":
        return _date_problem(value)
    return None


def _date_problem(value: Any) -> str | None:
    """google.type.Date allows partial dates (a zero year, or zero month and day)."""
    year, month, day = value.year, value.month, value.day
    if not 0 <= year <= 9999 or not 0 <= month <= 12 or not 0 <= day <= 31:
        return "year must be 0 to 9999, month 0 to 12 and day 0 to 31"
    if year and month and day:
        return convert.date_problem(year, month, day)
    if day and not month:
        return "a day needs a month"
    return None


def _walk(message: Message, prefix: str) -> Iterator[FieldViolation]:
    rules = _rules(message.DESCRIPTOR)
    for field, value in message.ListFields():
        rule = rules[field.name]
        path = prefix + field.name
        if rule.repeated:
            if len(value) > rule.max_items:
                yield FieldViolation(path, f"must have at most {rule.max_items} entries", "TOO_MANY")
                continue
            if rule.is_map:
                assert rule.map_value is not None
                value_rule = _rule(rule.map_value)
                for key, item in value.items():
                    item_path = f"{path}[{str(key)[:40]!r}]"
                    if isinstance(key, str) and len(key) > DEFAULT_MAX_STRING_CHARS:
                        yield FieldViolation(path, f"keys must be at most {DEFAULT_MAX_STRING_CHARS} characters", "TOO_LONG")
                    yield from _one(value_rule, item, item_path)
                continue
            for index, item in enumerate(value):
                yield from _one(rule, item, f"{path}[{index}]")
        else:
            yield from _one(rule, value, path)


def _one(rule: _Rule, value: Any, path: str) -> Iterator[FieldViolation]:
    if rule.kind in ("message", "map"):
        yield from _walk(value, path + ".")
        return
    if rule.kind == "interval":
        yield from _walk(value, path + ".")
        if value.HasField("start_time") and value.HasField("end_time"):
            start, end = value.start_time, value.end_time
            if (end.seconds, end.nanos) < (start.seconds, start.nanos):
                yield FieldViolation(path + ".end_time", "must not be before start_time", "OUT_OF_RANGE")
        return
    problem = _problem(rule, value)
    if problem:
        if rule.kind in ("string", "bytes"):
            yield FieldViolation(path, problem, rule.reason or "TOO_LONG")
        else:
            yield FieldViolation(path, problem, "OUT_OF_RANGE")


def violations(request: Message) -> list[FieldViolation]:
    """The first violations in `request` (at most MAX_VIOLATIONS)."""
    found: list[FieldViolation] = []
    for violation in _walk(request, ""):
        found.append(violation)
        if len(found) >= MAX_VIOLATIONS:
            break
    return found


def check(request: Message) -> None:
    """Raise INVALID_ARGUMENT with field violations when `request` breaks its contract's bounds."""
    found = violations(request)
    if found:
        first = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        # The contract's own reason when it documents one (`MESSAGE_TOO_LONG`), else the generic one.
        reason = next((v.reason for v in found if v.reason not in _GENERIC_REASONS), "INVALID_ARGUMENT")
        raise InvalidArgument(f"{first.field}: {first.description}{more}", reason=reason, violations=found)
