"""Behind our Envoy, Auth records the address Envoy saw, never the one a client claims (issue 10, item 7)."""

from __future__ import annotations

import grpc
import httpx
from marquee.auth.v1 import auth_pb2

from gateway.process import EnvoyProcess
from services.core.clients import GATEWAY_HEADER
from tests.integration.auth.helpers import PASSWORD, stub_for, unique_email


async def test_through_the_gateway_the_real_client_address_is_recorded(channel: grpc.aio.Channel, gateway: EnvoyProcess) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as http:
        response = await http.post(
            "/auth/v1/users:register",
            json={"email": unique_email("edge"), "password": PASSWORD},
            headers={"x-forwarded-for": "7.7.7.7", GATEWAY_HEADER: "a guess"},
        )
    assert response.status_code == 200, response.text
    sessions = await stub_for(channel).ListSessions(
        auth_pb2.ListSessionsRequest(parent="users/me"),
        metadata=(("authorization", f"Bearer {response.json()['tokens']['accessToken']}"),),
    )
    # The address Envoy appended (for a loopback client, its host address), not its own peer
    # address (127.0.0.1: the forwarded one was not trusted) and never the client's claim.
    assert sessions.sessions[0].ip_address not in ("", "127.0.0.1", "7.7.7.7")
