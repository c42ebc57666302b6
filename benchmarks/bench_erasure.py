"""What the durable erasure fan-out costs `DeleteUser`, and what an idle dispatcher's round costs.

1. `DeleteUser` latency, register → delete, on one in-process server (SQLite + embedded Redis in
   a temporary folder): the baseline is an Auth with no peers in its deployment (only Auth's own
   erasure row); the fan-out run serves Auth, Catalog, Tracking and Media in the process, so every
   deletion writes a row per peer, calls Tracking's `PurgeUserData` and Media's `PurgeUserAssets`
   and waits for both to confirm before answering.
2. The dispatcher's round when nothing is due, with an empty `auth_erasures` and with 10,000
   confirmed deletions (40,000 rows): the query every Auth process runs every
   `MARQUEE_ERASURE_POLL_SECONDS`.

    python benchmarks/bench_erasure.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import pathlib
import statistics
import tempfile
import time
import uuid

import grpc
import redis
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc
from sqlalchemy import text
from support import log

from services.app import Dependencies, build_server
from services.auth.repository import AuthRepository
from services.auth.settings import AuthSettings
from services.core import migrate
from services.core.db import Database
from services.core.redis_store import EmbeddedRedis
from services.core.settings import Settings

PASSWORD = "a long bench passphrase 7"  # noqa: S105  (a throwaway account in a temporary database)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def delete_rounds(settings: Settings, rounds: int) -> list[float]:
    auth = AuthSettings.load(settings, signup_bonus_credits=0)
    server = build_server(Dependencies.build(settings, auth), address="127.0.0.1:0")
    await server.start()
    limits = redis.Redis.from_url(settings.redis_url)
    waits = []
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            stub = auth_pb2_grpc.AuthServiceStub(channel)
            for _ in range(rounds):
                for key in limits.scan_iter("marquee:ratelimit:*"):  # registrations are limited per client
                    limits.delete(key)
                email = f"erase-{uuid.uuid4().hex[:10]}@example.com"
                account = await stub.Register(auth_pb2.RegisterRequest(email=email, password=PASSWORD))
                bearer = (("authorization", f"Bearer {account.tokens.access_token}"),)
                started = time.perf_counter()
                reply = await stub.DeleteUser(auth_pb2.DeleteUserRequest(name="users/me"), metadata=bearer)
                waits.append(time.perf_counter() - started)
                assert not reply.pending, [p.description for p in reply.pending]
    finally:
        limits.close()
        await server.stop(0.5)
    return waits


async def idle_round_seconds(database: Database, repeats: int = 200) -> float:
    now = dt.datetime.now(dt.UTC)
    for _ in range(20):  # warm the pool's threads and connections first
        await database.run(lambda s: AuthRepository(s).due_erasures(now, limit=50))
    started = time.perf_counter()
    for _ in range(repeats):
        await database.run(lambda s: AuthRepository(s).due_erasures(now, limit=50))
    return (time.perf_counter() - started) / repeats


def seed_confirmed(database: Database, deletions: int) -> None:
    now = dt.datetime.now(dt.UTC)
    with database.transaction() as session:
        repo = AuthRepository(session)
        for _ in range(deletions):
            user = uuid.uuid4().hex
            repo.add_erasure(user, "auth", now, confirmed=[])
            for service in ("tracking", "media", "billing"):
                repo.add_erasure(user, service, now, confirmed=[])


def describe(label: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{label:<34} p50 {statistics.median(ms):7.1f} ms   p90 {percentile(ms, 0.9):7.1f} ms   n {len(ms)}"


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = pathlib.Path(folder)
        embedded = EmbeddedRedis(base / "redis")
        redis_url = embedded.start()
        try:
            common = {"env": "test", "data_dir": base, "database_url": f"sqlite:///{base / 'marquee.db'}",
                      "redis_url": redis_url, "log_level": "WARNING"}  # fmt: skip
            migrate.upgrade(Settings(**common))
            log("baseline: an Auth with no peers")
            alone = await delete_rounds(Settings(**common, services=["auth"]), rounds)
            log("fan-out: Auth with Catalog, Tracking and Media in the process")
            fanned = await delete_rounds(Settings(**common, services=["auth", "catalog", "tracking", "media"]), rounds)
            database = Database.from_settings(Settings(**common))
            with database.transaction() as session:
                session.execute(text("DELETE FROM auth_erasures"))  # the deletions above: start from empty
            empty = await idle_round_seconds(database)
            seed_confirmed(database, 10_000)
            full = await idle_round_seconds(database)
            database.close()
        finally:
            embedded.stop()
    print(describe("DeleteUser, no peers (baseline)", alone))
    print(describe("DeleteUser, Tracking + Media purge", fanned))
    print(f"{'idle dispatcher round, empty table':<34} {empty * 1000:7.2f} ms")
    print(f"{'idle round, 40,000 confirmed rows':<34} {full * 1000:7.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40)
    asyncio.run(main(parser.parse_args().rounds))
