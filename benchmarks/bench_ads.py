"""Ads at 1 million stored impressions: SelectAd p50/p99, GetAdStats p99, and events ingested per second.

    python benchmarks/bench_ads.py [--impressions 1000000] [--selects 3000] [--ingest-seconds 5]
    python benchmarks/bench_ads.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ads_bench \
        --redis-url redis://127.0.0.1:6379/13

Storage: a temporary SQLite file and an embedded Redis, or the PostgreSQL database and Redis
given (the database's `public` schema is DROPPED and migrated again; the Redis DB is FLUSHED).

Seeds through the admin RPCs one campaign and `--ads` ads (most of them 300 x 250 rectangles
with country targeting and the default 3-per-24-h cap), then in bulk, straight into the tables
and Redis (never through the RPC): `--impressions` recorded impressions spread over the last 30
days across the ads, 1 % of them clicked, the hourly rollups they imply (totals and by
country, device type, title), the unique-viewer HyperLogLogs, spend counters, and cap entries
for the viewers the measurement then uses.

Measures over gRPC against one in-process server (`create_server`, the policy interceptor,
port 0) with the client in the same process, sequential calls:
- SelectAd (RECTANGLE, a random known viewer and country): entitlements skipped (anonymous
  device viewers), caps and spend from Redis, the serveable-ads list from the process cache;
- GetAdStats of the busiest ad over the default 30 days, without and with a country breakdown;
- ingestion: `--concurrency` clients doing SelectAd + RecordImpression for `--ingest-seconds`;
  the figure is recorded impressions per second (each one a unit of work with the impression
  insert, one five-row rollup upsert and the lifetime counters, the Lua cap script before it and
  the spend/unique-viewer script after it).
Same-run baselines: a Redis PING round trip through `redis.asyncio`, and `grpc.health.v1.Health/Check`
on the same server (interceptor-free, no storage: the transport and event-loop floor).
Prints a table; the last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import gc
import json
import pathlib
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import redis.asyncio as aioredis
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import create_engine, insert, text, update

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from google.type import money_pb2
from marquee.ads.v1 import ads_pb2 as pb
from marquee.ads.v1 import ads_pb2_grpc

from benchmarks.support import log
from services.ads import domain
from services.ads.counters import PREFIX
from services.ads.models import AdRow, ImpressionRow, RollupRow
from services.app import Dependencies, build_server
from services.core import migrate
from services.core.redis_store import EmbeddedRedis
from services.core.settings import Settings
from services.core.tokens import ROLE_ADMIN, KeySet, TokenSigner

COUNTRIES = ("UG", "KE", "TZ", "RW", "NG")
DEVICES = (1, 2, 3, 4, 5)
TITLES = tuple(f"titles/{i:04d}bench" for i in range(10))
COST_MICROS = 2000  # USD 2.00 CPM


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(call: Callable[[], Awaitable[Any]], iterations: int) -> tuple[float, float]:
    for _ in range(min(100, iterations)):
        await call()
    # As `marquee serve` does before serving: what exists now is frozen out of the cyclic collector,
    # so a collection during the measurement scans what the calls allocate.
    gc.collect()
    gc.freeze()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), percentile(samples, 0.99)


def usd(units: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="USD", units=units)


async def create_ads(stub: ads_pb2_grpc.AdsServiceStub, auth: tuple[tuple[str, str], ...], count: int) -> list[pb.Ad]:
    campaign = (
        await stub.CreateCampaign(
            pb.CreateCampaignRequest(campaign=pb.Campaign(display_name="Bench", advertiser="Bench Co")), metadata=auth
        )
    ).campaign
    made = []
    for index in range(count):
        placement = pb.PLACEMENT_RECTANGLE if index % 5 else pb.PLACEMENT_LEADERBOARD
        size = (300, 250) if placement == pb.PLACEMENT_RECTANGLE else (728, 90)
        ad = pb.Ad(
            display_name=f"Bench ad {index}",
            campaign=campaign.name,
            placement=placement,
            creative=pb.Creative(image_url="https://cdn.example.com/b.png", width=size[0], height=size[1]),
            click_url="https://example.com/",
            pricing=pb.Pricing(model=pb.PRICING_MODEL_CPM, rate=usd(2)),
            targeting=pb.Targeting(countries=list(COUNTRIES[: 2 + index % 4])),
            weight=50 + index * 10,
        )
        made.append((await stub.CreateAd(pb.CreateAdRequest(ad=ad), metadata=auth)).ad)
    return made


def seed_database(database_url: str, ads: list[pb.Ad], impressions: int, viewers: list[str], now: dt.datetime) -> dict[str, Any]:
    """Bulk rows: impressions and the rollups they imply. Returns what Redis must mirror."""
    rng = random.Random(42)
    ad_ids = [a.name.removeprefix("ads/") for a in ads]
    campaign_id = ads[0].campaign.removeprefix("campaigns/")
    placements = {a.name.removeprefix("ads/"): a.placement for a in ads}
    weights = [1 + i for i in range(len(ad_ids))]  # the last ad is the busiest
    rollups: dict[tuple[str, str, str, dt.datetime], list[int]] = collections.defaultdict(lambda: [0, 0, 0])
    uniques: dict[str, set[str]] = collections.defaultdict(set)
    per_ad: collections.Counter[str] = collections.Counter()
    start = now - dt.timedelta(days=30)
    engine = create_engine(database_url)
    batch: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for number in range(impressions):
            ad_id = rng.choices(ad_ids, weights)[0]
            moment = start + dt.timedelta(seconds=rng.random() * 30 * 86_400)
            hour = moment.replace(minute=0, second=0, microsecond=0)
            viewer = rng.choice(viewers)
            country, device, title = rng.choice(COUNTRIES), rng.choice(DEVICES), rng.choice(TITLES)
            clicked = rng.random() < 0.01
            batch.append(
                {
                    "id": uuid.uuid4().hex,
                    "token_id": uuid.uuid4().hex,
                    "request_id": "",
                    "ad_id": ad_id,
                    "campaign_id": campaign_id,
                    "placement": placements[ad_id],
                    "user_id": "",
                    "device_id": viewer,
                    "title": title,
                    "country": country,
                    "region": "",
                    "device_type": device,
                    "select_time": moment,
                    "record_time": moment,
                    "is_video": False,
                    "duration_ms": 0,
                    "skip_offset_ms": 0,
                    "video_outcome": 0,
                    "finish_request_id": "",
                    "click_count": int(clicked),
                    "first_click_time": moment if clicked else None,
                    "click_request_id": "",
                    "click_counted": clicked,
                    "cost_micros": COST_MICROS,
                    "invalid_reason": "",
                }
            )
            for dimension, key in domain.dimension_keys(country, device, title).items():
                counts = rollups[(ad_id, dimension, key, domain.bucket(dimension, moment))]
                counts[0] += 1
                counts[1] += int(clicked)
                counts[2] += COST_MICROS
            for period in (hour.strftime("%Y%m%d%H"), hour.strftime("%Y%m%d")):
                for scope in (f"ad:{ad_id}", f"cmp:{campaign_id}", "all", f"pl:{placements[ad_id]}"):
                    uniques[f"{PREFIX}uv:{scope}:{period}"].add(f"d:{viewer}")
            per_ad[ad_id] += 1
            if len(batch) >= 20_000:
                connection.execute(insert(ImpressionRow.__table__), batch)
                batch.clear()
                if (number + 1) % 200_000 == 0:
                    log(f"seeded {number + 1:,} impressions")
        if batch:
            connection.execute(insert(ImpressionRow.__table__), batch)
        rows = [
            {
                "ad_id": a,
                "dimension": d,
                "key": k,
                "hour": h,
                "campaign_id": campaign_id,
                "impressions": c[0],
                "viewable": 0,
                "clicks": c[1],
                "video_impressions": 0,
                "completions": 0,
                "skips": 0,
                "outcomes": 0,
                "viewed_ms": 0,
                "revenue_micros": c[2],
                "invalid_impressions": 0,
                "invalid_clicks": 0,
            }
            for (a, d, k, h), c in rollups.items()
        ]
        for offset in range(0, len(rows), 20_000):
            connection.execute(insert(RollupRow.__table__), rows[offset : offset + 20_000])
        for ad_id, count in per_ad.items():
            connection.execute(update(AdRow).where(AdRow.id == ad_id).values(impressions=count, spend_micros=count * COST_MICROS))
    engine.dispose()
    log(f"seeded {len(rows):,} rollup rows")
    return {"uniques": uniques, "per_ad": per_ad, "campaign_id": campaign_id}


async def seed_redis(url: str, seeded: dict[str, Any], ads: list[pb.Ad], viewers: list[str], now: dt.datetime) -> None:
    client = aioredis.Redis.from_url(url)
    pipe = client.pipeline(transaction=False)

    async def flush_every(commands: int = 500) -> None:
        nonlocal pipe
        if len(pipe) >= commands:
            await pipe.execute()
            pipe = client.pipeline(transaction=False)

    for key, members in seeded["uniques"].items():
        pipe.pfadd(key, *members)
        await flush_every()
    for ad_id, count in seeded["per_ad"].items():
        pipe.set(f"{PREFIX}spend:ad:{ad_id}", count * COST_MICROS)
    pipe.set(f"{PREFIX}spend:cmp:{seeded['campaign_id']}", sum(seeded["per_ad"].values()) * COST_MICROS)
    rng = random.Random(7)
    stamp = now.timestamp()
    for viewer in viewers[:5000]:  # the viewers SelectAd is measured with already saw a few ads
        for ad in rng.sample(ads, 2):
            pipe.zadd(
                f"{PREFIX}cap:d:{viewer}:ad:{ad.name.removeprefix('ads/')}", {uuid.uuid4().hex: stamp - rng.random() * 80_000}
            )
        await flush_every()
    await pipe.execute()
    await client.aclose()


async def measure(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    deps = Dependencies.build(settings)
    server = build_server(deps, address="127.0.0.1:0")
    await server.start()
    signer = TokenSigner.from_settings(settings, KeySet.from_settings(settings))
    token, _ = signer.sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex, role=ROLE_ADMIN)
    admin = (("authorization", f"Bearer {token}"),)
    figures: dict[str, Any] = {"impressions_stored": args.impressions, "ads": args.ads}
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            stub = ads_pb2_grpc.AdsServiceStub(channel)
            ads = await create_ads(stub, admin, args.ads)
            now = dt.datetime.now(dt.UTC)
            viewers = [uuid.uuid4().hex for _ in range(50_000)]
            started = time.perf_counter()
            seeded = await asyncio.to_thread(seed_database, settings.resolved_database_url, ads, args.impressions, viewers, now)
            await seed_redis(settings.redis_url, seeded, ads, viewers, now)
            del seeded  # the seed's sets and dicts: no server holds them, so no collection should scan them
            log(f"seeding took {time.perf_counter() - started:.1f} s")
            token, _ = signer.sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex, role=ROLE_ADMIN)  # seeding outlasts a token
            admin = (("authorization", f"Bearer {token}"),)
            rng = random.Random(1)

            redis_client = aioredis.Redis.from_url(settings.redis_url)
            figures["redis_ping_ms_p50"], figures["redis_ping_ms_p99"] = await timed(redis_client.ping, args.selects)
            await redis_client.aclose()
            health = health_pb2_grpc.HealthStub(channel)
            figures["health_check_ms_p50"], figures["health_check_ms_p99"] = await timed(
                lambda: health.Check(health_pb2.HealthCheckRequest()), args.selects
            )

            filled = 0

            async def select() -> None:
                nonlocal filled
                context = pb.AdContext(
                    country=rng.choice(COUNTRIES), device_id=rng.choice(viewers[:5000]), title=rng.choice(TITLES)
                )
                reply = await stub.SelectAd(pb.SelectAdRequest(placement=pb.PLACEMENT_RECTANGLE, context=context))
                filled += int(reply.HasField("ad"))

            figures["select_ad_ms_p50"], figures["select_ad_ms_p99"] = await timed(select, args.selects)
            figures["select_fill_rate"] = round(filled / (args.selects + min(100, args.selects)), 3)
            busiest = ads[-1].name
            stats = await stub.GetAdStats(pb.GetAdStatsRequest(ad=busiest), metadata=admin)
            figures["busiest_ad_impressions_30d"] = stats.totals.impressions
            figures["get_ad_stats_ms_p50"], figures["get_ad_stats_ms_p99"] = await timed(
                lambda: stub.GetAdStats(pb.GetAdStatsRequest(ad=busiest), metadata=admin), args.stats
            )
            figures["get_ad_stats_by_country_ms_p50"], figures["get_ad_stats_by_country_ms_p99"] = await timed(
                lambda: stub.GetAdStats(pb.GetAdStatsRequest(ad=busiest, breakdown=pb.STATS_DIMENSION_COUNTRY), metadata=admin),
                args.stats,
            )

            recorded = 0
            deadline = time.perf_counter() + args.ingest_seconds

            async def ingest() -> None:
                nonlocal recorded
                while time.perf_counter() < deadline:
                    device = uuid.uuid4().hex
                    context = pb.AdContext(country=rng.choice(COUNTRIES), device_id=device, title=rng.choice(TITLES))
                    reply = await stub.SelectAd(pb.SelectAdRequest(placement=pb.PLACEMENT_RECTANGLE, context=context))
                    if reply.HasField("ad"):
                        await stub.RecordImpression(
                            pb.RecordImpressionRequest(impression_token=reply.ad.impression_token, device_id=device)
                        )
                        recorded += 1

            began = time.perf_counter()
            await asyncio.gather(*(ingest() for _ in range(args.concurrency)))
            figures["ingest_impressions_per_second"] = round(recorded / (time.perf_counter() - began), 1)
            figures["ingest_concurrency"] = args.concurrency
    finally:
        await server.stop(1.0)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--impressions", type=int, default=1_000_000)
    parser.add_argument("--ads", type=int, default=20)
    parser.add_argument("--selects", type=int, default=3000)
    parser.add_argument("--stats", type=int, default=300)
    parser.add_argument("--ingest-seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()
    if bool(args.database_url) != bool(args.redis_url):
        parser.error("give both --database-url and --redis-url, or neither")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="bench-ads-"))
    embedded: EmbeddedRedis | None = None
    try:
        url = args.database_url or f"sqlite:///{folder / 'ads.db'}"
        if args.database_url:
            engine = create_engine(url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            engine.dispose()
            redis_url = args.redis_url
            asyncio.run(_flush(redis_url))
        else:
            embedded = EmbeddedRedis(folder / "redis")
            redis_url = embedded.start()
        settings = Settings(
            env="test", data_dir=folder, database_url=url, redis_url=redis_url, services=["ads"], log_level="WARNING"
        )
        migrate.upgrade(settings)
        figures = asyncio.run(measure(args, settings))
        figures["backend"] = "postgresql" if args.database_url else "sqlite"
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(folder, ignore_errors=True)
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(figures))


async def _flush(url: str) -> None:
    client = aioredis.Redis.from_url(url)
    await client.flushdb()
    await client.aclose()


if __name__ == "__main__":
    main()
