"""The calls Billing makes to Stripe, through the official `stripe` library.

Every call blocks (HTTP): callers run them with `Database.offload`, outside database
transactions. Every mutating call carries an idempotency key derived from our own
request id, so a retried RPC never creates a second customer, session or refund.
Stripe failures become domain errors here, so nothing above knows the library.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

import stripe

from services.billing.settings import BillingSettings
from services.core.errors import FailedPrecondition, Unauthenticated, Unavailable

log = logging.getLogger("marquee.billing.stripe")

PROVIDER_DOWN = "PAYMENT_PROVIDER_UNAVAILABLE"
# The event id column's width: Stripe's ids are about 30 characters.
MAX_EVENT_ID_CHARS = 100
# Retries inside the library are safe: every mutating call is idempotent by key.
NETWORK_RETRIES = 2


def idempotency_key(*parts: str) -> str:
    """A stable Stripe idempotency key from our own identifiers (user, method, request id)."""
    return "marquee-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:48]


def unavailable(message: str = "the payment provider is not configured") -> Unavailable:
    return Unavailable(message, reason=PROVIDER_DOWN, domain="marquee.billing")


class UnreadableEvent(Exception):
    """A validly signed webhook body that is not a Stripe event; `key` names it for storage."""

    def __init__(self, payload: bytes, path: str, problem: str) -> None:
        super().__init__(f"{path} {problem}")
        self.key = "unreadable-" + hashlib.sha256(payload).hexdigest()[:40]
        self.path = path
        self.problem = problem


def _unauthenticated(message: str, reason: str) -> Unauthenticated:
    return Unauthenticated(message, reason=reason, domain="marquee.billing")


class StripeGateway:
    def __init__(self, settings: BillingSettings) -> None:
        key = settings.stripe_secret_key.get_secret_value()
        self.configured = bool(key)
        self._webhook_secret = settings.stripe_webhook_secret
        self._webhook_tolerance = settings.stripe_webhook_tolerance_seconds
        self._client: stripe.StripeClient | None = None
        if key:
            base = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
            self._client = stripe.StripeClient(key, base_addresses=base or {}, max_network_retries=NETWORK_RETRIES)  # type: ignore[arg-type]

    @property
    def client(self) -> stripe.StripeClient:
        if self._client is None:
            raise unavailable()
        return self._client

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except stripe.CardError as exc:
            raise FailedPrecondition(
                f"the card was declined: {exc.user_message or exc}",
                reason="PAYMENT_DECLINED",
                metadata={"decline_code": str((exc.error.decline_code if exc.error else None) or exc.code or "")},
                domain="marquee.billing",
            ) from exc
        except stripe.StripeError as exc:
            log.warning("stripe %s failed: %s", what, exc)
            raise unavailable(f"the payment provider failed ({what}); retry with backoff") from exc

    def create_customer(self, user_id: str) -> str:
        customer = self._call(
            "customers.create",
            self.client.v1.customers.create,
            params={"metadata": {"user_id": user_id}},
            options={"idempotency_key": idempotency_key("customer", user_id)},
        )
        return str(customer.id)

    def delete_customer(self, customer_id: str) -> None:
        """Deletes the customer at Stripe (its email, name, address and payment methods; Stripe keeps
        the charges). One that is already gone counts as deleted, so a retried erasure goes through."""
        try:
            self.client.v1.customers.delete(customer_id)
        except stripe.InvalidRequestError as exc:
            if exc.code != "resource_missing":
                log.warning("stripe customers.delete failed: %s", exc)
                raise unavailable("the payment provider failed (customers.delete); retry with backoff") from exc
        except stripe.StripeError as exc:
            log.warning("stripe customers.delete failed: %s", exc)
            raise unavailable("the payment provider failed (customers.delete); retry with backoff") from exc

    def create_checkout_session(self, params: dict[str, Any], key: str) -> Any:
        return self._call(
            "checkout.sessions.create",
            self.client.v1.checkout.sessions.create,
            params=params,
            options={"idempotency_key": key},
        )

    def create_portal_session(self, customer_id: str, return_url: str, flow: dict[str, Any] | None, key: str) -> Any:
        params: dict[str, Any] = {"customer": customer_id, "return_url": return_url}
        if flow:
            params["flow_data"] = flow
        return self._call(
            "billing_portal.sessions.create",
            self.client.v1.billing_portal.sessions.create,
            params=params,
            options={"idempotency_key": key},
        )

    def update_subscription(self, subscription_id: str, params: dict[str, Any], key: str) -> Any:
        return self._call(
            "subscriptions.update",
            self.client.v1.subscriptions.update,
            subscription_id,
            params=params,
            options={"idempotency_key": key},
        )

    def cancel_subscription(self, subscription_id: str, params: dict[str, Any], key: str) -> Any:
        return self._call(
            "subscriptions.cancel",
            self.client.v1.subscriptions.cancel,
            subscription_id,
            params=params,
            options={"idempotency_key": key},
        )

    def create_refund(self, params: dict[str, Any], key: str) -> Any:
        return self._call("refunds.create", self.client.v1.refunds.create, params=params, options={"idempotency_key": key})

    def create_price(self, params: dict[str, Any], key: str) -> str:
        price = self._call("prices.create", self.client.v1.prices.create, params=params, options={"idempotency_key": key})
        return str(price.id)

    def verify_event(self, payload: bytes, signature: str, now: float | None = None) -> dict[str, Any]:
        """The event in a signed webhook body; UNAUTHENTICATED for anything not signed by our secret,
        `UnreadableEvent` for a signed body that is not a Stripe event."""
        secret = self._webhook_secret.get_secret_value()
        if not secret:
            raise unavailable("webhooks are not configured")
        parts = [item.split("=", 1) for item in signature.split(",") if "=" in item]
        stamps = [value for key, value in parts if key.strip() == "t"]
        if not signature or not stamps or not any(key.strip() == "v1" for key, _ in parts) or not stamps[0].isdigit():
            raise _unauthenticated("stripe-signature is missing or malformed", "SIGNATURE_INVALID")
        tolerance = self._webhook_tolerance
        try:
            stripe.WebhookSignature.verify_header(payload, signature, secret, tolerance)
        except stripe.SignatureVerificationError as exc:
            if "tolerance" in str(exc):
                raise _unauthenticated("the signed timestamp is too old (possible replay)", "EVENT_TOO_OLD") from exc
            raise _unauthenticated("the signature matches no signing secret", "SIGNATURE_INVALID") from exc
        except ValueError as exc:
            # Stripe signs UTF-8 JSON; the library decodes the body before comparing, so other bytes cannot verify.
            raise _unauthenticated("the body is not UTF-8, so no Stripe signature can match it", "SIGNATURE_INVALID") from exc
        # verify_header only refuses old timestamps; a far-future one is just as suspicious.
        if int(stamps[0]) > (now or time.time()) + tolerance:
            raise _unauthenticated("the signed timestamp is in the future", "EVENT_TOO_OLD")
        # Signed by Stripe from here on: a body that is still not an event is kept for inspection.
        try:
            event = json.loads(payload)
        except RecursionError as exc:
            raise UnreadableEvent(payload, "body", "nests JSON deeper than a parser follows") from exc
        except ValueError as exc:
            raise UnreadableEvent(payload, "body", "is not JSON") from exc
        if not isinstance(event, dict):
            raise UnreadableEvent(payload, "body", "is not a JSON object")
        event_id, event_type, data = event.get("id"), event.get("type"), event.get("data")
        if not isinstance(event_id, str) or not event_id.startswith("evt_") or len(event_id) > MAX_EVENT_ID_CHARS:
            raise UnreadableEvent(
                payload, "body.id", f"must be a Stripe event id (evt_..., at most {MAX_EVENT_ID_CHARS} characters)"
            )
        if not isinstance(event_type, str) or not 0 < len(event_type) <= 100:
            raise UnreadableEvent(payload, "body.type", "must be an event type of at most 100 characters")
        if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
            raise UnreadableEvent(payload, "body.data.object", "must be a JSON object")
        return event
