"""HTTP requests built from the `google.api.http` rules of the descriptors, for the binding tests.

For each rule: every path variable `{field.path=pattern}` gets a sample value matching the
pattern (`*` → one segment, `**` → two, literal segments kept; plain `{field}` → one
segment); a rule without a body gets one query parameter for a top-level scalar field the
path does not bind; a body gets one scalar field (or raw bytes for a `google.api.HttpBody`).
`expected` lists what the upstream must then find in the request message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message

HTTP_BODY = "google.api.HttpBody"
RAW_BODY = b'{"id":"evt_gateway_test","object":"event"}'
_VARIABLE = re.compile(r"\{([^}=]+)(?:=([^}]*))?\}")
_INTEGERS = {
    FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_FIXED32, FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_SFIXED32, FieldDescriptor.TYPE_SFIXED64,
}  # fmt: skip
_SIXTY_FOUR = {
    FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_FIXED64, FieldDescriptor.TYPE_SFIXED64,
}  # fmt: skip


@dataclass
class BindingRequest:
    method: MethodDescriptor
    verb: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # (dotted field path, value the upstream must see)
    expected: list[tuple[str, Any]] = field(default_factory=list)
    response_body: str = ""

    @property
    def streaming(self) -> bool:
        return bool(self.method.server_streaming)


def http_rules(method: MethodDescriptor) -> list[http_pb2.HttpRule]:
    """The method's rule and its additional bindings; empty when it has none."""
    options = method.GetOptions()
    if not options.HasExtension(annotations_pb2.http):
        return []
    rule = options.Extensions[annotations_pb2.http]
    return [rule, *rule.additional_bindings]


def _verb_and_template(rule: http_pb2.HttpRule) -> tuple[str, str]:
    kind = rule.WhichOneof("pattern")
    assert kind is not None, "an http rule without a pattern"
    if kind == "custom":
        return rule.custom.kind.upper(), rule.custom.path
    return kind.upper(), getattr(rule, kind)


def _field_at(message: Descriptor, dotted: str) -> FieldDescriptor:
    descriptor: Descriptor | None = message
    found: FieldDescriptor | None = None
    for part in dotted.split("."):
        assert descriptor is not None, f"{dotted} walks through a scalar"
        found = descriptor.fields_by_name[part]
        descriptor = found.message_type
    assert found is not None
    return found


def _is_scalar(candidate: FieldDescriptor) -> bool:
    return candidate.label != FieldDescriptor.LABEL_REPEATED and candidate.type not in (
        FieldDescriptor.TYPE_MESSAGE,
        FieldDescriptor.TYPE_GROUP,
        FieldDescriptor.TYPE_BYTES,
    )


def _pick_scalar(message: Descriptor, bound: set[str]) -> FieldDescriptor | None:
    """`page_size` if there is one, else the first string field, else any other scalar."""
    free = [f for f in message.fields if _is_scalar(f) and f.name not in bound]
    for candidate in free:
        if candidate.name == "page_size" and candidate.type == FieldDescriptor.TYPE_INT32:
            return candidate
    strings = [f for f in free if f.type == FieldDescriptor.TYPE_STRING]
    return (strings or free or [None])[0]


def _sample(scalar: FieldDescriptor) -> tuple[Any, Any, str]:
    """(JSON value, value the upstream sees, query-string form) for a scalar field."""
    if scalar.type == FieldDescriptor.TYPE_STRING:
        return "q1", "q1", "q1"
    if scalar.type in _INTEGERS:
        return ("7" if scalar.type in _SIXTY_FOUR else 7), 7, "7"
    if scalar.type == FieldDescriptor.TYPE_BOOL:
        return True, True, "true"
    if scalar.type == FieldDescriptor.TYPE_ENUM:
        value = scalar.enum_type.values[-1]
        return value.name, value.number, value.name
    if scalar.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return 1.5, 1.5, "1.5"
    raise AssertionError(f"no sample for {scalar.full_name}")


def build(method: MethodDescriptor, rule: http_pb2.HttpRule) -> BindingRequest:
    verb, template = _verb_and_template(rule)
    request = BindingRequest(method, verb, "", response_body=rule.response_body)
    counter = iter(range(1, 1000))

    def substitute(found: re.Match[str]) -> str:
        field_path, pattern = found.group(1), found.group(2) or "*"
        _field_at(method.input_type, field_path)  # the variable names a real field
        segments = []
        for segment in pattern.split("/"):
            if segment == "**":
                segments.extend(["a", "b"])
            elif segment == "*":
                segments.append(f"v{next(counter)}")
            else:
                segments.append(segment)
        value = "/".join(segments)
        request.expected.append((field_path, value))
        return value

    request.path = _VARIABLE.sub(substitute, template)
    bound = {path for path, _ in request.expected}
    top_bound = {path.split(".")[0] for path in bound}

    if not rule.body:
        scalar = _pick_scalar(method.input_type, top_bound)
        if scalar is not None:
            _, seen, text = _sample(scalar)
            request.params[scalar.json_name] = text
            request.expected.append((scalar.name, seen))
        return request

    request.headers["content-type"] = "application/json"
    if rule.body == "*":
        scalar = _pick_scalar(method.input_type, top_bound)
        body: dict[str, Any] = {}
        if scalar is not None:
            sent, seen, _ = _sample(scalar)
            body[scalar.json_name] = sent
            request.expected.append((scalar.name, seen))
        request.content = json.dumps(body).encode()
        return request

    body_field = _field_at(method.input_type, rule.body)
    if body_field.message_type is not None and body_field.message_type.full_name == HTTP_BODY:
        request.content = RAW_BODY
        request.expected += [(f"{rule.body}.content_type", "application/json"), (f"{rule.body}.data", RAW_BODY)]
        return request
    if body_field.message_type is None:
        sent, seen, _ = _sample(body_field)
        request.content = json.dumps(sent).encode()
        request.expected.append((rule.body, seen))
        return request
    inner_bound = {path.removeprefix(rule.body + ".") for path in bound if path.startswith(rule.body + ".")}
    inner_bound = {path.split(".")[0] for path in inner_bound}
    scalar = _pick_scalar(body_field.message_type, inner_bound)
    resource: dict[str, Any] = {}
    if scalar is not None:
        sent, seen, _ = _sample(scalar)
        resource[scalar.json_name] = sent
        request.expected.append((f"{rule.body}.{scalar.name}", seen))
    request.content = json.dumps(resource).encode()
    return request


def value_at(message: Message, dotted: str) -> Any:
    value: Any = message
    for part in dotted.split("."):
        value = getattr(value, part)
    return value
