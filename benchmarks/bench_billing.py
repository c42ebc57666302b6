"""Credit spends under contention, on SQLite (default) or PostgreSQL.

    python benchmarks/bench_billing.py [--rounds 5] [--attempts 100] [--balance 10]
    python benchmarks/bench_billing.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/billing_dev

Migrates a fresh database (a temporary SQLite file, or the given PostgreSQL database,
whose `public` schema is DROPPED and migrated again), then, through Billing's own
unit-of-work steps (`BillingWork`) and repository code in units of work on the worker
pool (the database work of SpendCredits, without gRPC), for each round: grants `--balance` credits to a new user
and fires `--attempts` concurrent spends of one credit. Prints per round the wall time,
the successes, the refusals and the final balance (which must be 0 with exactly
`--balance` successes); the last line is one JSON object with the figures.
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

from sqlalchemy import create_engine, text

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from services.billing.domain import fingerprint
from services.billing.repository import BillingRepository
from services.billing.work import BillingWork
from services.core import errors, migrate
from services.core.db import Database
from services.core.models import utcnow
from services.core.settings import Settings


async def one_round(db: Database, work: BillingWork, attempts: int, balance: int) -> dict[str, float]:
    user = uuid.uuid4().hex
    await db.run(
        lambda s: work.grant(BillingRepository(s), user_id=user, amount=balance, reason="bench", reference="", expire_time=None,
                               request_id=f"signup:{user}", actor="services/auth", print_="g", now=utcnow())
    )  # fmt: skip

    async def spend(index: int) -> bool:
        try:
            await db.run(
                lambda s: work.spend(BillingRepository(s), user_id=user, amount=1, reason="bench", reference="", min_plan="",
                                       metadata={}, request_id=f"r{index}", actor="services/bench",
                                       print_=fingerprint(str(index).encode()), now=utcnow())
            )  # fmt: skip
        except errors.FailedPrecondition:
            return False
        return True

    started = time.perf_counter()
    results = await asyncio.gather(*(spend(i) for i in range(attempts)))
    elapsed = time.perf_counter() - started
    final = await db.run(lambda s: BillingRepository(s).account(user))
    return {"seconds": elapsed, "succeeded": sum(results), "refused": attempts - sum(results), "balance": final.balance}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--attempts", type=int, default=100)
    parser.add_argument("--balance", type=int, default=10)
    args = parser.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="bench-billing-"))
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
    work = BillingWork(settings)
    rounds = []
    try:
        for number in range(args.rounds):
            figures = await one_round(db, work, args.attempts, args.balance)
            rounds.append(figures)
            print(f"round {number + 1}: {args.attempts} concurrent spends against {args.balance} credits: "
                  f"{figures['succeeded']} succeeded, {figures['refused']} refused, final balance {figures['balance']}, "
                  f"{figures['seconds'] * 1000:.0f} ms")  # fmt: skip
    finally:
        db.close()
        shutil.rmtree(folder, ignore_errors=True)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    summary = {
        "backend": backend,
        "attempts": args.attempts,
        "balance": args.balance,
        "median_ms": round(statistics.median(r["seconds"] for r in rounds) * 1000, 1),
        "all_exact": all(r["succeeded"] == args.balance and r["balance"] == 0 for r in rounds),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    asyncio.run(main())
