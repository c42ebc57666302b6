"""Contract conventions checked on compiled descriptors (see protos/README.md).

buf lint covers naming and comments; these are the Marquee rules buf cannot
express: HTTP bindings and access levels on every RPC, paging fields on lists,
idempotency keys on writes that must not happen twice, field masks on updates,
and bindings whose path variables exist and do not collide across services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor_pb2
from marquee.api.v1 import access_pb2

# Verbs whose calls change state in a way a retry must not repeat: each needs a
# client-chosen `request_id`.
IDEMPOTENT_VERBS = (
    "Mark",
    "Spend",
    "Refund",
    "Grant",
    "Adjust",
    "Record",
    "Start",
    "Submit",
    "Send",
    "Import",
    "Ingest",
    "Scrobble",
)
# Shared packages that declare no service.
SHARED_PACKAGES = ("marquee.api.", "marquee.longrunning.")
PATH_VARIABLE = re.compile(r"\{([a-z0-9_.]+)(?:=([^}]*))?\}")


@dataclass(frozen=True)
class Violation:
    rule: str
    element: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.element}: {self.message}"


def _snake_upper(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


def _http_rule(method: descriptor_pb2.MethodDescriptorProto) -> http_pb2.HttpRule | None:
    if not method.options.HasExtension(annotations_pb2.http):
        return None
    return method.options.Extensions[annotations_pb2.http]


def _verb_and_path(rule: http_pb2.HttpRule) -> tuple[str, str]:
    kind = rule.WhichOneof("pattern")
    if kind == "custom":
        return rule.custom.kind, rule.custom.path
    return (kind or "").upper(), getattr(rule, kind) if kind else ""


def _normalise(path: str) -> str:
    """A path template with variable names erased, to detect collisions."""
    return PATH_VARIABLE.sub(lambda m: "{" + (m.group(2) or "*") + "}", path)


class _Index:
    def __init__(self, fds: descriptor_pb2.FileDescriptorSet) -> None:
        self.messages: dict[str, descriptor_pb2.DescriptorProto] = {}
        for file in fds.file:
            for message in file.message_type:
                self._add(f".{file.package}", message)

    def _add(self, prefix: str, message: descriptor_pb2.DescriptorProto) -> None:
        full = f"{prefix}.{message.name}"
        self.messages[full] = message
        for nested in message.nested_type:
            self._add(full, nested)

    def field(self, message_type: str, dotted: str) -> descriptor_pb2.FieldDescriptorProto | None:
        message = self.messages.get(message_type)
        field = None
        for part in dotted.split("."):
            if message is None:
                return None
            field = next((f for f in message.field if f.name == part), None)
            if field is None:
                return None
            message = self.messages.get(field.type_name) if field.type_name else None
        return field


def _enum_violations(scope: str, enum: descriptor_pb2.EnumDescriptorProto) -> list[Violation]:
    element = f"{scope}.{enum.name}"
    expected = f"{_snake_upper(enum.name)}_UNSPECIFIED"
    first = enum.value[0] if enum.value else None
    if first is None or first.number != 0 or first.name != expected:
        return [Violation("enum-zero", element, f"first value must be {expected} = 0")]
    return []


def _message_enums(scope: str, message: descriptor_pb2.DescriptorProto) -> list[Violation]:
    found: list[Violation] = []
    inner = f"{scope}.{message.name}"
    for enum in message.enum_type:
        found += _enum_violations(inner, enum)
    for nested in message.nested_type:
        found += _message_enums(inner, nested)
    return found


def check(fds: descriptor_pb2.FileDescriptorSet) -> list[Violation]:
    """Every violation of the Marquee conventions in files of package `marquee.*`."""
    index = _Index(fds)
    found: list[Violation] = []
    bindings: dict[tuple[str, str], str] = {}
    for file in fds.file:
        if not file.package.startswith("marquee."):
            continue
        for enum in file.enum_type:
            found += _enum_violations(file.package, enum)
        for message in file.message_type:
            found += _message_enums(file.package, message)
        if file.package.startswith(SHARED_PACKAGES):
            continue
        service_prefix = "/" + file.package.split(".")[1] + "/" + file.package.split(".")[2] + "/"
        for service in file.service:
            for method in service.method:
                element = f"{file.package}.{service.name}.{method.name}"
                found += _method_violations(index, element, method, service_prefix, bindings)
    return found


def _method_violations(
    index: _Index,
    element: str,
    method: descriptor_pb2.MethodDescriptorProto,
    service_prefix: str,
    bindings: dict[tuple[str, str], str],
) -> list[Violation]:
    found: list[Violation] = []
    access = method.options.Extensions[access_pb2.access]
    if access == access_pb2.ACCESS_UNSPECIFIED:
        found.append(Violation("access", element, "no (marquee.api.v1.access) level"))

    rule = _http_rule(method)
    if rule is None:
        found.append(Violation("http", element, "no google.api.http binding"))
    else:
        for binding in [rule, *rule.additional_bindings]:
            verb, path = _verb_and_path(binding)
            if not path.startswith(service_prefix):
                found.append(Violation("http-prefix", element, f"path {path!r} must start with {service_prefix}"))
            for variable, _ in PATH_VARIABLE.findall(path):
                if index.field(method.input_type, variable) is None:
                    found.append(Violation("http-variable", element, f"path variable {variable!r} is not a request field"))
            if binding.body not in ("", "*") and index.field(method.input_type, binding.body) is None:
                found.append(Violation("http-body", element, f"body {binding.body!r} is not a request field"))
            key = (verb, _normalise(path))
            if key in bindings and bindings[key] != element:
                found.append(Violation("http-collision", element, f"{verb} {path} also routes to {bindings[key]}"))
            bindings.setdefault(key, element)

    name = method.name
    if name.startswith(("List", "Search")) and not method.server_streaming:
        page_size = index.field(method.input_type, "page_size")
        page_token = index.field(method.input_type, "page_token")
        next_token = index.field(method.output_type, "next_page_token")
        if page_size is None or page_size.type != descriptor_pb2.FieldDescriptorProto.TYPE_INT32:
            found.append(Violation("paging", element, "request needs `int32 page_size`"))
        if page_token is None or page_token.type != descriptor_pb2.FieldDescriptorProto.TYPE_STRING:
            found.append(Violation("paging", element, "request needs `string page_token`"))
        if next_token is None or next_token.type != descriptor_pb2.FieldDescriptorProto.TYPE_STRING:
            found.append(Violation("paging", element, "response needs `string next_page_token`"))
    if name.startswith(IDEMPOTENT_VERBS):
        request_id = index.field(method.input_type, "request_id")
        if request_id is None or request_id.type != descriptor_pb2.FieldDescriptorProto.TYPE_STRING:
            found.append(Violation("request-id", element, "write needs `string request_id`"))
    if name.startswith("Update"):
        mask = index.field(method.input_type, "update_mask")
        if mask is None or mask.type_name != ".google.protobuf.FieldMask":
            found.append(Violation("update-mask", element, "update needs `google.protobuf.FieldMask update_mask`"))
    return found
