"""A local HTTP stand-in for the parts of Stripe's API that Billing calls.

A real HTTP server on 127.0.0.1 port 0, spoken to by the real `stripe` library. It
records every request (method, path, headers, form fields) so tests assert what
Billing sent, replays responses by Idempotency-Key as Stripe does, and keeps just
enough state (customers, subscriptions, prices) to answer like Stripe. Tests can
make the next call of a path fail with `fail_next`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class StripeState:
    requests: list[Recorded] = field(default_factory=list)
    replies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)  # deleted ones stay, marked `deleted`
    prices: dict[str, tuple[int, str]] = field(default_factory=dict)
    failures: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


class _Handler(BaseHTTPRequestHandler):
    state: StripeState

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path = self.path.split("?", 1)[0]
        form = dict(parse_qsl(body or self.path.partition("?")[2], keep_blank_values=True))
        headers = {key.lower(): value for key, value in self.headers.items()}
        state = self.state
        with state.lock:
            state.requests.append(Recorded(method, path, headers, form))
            key = headers.get("idempotency-key", "")
            if key and key in state.replies:
                status, reply = state.replies[key]
            elif state.failures.get(path):
                status, reply = state.failures[path].pop(0)
            else:
                status, reply = self._answer(method, path, form)
                if key:
                    state.replies[key] = (status, reply)
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("request-id", _id("req"))
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _answer(self, method: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        state = self.state
        now = int(time.time())
        metadata = {k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")}
        if method == "POST" and path == "/v1/customers":
            customer = {"id": _id("cus"), "object": "customer", "metadata": metadata, "created": now}
            state.customers[customer["id"]] = customer
            return 200, customer
        if method == "DELETE" and path.startswith("/v1/customers/"):
            customer_id = path.rsplit("/", 1)[1]
            found = state.customers.get(customer_id)
            if found is None or found.get("deleted"):
                missing = {"type": "invalid_request_error", "code": "resource_missing", "param": "id"}
                return 404, {"error": {**missing, "message": f"No such customer: '{customer_id}'"}}
            found["deleted"] = True
            for sub in state.subscriptions.values():  # Stripe cancels a deleted customer's subscriptions
                if sub.get("customer") == customer_id and sub.get("status") != "canceled":
                    sub.update(status="canceled", canceled_at=now, ended_at=now)
            return 200, {"id": customer_id, "object": "customer", "deleted": True}
        if method == "POST" and path == "/v1/checkout/sessions":
            session_id = _id("cs_test")
            return 200, {
                "id": session_id,
                "object": "checkout.session",
                "mode": form.get("mode"),
                "customer": form.get("customer"),
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                "client_secret": f"{session_id}_secret",
                "status": "open",
                "metadata": metadata,
                "expires_at": int(form.get("expires_at", now + 86400)),
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            portal_id = _id("bps")
            return 200, {
                "id": portal_id,
                "object": "billing_portal.session",
                "url": f"https://billing.stripe.test/p/session/{portal_id}",
                "customer": form.get("customer"),
                "return_url": form.get("return_url"),
            }
        if method == "POST" and path == "/v1/prices":
            price_id = _id("price")
            interval = form.get("recurring[interval]", "")
            state.prices[price_id] = (int(form.get("unit_amount", 0)), interval)
            return 200, {
                "id": price_id,
                "object": "price",
                "unit_amount": int(form.get("unit_amount", 0)),
                "currency": form.get("currency"),
            }
        if method == "POST" and path == "/v1/refunds":
            return 200, {
                "id": _id("re"),
                "object": "refund",
                "amount": int(form.get("amount", 0)),
                "status": "succeeded",
                "payment_intent": form.get("payment_intent"),
                "charge": form.get("charge"),
            }
        if path.startswith("/v1/subscriptions/"):
            sub_id = path.rsplit("/", 1)[1]
            sub = state.subscriptions.get(sub_id)
            if sub is None:
                return 404, {"error": {"type": "invalid_request_error", "message": f"No such subscription: '{sub_id}'"}}
            if method == "DELETE":
                sub.update(status="canceled", canceled_at=now, ended_at=now, cancel_at_period_end=False)
            elif method == "POST":
                if "cancel_at_period_end" in form:
                    sub["cancel_at_period_end"] = form["cancel_at_period_end"] == "true"
                    sub["cancel_at"] = sub["current_period_end"] if sub["cancel_at_period_end"] else None
                if "items[0][price]" in form:
                    price_id = form["items[0][price]"]
                    amount, interval = state.prices.get(price_id, (0, "month"))
                    sub["items"]["data"][0]["price"] = price_object(price_id, amount, interval or "month")
            return 200, sub
        return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL ({method}: {path})"}}


def price_object(price_id: str, amount: int, interval: str = "month") -> dict[str, Any]:
    return {"id": price_id, "object": "price", "unit_amount": amount, "currency": "usd", "recurring": {"interval": interval}}


class StripeStandIn:
    """Start with `with StripeStandIn() as stripe_api:`; `url` goes into `stripe_api_base`."""

    def __init__(self) -> None:
        self.state = StripeState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> StripeStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def requests(self, method: str, path: str) -> list[Recorded]:
        with self.state.lock:
            return [r for r in self.state.requests if r.method == method and r.path == path]

    def add_price(self, price_id: str, amount: int, interval: str = "month") -> None:
        self.state.prices[price_id] = (amount, interval)

    def fail_next(
        self,
        path: str,
        status: int = 500,
        message: str = "stand-in failure",
        error_type: str = "api_error",
        *,
        times: int = 1,
        **extra: Any,
    ) -> None:
        """The next `times` calls of `path` answer `status` with a Stripe error body."""
        with self.state.lock:
            queue = self.state.failures.setdefault(path, [])
            queue.extend((status, {"error": {"type": error_type, "message": message, **extra}}) for _ in range(times))

    def put_subscription(self, subscription: dict[str, Any]) -> None:
        with self.state.lock:
            self.state.subscriptions[subscription["id"]] = subscription


def subscription_object(
    *,
    sub_id: str,
    customer: str,
    user_id: str,
    price_id: str,
    amount: int,
    status: str = "active",
    period_start: int | None = None,
    period_end: int | None = None,
    interval: str = "month",
    cancel_at_period_end: bool = False,
) -> dict[str, Any]:
    start = period_start or int(time.time()) - 3600
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "metadata": {"user_id": user_id},
        "start_date": start,
        "current_period_start": start,
        "current_period_end": period_end or start + 30 * 86400,
        "cancel_at_period_end": cancel_at_period_end,
        "cancel_at": None,
        "canceled_at": None,
        "ended_at": None,
        "trial_start": None,
        "trial_end": None,
        "items": {"object": "list", "data": [{"id": f"si_{sub_id[4:]}", "price": price_object(price_id, amount, interval)}]},
    }


def event(event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or _id("evt"),
        "object": "event",
        "type": event_type,
        "created": created or int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header value, as Stripe computes it."""
    stamp = timestamp if timestamp is not None else int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"
