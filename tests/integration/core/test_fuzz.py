"""A short structure-aware fuzz run over the wire: every request type of every served method,
never INTERNAL or UNKNOWN, and the server healthy afterwards (`scripts/fuzz.py` runs it long)."""

from __future__ import annotations

import asyncio
import uuid

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc

from services.app import CONTRACTS, implemented
from services.core.contract import methods_of
from services.core.server import Server
from services.core.settings import Settings
from services.core.tokens import TokenSigner
from tests.support import fuzzing
from tests.support.harness import bearer

BUDGET_SECONDS = 40.0


async def test_fuzz_every_served_method(server: Server, channel: grpc.aio.Channel, settings: Settings) -> None:
    served = [full for name, (full, _) in CONTRACTS.items() if implemented(name)]
    contracts = [contract for full in served for contract in methods_of(full).values()]
    registered = await auth_pb2_grpc.AuthServiceStub(channel).Register(
        auth_pb2.RegisterRequest(email=f"fuzz-{uuid.uuid4().hex[:8]}@marquee.test", password="fuzzing is fun 42")
    )
    service, _ = TokenSigner.from_settings(settings).sign("fuzz-service", token_id="t-fuzz-service", role="service")
    # No admin caller here: the suite shares one database, and an admin fuzzing CreateTitle would
    # leave titles behind for other tests. `scripts/fuzz.py` runs with admins on its own database.
    callers = [(), bearer(registered.tokens.access_token), bearer(service)]

    report = await asyncio.to_thread(
        fuzzing.fuzz,
        f"127.0.0.1:{server.port}",
        contracts,
        callers,
        examples_per_method=3,
        budget_seconds=BUDGET_SECONDS,
    )

    assert report.findings == []
    assert len(report.methods) == len(contracts), "the budget ran out before every method was fuzzed"
    assert report.cases >= len(contracts)
    assert report.statuses["INVALID_ARGUMENT"] > 0
    health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""))
    assert health.status == health_pb2.HealthCheckResponse.SERVING
