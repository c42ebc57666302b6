"""Conversions between Python values and the protobuf types the contracts use, shared by all handlers.

Enums map to plain values by their descriptors (`SUBSCRIPTION_STATUS_PAST_DUE`
is `"past_due"`), so no service keeps a hand table that can drift. Timestamp,
Date, Duration and Interval convert with the range checks of their types: a
value the type cannot hold is INVALID_ARGUMENT with a field violation naming
the field, never an exception deeper down. A message is filled from a plain value's same-named
attributes by the same descriptors (`message_from`; `plain_from` the other way), so a mapper
names only the fields that differ.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from google.protobuf import descriptor, duration_pb2, timestamp_pb2
from google.protobuf.message import Message
from google.type import date_pb2, interval_pb2

from services.core.errors import FieldViolation, InvalidArgument

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# What google.protobuf.Timestamp may hold: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
MIN_TIMESTAMP_SECONDS = -62_135_596_800
MAX_TIMESTAMP_SECONDS = 253_402_300_799
MAX_NANOS = 999_999_999
# What google.protobuf.Duration may hold: about ±10,000 years.
MAX_DURATION_SECONDS = 315_576_000_000
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _invalid(field: str, description: str) -> InvalidArgument:
    return InvalidArgument(f"{field}: {description}", violations=[FieldViolation(field, description, "OUT_OF_RANGE")])


# -- Timestamp ------------------------------------------------------------------------


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


def timestamp_problem(seconds: int, nanos: int) -> str | None:
    """Why (seconds, nanos) is not a Timestamp, or None."""
    if not 0 <= nanos <= MAX_NANOS:
        return f"nanos must be between 0 and {MAX_NANOS}"
    if not MIN_TIMESTAMP_SECONDS <= seconds <= MAX_TIMESTAMP_SECONDS:
        return "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"
    return None


def to_datetime(value: timestamp_pb2.Timestamp, *, field: str) -> dt.datetime:
    """An aware UTC datetime (microsecond precision) for a Timestamp, range-checked."""
    problem = timestamp_problem(value.seconds, value.nanos)
    if problem:
        raise _invalid(field, problem)
    return _EPOCH + dt.timedelta(seconds=value.seconds, microseconds=value.nanos // 1000)


def optional_datetime(message: Any, field: str, *, path: str | None = None) -> dt.datetime | None:
    """`message.<field>` as a datetime, None when the field is unset."""
    if not message.HasField(field):
        return None
    return to_datetime(getattr(message, field), field=path or field)


# -- Duration ---------------------------------------------------------------------------


def duration_problem(seconds: int, nanos: int) -> str | None:
    if not -MAX_DURATION_SECONDS <= seconds <= MAX_DURATION_SECONDS:
        return f"must be within ±{MAX_DURATION_SECONDS} seconds"
    if not -MAX_NANOS <= nanos <= MAX_NANOS:
        return f"nanos must be between -{MAX_NANOS} and {MAX_NANOS}"
    if (seconds > 0 and nanos < 0) or (seconds < 0 and nanos > 0):
        return "seconds and nanos must have the same sign"
    return None


def to_timedelta(value: duration_pb2.Duration, *, field: str, minimum: dt.timedelta | None = None) -> dt.timedelta:
    problem = duration_problem(value.seconds, value.nanos)
    if problem:
        raise _invalid(field, problem)
    delta = dt.timedelta(seconds=value.seconds, microseconds=value.nanos // 1000)
    if minimum is not None and delta < minimum:
        raise _invalid(field, f"must be at least {minimum.total_seconds():g} seconds")
    return delta


def duration(value: dt.timedelta) -> duration_pb2.Duration:
    micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    seconds = int(micros / 1_000_000)  # toward zero, so seconds and nanos share a sign
    return duration_pb2.Duration(seconds=seconds, nanos=(micros - seconds * 1_000_000) * 1000)


# -- Date -------------------------------------------------------------------------------


def date_problem(year: int, month: int, day: int) -> str | None:
    if not 1 <= year <= 9999:
        return "year must be between 1 and 9999"
    try:
        dt.date(year, month, day)
    except ValueError:
        return "is not a calendar date"
    return None


def to_date(value: date_pb2.Date, *, field: str) -> dt.date:
    """A full calendar date (no partial dates: year, month and day are all required)."""
    problem = date_problem(value.year, value.month, value.day)
    if problem:
        raise _invalid(field, problem)
    return dt.date(value.year, value.month, value.day)


def date(value: dt.date | None) -> date_pb2.Date | None:
    if value is None:
        return None
    return date_pb2.Date(year=value.year, month=value.month, day=value.day)


# -- Interval ---------------------------------------------------------------------------


def to_interval(value: interval_pb2.Interval, *, field: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(start, end) of an Interval, each None when unset; the end must not be before the start."""
    start = optional_datetime(value, "start_time", path=f"{field}.start_time")
    end = optional_datetime(value, "end_time", path=f"{field}.end_time")
    if start is not None and end is not None and end < start:
        raise _invalid(f"{field}.end_time", "must not be before start_time")
    return start, end


def interval(start: dt.datetime | None, end: dt.datetime | None) -> interval_pb2.Interval:
    return interval_pb2.Interval(start_time=timestamp(start), end_time=timestamp(end))


# -- Messages ↔ plain values, by the descriptors ---------------------------------------


M = TypeVar("M", bound=Message)
P = TypeVar("P", bound="DataclassInstance")

_MISSING = object()
# How a same-named attribute fills a field, by the field's kind (`_fields_of`).
_PLAIN, _ENUM, _WELL_KNOWN, _MESSAGE = range(4)
# The well-known types filled from a plain value: the value's type and the conversion.
_FROM_PLAIN: dict[str, tuple[type, Callable[[Any], Message | None]]] = {
    "google.protobuf.Timestamp": (dt.datetime, timestamp),
    "google.protobuf.Duration": (dt.timedelta, duration),
    "google.type.Date": (dt.date, date),
}


@functools.cache
def _fields_of(message: descriptor.Descriptor) -> tuple[tuple[str, int, bool, Any], ...]:
    """(name, kind, repeated, detail) for each field of a message type, read once from its descriptor.

    `detail` is the enum's `EnumValues`, a well-known type's (Python type, conversion), or the
    full name of another message type. Map fields are left out: they are always given.
    """
    found: list[tuple[str, int, bool, Any]] = []
    for field in message.fields:
        repeated = field.is_repeated
        if field.type == descriptor.FieldDescriptor.TYPE_ENUM:
            found.append((field.name, _ENUM, repeated, enum_values(field.enum_type)))
        elif field.type != descriptor.FieldDescriptor.TYPE_MESSAGE:
            found.append((field.name, _PLAIN, repeated, None))
        elif field.message_type.GetOptions().map_entry:
            continue
        elif field.message_type.full_name in _FROM_PLAIN and not repeated:
            found.append((field.name, _WELL_KNOWN, repeated, _FROM_PLAIN[field.message_type.full_name]))
        else:
            found.append((field.name, _MESSAGE, repeated, field.message_type.full_name))
    return tuple(found)


def _enum_of(values: EnumValues, value: Any) -> Any:
    return values.number(value) if isinstance(value, str) else value


def _well_known(python_type: type, convert: Callable[[Any], Message | None], value: Any) -> Message | None:
    # A datetime is a date too; for a Date field it is a mistake, left unset rather than truncated.
    if not isinstance(value, python_type) or (python_type is dt.date and isinstance(value, dt.datetime)):
        return None
    return convert(value)


def message_from(
    message_type: type[M],
    /,
    *sources: object,
    messages: Mapping[type[Message], Callable[[Any], Message | None]] | None = None,
    **given: Any,
) -> M:
    """A `message_type` message with the fields `given` (None leaves one unset) and every other field
    filled, by its descriptor, from the same-named attribute of the first of `sources` that has one
    (None leaves it unset):

    - scalars and repeated scalars as they are;
    - enums (and repeated enums) from a stored plain value (`"past_due"` is
      `SUBSCRIPTION_STATUS_PAST_DUE`, an unknown one UNSPECIFIED: see `EnumValues`) or a number;
    - Timestamp from a datetime, Duration from a timedelta, Date from a date;
    - a message type named in `messages` (`{money_pb2.Money: money}`) through its function.

    Nothing else is guessed (other messages, maps, a value of another type, a field the source
    names differently): give it.
    """
    by_name = {kind.DESCRIPTOR.full_name: convert for kind, convert in messages.items()} if messages else {}
    values: dict[str, Any] = {}
    for name, kind, repeated, detail in _fields_of(message_type.DESCRIPTOR):
        if name in given:
            continue
        value: Any = _MISSING
        for source in sources:  # a loop, not next(...): this runs for every field of every row served
            value = getattr(source, name, _MISSING)
            if value is not _MISSING:
                break
        else:
            continue
        if value is None:
            continue
        if kind == _PLAIN:
            values[name] = value
        elif kind == _ENUM:
            values[name] = [_enum_of(detail, item) for item in value] if repeated else _enum_of(detail, value)
        elif kind == _WELL_KNOWN:
            python_type, convert = detail
            values[name] = _well_known(python_type, convert, value)
        elif detail in by_name:
            convert = by_name[detail]
            values[name] = [convert(item) for item in value] if repeated else convert(value)
    values.update(given)
    return message_type(**{name: value for name, value in values.items() if value is not None})


def plain_from(plain_type: type[P], message: Message, /, **given: Any) -> P:
    """A `plain_type` dataclass with the values `given` and, for each other field, the same-named
    scalar or enum field of `message` (a repeated one as a tuple); the reverse of `message_from`.

    Message fields (times, durations, money, nested messages) are never read: give them, or the
    dataclass's default stands.
    """
    fields = message.DESCRIPTOR.fields_by_name
    values = dict(given)
    for field in dataclasses.fields(plain_type):
        found = fields.get(field.name)
        if field.name in given or found is None or found.type == descriptor.FieldDescriptor.TYPE_MESSAGE:
            continue
        value = getattr(message, field.name)
        values[field.name] = tuple(value) if found.is_repeated else value
    return plain_type(**values)


# -- Enums ------------------------------------------------------------------------------


def enum_number(value: int) -> Any:
    """An enum value kept as the contract's int; protobuf takes it as it is (the stubs want the enum type)."""
    return value


def _upper_snake(name: str) -> str:
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index and (not name[index - 1].isupper() or (index + 1 < len(name) and name[index + 1].islower())):
            out.append("_")
        out.append(char.upper())
    return "".join(out)


class EnumValues:
    """Enum numbers ↔ the plain values the domain and the database use, from the enum's descriptor.

    A value is the enum value's name without the enum's prefix, lower-cased:
    `SUBSCRIPTION_STATUS_PAST_DUE` ↔ `"past_due"`. `UNSPECIFIED` has no value.
    `aliases` maps an extra plain value onto a number (a legacy spelling in stored data).
    """

    def __init__(self, enum: descriptor.EnumDescriptor, *, aliases: Mapping[str, int] | None = None) -> None:
        self.descriptor = enum
        prefix = _upper_snake(enum.name) + "_"
        self._to_value: dict[int, str] = {}
        for value in enum.values:
            if value.number == 0:
                continue
            plain = value.name.removeprefix(prefix).lower()
            self._to_value[value.number] = plain
        self._to_number = {plain: number for number, plain in self._to_value.items()}
        for plain, number in (aliases or {}).items():
            self._to_number[plain] = number

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(self._to_value.values())

    def value(self, number: int) -> str:
        """The plain value for a known, specified number (a programming error otherwise)."""
        return self._to_value[number]

    @overload
    def get(self, number: int) -> str | None: ...
    @overload
    def get(self, number: int, default: str) -> str: ...
    def get(self, number: int, default: str | None = None) -> str | None:
        """The plain value for `number`, `default` for UNSPECIFIED or a number the enum does not know."""
        return self._to_value.get(number, default)

    def number(self, value: str) -> int:
        """The enum number for a stored plain value; UNSPECIFIED (0) for an unknown one."""
        return self._to_number.get(value, 0)

    def parse(self, number: int, *, field: str, default: str | None = None) -> str:
        """The plain value a request asked for: UNSPECIFIED means `default` (INVALID_ARGUMENT
        when there is none), an unknown number is INVALID_ARGUMENT."""
        if number == 0 and default is not None:
            return default
        plain = self._to_value.get(number)
        if plain is None:
            allowed = ", ".join(v.name for v in self.descriptor.values if v.number)
            description = "is required" if number == 0 else f"unknown value {number}; one of {allowed}"
            raise InvalidArgument(
                f"{field} {description}", violations=[FieldViolation(field, f"must be one of {allowed}", "INVALID_ENUM")]
            )
        return plain

    def parse_optional(self, number: int, *, field: str) -> str | None:
        """As `parse`, with UNSPECIFIED meaning "not given" (None)."""
        return None if number == 0 else self.parse(number, field=field)


@functools.cache
def enum_values(enum: Any) -> EnumValues:
    """The mapping for a generated enum (`pb.SubscriptionStatus`) or its descriptor; cached."""
    found: descriptor.EnumDescriptor = getattr(enum, "DESCRIPTOR", enum)
    return EnumValues(found)
