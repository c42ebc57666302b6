"""Service-to-service calls go over gRPC with a service credential the receiving side verifies."""

from __future__ import annotations

from marquee.auth.v1 import auth_pb2, auth_pb2_grpc

from services.core.peers import Peers
from services.core.server import Server
from services.core.settings import Settings
from services.core.tokens import KeySet, TokenVerifier


async def test_peer_call_reaches_the_service_with_a_service_credential(settings: Settings, server: Server) -> None:
    keys = KeySet.from_settings(settings)
    peers = Peers(settings, keys, caller="catalog")
    peers.self_address = f"127.0.0.1:{server.port}"
    try:
        metadata = await peers.metadata()
        principal = TokenVerifier.from_settings(settings, keys).verify(metadata[0][1].removeprefix("Bearer "))
        assert (principal.role, principal.user_id) == ("service", "services/catalog")
        assert await peers.metadata() == metadata  # cached until close to expiry
        reply = await auth_pb2_grpc.AuthServiceStub(peers.channel("auth")).GetAuthConfig(
            auth_pb2.GetAuthConfigRequest(), metadata=metadata
        )
        assert reply.issuer == settings.jwt_issuer
    finally:
        await peers.close()


async def test_peer_without_signing_key_gets_its_token_from_auth(settings: Settings, server: Server) -> None:
    full = KeySet.from_settings(settings)
    public_only = KeySet({kid: type(key)(key.kid, key.public, None) for kid, key in full.keys.items()}, full.active_kid)
    remote = settings.model_copy(
        update={"service_client_id": "catalog", "service_client_secret": settings.service_clients["catalog"]}
    )
    peers = Peers(remote, public_only, caller="catalog")
    peers.self_address = f"127.0.0.1:{server.port}"
    try:
        metadata = await peers.metadata()
        principal = TokenVerifier.from_settings(settings, full).verify(metadata[0][1].removeprefix("Bearer "))
        assert (principal.role, principal.user_id) == ("service", "services/catalog")
    finally:
        await peers.close()
