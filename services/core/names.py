"""Resource names parsed and checked against the patterns the contracts declare.

Each resource message carries `google.api.resource` (type and patterns) and each
field that names one carries `google.api.resource_reference`; this module reads
both from the descriptors, so a handler never spells a pattern by hand:

    name = names.owned(request, "name")      # users/me/sessions/s1 for the caller u1
    name["user"], name["session"]            # "u1", "s1"

The `users/me` rule, the one meaning for every service:

* `users/me` is the caller's own user. A user's or an admin's token has one; a
  service token names no user, so `users/me` with it is INVALID_ARGUMENT (name
  the user instead). It never silently means the service itself.
* `users/{user}` naming the caller is the same as `users/me`. Admins and
  services may name any user (services act for users on service-to-service
  calls; the method's declared access level already decided they may call it).
  A user naming another user gets NOT_FOUND, exactly as if it did not exist.
* `users/-` (every user) only where the method allows it (`allow_all=True`) and
  only for those who may name any user; anyone else gets NOT_FOUND.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import marquee
from google.api import resource_pb2
from google.protobuf import descriptor
from google.protobuf.message import Message

from services.core import errors
from services.core.interceptors import require_principal
from services.core.tokens import Principal

ME = "me"
ALL = "-"
# One segment of a name: what a pattern variable may hold. Bounded so a name never
# reaches a query or an error message unchecked; ids here are UUIDs, slugs or Stripe ids.
MAX_SEGMENT_CHARS = 128
_SEGMENT = re.compile(r"[^/\s\x00-\x1f\x7f]{1," + str(MAX_SEGMENT_CHARS) + "}")
_VARIABLE = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Pattern:
    """One `google.api.resource` pattern, e.g. `users/{user}/sessions/{session}`."""

    text: str
    variables: tuple[str, ...]
    regex: re.Pattern[str]

    @classmethod
    def compile(cls, text: str) -> Pattern:
        variables = tuple(_VARIABLE.findall(text))
        parts = []
        for segment in text.split("/"):
            found = _VARIABLE.fullmatch(segment)
            parts.append(f"(?P<{found.group(1)}>{_SEGMENT.pattern})" if found else re.escape(segment))
        return cls(text, variables, re.compile("/".join(parts)))

    def format(self, values: Mapping[str, str]) -> str:
        return _VARIABLE.sub(lambda m: values[m.group(1)], self.text)


@dataclass(frozen=True)
class ResourceName:
    """A name that matched one of its type's patterns; `values` maps each variable to its segment."""

    type: str
    pattern: Pattern
    values: Mapping[str, str]

    def __getitem__(self, variable: str) -> str:
        return self.values[variable]

    def __str__(self) -> str:
        return self.pattern.format(self.values)

    @property
    def text(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Resource:
    type: str
    patterns: tuple[Pattern, ...]


# -- the registry, read from every loaded contract -----------------------------------


def _messages(file: descriptor.FileDescriptor) -> Iterator[descriptor.Descriptor]:
    stack = list(file.message_types_by_name.values())
    while stack:
        message = stack.pop()
        yield message
        stack.extend(message.nested_types)


@functools.cache
def registry() -> dict[str, Resource]:
    """Every resource type the contracts declare, by type (`auth.marquee.app/User`).

    Every generated `marquee.*` module is imported: a field may name a resource another
    package defines (Billing names Auth's users), so the registry spans all contracts.
    """

    found: dict[str, Resource] = {}
    for module in pkgutil.walk_packages(marquee.__path__, prefix="marquee."):
        if not module.name.endswith("_pb2"):
            continue
        file = importlib.import_module(module.name).DESCRIPTOR
        for message in _messages(file):
            options = message.GetOptions()
            if options.HasExtension(resource_pb2.resource):
                spec = options.Extensions[resource_pb2.resource]
                found[spec.type] = Resource(spec.type, tuple(Pattern.compile(p) for p in spec.pattern))
    return found


def resource(resource_type: str) -> Resource:
    try:
        return registry()[resource_type]
    except KeyError:
        raise LookupError(f"no contract declares the resource type {resource_type!r}") from None


@functools.cache
def _parent_patterns(child_type: str) -> tuple[Pattern, ...]:
    """The parents of `child_type`: each pattern without its last collection and id."""
    parents = []
    for pattern in resource(child_type).patterns:
        segments = pattern.text.split("/")
        if len(segments) > 2:
            parents.append(Pattern.compile("/".join(segments[:-2])))
    return tuple(parents)


@functools.cache
def field_resource(field: descriptor.FieldDescriptor) -> tuple[str, tuple[Pattern, ...]]:
    """The resource type a string field names and its patterns, from its options.

    A resource's own `name` (the IDENTIFIER field) names that resource; any other
    field needs `google.api.resource_reference` (`type`, or `child_type` for parents).
    """
    options = field.GetOptions()
    if options.HasExtension(resource_pb2.resource_reference):
        reference = options.Extensions[resource_pb2.resource_reference]
        if reference.type:
            return reference.type, resource(reference.type).patterns
        if reference.child_type:
            return reference.child_type, _parent_patterns(reference.child_type)
    owner = field.containing_type.GetOptions()
    if field.name == "name" and owner.HasExtension(resource_pb2.resource):
        spec = owner.Extensions[resource_pb2.resource]
        return spec.type, resource(spec.type).patterns
    raise LookupError(f"{field.full_name} names no resource in its contract")


# -- parsing -----------------------------------------------------------------------


def _expected(patterns: tuple[Pattern, ...]) -> str:
    return " or ".join(f"`{p.text}`" for p in patterns)


def match(text: str, resource_type: str, patterns: tuple[Pattern, ...], *, field: str) -> ResourceName:
    """`text` as a name of `resource_type`, or INVALID_ARGUMENT naming the field and the patterns."""
    for pattern in patterns:
        found = pattern.regex.fullmatch(text)
        if found:
            return ResourceName(resource_type, pattern, found.groupdict())
    description = "is required" if not text else "must be " + _expected(patterns)
    if text and len(text) > 1 and any(len(s) > MAX_SEGMENT_CHARS for s in text.split("/")):
        description += f" (each id at most {MAX_SEGMENT_CHARS} characters)"
    raise errors.InvalidArgument(
        f"{field} {description}",
        reason="INVALID_NAME",
        metadata={"field": field, "expected_pattern": " | ".join(p.text for p in patterns)},
        violations=[errors.FieldViolation(field, description, reason="INVALID_NAME")],
    )


def parse_as(text: str, resource_type: str, *, field: str) -> ResourceName:
    """`text` as a name of `resource_type` (for a name that is not a request field)."""
    return match(text, resource_type, resource(resource_type).patterns, field=field)


def _field(request: Message, path: str) -> tuple[Message, descriptor.FieldDescriptor]:
    message = request
    *parents, last = path.split(".")
    for part in parents:
        message = getattr(message, part)
    return message, message.DESCRIPTOR.fields_by_name[last]


def parse(request: Message, path: str = "name") -> ResourceName:
    """The name in `request.<path>` (dotted for nested fields: `user.name`), checked against
    the patterns of the resource the field references in the contract."""
    message, field = _field(request, path)
    resource_type, patterns = field_resource(field)
    return match(getattr(message, field.name), resource_type, patterns, field=path)


def parse_repeated(request: Message, path: str) -> list[ResourceName]:
    """Each name in a repeated field; every bad entry is reported (`names[3]`) in one error."""
    message, field = _field(request, path)
    resource_type, patterns = field_resource(field)
    parsed: list[ResourceName] = []
    violations: list[errors.FieldViolation] = []
    for index, text in enumerate(getattr(message, field.name)):
        try:
            parsed.append(match(text, resource_type, patterns, field=f"{path}[{index}]"))
        except errors.InvalidArgument as exc:
            violations.extend(exc.violations)
    if violations:
        first = violations[0]
        raise errors.InvalidArgument(
            f"{first.field} {first.description}" + (f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""),
            reason="INVALID_NAME",
            violations=violations[:20],
        )
    return parsed


def build(resource_type: str, **values: str) -> str:
    """The name of `resource_type` from its variables, by the first pattern that uses exactly them."""
    for pattern in resource(resource_type).patterns:
        if set(pattern.variables) == set(values):
            return pattern.format(values)
    raise LookupError(f"{resource_type} has no pattern with variables {sorted(values)}")


# -- the users/me rule -----------------------------------------------------------------


def may_name_any_user(principal: Principal) -> bool:
    return principal.is_admin or principal.is_service


def resolve_user(user: str, principal: Principal, *, field: str, name: str = "", allow_all: bool = False) -> str:
    """The user id the segment `user` means for `principal` (see the module docstring)."""
    if user == ME:
        if principal.is_service:
            raise errors.InvalidArgument(
                f"{field}: a service token has no `users/me`; name the user",
                reason="USERS_ME_NOT_ALLOWED",
                violations=[errors.FieldViolation(field, "a service token has no `users/me`; name the user")],
            )
        return principal.user_id
    if user == ALL:
        if allow_all and may_name_any_user(principal):
            return ALL
        if not allow_all:
            raise errors.InvalidArgument(
                f"{field}: `users/-` is not accepted here; name one user",
                reason="INVALID_NAME",
                violations=[errors.FieldViolation(field, "`users/-` is not accepted here; name one user")],
            )
        raise errors.NotFound(f"{name or field} not found")
    if user != principal.user_id and not may_name_any_user(principal):
        raise errors.NotFound(f"{name or 'users/' + user} not found")
    return user


def owned(request: Message, path: str = "name", *, principal: Principal | None = None, allow_all: bool = False) -> ResourceName:
    """`parse(request, path)` with its `{user}` resolved for the caller by the users/me rule.

    The returned name holds the real user id (never `me`), so `str(name)` is canonical.
    `principal` defaults to the verified caller of the current RPC.
    """
    name = parse(request, path)
    return own(name, principal=principal, field=path, allow_all=allow_all)


def own(name: ResourceName, *, principal: Principal | None = None, field: str = "name", allow_all: bool = False) -> ResourceName:
    """`name` with its `{user}` variable resolved by the users/me rule (unchanged if it has none)."""
    if "user" not in name.values:
        return name
    if principal is None:
        principal = require_principal()
    user = resolve_user(name["user"], principal, field=field, name=str(name), allow_all=allow_all)
    return ResourceName(name.type, name.pattern, {**name.values, "user": user})
