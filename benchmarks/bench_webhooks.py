"""What a signed Stripe webhook costs Billing, valid or malformed, on SQLite (default) or PostgreSQL.

    python benchmarks/bench_webhooks.py [--events 200]
    python benchmarks/bench_webhooks.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/billing_dev

Migrates a fresh database (a temporary SQLite file, or the given PostgreSQL database, whose
`public` schema is DROPPED and migrated again), then sends `--events` signed events of each
kind through Billing's use case (signature check, parsing, the domain's reader, one unit of
work; no gRPC), one after another: the baseline, valid credit-pack purchases (applied), and
malformed ones (refused, rolled back, stored FAILED): `credits: "abc"`, an amount of 10**30, an
unknown subscription status, and a body nested 5,000 deep. Prints the median and p95 per event
for each kind against the baseline of the same run; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pathlib
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

import stripe
from pydantic import SecretStr
from sqlalchemy import create_engine, text

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from services.billing.settings import BillingSettings
from services.billing.stripe_gateway import StripeGateway
from services.billing.usecases import BillingUseCases
from services.billing.work import BillingWork
from services.core import errors, migrate
from services.core.db import Database
from services.core.settings import Settings

SECRET = "whsec_bench_0123456789"  # noqa: S105  (the signing secret of this run only)


def body_of(event_type: str, obj: dict[str, Any]) -> bytes:
    event = {"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": event_type, "created": int(time.time()),
             "livemode": False, "data": {"object": obj}}  # fmt: skip
    return json.dumps(event).encode()


def purchase(credits: Any = "50", amount: Any = 2000) -> bytes:
    user = uuid.uuid4().hex
    return body_of("checkout.session.completed", {
        "id": f"cs_test_{uuid.uuid4().hex}", "object": "checkout.session", "mode": "payment", "payment_status": "paid",
        "customer": f"cus_{uuid.uuid4().hex[:14]}", "payment_intent": f"pi_{uuid.uuid4().hex[:20]}",
        "amount_total": amount, "currency": "usd",
        "metadata": {"user_id": user, "credit_pack": "credits-50", "credits": credits},
    })  # fmt: skip


def unknown_status() -> bytes:
    return body_of("customer.subscription.updated", {
        "id": f"sub_{uuid.uuid4().hex[:20]}", "object": "subscription", "customer": "cus_x", "status": "exploded",
        "metadata": {"user_id": uuid.uuid4().hex}, "items": {"data": []},
    })  # fmt: skip


def nested() -> bytes:
    head = json.dumps({"id": f"evt_{uuid.uuid4().hex}", "type": "invoice.paid"})[:-1]
    return f'{head}, "data": {{"object": {{"metadata": {"[" * 5000 + "]" * 5000}}}}}}}'.encode()


KINDS: dict[str, Callable[[], bytes]] = {
    "valid purchase (baseline)": purchase,
    'credits "abc"': lambda: purchase(credits="abc"),
    "amount 10**30": lambda: purchase(amount=10**30),
    "unknown subscription status": unknown_status,
    "JSON nested 5,000 deep": nested,
}


async def timed(use_cases: BillingUseCases, body: bytes) -> tuple[float, str]:
    signature = stripe.WebhookSignature.generate_signature_header(body.decode(), SECRET)
    started = time.perf_counter()
    try:
        _, outcome = await use_cases.handle_webhook(body, signature)
    except errors.DomainError as exc:
        outcome = exc.reason
    return time.perf_counter() - started, outcome


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    settings = Settings(env="test", data_dir=folder, database_url=url)
    migrate.upgrade(settings)
    db = Database.from_settings(settings)
    billing = BillingSettings.load(settings, stripe_webhook_secret=SecretStr(SECRET))
    use_cases = BillingUseCases(BillingWork(settings, billing), db, StripeGateway(billing))
    figures: dict[str, dict[str, Any]] = {}
    try:
        await timed(use_cases, purchase())  # warm-up: seeds the catalog
        for kind, make in KINDS.items():
            runs = [await timed(use_cases, make()) for _ in range(args.events)]
            times = sorted(seconds for seconds, _ in runs)
            figures[kind] = {
                "median_ms": round(statistics.median(times) * 1000, 2),
                "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 2),
                "answers": sorted({outcome for _, outcome in runs}),
            }
    finally:
        db.close()
        shutil.rmtree(folder, ignore_errors=True)
    baseline = figures["valid purchase (baseline)"]["median_ms"]
    for kind, found in figures.items():
        print(f"{kind:30} median {found['median_ms']:7.2f} ms  p95 {found['p95_ms']:7.2f} ms  "
              f"{found['median_ms'] / baseline:5.2f}x baseline  -> {', '.join(found['answers'])}")  # fmt: skip
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(json.dumps({"backend": backend, "events": args.events, "figures": figures}))


if __name__ == "__main__":
    asyncio.run(main())
