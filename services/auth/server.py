"""Wiring for Auth: builds the servicer from shared dependencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from marquee.auth.v1 import auth_pb2_grpc

from services.auth.domain import AuthDomain
from services.auth.handlers import AuthHandlers
from services.auth.oauth import OAuthClient
from services.auth.passwords import Passwords
from services.auth.peers import SignupBonus
from services.auth.settings import AuthSettings
from services.auth.usecases import AuthUseCases, DeferredMailer
from services.core.idempotency import Idempotency
from services.core.mail import mailer_from_settings
from services.core.ratelimit import RateLimiter
from services.core.server import ServiceRegistration
from services.core.tokens import TokenSigner

if TYPE_CHECKING:
    from services.app import Dependencies

FULL_NAME = "marquee.auth.v1.AuthService"


def registration(deps: Dependencies) -> ServiceRegistration:
    settings = deps.settings
    auth = deps.settings_for(AuthSettings)
    oauth_client = OAuthClient(timeout_seconds=auth.oauth_timeout_seconds)
    domain = AuthDomain(
        settings,
        signer=TokenSigner.from_settings(settings, deps.keys),
        passwords=Passwords(min_length=auth.password_min_length),
        limiter=RateLimiter(deps.redis),
        mailer=DeferredMailer(),
        auth=auth,
    )
    use_cases = AuthUseCases(deps.database, mailer_from_settings(settings), deps.revocations)
    bonus = SignupBonus(deps.peers, deps.database, auth.signup_bonus_credits)
    handlers = AuthHandlers(
        domain, use_cases, deps.database, Idempotency(deps.redis_async), deps.page_tokens, oauth_client, bonus
    )

    async def close() -> None:
        await bonus.drain()
        oauth_client.close()

    return ServiceRegistration(
        FULL_NAME,
        lambda server: auth_pb2_grpc.add_AuthServiceServicer_to_server(handlers, server),
        close=close,
    )
