"""The address Auth records and rate-limits by cannot be chosen by the client (issue 10, item 7)."""

from __future__ import annotations

import grpc
from marquee.auth.v1 import auth_pb2

from services.core.clients import GATEWAY_HEADER
from tests.integration.auth.helpers import PASSWORD, stub_for, unique_email


async def _session_ip(channel: grpc.aio.Channel, access_token: str) -> str:
    sessions = await stub_for(channel).ListSessions(
        auth_pb2.ListSessionsRequest(parent="users/me"), metadata=(("authorization", f"Bearer {access_token}"),)
    )
    return sessions.sessions[0].ip_address


async def test_a_direct_client_is_the_address_it_connects_from(channel: grpc.aio.Channel) -> None:
    spoofed = (("x-forwarded-for", "7.7.7.7"), (GATEWAY_HEADER, "a guess"))
    response = await stub_for(channel).Register(
        auth_pb2.RegisterRequest(email=unique_email("spoof"), password=PASSWORD), metadata=spoofed
    )
    assert await _session_ip(channel, response.tokens.access_token) == "127.0.0.1"


async def test_rotating_the_header_does_not_escape_the_per_client_login_limit(channel: grpc.aio.Channel) -> None:
    stub = stub_for(channel)
    refused = None
    for attempt in range(12):
        try:
            await stub.Login(
                auth_pb2.LoginRequest(email=unique_email("nobody"), password="wrong password 123"),
                metadata=(("x-forwarded-for", f"7.7.7.{attempt}"),),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
                refused = attempt
                break
    assert refused is not None, "12 logins from one client with 12 forwarded addresses were never limited"
