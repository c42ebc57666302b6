"""A structure-aware fuzzer built from the contracts' descriptors (hypothesis strategies).

For every method the server serves it builds requests from the request type's
descriptor — names shaped by the resource patterns (with `me`, `-`, empty and
oversized ids), integers at their type's edges, Timestamps and Durations far out
of range, undeclared enum numbers, NaN, long strings — and, as often, the
serialized bytes of such a request cut, flipped or spliced with noise. Each is
sent over the wire as raw bytes with one of several callers; a status of
INTERNAL or UNKNOWN is a finding. New services join as soon as they are served,
because nothing here names a method.
"""

from __future__ import annotations

import collections
import functools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import descriptor, message_factory
from google.protobuf.message import Message
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from services.core import names
from services.core.contract import MethodContract

FD = descriptor.FieldDescriptor
FORBIDDEN = frozenset({grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN})
_INT_RANGES = {
    FD.TYPE_INT32: (-(2**31), 2**31 - 1),
    FD.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FD.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FD.TYPE_UINT32: (0, 2**32 - 1),
    FD.TYPE_FIXED32: (0, 2**32 - 1),
    FD.TYPE_INT64: (-(2**63), 2**63 - 1),
    FD.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FD.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FD.TYPE_UINT64: (0, 2**64 - 1),
    FD.TYPE_FIXED64: (0, 2**64 - 1),
}
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_ODD_TEXT = st.sampled_from(
    ["", " ", "me", "-", "*", "users/me", "users/-", "../..", "%00", "\x00", "é", "😀", "a" * 129, "x" * 5000, "%_" * 300]
)
_ID = st.one_of(
    st.sampled_from(["me", "-", "", "u1", "a" * 129, "slug:x", "0"]), st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True)
)


def _int(field_type: int) -> st.SearchStrategy[int]:
    low, high = _INT_RANGES[field_type]
    edges = [low, high, 0, -1, 1, 2**53, -(2**53), 2**31, 2**63 - 1]
    return st.one_of(st.sampled_from([e for e in edges if low <= e <= high]), st.integers(low, high), st.integers(-3, 200))


def _name(patterns: tuple[names.Pattern, ...]) -> st.SearchStrategy[str]:
    def fill(pattern: names.Pattern) -> st.SearchStrategy[str]:
        return st.lists(_ID, min_size=len(pattern.variables), max_size=len(pattern.variables)).map(
            lambda ids: pattern.format(dict(zip(pattern.variables, ids, strict=True)))
        )

    return st.one_of(*(fill(p) for p in patterns))


def _string(field_descriptor: descriptor.FieldDescriptor) -> st.SearchStrategy[str]:
    try:
        _, patterns = names.field_resource(field_descriptor)
    except LookupError:
        return st.one_of(_TEXT, _TEXT, _ODD_TEXT)
    # Mostly well-shaped names (so calls get past parsing), sometimes anything.
    return st.one_of(_name(patterns), _name(patterns), _name(patterns), _TEXT, _ODD_TEXT)


def _well_known(full_name: str) -> st.SearchStrategy[Any] | None:
    seconds = st.one_of(st.sampled_from([0, -1, 253_402_300_799, 253_402_300_800, -62_135_596_801, 2**63 - 1, -(2**63)]),
                        st.integers(-(2**63), 2**63 - 1), st.integers(0, 2_000_000_000))  # fmt: skip
    nanos = st.one_of(st.sampled_from([0, -1, 999_999_999, 1_000_000_000]), st.integers(-(2**31), 2**31 - 1))
    if full_name == "google.protobuf.Timestamp" or full_name == "google.protobuf.Duration":
        return st.fixed_dictionaries({"seconds": seconds, "nanos": nanos})
    if full_name == "google.type.Date":
        small = st.integers(-5, 40)
        return st.fixed_dictionaries(
            {"year": st.one_of(st.integers(-1, 10001), st.integers(-(2**31), 2**31 - 1)), "month": small, "day": small}
        )
    return None


@functools.cache
def _fields(message: descriptor.Descriptor, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for item in message.fields:
        value = _value(item, depth)
        if value is not None:
            optional[item.name] = value
    return st.fixed_dictionaries({}, optional=optional)


def _single(item: descriptor.FieldDescriptor, depth: int) -> st.SearchStrategy[Any] | None:
    kind = item.type
    if kind == FD.TYPE_STRING:
        return _string(item)
    if kind == FD.TYPE_BYTES:
        return st.binary(max_size=64)
    if kind == FD.TYPE_BOOL:
        return st.booleans()
    if kind in _INT_RANGES:
        return _int(kind)
    if kind == FD.TYPE_DOUBLE:
        return st.floats(allow_nan=True, allow_infinity=True)
    if kind == FD.TYPE_FLOAT:
        return st.floats(allow_nan=True, allow_infinity=True, width=32)
    if kind == FD.TYPE_ENUM:
        return st.one_of(st.sampled_from([v.number for v in item.enum_type.values]), st.integers(-3, 1000))
    if kind == FD.TYPE_MESSAGE:
        known = _well_known(item.message_type.full_name)
        if known is not None:
            return known
        if (
            item.message_type.full_name.startswith("google.protobuf.")
            and item.message_type.full_name != "google.protobuf.FieldMask"
        ):
            return None  # Struct, Any, wrappers: the malformed-bytes cases cover their decoding
        if depth >= 3:
            return None
        return _fields(item.message_type, depth + 1)
    return None


def _value(item: descriptor.FieldDescriptor, depth: int) -> st.SearchStrategy[Any] | None:
    if item.message_type is not None and item.message_type.GetOptions().map_entry:
        key = _single(item.message_type.fields_by_name["key"], depth)
        value = _single(item.message_type.fields_by_name["value"], depth)
        return None if key is None or value is None else st.dictionaries(key, value, max_size=3)
    single = _single(item, depth)
    if single is None:
        return None
    if item.label == FD.LABEL_REPEATED:
        return st.lists(single, max_size=3)
    return single


def _build(message_class: type[Message], values: dict[str, Any]) -> Message:
    message = message_class()
    _fill(message, values)
    return message


def _fill(message: Message, values: dict[str, Any]) -> None:
    fields_by_name = message.DESCRIPTOR.fields_by_name
    for name, value in values.items():
        item = fields_by_name[name]
        target = getattr(message, name)
        if item.message_type is not None and item.message_type.GetOptions().map_entry:
            value_field = item.message_type.fields_by_name["value"]
            for key, entry in value.items():
                if value_field.message_type is not None:
                    _fill(target[key], entry)
                else:
                    target[key] = entry
        elif item.label == FD.LABEL_REPEATED:
            for entry in value:
                if item.message_type is not None:
                    _fill(target.add(), entry)
                else:
                    target.append(entry)
        elif item.message_type is not None:
            getattr(message, name).SetInParent()
            _fill(getattr(message, name), value)
        else:
            setattr(message, name, value)


def _mutate(data: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, position, noise in cuts:
        at = position % (len(out) + 1)
        if kind == 0:
            del out[at:]  # truncate
        elif kind == 1 and out:
            out[at % len(out)] ^= 0xFF  # flip a byte
        else:
            out[at:at] = noise  # splice in noise
    return bytes(out)


def request_bytes(method: descriptor.MethodDescriptor) -> st.SearchStrategy[bytes]:
    """Serialized requests for `method`: structured ones, and as often their mutations."""
    message_class = message_factory.GetMessageClass(method.input_type)
    structured = _fields(method.input_type, 0).map(lambda values: _build(message_class, values).SerializeToString())
    cuts = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 4096), st.binary(min_size=1, max_size=8)), min_size=1, max_size=3)
    mutated = st.tuples(structured, cuts).map(lambda pair: _mutate(*pair))
    # Weighted by repetition: mostly structured requests, then mutations, then noise.
    return st.one_of(structured, structured, structured, mutated, mutated, st.binary(max_size=64))


@dataclass
class Report:
    cases: int = 0
    passes: int = 0
    methods: set[str] = field(default_factory=set)
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    findings: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, method: str, code: grpc.StatusCode, details: str, body: bytes) -> None:
        with self._lock:
            self.cases += 1
            self.methods.add(method)
            self.statuses[code.name] += 1
            if code in FORBIDDEN:
                self.findings.append(f"{method} -> {code.name}: {details[:200]!r} body={body[:80].hex()}")


def call_once(
    channel: grpc.Channel, contract: MethodContract, body: bytes, metadata: tuple[tuple[str, str], ...]
) -> tuple[grpc.StatusCode, str]:
    """Send `body` as the request of `contract`'s method; the status it ends with."""
    try:
        if contract.descriptor.server_streaming:
            stream = channel.unary_stream(contract.full_name, request_serializer=None, response_deserializer=None)
            for _ in stream(body, metadata=metadata, timeout=10):
                break  # the first message proves the stream works; cancel the rest
            return grpc.StatusCode.OK, ""
        unary = channel.unary_unary(contract.full_name, request_serializer=None, response_deserializer=None)
        unary(body, metadata=metadata, timeout=10)
        return grpc.StatusCode.OK, ""
    except grpc.RpcError as exc:
        return exc.code(), exc.details() or ""  # type: ignore[attr-defined]


def _runner(
    channel: grpc.Channel,
    contract: MethodContract,
    callers: list[tuple[tuple[str, str], ...]],
    report: Report,
    examples: int,
    deadline: float,
) -> Callable[[], None]:
    """A hypothesis test sending `examples` generated requests to one method."""
    turn = iter(range(10**9))

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(body=request_bytes(contract.descriptor))
    def run(body: bytes) -> None:
        if time.monotonic() > deadline:
            return
        code, details = call_once(channel, contract, body, callers[next(turn) % len(callers)])
        report.record(contract.full_name, code, details, body)

    return run  # type: ignore[no-any-return]


def fuzz(
    target: str,
    contracts: Iterable[MethodContract],
    callers: list[tuple[tuple[str, str], ...]],
    *,
    examples_per_method: int,
    budget_seconds: float,
    on_method: Callable[[str, Report], None] | None = None,
    until_budget: bool = False,
) -> Report:
    """Fuzz each method in turn with `examples_per_method` requests; once, or (`until_budget`)
    pass after pass until the budget runs out. No pass starts a method after the deadline."""
    report = Report()
    contracts = list(contracts)
    deadline = time.monotonic() + budget_seconds
    with grpc.insecure_channel(target, options=[("grpc.max_send_message_length", 64 * 1024 * 1024)]) as channel:
        while True:
            for contract in contracts:
                if time.monotonic() > deadline:
                    return report
                _runner(channel, contract, callers, report, examples_per_method, deadline)()
                if on_method is not None:
                    on_method(contract.full_name, report)
            report.passes += 1
            if not until_budget:
                break
    return report
