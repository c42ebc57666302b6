"""Wiring for Billing: builds the servicer from shared dependencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from marquee.billing.v1 import billing_pb2_grpc

from services.billing.handlers import BillingHandlers
from services.billing.settings import BillingSettings
from services.billing.stripe_gateway import StripeGateway
from services.billing.usecases import BillingUseCases
from services.billing.work import BillingWork
from services.core.idempotency import Idempotency
from services.core.server import ServiceRegistration

if TYPE_CHECKING:
    from services.app import Dependencies

FULL_NAME = "marquee.billing.v1.BillingService"


def registration(deps: Dependencies) -> ServiceRegistration:
    billing = deps.settings_for(BillingSettings)
    use_cases = BillingUseCases(BillingWork(deps.settings, billing), deps.database, StripeGateway(billing))
    handlers = BillingHandlers(use_cases, Idempotency(deps.redis_async), deps.page_tokens)
    return ServiceRegistration(FULL_NAME, lambda server: billing_pb2_grpc.add_BillingServiceServicer_to_server(handlers, server))
