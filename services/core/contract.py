"""What the contracts declare about each RPC, read from the compiled descriptors."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from google.protobuf import descriptor, descriptor_pool
from marquee.api.v1 import access_pb2


class Access(enum.IntEnum):
    UNSPECIFIED = access_pb2.ACCESS_UNSPECIFIED
    PUBLIC = access_pb2.ACCESS_PUBLIC
    USER = access_pb2.ACCESS_USER
    ADMIN = access_pb2.ACCESS_ADMIN
    SERVICE = access_pb2.ACCESS_SERVICE


@dataclass(frozen=True)
class MethodContract:
    full_name: str  # "/marquee.auth.v1.AuthService/Login"
    service: str  # "marquee.auth.v1.AuthService"
    domain: str  # "marquee.auth", the ErrorInfo domain
    access: Access
    descriptor: descriptor.MethodDescriptor


def service_descriptor(full_name: str) -> descriptor.ServiceDescriptor:
    # types-protobuf leaves the pool's lookups untyped.
    pool = descriptor_pool.Default()  # type: ignore[no-untyped-call]
    found: descriptor.ServiceDescriptor = pool.FindServiceByName(full_name)
    return found


def methods_of(service_full_name: str) -> dict[str, MethodContract]:
    """Every method of a service keyed by its gRPC path. The service's _pb2 module must be imported."""
    service = service_descriptor(service_full_name)
    package = service.file.package  # marquee.auth.v1
    domain = ".".join(package.split(".")[:2])
    contracts = {}
    for method in service.methods:
        options = method.GetOptions()
        access = Access(options.Extensions[access_pb2.access])
        path = f"/{service.full_name}/{method.name}"
        contracts[path] = MethodContract(path, service.full_name, domain, access, method)
    return contracts
