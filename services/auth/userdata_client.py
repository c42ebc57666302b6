"""Auth's one client for every peer's account export and erasure (the `marquee.api.v1` userdata convention).

Which services take part is read from the contracts, not listed here: a service whose
`marquee.<name>.v1.<Name>Service` declares `PurgeUserData` (Media's `PurgeUserAssets`) is asked to
erase, and one that declares `ExportUserData` is asked to export, so a service that adds the pair
joins the day its contract does. The request field that names the user is found by its
`resource_reference` to `auth.marquee.app/User` (Tracking says `name`, Media `user`), and the
reply's `erased`/`retained` dispositions are read when the contract has them (else its `*_count`
fields become erased categories). Failures come back as `PeerFailure` with the peer named.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import grpc
from google.api import resource_pb2
from google.protobuf import descriptor, message_factory
from google.protobuf.message import Message

from services.auth.domain import Disposition
from services.core.peers import Peers

PURGE_METHODS = ("PurgeUserData", "PurgeUserAssets")
EXPORT_METHOD = "ExportUserData"
USER_RESOURCE = "auth.marquee.app/User"
CALL_TIMEOUT_SECONDS = 10.0


class PeerFailure(Exception):
    """A peer did not confirm: its service name, the gRPC code and message (kept as the last error)."""

    def __init__(self, service: str, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.service = service
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PeerMethod:
    service: str  # "tracking"
    path: str  # "/marquee.tracking.v1.TrackingService/PurgeUserData"
    request: type[Message]
    response: type[Message]
    user_field: str  # the request field naming the user
    has_request_id: bool

    @property
    def package(self) -> str:
        """The service as Auth names it to users (`marquee.tracking`)."""
        return f"marquee.{self.service}"


def _user_field(request: descriptor.Descriptor) -> str | None:
    for field in request.fields:
        options = field.GetOptions()
        if (
            options.HasExtension(resource_pb2.resource_reference)
            and options.Extensions[resource_pb2.resource_reference].type == USER_RESOURCE
        ):
            return str(field.name)
    return None


def discover(services: Iterable[str], names: tuple[str, ...]) -> dict[str, PeerMethod]:
    """The first of `names` each service's contract declares, by service (those declaring none are left out)."""
    found: dict[str, PeerMethod] = {}
    for service in services:
        try:
            module = importlib.import_module(f"marquee.{service}.v1.{service}_pb2")
        except ImportError:
            continue
        contract = module.DESCRIPTOR.services_by_name.get(f"{service.capitalize()}Service")
        if contract is None:
            continue
        for name in names:
            method = contract.methods_by_name.get(name)
            if method is None:
                continue
            user_field = _user_field(method.input_type)
            if user_field is None:
                continue
            found[service] = PeerMethod(
                service=service,
                path=f"/{contract.full_name}/{name}",
                request=message_factory.GetMessageClass(method.input_type),
                response=message_factory.GetMessageClass(method.output_type),
                user_field=user_field,
                has_request_id="request_id" in method.input_type.fields_by_name,
            )
            break
    return found


def _dispositions(reply: Message, field: str) -> list[Disposition]:
    return [
        Disposition(category=item.category, count=int(item.count), description=item.description) for item in getattr(reply, field)
    ]


def _from_counts(reply: Message) -> list[Disposition]:
    """A reply without dispositions: every `*_count` field as an erased category."""
    found = []
    for field, value in reply.ListFields():
        if field.name.endswith("_count") and field.type in (field.TYPE_INT32, field.TYPE_INT64):
            category = field.name.removesuffix("_count").removeprefix("deleted_")
            found.append(Disposition(category=category, count=int(value), description=f"{category} records erased"))
    return found


@dataclass(frozen=True)
class PurgeResult:
    erased: list[Disposition]
    retained: list[Disposition]


class UserDataClient:
    """Calls each peer's export and erasure RPCs with a service token, through `Peers`' channels."""

    def __init__(self, peers: Peers, services: Iterable[str]) -> None:
        self._peers = peers
        listed = list(services)
        self.purges = discover(listed, PURGE_METHODS)
        self.exports = discover(listed, (EXPORT_METHOD,))

    async def _call(self, method: PeerMethod, request: Message) -> Any:
        call = self._peers.channel(method.service).unary_unary(
            method.path, request_serializer=method.request.SerializeToString, response_deserializer=method.response.FromString
        )
        try:
            return await call(request, metadata=await self._peers.metadata(), timeout=CALL_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as exc:
            raise PeerFailure(method.service, exc.code().name, exc.details() or "") from exc
        except (OSError, RuntimeError) as exc:  # no address configured, a channel that cannot be made
            raise PeerFailure(method.service, "UNAVAILABLE", str(exc)) from exc

    async def purge(self, service: str, user_id: str) -> PurgeResult:
        method = self.purges[service]
        request = method.request()
        setattr(request, method.user_field, f"users/{user_id}")
        if method.has_request_id:
            request.request_id = f"erase-{user_id}"  # type: ignore[attr-defined]
        reply = await self._call(method, request)
        fields = reply.DESCRIPTOR.fields_by_name
        if "erased" in fields or "retained" in fields:
            erased = _dispositions(reply, "erased") if "erased" in fields else []
            retained = _dispositions(reply, "retained") if "retained" in fields else []
            if erased or retained:
                return PurgeResult(erased, retained)
        return PurgeResult(_from_counts(reply), [])

    async def export(self, service: str, user_id: str) -> Any:
        """The peer's export document, parsed from its JSON body."""
        method = self.exports[service]
        request = method.request()
        setattr(request, method.user_field, f"users/{user_id}")
        reply = await self._call(method, request)
        try:
            return json.loads(reply.document.data or b"{}")
        except (ValueError, AttributeError) as exc:
            raise PeerFailure(service, "DATA_LOSS", f"the export is not a JSON document: {exc}") from exc
