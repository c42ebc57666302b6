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
import dataclasses
import datetime as dt
import gc
import itertools
import json
import os
import pathlib
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

import grpc
import redis.asyncio as aioredis
from google.protobuf import duration_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from redis import exceptions as redis_errors
from sqlalchemy import Engine, create_engine, text, update

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from google.type import money_pb2
from marquee.ads.v1 import ads_pb2 as pb
from marquee.ads.v1 import ads_pb2_grpc

from benchmarks.support import log
from services.ads import domain
from services.ads.counters import PREFIX
from services.ads.models import AdRow, ImpressionRow, RollupRow
from services.ads.settings import AdsSettings
from services.app import Dependencies, build_server
from services.core import migrate
from services.core.redis_store import EmbeddedRedis
from services.core.settings import Settings
from services.core.tokens import ROLE_ADMIN, KeySet, TokenSigner

COUNTRIES = ("UG", "KE", "TZ", "RW", "NG")
DEVICES = (1, 2, 3, 4, 5)
TITLES = tuple(f"titles/{i:04d}bench" for i in range(10))
COST_MICROS = 2000  # USD 2.00 CPM
ROLLUP_COUNTS = tuple(f.name for f in dataclasses.fields(domain.Counts) if f.name != "unique_users")


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
    for index in range(2):  # pre-rolls for the ingestion's FinishImpression calls (no stored impressions)
        ad = pb.Ad(
            display_name=f"Bench video {index}",
            campaign=campaign.name,
            placement=pb.PLACEMENT_PRE_ROLL,
            creative=pb.Creative(
                video_url="https://cdn.example.com/spot.mp4",
                width=1280,
                height=720,
                duration=duration_pb2.Duration(seconds=20),
                skip_offset=duration_pb2.Duration(seconds=5),
            ),
            click_url="https://example.com/",
            pricing=pb.Pricing(model=pb.PRICING_MODEL_CPM, rate=usd(10)),
            weight=100,
        )
        made.append((await stub.CreateAd(pb.CreateAdRequest(ad=ad), metadata=auth)).ad)
    return made


IMPRESSION_COLUMNS = (
    "id", "token_id", "request_id", "ad_id", "campaign_id", "placement", "user_id", "device_id", "title", "country",
    "region", "device_type", "select_time", "record_time", "is_video", "duration_ms", "skip_offset_ms", "video_outcome",
    "finish_request_id", "click_count", "first_click_time", "click_request_id", "click_counted", "cost_micros",
    "invalid_reason",
)  # fmt: skip
ROLLUP_COLUMNS = ("ad_id", "dimension", "key", "hour", "campaign_id", *ROLLUP_COUNTS)
DB_BATCH = 100_000  # rows a transaction (SQLite) or a COPY (PostgreSQL)


def bulk_insert(engine: Engine, table: Any, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> int:
    """Rows straight through the driver, DB_BATCH at a time, one transaction each: COPY on PostgreSQL,
    executemany on SQLite (values through the columns' own bind processors, so they read back as written).
    The secondary indexes are dropped first and built again after: one sort each instead of a million
    random B-tree inserts."""
    dialect = engine.dialect
    written = 0
    with engine.begin() as connection:
        for index in table.indexes:
            index.drop(connection)
    raw = engine.raw_connection()
    processors = [(i, f) for i, name in enumerate(columns) if (f := table.c[name].type.bind_processor(dialect)) is not None]
    names = ", ".join(columns)
    try:
        driver = raw.driver_connection
        while True:
            batch = list(itertools.islice(rows, DB_BATCH))
            if not batch:
                break
            if dialect.name == "postgresql":
                with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
                    for row in batch:
                        copy.write_row(row)
            else:
                converted = []
                for row in batch:
                    values = list(row)
                    for i, process in processors:
                        if values[i] is not None:
                            values[i] = process(values[i])
                    converted.append(values)
                marks = ", ".join("?" for _ in columns)
                statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 - our own table and column names
                cursor = raw.cursor()
                cursor.executemany(statement, converted)
                cursor.close()
            raw.commit()
            written += len(batch)
            if written % 500_000 == 0:
                log(f"{table.name}: {written:,} rows")
    finally:
        raw.close()
    with engine.begin() as connection:
        for index in table.indexes:
            index.create(connection)
    return written


def seed_database(database_url: str, ads: list[pb.Ad], impressions: int, viewers: list[str], now: dt.datetime) -> dict[str, Any]:
    """Bulk rows: impressions and the rollups they imply. Returns what Redis must mirror."""
    rng = random.Random(42)
    banners = [a for a in ads if a.placement != pb.PLACEMENT_PRE_ROLL]
    ad_ids = [a.name.removeprefix("ads/") for a in banners]
    campaign_id = ads[0].campaign.removeprefix("campaigns/")
    placements = [a.placement for a in banners]
    weights = [1 + i for i in range(len(ad_ids))]  # the last banner is the busiest
    start = (now - dt.timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    hours = [start + dt.timedelta(hours=h) for h in range(30 * 24 + 1)]
    combos = [(c, d, t) for c in COUNTRIES for d in DEVICES for t in TITLES]
    keys_of = [list(domain.dimension_keys(c, d, t).items()) for c, d, t in combos]
    rollups: collections.Counter[tuple[int, int, int]] = collections.Counter()  # (ad, hour, combo) -> impressions
    clicks: collections.Counter[tuple[int, int, int]] = collections.Counter()
    ad_hour_viewers: dict[tuple[int, int], set[int]] = collections.defaultdict(set)
    per_ad = [0] * len(ad_ids)
    span = now - start
    chosen_ads = rng.choices(range(len(ad_ids)), weights, k=impressions)
    ids = rng.randbytes(12 * impressions).hex()  # 24 random hex digits an id, after 8 ascending ones (see below)

    def impression_rows() -> Iterator[tuple[Any, ...]]:
        for number, ad in enumerate(chosen_ads):
            moment = start + span * rng.random()
            hour = int((moment - start).total_seconds() // 3600)
            viewer = rng.randrange(len(viewers))
            combo = rng.randrange(len(combos))
            country, device, title = combos[combo]
            clicked = rng.random() < 0.01
            rollups[(ad, hour, combo)] += 1
            if clicked:
                clicks[(ad, hour, combo)] += 1
            ad_hour_viewers[(ad, hour)].add(viewer)
            per_ad[ad] += 1
            yield (
                # Ascending ids and tokens (the key and the unique index are filled in order, not at random).
                f"{number:08x}{ids[24 * number : 24 * number + 24]}", f"{number:08x}{ids[24 * number : 24 * number + 24][::-1]}",
                "", ad_ids[ad], campaign_id,
                placements[ad], "", viewers[viewer], title, country, "", device, moment, moment, False, 0, 0, 0, "",
                int(clicked), moment if clicked else None, "", clicked, COST_MICROS, "",
            )  # fmt: skip

    engine = create_engine(database_url)
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA synchronous=OFF")  # a throwaway file: no fsync per batch
    written = bulk_insert(engine, ImpressionRow.__table__, IMPRESSION_COLUMNS, impression_rows())
    log(f"seeded {written:,} impressions")

    def rollup_rows() -> Iterator[tuple[Any, ...]]:
        summed: dict[tuple[str, str, str, dt.datetime], list[int]] = collections.defaultdict(lambda: [0, 0])
        for (ad, hour, combo), count in rollups.items():
            for dimension, key in keys_of[combo]:
                counts = summed[(ad_ids[ad], dimension, key, domain.bucket(dimension, hours[hour]))]
                counts[0] += count
                counts[1] += clicks[(ad, hour, combo)]
        for (ad_id, dimension, key, bucket), (count, clicked) in summed.items():
            values = {"impressions": count, "clicks": clicked, "revenue_micros": count * COST_MICROS}
            yield (ad_id, dimension, key, bucket, campaign_id, *(values.get(name, 0) for name in ROLLUP_COUNTS))

    log(f"seeded {bulk_insert(engine, RollupRow.__table__, ROLLUP_COLUMNS, rollup_rows()):,} rollup rows")
    with engine.begin() as connection:
        for ad_id, count in zip(ad_ids, per_ad, strict=True):
            connection.execute(update(AdRow).where(AdRow.id == ad_id).values(impressions=count, spend_micros=count * COST_MICROS))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")  # fresh statistics, as autovacuum would give a live table
    engine.dispose()
    return {
        "ad_hour_viewers": ad_hour_viewers, "hours": hours, "ad_ids": ad_ids, "placements": placements,
        "per_ad": per_ad, "campaign_id": campaign_id,
    }  # fmt: skip


class BoundedPipeline:
    """Redis commands in pipelines of at most `limit` arguments, each sent with retries on a timeout or a
    dropped connection (every seeding command is idempotent: PFADD, PFMERGE, SET, ZADD of a fixed member),
    so a loaded machine slows the seeding down but never ends it."""

    def __init__(self, client: aioredis.Redis, limit: int = 20_000, attempts: int = 6) -> None:
        self.client = client
        self.limit = limit
        self.attempts = attempts
        self.commands: list[tuple[Any, ...]] = []
        self.size = 0
        self.sent = 0

    async def add(self, *command: Any) -> None:
        self.commands.append(command)
        self.size += len(command)
        if self.size >= self.limit:
            await self.flush()

    async def flush(self) -> None:
        if not self.commands:
            return
        for attempt in range(self.attempts):
            try:
                pipe = self.client.pipeline(transaction=False)
                for command in self.commands:
                    pipe.execute_command(*command)
                await pipe.execute()
                break
            except (redis_errors.TimeoutError, redis_errors.ConnectionError) as error:
                if attempt == self.attempts - 1:
                    raise
                log(f"redis: {type(error).__name__} while seeding; retry {attempt + 1} in {2**attempt} s")
                await asyncio.sleep(2**attempt)
        self.sent += len(self.commands)
        self.commands.clear()
        self.size = 0


async def seed_redis(url: str, seeded: dict[str, Any], ads: list[pb.Ad], viewers: list[str], now: dt.datetime) -> int:
    """The unique-viewer sketches (PFADD per ad and hour; days, the campaign, `all` and placements by
    PFMERGE on the server, so each member crosses the wire once), spend counters and cap entries."""
    client = aioredis.Redis.from_url(url, socket_timeout=30)
    out = BoundedPipeline(client)
    hours, ad_ids, placements = seeded["hours"], seeded["ad_ids"], seeded["placements"]
    hour_keys = [h.strftime("%Y%m%d%H") for h in hours]

    def uv(scope: str, period: str) -> str:
        return f"{PREFIX}uv:{scope}:{period}"

    by_day: dict[str, list[int]] = collections.defaultdict(list)
    for index, key in enumerate(hour_keys):
        by_day[key[:8]].append(index)
    seen: dict[int, set[int]] = collections.defaultdict(set)  # hour -> ads with viewers in it
    for (ad, hour), members in seeded["ad_hour_viewers"].items():
        seen[hour].add(ad)
        await out.add("PFADD", uv(f"ad:{ad_ids[ad]}", hour_keys[hour]), *(f"d:{viewers[m]}" for m in members))
    await out.flush()
    scopes = {f"cmp:{seeded['campaign_id']}": range(len(ad_ids)), "all": range(len(ad_ids))}
    for placement in set(placements):
        scopes[f"pl:{placement}"] = [i for i, p in enumerate(placements) if p == placement]
    for hour, present in seen.items():
        for scope, members in scopes.items():
            sources = [uv(f"ad:{ad_ids[a]}", hour_keys[hour]) for a in members if a in present]
            if sources:
                await out.add("PFMERGE", uv(scope, hour_keys[hour]), *sources)
    await out.flush()
    for day, indexes in by_day.items():
        for scope in (*(f"ad:{a}" for a in ad_ids), *scopes):
            await out.add("PFMERGE", uv(scope, day), *(uv(scope, hour_keys[i]) for i in indexes))
    for ad_id, count in zip(ad_ids, seeded["per_ad"], strict=True):
        await out.add("SET", f"{PREFIX}spend:ad:{ad_id}", count * COST_MICROS)
    await out.add("SET", f"{PREFIX}spend:cmp:{seeded['campaign_id']}", sum(seeded["per_ad"]) * COST_MICROS)
    rng = random.Random(7)
    stamp = now.timestamp()
    banners = [a for a in ads if a.placement != pb.PLACEMENT_PRE_ROLL]
    for viewer in viewers[:5000]:  # the viewers SelectAd is measured with already saw a few ads
        for ad in rng.sample(banners, 2):
            ad_id = ad.name.removeprefix("ads/")
            await out.add("ZADD", f"{PREFIX}cap:d:{viewer}:ad:{ad_id}", stamp - rng.random() * 80_000, f"seed-{viewer}-{ad_id}")
    await out.flush()
    await client.aclose()
    return out.sent


async def ingest(stub: ads_pb2_grpc.AdsServiceStub, events: int, concurrency: int, rng: random.Random) -> dict[str, float]:
    """`events` impressions (one in four a pre-roll, finished as completed) recorded by `concurrency`
    clients over the wire; the tokens are selected first, so the figure is the recording path alone."""
    served: list[tuple[str, str, bool]] = []

    async def select(index: int) -> None:
        video = index % 4 == 0
        device = uuid.uuid4().hex
        context = pb.AdContext(country=rng.choice(COUNTRIES), device_id=device, title=rng.choice(TITLES))
        placement = pb.PLACEMENT_PRE_ROLL if video else pb.PLACEMENT_RECTANGLE
        reply = await stub.SelectAd(pb.SelectAdRequest(placement=placement, context=context))
        if reply.HasField("ad"):
            served.append((reply.ad.impression_token, device, video))

    for offset in range(0, events, 200):
        await asyncio.gather(*(select(i) for i in range(offset, min(events, offset + 200))))
    queue = collections.deque(served)
    finished = 0
    completed = pb.VideoResult(outcome=pb.VIDEO_OUTCOME_COMPLETED, viewed_duration=duration_pb2.Duration(seconds=20))

    async def client() -> None:
        nonlocal finished
        while queue:
            token, device, video = queue.popleft()
            await stub.RecordImpression(pb.RecordImpressionRequest(impression_token=token, device_id=device))
            if video:
                await stub.FinishImpression(
                    pb.FinishImpressionRequest(impression_token=token, device_id=device, video_result=completed)
                )
                finished += 1

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return {"impressions_per_second": round(len(served) / elapsed, 1), "finishes": finished, "seconds": round(elapsed, 2)}


async def measure(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    servers = {}
    for batch in (args.write_batch, 1):  # the coalescing writer, and one transaction per impression
        deps = Dependencies.build(settings, AdsSettings.load(settings, ads_write_batch=batch))
        servers[batch] = build_server(deps, address="127.0.0.1:0")
        await servers[batch].start()
    server = servers[args.write_batch]
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
            figures["seed_database_seconds"] = round(time.perf_counter() - started, 1)
            commands = await seed_redis(settings.redis_url, seeded, ads, viewers, now)
            figures["seed_redis_commands"] = commands
            del seeded  # the seed's sets and dicts: no server holds them, so no collection should scan them
            figures["seed_seconds"] = round(time.perf_counter() - started, 1)
            log(f"seeding took {figures['seed_seconds']} s")
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
            busiest = [a for a in ads if a.placement != pb.PLACEMENT_PRE_ROLL][-1].name
            stats = await stub.GetAdStats(pb.GetAdStatsRequest(ad=busiest), metadata=admin)
            figures["busiest_ad_impressions_30d"] = stats.totals.impressions
            figures["get_ad_stats_ms_p50"], figures["get_ad_stats_ms_p99"] = await timed(
                lambda: stub.GetAdStats(pb.GetAdStatsRequest(ad=busiest), metadata=admin), args.stats
            )
            figures["get_ad_stats_by_country_ms_p50"], figures["get_ad_stats_by_country_ms_p99"] = await timed(
                lambda: stub.GetAdStats(pb.GetAdStatsRequest(ad=busiest, breakdown=pb.STATS_DIMENSION_COUNTRY), metadata=admin),
                args.stats,
            )
            gc.unfreeze()

            figures["ingest_concurrency"] = args.concurrency
            before = await stub.GetAdStats(pb.GetAdStatsRequest(ad=busiest), metadata=admin)
            for batch in (1, args.write_batch):  # the old path first, then the coalescing writer
                async with grpc.aio.insecure_channel(f"127.0.0.1:{servers[batch].port}") as ingest_channel:
                    result = await ingest(ads_pb2_grpc.AdsServiceStub(ingest_channel), args.ingest_events, args.concurrency, rng)
                label = "one_per_call" if batch == 1 else f"batched_{batch}"
                for key, value in result.items():
                    figures[f"ingest_{label}_{key}"] = value
                log(f"ingest ({label}): {result}")
            after = await stub.GetAdStats(pb.GetAdStatsRequest(ad=busiest), metadata=admin)
            figures["ingest_busiest_ad_impressions_added"] = after.totals.impressions - before.totals.impressions
    finally:
        for running in servers.values():
            await running.stop(1.0)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--impressions", type=int, default=1_000_000)
    parser.add_argument("--ads", type=int, default=20)
    parser.add_argument("--selects", type=int, default=3000)
    parser.add_argument("--stats", type=int, default=300)
    parser.add_argument("--ingest-events", type=int, default=3000, help="impressions recorded per writer mode")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--write-batch", type=int, default=256, help="ads_write_batch of the coalescing run")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()
    if bool(args.database_url) != bool(args.redis_url):
        parser.error("give both --database-url and --redis-url, or neither")
    began = time.perf_counter()
    log(f"load average at start: {os.getloadavg()}")
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
        figures["loadavg"] = [round(v, 2) for v in os.getloadavg()]
        figures["seconds_total"] = round(time.perf_counter() - began, 1)
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
