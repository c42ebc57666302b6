"""Ads use cases: every unit of work and every outside call (Redis counters, Billing, Media, Catalog).

Handlers call exactly one of these per RPC. The clock and the random source are injected, so tests
can run a simulated day over the wire without patching anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from services.ads import counters, domain
from services.ads.billing_client import BillingClient
from services.ads.catalog_client import CatalogClient
from services.ads.counters import CandidateState, ServingCounters
from services.ads.geoip import GeoIP
from services.ads.media_client import MediaClient
from services.ads.models import ImpressionRow
from services.ads.repository import AdsRepository, position
from services.ads.settings import AdsSettings
from services.core.db import Database
from services.core.errors import AlreadyExists, FailedPrecondition, NotFound, invalid
from services.core.paging import PageTokens, page_size
from services.core.userdata import Disposition
from services.core.values import value_from

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Caller:
    """Who sent a public call and from where, as the handler read it from the call."""

    user_id: str = ""
    address: str = ""  # the client's IP as core resolved it (a forwarded one only from our gateway or a trusted proxy)
    user_agent: str = ""


@dataclass(frozen=True)
class ServedAd:
    ad: domain.Ad
    token: str
    token_expire_time: dt.datetime
    video_url: str
    video_mime_type: str
    image_url: str
    width: int
    height: int
    duration_ms: int


@dataclass(frozen=True)
class Selection:
    served: ServedAd | None
    no_fill_reason: int = 0
    ad_free: bool = False


@dataclass(frozen=True)
class RecordedImpression:
    impression_id: str
    click_expire_time: dt.datetime


@dataclass(frozen=True)
class ClickResult:
    redirect_url: str
    counted: bool
    impression_id: str


@dataclass(frozen=True)
class UserExport:
    user_id: str
    export_time: dt.datetime
    impressions: list[domain.Impression]
    caps: list[tuple[str, str, int, dt.datetime | None]]  # (ad | campaign, id, impressions counted, empties at)


@dataclass
class Report:
    totals: domain.Counts
    daily: list[tuple[dt.date, domain.Counts]]
    breakdown: list[tuple[str, domain.Counts]]
    data_time: dt.datetime


@dataclass
class Overview:
    totals: domain.Counts
    daily: list[tuple[dt.date, domain.Counts]]
    placements: list[tuple[int, int, int, int, domain.Counts]]  # placement, requests, fills, capped, metrics
    ad_free_requests: int
    data_time: dt.datetime


@dataclass
class StatsPage:
    rows: list[tuple[Any, domain.Counts]]  # (domain.Ad | domain.Campaign, counts)
    next_page_token: str
    totals: domain.Counts
    total_size: int
    data_time: dt.datetime


HLS = "application/vnd.apple.mpegurl"  # Media plays assets as HLS


@dataclass
class _PendingImpression:
    """A recorded impression waiting for its transaction: the row and what it adds to the rollups."""

    row: ImpressionRow
    counts: domain.Counts
    done: asyncio.Future[ImpressionRow] | None = None

    @property
    def charged(self) -> bool:
        return not self.row.invalid_reason

    def request_key(self) -> tuple[str, str, str] | None:
        return (self.row.user_id, self.row.device_id, self.row.request_id) if self.row.request_id else None


def _store_impressions(repo: AdsRepository, batch: Sequence[_PendingImpression]) -> list[ImpressionRow | Exception]:
    """One unit of work for many impressions: the rows in one INSERT batch, their rollups summed into
    one upsert, each ad's and campaign's counters in one increment. Per event the answer is its new
    row, the row of a retry of the same call (same request id and token), or the error for a request
    id reused with another token. The batch holds no two events with one token or one request id."""
    answers: list[ImpressionRow | Exception] = []
    fresh: list[_PendingImpression] = []
    for item in batch:
        row = item.row
        if row.request_id:
            reused = repo.impression_by_request(row.user_id, row.device_id, row.request_id)
            if reused is not None:
                answers.append(reused if reused.token_id == row.token_id else _request_id_reused(row.request_id))
                continue
        answers.append(row)
        fresh.append(item)
    if fresh:
        repo.add_impressions([item.row for item in fresh])
        repo.add_to_rollups(*(_delta(item.row, item.counts) for item in fresh))
        charges: dict[tuple[str, str], list[int]] = {}
        for item in fresh:
            if item.charged:
                total = charges.setdefault((item.row.ad_id, item.row.campaign_id), [0, 0])
                total[0] += 1
                total[1] += item.row.cost_micros
        for (ad_id, campaign_id), (impressions, micros) in sorted(charges.items()):
            repo.charge(ad_id, campaign_id, impressions=impressions, clicks=0, micros=micros)
    return answers


class _ImpressionWriter:
    """Coalesces this process's concurrent RecordImpression writes: while one transaction is in flight
    the next events queue, and the next transaction takes them all (up to `limit`). An idle writer
    starts at once, so a lone event waits for nobody. A batch that fails (a token recorded meanwhile
    by another process, at the unique index) is rolled back and its events are written one by one,
    so each gets its own answer and the counts stay exact."""

    def __init__(self, write: Callable[[Callable[[AdsRepository], Any]], Awaitable[Any]], limit: int) -> None:
        self._write = write
        self._limit = limit
        self._queue: list[_PendingImpression] = []
        self._task: asyncio.Task[None] | None = None

    async def store(self, item: _PendingImpression) -> ImpressionRow:
        item.done = asyncio.get_running_loop().create_future()
        self._queue.append(item)
        if self._task is None:
            self._task = asyncio.create_task(self._drain())
        return await item.done

    def _next_batch(self) -> list[_PendingImpression]:
        batch: list[_PendingImpression] = []
        tokens: set[str] = set()
        requests: set[tuple[str, str, str]] = set()
        later: list[_PendingImpression] = []
        for item in self._queue:
            assert item.done is not None
            if item.done.done():  # its caller went away before the write began: nothing is stored
                continue
            key = item.request_key()
            if len(batch) >= self._limit or item.row.token_id in tokens or (key is not None and key in requests):
                later.append(item)  # a second event for one token or request id goes in the next transaction
                continue
            batch.append(item)
            tokens.add(item.row.token_id)
            if key is not None:
                requests.add(key)
        self._queue = later
        return batch

    async def _drain(self) -> None:
        batch: list[_PendingImpression] = []
        try:
            while self._queue:
                batch = self._next_batch()
                if batch:
                    self._answer(batch, await self.store_batch(batch))
                batch = []
        finally:
            self._task = None
            for item in (*batch, *self._queue):  # cancelled (the server stops): no caller waits forever
                if item.done is not None and not item.done.done():
                    item.done.cancel()
            self._queue = []

    async def store_batch(self, batch: list[_PendingImpression]) -> list[ImpressionRow | Exception]:
        def store(repo: AdsRepository) -> list[ImpressionRow | Exception]:
            return _store_impressions(repo, batch)

        try:
            return await self._write(store)  # type: ignore[no-any-return]
        except Exception as error:
            if len(batch) == 1:
                return [error]
        return [(await self.store_batch([item]))[0] for item in batch]

    @staticmethod
    def _answer(batch: list[_PendingImpression], answers: list[ImpressionRow | Exception]) -> None:
        for item, answer in zip(batch, answers, strict=True):
            if item.done is None or item.done.done():
                continue
            if isinstance(answer, Exception):
                item.done.set_exception(answer)
            else:
                item.done.set_result(answer)


def _mime(url: str) -> str:
    return HLS if url.split("?")[0].lower().endswith(".m3u8") else "video/mp4"


class AdsUseCases:
    def __init__(
        self,
        database: Database,
        counters: ServingCounters,
        billing: BillingClient,
        media: MediaClient,
        catalog: CatalogClient,
        tokens: domain.ImpressionTokens,
        page_tokens: PageTokens,
        settings: AdsSettings,
        *,
        geoip: GeoIP | None = None,
        clock: Clock = system_clock,
        rng: random.Random | None = None,
    ) -> None:
        self.db = database
        self.counters = counters
        self.billing = billing
        self.media = media
        self.catalog = catalog
        self.tokens = tokens
        self.pages = page_tokens
        self.settings = settings
        self.geoip = geoip
        self.clock = clock
        self.rng = rng or random.Random()
        self._serveable: list[domain.ServeableAd] = []
        self._serveable_by_id: dict[str, domain.Ad] = {}
        self._serial_writes = asyncio.Lock() if database.engine.dialect.name == "sqlite" else None
        self._serveable_time = -1e9
        self._serveable_version: int | None = None
        self._serveable_reload = asyncio.Lock()
        self._impressions = _ImpressionWriter(self._write, settings.ads_write_batch)

    async def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await self.db.run(lambda session: fn(AdsRepository(session), *args, **kwargs))

    async def _write(self, fn: Callable[[AdsRepository], Any]) -> Any:
        """An event's unit of work. SQLite has one writer at a time: this process's event writes queue
        here, in order, instead of in SQLite's busy handler, which sleeps up to 100 ms between tries."""
        if self._serial_writes is None:
            return await self._run(fn)
        async with self._serial_writes:
            return await self._run(fn)

    # -- campaigns --------------------------------------------------------------------------------

    async def _campaign_view(self, campaign: domain.Campaign) -> domain.Campaign:
        campaign.spend_today_micros = await self.counters.campaign_spend_today(campaign.id, self.clock())
        return campaign

    async def create_campaign(self, spec: domain.CampaignSpec, request_id: str) -> domain.Campaign:
        now = self.clock()
        fingerprint = domain.request_fingerprint(dataclasses.asdict(spec))

        def create(repo: AdsRepository) -> domain.Campaign:
            if request_id:
                found = repo.campaign_by_request(request_id)
                if found is not None:
                    domain.check_replay(found[1], fingerprint, request_id)
                    return found[0]
            domain.validate_campaign(spec, now)
            campaign_id = uuid.uuid4().hex
            repo.add_campaign(campaign_id, spec, now, request_id, fingerprint)
            created = repo.campaign(campaign_id)
            assert created is not None
            return created

        campaign = await self._run_idempotent(create, request_id)
        await self._changed()
        return await self._campaign_view(campaign)

    async def _run_idempotent(self, fn: Callable[[AdsRepository], Any], request_id: str) -> Any:
        """A create keyed by request id: two concurrent first calls meet at the unique index; the loser replays."""
        try:
            return await self._run(fn)
        except IntegrityError:
            if not request_id:
                raise
            return await self._run(fn)

    async def get_campaign(self, campaign_id: str) -> domain.Campaign:
        return await self._campaign_view(await self._run(_campaign_or_404, campaign_id))

    async def list_campaigns(
        self, *, states: Sequence[int], advertiser: str, search: str, order: int, size: int, token: str
    ) -> tuple[list[domain.Campaign], str]:
        limit = page_size(size)
        query = f"campaigns|{sorted(states)}|{advertiser}|{search}|{order}"
        after = self.pages.decode(token, query=query)

        def list_(repo: AdsRepository) -> list[domain.Campaign]:
            return repo.list_campaigns(
                states=states or (domain.ACTIVE, domain.PAUSED),
                advertiser=advertiser,
                search=search,
                order=order,
                after=after,
                limit=limit + 1,
            )

        found = await self._run(list_)
        next_token = self.pages.encode(position(order, found[limit - 1]), query=query) if len(found) > limit else ""
        return [await self._campaign_view(c) for c in found[:limit]], next_token

    async def update_campaign(
        self, campaign_id: str, incoming: domain.CampaignSpec, paths: Sequence[str], etag: str
    ) -> domain.Campaign:
        now = self.clock()

        def update(repo: AdsRepository) -> domain.Campaign:
            campaign = _campaign_or_404(repo, campaign_id, lock=True)
            domain.check_etag(etag, campaign.etag)
            if campaign.spec.state == domain.ARCHIVED:
                raise _campaign_archived()
            spec = domain.apply_campaign_mask(campaign.spec, incoming, paths)
            domain.validate_campaign(spec, now, end_changed=spec.end_time != campaign.spec.end_time)
            campaign.spec = spec
            repo.save_campaign(campaign, now)
            return _campaign_or_404(repo, campaign_id)

        campaign = await self._run(update)
        await self._changed()
        return await self._campaign_view(campaign)

    async def set_campaign_state(self, campaign_id: str, state: int, etag: str) -> domain.Campaign:
        now = self.clock()

        def change(repo: AdsRepository) -> domain.Campaign:
            campaign = _campaign_or_404(repo, campaign_id, lock=True)
            domain.check_etag(etag, campaign.etag)
            if campaign.spec.state == domain.ARCHIVED:
                if state == domain.ARCHIVED:
                    return campaign  # archiving an archived campaign changes nothing
                raise _campaign_archived()
            if campaign.spec.state == state:
                return campaign
            campaign.spec = dataclasses.replace(campaign.spec, state=state)
            if state == domain.ARCHIVED:
                campaign.archive_time = now
                repo.archive_campaign_ads(campaign_id, now)
            repo.save_campaign(campaign, now)
            return _campaign_or_404(repo, campaign_id)

        campaign = await self._run(change)
        await self._changed()
        return await self._campaign_view(campaign)

    # -- ads --------------------------------------------------------------------------------------

    async def _ad_view(self, ad: domain.Ad, campaign: domain.Campaign | None = None) -> domain.Ad:
        now = self.clock()
        if campaign is None:
            campaign = await self._run(_campaign_or_404, ad.spec.campaign_id)
        (state,) = (await self.counters.state([ad], "", now))[1]
        ad.spend_today_micros = state.spend.ad_today
        ad.serving_status = domain.serving_status(ad, campaign, now, state.spend)
        return ad

    async def _checked_creative(self, spec: domain.AdSpec) -> domain.AdSpec:
        """Fills an asset creative's duration and size from Media; refuses one that is not ready."""
        creative = spec.creative
        if spec.placement != domain.PLACEMENT_PRE_ROLL or not creative.video_asset:
            return spec
        domain.validate_creative(spec.placement, creative)
        facts = await self.media.asset(creative.video_asset)
        if facts is None or not facts.ready:
            raise FailedPrecondition(
                "creative.video_asset does not exist in Media, is still processing, or failed",
                reason="CREATIVE_ASSET_NOT_READY",
                domain=domain.DOMAIN,
            )
        if not facts.public:
            raise FailedPrecondition(
                "creative.video_asset is not PUBLIC in Media, so viewers without a plan could not play it",
                reason="CREATIVE_ASSET_NOT_PUBLIC",
                domain=domain.DOMAIN,
            )
        filled = dataclasses.replace(
            creative,
            duration_ms=creative.duration_ms or facts.duration_ms,
            width=creative.width or facts.width,
            height=creative.height or facts.height,
        )  # the poster is not stored: Media's URLs are signed and expire, so it comes with each playback
        return dataclasses.replace(spec, creative=filled)

    async def create_ad(self, spec: domain.AdSpec, request_id: str) -> domain.Ad:
        now = self.clock()
        fingerprint = domain.request_fingerprint(dataclasses.asdict(spec))
        if request_id:
            found = await self._run(lambda repo: repo.ad_by_request(request_id))
            if found is not None:
                domain.check_replay(found[1], fingerprint, request_id)
                return await self._ad_view(found[0])
        domain.validate_ad(
            dataclasses.replace(
                spec, creative=dataclasses.replace(spec.creative, duration_ms=spec.creative.duration_ms or 15_000)
            )
            if spec.creative.video_asset
            else spec,
            now,
        )
        spec = await self._checked_creative(spec)
        domain.validate_ad(spec, now)

        def create(repo: AdsRepository) -> domain.Ad:
            if request_id:
                found = repo.ad_by_request(request_id)
                if found is not None:
                    domain.check_replay(found[1], fingerprint, request_id)
                    return found[0]
            campaign = _campaign_or_404(repo, spec.campaign_id, field="ad.campaign")
            if campaign.spec.state == domain.ARCHIVED:
                raise _campaign_archived()
            ad_id = uuid.uuid4().hex
            repo.add_ad(ad_id, spec, now, request_id, fingerprint)
            return _ad_or_404(repo, ad_id)

        ad = await self._run_idempotent(create, request_id)
        await self._changed()
        return await self._ad_view(ad)

    async def get_ad(self, ad_id: str) -> domain.Ad:
        return await self._ad_view(await self._run(_ad_or_404, ad_id))

    async def list_ads(
        self,
        *,
        states: Sequence[int],
        serving_statuses: Sequence[int],
        placements: Sequence[int],
        campaign_id: str,
        advertiser: str,
        search: str,
        order: int,
        size: int,
        token: str,
    ) -> tuple[list[domain.Ad], str]:
        limit = page_size(size)
        query = (
            f"ads|{sorted(states)}|{sorted(serving_statuses)}|{sorted(placements)}|{campaign_id}|{advertiser}|{search}|{order}"
        )
        after = self.pages.decode(token, query=query)
        found = await self._run(
            lambda repo: repo.list_ads(
                order=order,
                after=after,
                limit=limit + 1,
                states=states or (domain.ACTIVE, domain.PAUSED),
                placements=placements,
                campaign_id=campaign_id,
                advertiser=advertiser,
                search=search,
            )
        )
        next_token = self.pages.encode(position(order, found[limit - 1]), query=query) if len(found) > limit else ""
        ads = [await self._ad_view(ad) for ad in found[:limit]]
        if serving_statuses:  # computed live, so filtered on the page (a page may come back shorter)
            ads = [ad for ad in ads if ad.serving_status in serving_statuses]
        return ads, next_token

    async def update_ad(self, ad_id: str, incoming: domain.AdSpec, paths: Sequence[str], etag: str) -> domain.Ad:
        now = self.clock()
        current = await self._run(_ad_or_404, ad_id)
        domain.check_etag(etag, current.etag)
        if current.spec.state == domain.ARCHIVED:
            raise _ad_archived()
        spec = domain.apply_ad_mask(current.spec, incoming, paths)
        if spec.creative != current.spec.creative:
            spec = await self._checked_creative(spec)
        domain.validate_ad(spec, now, end_changed=spec.schedule.end_time != current.spec.schedule.end_time)

        def update(repo: AdsRepository) -> domain.Ad:
            ad = _ad_or_404(repo, ad_id, lock=True)
            domain.check_etag(etag or current.etag, ad.etag)  # nobody changed it while Media was asked
            if ad.spec.state == domain.ARCHIVED:
                raise _ad_archived()
            ad.spec = dataclasses.replace(spec, state=ad.spec.state)
            repo.save_ad(ad, now)
            return _ad_or_404(repo, ad_id)

        ad = await self._run(update)
        await self._changed()
        return await self._ad_view(ad)

    async def set_ad_state(self, ad_id: str, state: int, etag: str) -> domain.Ad:
        now = self.clock()

        def change(repo: AdsRepository) -> domain.Ad:
            ad = _ad_or_404(repo, ad_id, lock=True)
            domain.check_etag(etag, ad.etag)
            if ad.spec.state == domain.ARCHIVED:
                if state == domain.ARCHIVED:
                    return ad
                raise _ad_archived()
            if state == domain.ACTIVE:
                campaign = _campaign_or_404(repo, ad.spec.campaign_id)
                if campaign.spec.state == domain.ARCHIVED:
                    raise _campaign_archived()
            if ad.spec.state == state:
                return ad
            ad.spec = dataclasses.replace(ad.spec, state=state)
            if state == domain.ARCHIVED:
                ad.archive_time = now
            repo.save_ad(ad, now)
            return _ad_or_404(repo, ad_id)

        ad = await self._run(change)
        await self._changed()
        return await self._ad_view(ad)

    async def _changed(self) -> None:
        """An admin write: every process rereads its serveable ads on its next selection."""
        self._serveable_time = -1e9
        await self.counters.bump_version()

    # -- serving ----------------------------------------------------------------------------------

    async def _candidates(self, *, reload: bool = False) -> list[domain.ServeableAd]:
        """Ads that might serve, read from the database at most every few seconds (and after any admin write)."""
        if reload or self._serveable_stale():
            async with self._serveable_reload:  # concurrent callers of a stale list wait for one read
                if reload or self._serveable_stale():
                    version = await self.counters.version()
                    pairs = await self._run(lambda repo: repo.serveable())
                    self._serveable = [domain.ServeableAd(ad, campaign) for ad, campaign in pairs]
                    self._serveable_by_id = {c.id: c.ad for c in self._serveable}
                    self._serveable_time = time.monotonic()
                    self._serveable_version = version
        return self._serveable

    def _serveable_stale(self) -> bool:
        return time.monotonic() - self._serveable_time > self.settings.ads_eligible_cache_seconds

    async def select_ad(self, request: domain.AdRequest, caller: Caller) -> Selection:
        domain.validate_context(request)
        now = self.clock()
        viewer = domain.Viewer(user_id=caller.user_id, device_id=request.viewer.device_id)
        if caller.user_id:
            entitlement = await self.billing.entitlement(caller.user_id)
            if entitlement is None:
                self.counters.count_request(request.placement, "unavailable", now)
                return Selection(None, domain.NO_FILL_ENTITLEMENTS)
            if not entitlement.ads_enabled:
                self.counters.count_request(request.placement, "adfree", now)
                return Selection(None, domain.NO_FILL_AD_FREE, ad_free=True)
            viewer = dataclasses.replace(viewer, plan=entitlement.plan)
        country, region = request.country, request.region
        if not country and self.geoip is not None:
            country, region = self.geoip.locate(caller.address)
        request = dataclasses.replace(request, viewer=viewer, country=country, region=region or request.region)
        matching, states = await self._matching(request, now)
        eligible, capped = [], 0
        for candidate, state in zip(matching, states, strict=True):
            if domain.serving_status(candidate.ad, candidate.campaign, now, state.spend) != domain.SERVING:
                continue
            if not domain.paced(candidate, state.spend, now, self.settings.ads_pacing.value):
                continue
            if state.capped:
                capped += 1
                continue
            eligible.append(candidate)
        chosen, video_url, poster_url = await self._choose_playable(eligible)
        if chosen is None:
            reason = domain.NO_FILL_CAPPED if capped else domain.NO_FILL_NO_ELIGIBLE
            self.counters.count_request(request.placement, "capped" if capped else "nofill", now)
            return Selection(None, reason)
        self.counters.count_request(request.placement, "fill", now)
        return Selection(self._serve(chosen.ad, request, now, video_url, poster_url))

    async def _choose_playable(self, eligible: list[domain.ServeableAd]) -> tuple[domain.ServeableAd | None, str, str]:
        """The weighted choice with its video and poster URLs: an asset creative's come from Media's PUBLIC
        playback (cached); one Media cannot open is passed over for the next choice, never an error."""
        while True:
            chosen = domain.choose(eligible, self.rng)
            if chosen is None:
                return None, "", ""
            creative = chosen.ad.spec.creative
            if not creative.video_asset:
                return chosen, creative.video_url, creative.image_url
            playback = await self.media.playback(creative.video_asset)
            if playback is not None:
                return chosen, playback.url, creative.image_url or playback.poster_url
            eligible = [c for c in eligible if c.id != chosen.id]

    async def _matching(
        self, request: domain.AdRequest, now: dt.datetime
    ) -> tuple[list[domain.ServeableAd], list[CandidateState]]:
        """Candidates for the placement that match the targeting, with their caps and spend (one Redis round
        trip, which also tells whether another process changed the ads since they were read)."""
        for attempt in range(2):
            matching = [
                c
                for c in await self._candidates(reload=attempt > 0)
                if c.ad.spec.placement == request.placement and c.id not in request.exclude_ads
            ]
            if request.title and request.title_genres is None and any(c.ad.spec.targeting.needs_title_facts for c in matching):
                facts = await self.catalog.title(request.title.split("/seasons/")[0])
                if facts is not None:
                    request = dataclasses.replace(request, title_genres=facts.genres, title_categories=facts.categories)
            matching = [c for c in matching if domain.matches(c.ad.spec.targeting, request)]
            version, states = await self.counters.state([c.ad for c in matching], request.viewer.key, now)
            if version == self._serveable_version:
                break
        return matching, states

    def _serve(self, ad: domain.Ad, request: domain.AdRequest, now: dt.datetime, video_url: str, image_url: str) -> ServedAd:
        claims = domain.TokenClaims(
            token_id=uuid.uuid4().hex,
            ad_id=ad.id,
            campaign_id=ad.spec.campaign_id,
            placement=ad.spec.placement,
            user_id=request.viewer.user_id,
            device_id="" if request.viewer.user_id else request.viewer.device_id,
            select_time=now,
            title=request.title,
            country=request.country,
            region=request.region,
            device_type=request.device_type,
        )
        creative = ad.spec.creative
        return ServedAd(
            ad=ad,
            token=self.tokens.mint(claims),
            token_expire_time=now + domain.SELECT_WINDOW,
            video_url=video_url,
            video_mime_type=HLS if creative.video_asset else _mime(video_url) if video_url else "",
            image_url=image_url,
            width=creative.width,
            height=creative.height,
            duration_ms=creative.duration_ms,
        )

    # -- recording --------------------------------------------------------------------------------

    async def _claims(
        self, token: str, device_id: str, caller: Caller, *, click: bool
    ) -> tuple[domain.TokenClaims, domain.Viewer]:
        if not token:
            raise invalid("impression_token", "is required", reason="IMPRESSION_TOKEN_INVALID")
        claims = self.tokens.verify(token)
        viewer = domain.Viewer(user_id=caller.user_id, device_id="" if caller.user_id else device_id)
        if not domain.bound_to(claims, viewer):
            # A real token replayed by someone else: counted apart as invalid traffic, then refused.
            await self._run(self._count_invalid, claims, click=click)
            raise domain.token_invalid("impression_token was minted for another user or device")
        return claims, viewer

    def _count_invalid(self, repo: AdsRepository, claims: domain.TokenClaims, *, click: bool) -> None:
        counts = domain.Counts(invalid_clicks=1) if click else domain.Counts(invalid_impressions=1)
        repo.add_to_rollups(
            domain.RollupDelta(
                claims.ad_id,
                claims.campaign_id,
                domain.hour_of(self.clock()),
                domain.dimension_keys(claims.country, claims.device_type, claims.title),
                counts,
            )
        )

    async def record_impression(
        self, token: str, device_id: str, video: tuple[int, int] | None, request_id: str, caller: Caller
    ) -> RecordedImpression:
        if len(request_id) > 128:
            raise invalid("request_id", "must be at most 128 characters")
        claims, viewer = await self._claims(token, device_id, caller, click=False)
        now = self.clock()

        def prior(repo: AdsRepository) -> tuple[ImpressionRow | None, domain.Ad]:
            existing = repo.impression_by_token(claims.token_id)
            if existing is None and request_id:
                reused = repo.impression_by_request(claims.user_id, claims.device_id, request_id)
                if reused is not None:
                    raise _request_id_reused(request_id)
            ad = repo.ad(claims.ad_id)
            if ad is None:
                raise domain.token_invalid("impression_token names an ad that does not exist")
            return existing, ad

        await self._candidates()  # the serveable ads, reread when stale: one read for many impressions
        ad = self._serveable_by_id.get(claims.ad_id)
        if ad is None or not domain.within_select_window(claims, now):
            # Not among the ads this process serves (archived since, or another process's new ad), or a
            # late retry: read first. The common path skips this read and meets a replay at the unique index.
            existing, ad = await self._run(prior)
            if existing is not None:
                return self._replayed(existing, request_id)
            domain.check_select_window(claims, now)
        is_video = ad.spec.placement == domain.PLACEMENT_PRE_ROLL
        if video is not None and not is_video:
            raise FailedPrecondition(
                "a video outcome was sent for a banner impression", reason="NOT_A_VIDEO_AD", domain=domain.DOMAIN
            )
        outcome = (
            domain.video_outcome(
                video[0], video[1], ad.spec.creative.duration_ms, ad.spec.creative.skip_offset_ms, "video_result"
            )
            if video is not None
            else None
        )
        invalid_reason = "BOT" if domain.is_bot(caller.user_agent, self.settings.ads_bot_user_agents) else ""
        counted = counters.ALREADY_COUNTED
        if not invalid_reason:
            counted = await self.counters.count_towards_caps(ad, viewer.key, claims.token_id, now)
            if counted == counters.CAPPED:
                invalid_reason = "FREQUENCY_CAP"  # a race between processes: shown, but never charged past the cap
        cost = 0 if invalid_reason else domain.charge_per_impression(ad.spec)
        impression_id = uuid.uuid4().hex

        row = ImpressionRow(
            id=impression_id,
            token_id=claims.token_id,
            request_id=request_id,
            ad_id=ad.id,
            campaign_id=ad.spec.campaign_id,
            placement=ad.spec.placement,
            user_id=claims.user_id,
            device_id=claims.device_id,
            title=claims.title,
            country=claims.country,
            region=claims.region,
            device_type=claims.device_type,
            select_time=claims.select_time,
            record_time=now,
            is_video=is_video,
            duration_ms=ad.spec.creative.duration_ms,
            skip_offset_ms=ad.spec.creative.skip_offset_ms,
            cost_micros=cost,
            invalid_reason=invalid_reason,
            click_count=0,
            click_counted=False,
            video_outcome=0,
            finish_request_id="",
            click_request_id="",
        )
        counts = (
            domain.Counts(invalid_impressions=1)
            if invalid_reason
            else domain.Counts(impressions=1, video_impressions=int(is_video), revenue_micros=cost)
        )
        if outcome is not None:
            _apply_outcome(row, outcome, now, request_id)
            if not invalid_reason:
                _add_outcome(counts, outcome)
        pending = _PendingImpression(row, counts)

        try:
            stored = await self._store_impression(pending)
        except IntegrityError:
            existing = await self._run(lambda repo: repo.impression_by_token(claims.token_id))
            if existing is None:
                await self._take_back(counted, ad, viewer.key, claims.token_id)
                raise
            return self._replayed(existing, request_id)
        except BaseException:
            await self._take_back(counted, ad, viewer.key, claims.token_id)
            raise
        if stored.id != impression_id:
            return self._replayed(stored, request_id)
        if not invalid_reason:
            await self.counters.delivered(ad, viewer.key, ad.spec.placement, cost, now)
        return RecordedImpression(row.id, now + domain.CLICK_WINDOW)

    async def _store_impression(self, pending: _PendingImpression) -> ImpressionRow:
        """The impression's unit of work: shared with concurrent ones unless batching is off (limit 1)."""
        if self.settings.ads_write_batch > 1:
            return await self._impressions.store(pending)
        answer = (await self._impressions.store_batch([pending]))[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def _take_back(self, counted: int, ad: domain.Ad, viewer: str, member: str) -> None:
        """Nothing was stored: the cap entry this call added (and only that) is taken back."""
        if counted == counters.ADDED:
            with contextlib.suppress(Exception):  # the original error is the one to report
                await self.counters.forget_cap(ad, viewer, member)

    @staticmethod
    def _replayed(existing: ImpressionRow, request_id: str) -> RecordedImpression:
        if request_id and existing.request_id == request_id:
            return RecordedImpression(existing.id, existing.record_time + domain.CLICK_WINDOW)
        raise AlreadyExists(
            "this impression token was already recorded; tokens are single-use (safe to treat as done)",
            reason="IMPRESSION_ALREADY_RECORDED",
            domain=domain.DOMAIN,
            metadata={"impression": f"impressions/{existing.id}"},
        )

    async def finish_impression(
        self, token: str, device_id: str, video: tuple[int, int], request_id: str, caller: Caller
    ) -> tuple[str, int]:
        claims, _viewer = await self._claims(token, device_id, caller, click=False)
        now = self.clock()

        def finish(repo: AdsRepository) -> tuple[str, int]:
            row = repo.impression_by_token(claims.token_id, lock=True)
            if row is None:
                raise FailedPrecondition(
                    "the impression of this token was never recorded", reason="IMPRESSION_NOT_RECORDED", domain=domain.DOMAIN
                )
            if not row.is_video:
                raise FailedPrecondition(
                    "a video outcome was sent for a banner impression", reason="NOT_A_VIDEO_AD", domain=domain.DOMAIN
                )
            if row.video_outcome:
                if request_id and row.finish_request_id == request_id:
                    return row.id, row.video_outcome
                raise AlreadyExists(
                    "this impression's outcome was already recorded", reason="IMPRESSION_ALREADY_RECORDED", domain=domain.DOMAIN
                )
            domain.check_click_window(row.record_time, now)
            outcome = domain.video_outcome(video[0], video[1], row.duration_ms, row.skip_offset_ms, "video_result")
            _apply_outcome(row, outcome, now, request_id)
            if not row.invalid_reason:
                counts = domain.Counts()
                _add_outcome(counts, outcome)
                repo.add_to_rollups(_delta(row, counts))
            return row.id, row.video_outcome

        return await self._write(finish)  # type: ignore[no-any-return]

    async def record_click(self, token: str, device_id: str, request_id: str, caller: Caller) -> ClickResult:
        if len(request_id) > 128:
            raise invalid("request_id", "must be at most 128 characters")
        claims, viewer = await self._claims(token, device_id, caller, click=True)
        now = self.clock()

        def prior(repo: AdsRepository) -> tuple[ImpressionRow | None, domain.Ad]:
            row = repo.impression_by_token(claims.token_id)
            if request_id and (row is None or row.click_request_id != request_id):
                other = repo.impression_by_click_request(request_id, claims.user_id, claims.device_id)
                if other is not None:
                    raise _request_id_reused(request_id)
            ad = repo.ad(claims.ad_id)
            if ad is None:
                raise domain.token_invalid("impression_token names an ad that does not exist")
            return row, ad

        row, ad = await self._run(prior)
        if row is not None and request_id and row.click_request_id == request_id:
            return ClickResult(ad.spec.click_url, True, row.id)
        if row is None:
            # A click on a token whose impression was not recorded yet records the impression first.
            with contextlib.suppress(AlreadyExists):  # recorded concurrently
                await self.record_impression(token, device_id, None, "", caller)
        else:
            domain.check_click_window(row.record_time, now)
        bot = domain.is_bot(caller.user_agent, self.settings.ads_bot_user_agents)
        repeated = await self.counters.repeated_click(viewer.key, ad.id, self.settings.ads_click_repeat_seconds, now)

        def click(repo: AdsRepository) -> tuple[str, bool, int]:
            found = repo.impression_by_token(claims.token_id, lock=True)
            assert found is not None
            found.click_count += 1
            if found.first_click_time is None:
                found.first_click_time = now
            counted = not found.click_counted and not found.invalid_reason and not bot and not repeated
            cost = 0
            if counted:
                cost = domain.charge_per_click(ad.spec)
                found.click_counted = True
                found.click_request_id = request_id
                found.cost_micros += cost
                repo.add_to_rollups(_delta(found, domain.Counts(clicks=1, revenue_micros=cost)))
                repo.charge(ad.id, ad.spec.campaign_id, impressions=0, clicks=1, micros=cost)
            elif bot or repeated or found.invalid_reason:
                repo.add_to_rollups(_delta(found, domain.Counts(invalid_clicks=1)))
            return found.id, counted, cost

        impression_id, counted, cost = await self._write(click)
        await self.counters.charged(ad, cost, now)
        return ClickResult(ad.spec.click_url, counted, impression_id)

    async def get_impression(self, impression_id: str) -> domain.Impression:
        row = await self._run(lambda repo: repo.impression(impression_id))
        if row is None:
            raise NotFound("no such impression", metadata={"name": f"impressions/{impression_id}"})
        return _impression(row)

    async def list_impressions(
        self,
        *,
        ad_id: str,
        campaign_id: str,
        user_id: str,
        device_id: str,
        start: dt.datetime | None,
        end: dt.datetime | None,
        clicked_only: bool,
        size: int,
        token: str,
    ) -> tuple[list[domain.Impression], str]:
        if start is not None and end is not None and end < start:
            raise invalid("end_time", "must not be before start_time")
        limit = page_size(size, default=50, maximum=500)
        query = f"impressions|{ad_id}|{campaign_id}|{user_id}|{device_id}|{start}|{end}|{clicked_only}"
        after = self.pages.decode(token, query=query)
        rows = await self._run(
            lambda repo: repo.list_impressions(
                ad_id=ad_id,
                campaign_id=campaign_id,
                user_id=user_id,
                device_id=device_id,
                start=start,
                end=end,
                clicked_only=clicked_only,
                after=after,
                limit=limit + 1,
            )
        )
        next_token = ""
        if len(rows) > limit:
            last = rows[limit - 1]
            next_token = self.pages.encode({"t": last.record_time.isoformat(), "id": last.id}, query=query)
        return [_impression(row) for row in rows[:limit]], next_token

    # -- account export and erasure ---------------------------------------------------------------

    async def export_user_data(self, user_id: str) -> UserExport:
        rows = await self._run(lambda repo: repo.user_impressions(user_id))
        now = self.clock()
        caps = await self.counters.viewer_caps(domain.Viewer(user_id=user_id).key, now)
        return UserExport(user_id, now, [_impression(row) for row in rows], caps)

    async def purge_user_data(self, user_id: str, request_id: str) -> tuple[list[Disposition], list[Disposition]]:
        if len(request_id) > 128:
            raise invalid("request_id", "must be at most 128 characters")

        def purge(repo: AdsRepository) -> tuple[int, int, int]:
            counts = repo.user_impression_counts(user_id)
            repo.delete_user_impressions(user_id)
            return counts

        impressions, counted, clicks = await self._run(purge)
        serving_keys = await self.counters.forget_viewer(domain.Viewer(user_id=user_id).key)
        self.billing.forget(user_id)
        return domain.erasure_report(impressions, counted, clicks, serving_keys)

    # -- reports ----------------------------------------------------------------------------------

    async def _report(
        self,
        scope: str,
        range_: domain.DateRange,
        hourly: list[tuple[dt.datetime, domain.Counts]],
        breakdown: list[tuple[str, domain.Counts]],
    ) -> Report:
        days: dict[dt.date, domain.Counts] = {day: domain.Counts() for day in range_.days}
        totals = domain.Counts()
        for hour, counts in hourly:
            day = range_.day_of(hour)
            if day in days:
                days[day].add(counts)
                totals.add(counts)
        uniques = await self.counters.uniques(scope, [range_.hours(day) for day in range_.days] + [range_.hours()])
        for (_day, counts), unique in zip(days.items(), uniques, strict=False):
            counts.unique_users = unique
        totals.unique_users = uniques[-1]
        ordered = sorted(breakdown, key=lambda item: (-item[1].impressions, item[0]))[:100]
        return Report(totals, list(days.items()), ordered, self.clock())

    async def ad_stats(self, ad_id: str, start: dt.date | None, end: dt.date | None, time_zone: str, breakdown: int) -> Report:
        range_ = domain.date_range(start, end, time_zone, self.clock())

        def read(repo: AdsRepository) -> tuple[Any, Any]:
            ad = _ad_or_404(repo, ad_id)
            hourly = repo.hourly(range_.utc_start, range_.utc_end, ad_ids=[ad_id], daily=range_.whole_utc_days)
            if breakdown == domain.DIM_PLACEMENT:
                totals = domain.Counts()
                for _hour, counts in hourly:
                    totals.add(counts)
                return hourly, [(domain.PLACEMENT_NAMES[ad.spec.placement], totals)] if totals.impressions else []
            if breakdown in domain.ROLLUP_DIMENSIONS:
                return hourly, repo.by_key(domain.ROLLUP_DIMENSIONS[breakdown], range_.utc_start, range_.utc_end, ad_ids=[ad_id])
            return hourly, []

        hourly, rows = await self._run(read)
        return await self._report(f"ad:{ad_id}", range_, hourly, rows)

    async def campaign_stats(
        self, campaign_id: str, start: dt.date | None, end: dt.date | None, time_zone: str, breakdown: int
    ) -> Report:
        range_ = domain.date_range(start, end, time_zone, self.clock())

        def read(repo: AdsRepository) -> tuple[Any, Any]:
            _campaign_or_404(repo, campaign_id)
            hourly = repo.hourly(range_.utc_start, range_.utc_end, campaign_id=campaign_id, daily=range_.whole_utc_days)
            if breakdown == domain.DIM_PLACEMENT:
                return hourly, _by_placement(
                    repo, repo.by_ad(range_.utc_start, range_.utc_end, campaign_id=campaign_id, daily=range_.whole_utc_days)
                )
            if breakdown in domain.ROLLUP_DIMENSIONS:
                dimension = domain.ROLLUP_DIMENSIONS[breakdown]
                return hourly, repo.by_key(dimension, range_.utc_start, range_.utc_end, campaign_id=campaign_id)
            return hourly, []

        hourly, rows = await self._run(read)
        return await self._report(f"cmp:{campaign_id}", range_, hourly, rows)

    async def list_ad_stats(
        self,
        *,
        start: dt.date | None,
        end: dt.date | None,
        time_zone: str,
        filters: dict[str, Any],
        order: int,
        size: int,
        token: str,
    ) -> StatsPage:
        range_ = domain.date_range(start, end, time_zone, self.clock())
        limit = page_size(size)
        query = f"adstats|{range_.start}|{range_.end}|{time_zone}|{sorted(filters.items())}|{order}"
        offset = int((self.pages.decode(token, query=query) or {}).get("o", 0))

        def read(repo: AdsRepository) -> tuple[list[domain.Ad], dict[str, domain.Counts]]:
            ads = repo.all_ads(**{k: v for k, v in filters.items() if k != "serving_statuses"})
            return ads, repo.by_ad(range_.utc_start, range_.utc_end, ad_ids=[a.id for a in ads], daily=range_.whole_utc_days)

        ads, counts = await self._run(read)
        if filters.get("serving_statuses"):
            ads = [a for a in [await self._ad_view(a) for a in ads] if a.serving_status in filters["serving_statuses"]]
        rows = [(ad, counts.get(ad.id, domain.Counts())) for ad in ads]
        return await self._stats_page(rows, "ad", range_, order, offset, limit, query)

    async def list_campaign_stats(
        self,
        *,
        start: dt.date | None,
        end: dt.date | None,
        time_zone: str,
        states: Sequence[int],
        advertiser: str,
        search: str,
        order: int,
        size: int,
        token: str,
    ) -> StatsPage:
        range_ = domain.date_range(start, end, time_zone, self.clock())
        limit = page_size(size)
        query = f"cmpstats|{range_.start}|{range_.end}|{time_zone}|{sorted(states)}|{advertiser}|{search}|{order}"
        offset = int((self.pages.decode(token, query=query) or {}).get("o", 0))

        def read(repo: AdsRepository) -> tuple[list[domain.Campaign], dict[str, domain.Counts]]:
            campaigns = repo.all_campaigns(
                states=states or (domain.ACTIVE, domain.PAUSED, domain.ARCHIVED), advertiser=advertiser, search=search
            )
            return campaigns, repo.by_campaign(range_.utc_start, range_.utc_end, daily=range_.whole_utc_days)

        campaigns, counts = await self._run(read)
        rows = [(c, counts.get(c.id, domain.Counts())) for c in campaigns]
        return await self._stats_page(rows, "cmp", range_, order, offset, limit, query)

    async def _stats_page(
        self,
        rows: list[tuple[Any, domain.Counts]],
        scope: str,
        range_: domain.DateRange,
        order: int,
        offset: int,
        limit: int,
        query: str,
    ) -> StatsPage:
        rows.sort(key=lambda row: (-domain.sort_value(row[1], order), row[0].id))
        totals = domain.Counts()
        for _item, counts in rows:
            totals.add(counts)
        page = rows[offset : offset + limit]
        hours = range_.hours()
        per_row = await self.counters.uniques_many([f"{scope}:{item.id}" for item, _ in page], hours)
        for (_item, counts), unique in zip(page, per_row, strict=True):
            counts.unique_users = unique
        if len(rows) * len(hours) <= 50_000:  # a union over more keys than this is left at 0
            totals.unique_users = await self.counters.union([f"{scope}:{item.id}" for item, _ in rows], hours)
        next_token = self.pages.encode({"o": offset + limit}, query=query) if offset + limit < len(rows) else ""
        return StatsPage(page, next_token, totals, len(rows), self.clock())

    async def overview(self, start: dt.date | None, end: dt.date | None, time_zone: str) -> Overview:
        range_ = domain.date_range(start, end, time_zone, self.clock())

        def read(repo: AdsRepository) -> tuple[Any, Any]:
            hourly = repo.hourly(range_.utc_start, range_.utc_end, daily=range_.whole_utc_days)
            return hourly, _by_placement_ids(repo, repo.by_ad(range_.utc_start, range_.utc_end, daily=range_.whole_utc_days))

        hourly, per_placement = await self._run(read)
        report = await self._report("all", range_, hourly, [])
        await self.counters.flush_requests()  # this process's latest request counts are in the answer
        requests = await self.counters.requests(range_.hours())
        placements = []
        uniques = await self.counters.uniques_many([f"pl:{p}" for p in domain.PLACEMENTS], range_.hours())
        for placement, unique in zip(domain.PLACEMENTS, uniques, strict=True):
            metrics = per_placement.get(placement, domain.Counts())
            metrics.unique_users = unique
            placements.append(
                (
                    placement,
                    requests.get(f"{placement}:requests", 0),
                    requests.get(f"{placement}:fill", 0),
                    requests.get(f"{placement}:capped", 0),
                    metrics,
                )
            )
        return Overview(report.totals, report.daily, placements, requests.get("adfree", 0), report.data_time)


# -- helpers used inside units of work -------------------------------------------------------------


def _impression(row: ImpressionRow) -> domain.Impression:
    return value_from(domain.Impression, row)


def _campaign_or_404(repo: AdsRepository, campaign_id: str, *, lock: bool = False, field: str = "name") -> domain.Campaign:
    campaign = repo.campaign(campaign_id, lock=lock)
    if campaign is None:
        raise NotFound("no such campaign", metadata={field: f"campaigns/{campaign_id}"})
    return campaign


def _ad_or_404(repo: AdsRepository, ad_id: str, *, lock: bool = False) -> domain.Ad:
    ad = repo.ad(ad_id, lock=lock)
    if ad is None:
        raise NotFound("no such ad", metadata={"name": f"ads/{ad_id}"})
    return ad


def _campaign_archived() -> FailedPrecondition:
    return FailedPrecondition("the campaign is archived", reason="CAMPAIGN_NOT_ACTIVE", domain=domain.DOMAIN)


def _ad_archived() -> FailedPrecondition:
    return FailedPrecondition("the ad is archived", reason="AD_NOT_ACTIVE", domain=domain.DOMAIN)


def _request_id_reused(request_id: str) -> AlreadyExists:
    return AlreadyExists(
        "request_id was already used for a different request", reason="REQUEST_ID_REUSED", metadata={"request_id": request_id}
    )


def _apply_outcome(row: ImpressionRow, outcome: domain.Outcome, now: dt.datetime, request_id: str) -> None:
    row.video_outcome = outcome.outcome
    row.viewed_ms = outcome.viewed_ms
    row.viewable = outcome.viewable
    row.finish_time = now
    row.finish_request_id = request_id


def _add_outcome(counts: domain.Counts, outcome: domain.Outcome) -> None:
    counts.outcomes += 1
    counts.viewed_ms += outcome.viewed_ms
    counts.viewable += int(outcome.viewable)
    counts.completions += int(outcome.outcome == domain.OUTCOME_COMPLETED)
    counts.skips += int(outcome.outcome == domain.OUTCOME_SKIPPED)


def _delta(row: ImpressionRow, counts: domain.Counts) -> domain.RollupDelta:
    """Every event lands in its impression's hour, so an hour's clicks never exceed its impressions."""
    return domain.RollupDelta(
        row.ad_id,
        row.campaign_id,
        domain.hour_of(row.record_time),
        domain.dimension_keys(row.country, row.device_type, row.title),
        counts,
    )


def _by_placement_ids(repo: AdsRepository, per_ad: dict[str, domain.Counts]) -> dict[int, domain.Counts]:
    placements = repo.ad_placements(list(per_ad))
    found: dict[int, domain.Counts] = {}
    for ad_id, counts in per_ad.items():
        found.setdefault(placements.get(ad_id, 0), domain.Counts()).add(counts)
    return found


def _by_placement(repo: AdsRepository, per_ad: dict[str, domain.Counts]) -> list[tuple[str, domain.Counts]]:
    return [(domain.PLACEMENT_NAMES.get(p, ""), c) for p, c in _by_placement_ids(repo, per_ad).items() if c.impressions]
