"""Wiring for Auth: builds the servicer from shared dependencies."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import grpc
from marquee.auth.v1 import auth_pb2_grpc

from services.auth.billing_client import BillingClient
from services.auth.erasure import ErasureDispatcher
from services.auth.handlers import AuthHandlers
from services.auth.oauth import OAuthClient
from services.auth.passwords import Passwords
from services.auth.settings import AuthSettings
from services.auth.usecases import AuthUseCases, AuthWork, DeferredMailer, SignupBonus
from services.auth.userdata_client import UserDataClient
from services.core.idempotency import Idempotency
from services.core.mail import mailer_from_settings
from services.core.outbox import OutboxPolicy
from services.core.ratelimit import RateLimiter
from services.core.server import ServiceRegistration
from services.core.settings import ALL_SERVICES, Settings
from services.core.tokens import TokenSigner

if TYPE_CHECKING:
    from services.app import Dependencies

FULL_NAME = "marquee.auth.v1.AuthService"


def deployed_peers(settings: Settings) -> list[str]:
    """The other services of this deployment: served by this process or given an address elsewhere."""
    present = set(settings.services) | set(settings.peer_addresses)
    return [name for name in ALL_SERVICES if name != "auth" and name in present]


def registration(deps: Dependencies) -> ServiceRegistration:
    settings = deps.settings
    auth = deps.settings_for(AuthSettings)
    oauth_client = OAuthClient(timeout_seconds=auth.oauth_timeout_seconds)
    work = AuthWork(
        settings,
        signer=TokenSigner.from_settings(settings, deps.keys),
        passwords=Passwords(min_length=auth.password_min_length),
        limiter=RateLimiter(deps.redis),
        mailer=DeferredMailer(),
        auth=auth,
    )
    bonus = SignupBonus(BillingClient(deps.peers), deps.database, auth.signup_bonus_credits)
    userdata = UserDataClient(deps.peers, deployed_peers(settings))
    erasure = ErasureDispatcher(deps.database, userdata, OutboxPolicy.from_settings(auth, "erasure"))
    use_cases = AuthUseCases(
        deps.database, mailer_from_settings(settings), deps.revocations,
        work=work, userdata=userdata, erasure=erasure, erasure_wait_seconds=auth.erasure_wait_seconds,
        page_tokens=deps.page_tokens, bonus=bonus, oauth_client=oauth_client,
    )  # fmt: skip
    handlers = AuthHandlers(work, use_cases, deps.database, Idempotency(deps.redis_async), deps.page_tokens)

    async def close() -> None:
        await erasure.stop()
        await bonus.drain()
        oauth_client.close()

    def attach(server: grpc.aio.Server) -> None:
        auth_pb2_grpc.add_AuthServiceServicer_to_server(handlers, server)
        # Servers are built inside the event loop that serves them; the rounds start once it runs on.
        asyncio.get_running_loop().call_soon(erasure.start)

    return ServiceRegistration(FULL_NAME, attach, close=close)
