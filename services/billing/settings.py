"""Billing's own settings: the Stripe account and the price ids of plans and packs.

Read from the same `MARQUEE_*` variables and TOML file as the core settings (the names are
unchanged: `MARQUEE_STRIPE_SECRET_KEY`, `MARQUEE_STRIPE_PRICES`, ...).
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from services.core.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    stripe_secret_key: SecretStr = Field(
        SecretStr(""), description="Stripe secret API key (sk_...). Empty: paid operations answer PAYMENT_PROVIDER_UNAVAILABLE."
    )
    stripe_webhook_secret: SecretStr = Field(SecretStr(""), description="Stripe webhook signing secret (whsec_...).")
    stripe_api_base: str = Field("", description="Stripe API base URL; empty is Stripe itself (tests use a local stand-in).")
    stripe_webhook_tolerance_seconds: int = Field(300, ge=1, description="How old a webhook signature may be.")
    stripe_prices: dict[str, str] = Field(
        default_factory=dict,
        description='Stripe price ids by plan or pack, as JSON: {"basic_monthly": "price_...", "credits_10": "price_..."}.',
    )
