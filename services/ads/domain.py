"""Ads rules on plain values: validation, serving status, eligibility and targeting, pacing, weighted
choice, impression tokens, MRC outcome rules and report arithmetic. No I/O here.

Enum values are the contract's numbers (`marquee.ads.v1`), kept as ints so this module needs no protobuf.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import random
import re
import urllib.parse
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.core.errors import (
    Aborted,
    AlreadyExists,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    invalid,
)
from services.core.userdata import Disposition as Disposition  # explicit: the mapping names `domain.Disposition`

# -- contract numbers ------------------------------------------------------------------------------

PLACEMENT_PRE_ROLL, PLACEMENT_LEADERBOARD, PLACEMENT_RECTANGLE, PLACEMENT_MOBILE_BANNER = 1, 2, 3, 4
PLACEMENTS = (1, 2, 3, 4)
BANNER_SIZES = {PLACEMENT_LEADERBOARD: (728, 90), PLACEMENT_RECTANGLE: (300, 250), PLACEMENT_MOBILE_BANNER: (320, 50)}
PLACEMENT_NAMES = {1: "PLACEMENT_PRE_ROLL", 2: "PLACEMENT_LEADERBOARD", 3: "PLACEMENT_RECTANGLE", 4: "PLACEMENT_MOBILE_BANNER"}
DEVICE_NAMES = {
    0: "DEVICE_TYPE_UNSPECIFIED",
    1: "DEVICE_TYPE_DESKTOP_WEB",
    2: "DEVICE_TYPE_MOBILE_WEB",
    3: "DEVICE_TYPE_ANDROID",
    4: "DEVICE_TYPE_IOS",
    5: "DEVICE_TYPE_TV",
}

ACTIVE, PAUSED, ARCHIVED = 1, 2, 3  # AdState and CampaignState share the numbers

(
    SERVING,
    S_PAUSED,
    S_CAMPAIGN_PAUSED,
    S_SCHEDULED,
    S_ENDED,
    S_OUTSIDE_DAY_PARTS,
    S_BUDGET_EXHAUSTED,
    S_DAILY_BUDGET_EXHAUSTED,
    S_CREATIVE_NOT_READY,
    S_ARCHIVED,
) = range(1, 11)

CPM, CPC = 1, 2
VIEWER_ANONYMOUS, VIEWER_SIGNED_IN = 1, 2
NO_FILL_AD_FREE, NO_FILL_NO_ELIGIBLE, NO_FILL_CAPPED, NO_FILL_ENTITLEMENTS = 1, 2, 3, 4
OUTCOME_COMPLETED, OUTCOME_SKIPPED, OUTCOME_ABANDONED, OUTCOME_FAILED = 1, 2, 3, 4

DIM_COUNTRY, DIM_DEVICE, DIM_TITLE, DIM_PLACEMENT = 1, 2, 3, 4
ROLLUP_DIMENSIONS = {DIM_COUNTRY: "country", DIM_DEVICE: "device", DIM_TITLE: "title"}

ORDER_IMPRESSIONS, ORDER_CLICKS, ORDER_CTR, ORDER_REVENUE, ORDER_ECPM, ORDER_COMPLETION = 1, 2, 3, 4, 5, 6

DOMAIN = "marquee.ads"
SELECT_WINDOW = dt.timedelta(minutes=15)
CLICK_WINDOW = dt.timedelta(minutes=60)
DEFAULT_CAPS = ((3, 86_400),)
MICROS = 1_000_000
# MRC: a video impression is viewable after 2 continuous seconds in view (display: 1 s, which a
# render-time impression cannot prove, so banner viewability stays unknown).
MRC_VIDEO_VIEWABLE_MS = 2_000

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_REGION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TITLE = re.compile(r"^titles/[A-Za-z0-9_-]{1,64}(/seasons/\d{1,4}/episodes/\d{1,5})?$")
_CATEGORY = re.compile(r"^categories/[A-Za-z0-9_-]{1,64}$")
_ASSET = re.compile(r"^assets/[A-Za-z0-9_-]{1,64}$")
_ID = re.compile(r"^[0-9a-f]{32}$")


# -- values ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Creative:
    video_asset: str = ""
    video_url: str = ""
    image_url: str = ""
    width: int = 0
    height: int = 0
    duration_ms: int = 0
    skip_offset_ms: int = 0
    alt_text: str = ""
    call_to_action: str = ""


@dataclass(frozen=True)
class Targeting:
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    excluded_countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    device_types: tuple[int, ...] = ()
    genres: tuple[str, ...] = ()
    excluded_genres: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    excluded_titles: tuple[str, ...] = ()
    viewer_types: tuple[int, ...] = ()
    plans: tuple[str, ...] = ()

    @property
    def needs_title_facts(self) -> bool:
        return bool(self.genres or self.excluded_genres or self.categories)


@dataclass(frozen=True)
class DayPart:
    days: tuple[int, ...] = ()  # google.type.DayOfWeek: 1 Monday .. 7 Sunday
    start_minute: int = 0
    end_minute: int = 1440


@dataclass(frozen=True)
class Schedule:
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    time_zone: str = "UTC"
    day_parts: tuple[DayPart, ...] = ()


@dataclass(frozen=True)
class Budget:
    total_micros: int | None = None
    daily_micros: int | None = None


@dataclass(frozen=True)
class CampaignSpec:
    display_name: str = ""
    advertiser: str = ""
    description: str = ""
    state: int = 0
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    budget: Budget = Budget()


@dataclass(frozen=True)
class AdSpec:
    display_name: str = ""
    campaign_id: str = ""
    placement: int = 0
    creative: Creative = Creative()
    click_url: str = ""
    targeting: Targeting = Targeting()
    schedule: Schedule = Schedule()
    pricing_model: int = 0  # 0: a house ad
    rate_micros: int = 0
    budget: Budget = Budget()
    priority: int = 50
    weight: int = 100
    caps: tuple[tuple[int, int], ...] = ()  # (max impressions, period seconds); empty: DEFAULT_CAPS
    state: int = 0

    @property
    def effective_caps(self) -> tuple[tuple[int, int], ...]:
        return self.caps or DEFAULT_CAPS


@dataclass
class Campaign:
    id: str
    spec: CampaignSpec
    spend_micros: int = 0
    spend_today_micros: int = 0
    ad_count: int = 0
    version: int = 1
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None
    archive_time: dt.datetime | None = None

    @property
    def etag(self) -> str:
        return etag_of(self.id, self.version)


@dataclass
class Ad:
    id: str
    spec: AdSpec
    advertiser: str = ""
    impressions: int = 0
    clicks: int = 0
    spend_micros: int = 0
    spend_today_micros: int = 0
    serving_status: int = 0
    version: int = 1
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None
    archive_time: dt.datetime | None = None

    @property
    def etag(self) -> str:
        return etag_of(self.id, self.version)


@dataclass(frozen=True)
class Impression:
    """A recorded impression as support and fraud review see it."""

    id: str
    ad_id: str
    campaign_id: str
    placement: int
    user_id: str
    device_id: str
    title: str
    country: str
    region: str
    device_type: int
    select_time: dt.datetime
    record_time: dt.datetime
    video_outcome: int
    viewed_ms: int | None
    finish_time: dt.datetime | None
    click_count: int
    first_click_time: dt.datetime | None
    cost_micros: int


def erasure_report(impressions: int, counted: int, clicks: int, serving_keys: int) -> tuple[list[Disposition], list[Disposition]]:
    """(erased, retained) for a user's purge: the rows and counters that name them go; the aggregates,
    which name nobody and which advertisers' reports and charges rest on, stay."""
    erased = [
        Disposition(
            "impressions",
            impressions,
            f"recorded impressions linked to the user, with their video outcomes and {clicks} clicks, deleted",
        ),
        Disposition("frequency_caps", serving_keys, "frequency-cap counters and repeated-click marks in Redis, deleted"),
    ]
    retained = [
        Disposition(
            "delivery_rollups",
            impressions,
            "hourly and daily delivery counts per ad, country, device type and title that these impressions were "
            "added to; they hold no user id and advertisers' reports and charges rest on them",
        ),
        Disposition(
            "unique_viewer_sketches",
            counted,
            "HyperLogLog sketches of unique viewers that counted impressions were added to; no user id can be read "
            "back from them, and they expire after 400 days",
        ),
    ]
    return erased, retained


def etag_of(resource_id: str, version: int) -> str:
    return hashlib.sha256(f"{resource_id}:{version}".encode()).hexdigest()[:16]


def check_etag(given: str, current: str) -> None:
    if given and given != current:
        raise Aborted("etag does not match the stored one; read it again", reason="ETAG_MISMATCH")


def parse_id(name: str, collection: str, field_name: str = "name") -> str:
    prefix = f"{collection}/"
    if not name.startswith(prefix) or not _ID.match(name[len(prefix) :]):
        raise invalid(field_name, f"must be `{collection}/{{id}}`")
    return name[len(prefix) :]


def money_micros(units: int, nanos: int) -> int:
    return units * MICROS + nanos // 1000


# -- validation ------------------------------------------------------------------------------------


def _violation(field_name: str, description: str, reason: str = "INVALID_ARGUMENT") -> InvalidArgument:
    return InvalidArgument(f"{field_name}: {description}", reason=reason, violations=[FieldViolation(field_name, description)])


def _text(value: str, field_name: str, limit: int, *, required: bool = False) -> None:
    if required and not value.strip():
        raise _violation(field_name, "is required")
    if len(value) > limit:
        raise _violation(field_name, f"must be at most {limit} characters")


def check_time_zone(value: str, field_name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(value or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _violation(field_name, f"unknown time zone {value[:64]!r}", "INVALID_SCHEDULE") from None


def _window(start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime, prefix: str, *, new_end: bool) -> None:
    if start is not None and end is not None and end <= start:
        raise _violation(f"{prefix}end_time", "must be after start_time", "INVALID_SCHEDULE")
    if end is not None and new_end and end <= now:
        raise _violation(f"{prefix}end_time", "is already past", "INVALID_SCHEDULE")


def _budget(budget: Budget, prefix: str) -> None:
    for name, value in (("total", budget.total_micros), ("daily", budget.daily_micros)):
        if value is not None and value <= 0:
            raise _violation(f"{prefix}budget.{name}", "must be positive")


def validate_campaign(spec: CampaignSpec, now: dt.datetime, *, end_changed: bool = True) -> None:
    _text(spec.display_name, "campaign.display_name", 200, required=True)
    _text(spec.advertiser, "campaign.advertiser", 200, required=True)
    _text(spec.description, "campaign.description", 2000)
    if spec.state not in (0, ACTIVE, PAUSED):
        raise _violation("campaign.state", "must be ACTIVE or PAUSED on create")
    _window(spec.start_time, spec.end_time, now, "campaign.", new_end=end_changed)
    _budget(spec.budget, "campaign.")


def _https(url: str, field_name: str, *, allow_http: bool = False) -> None:
    parsed = urllib.parse.urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if parsed.scheme not in schemes or not parsed.netloc or len(url) > 2048 or any(c.isspace() for c in url):
        allowed = "an absolute http or https URL" if allow_http else "an absolute https URL"
        raise _violation(
            field_name,
            f"must be {allowed} of at most 2,048 characters",
            "INVALID_CREATIVE" if "creative" in field_name else "INVALID_ARGUMENT",
        )


def _creative_error(field_name: str, description: str) -> InvalidArgument:
    return _violation(f"ad.creative.{field_name}", description, "INVALID_CREATIVE")


def validate_creative(placement: int, creative: Creative) -> None:
    _text(creative.alt_text, "ad.creative.alt_text", 200)
    _text(creative.call_to_action, "ad.creative.call_to_action", 25)
    if placement == PLACEMENT_PRE_ROLL:
        if bool(creative.video_asset) == bool(creative.video_url):
            raise _creative_error("video_url", "pre-roll needs exactly one of video_asset and video_url")
        if creative.video_asset and not _ASSET.match(creative.video_asset):
            raise _creative_error("video_asset", "must be `assets/{asset}`")
        if creative.video_url:
            _https(creative.video_url, "ad.creative.video_url")
            if creative.duration_ms == 0:
                raise _creative_error("duration", "is required with video_url")
        if creative.image_url:
            _https(creative.image_url, "ad.creative.image_url")
        if creative.duration_ms and not 15_000 <= creative.duration_ms <= 30_000:
            raise _creative_error("duration", "must be 15 to 30 seconds")
        if creative.skip_offset_ms:
            if creative.skip_offset_ms < 1000:
                raise _creative_error("skip_offset", "must be at least 1 second")
            if creative.duration_ms and creative.skip_offset_ms >= creative.duration_ms:
                raise _creative_error("skip_offset", "must be shorter than the duration")
        return
    if creative.video_asset or creative.video_url:
        raise _creative_error("video_url", "banners take an image, not a video")
    if not creative.image_url:
        raise _creative_error("image_url", "a banner needs an image_url")
    _https(creative.image_url, "ad.creative.image_url")
    if creative.skip_offset_ms or creative.duration_ms:
        raise _creative_error("duration", "banners have no duration or skip offset")
    width, height = BANNER_SIZES[placement]
    if (creative.width, creative.height) != (width, height):
        raise _creative_error("width", f"{PLACEMENT_NAMES[placement]} needs {width} x {height}")


def _codes(values: Iterable[str], pattern: re.Pattern[str], field_name: str) -> None:
    values = list(values)
    if len(values) > 500:
        raise _violation(field_name, "at most 500 entries")
    for value in values:
        if not pattern.match(value):
            raise _violation(field_name, f"{value[:64]!r} is malformed")


def validate_targeting(targeting: Targeting) -> None:
    _codes(targeting.countries, _COUNTRY, "ad.targeting.countries")
    _codes(targeting.excluded_countries, _COUNTRY, "ad.targeting.excluded_countries")
    _codes(targeting.regions, _REGION, "ad.targeting.regions")
    _codes(targeting.languages, _LANGUAGE, "ad.targeting.languages")
    _codes(targeting.titles, _TITLE, "ad.targeting.titles")
    _codes(targeting.excluded_titles, _TITLE, "ad.targeting.excluded_titles")
    _codes(targeting.categories, _CATEGORY, "ad.targeting.categories")
    for value in targeting.device_types:
        if value not in DEVICE_NAMES or value == 0:
            raise _violation("ad.targeting.device_types", "unknown device type")
    for value in targeting.viewer_types:
        if value not in (VIEWER_ANONYMOUS, VIEWER_SIGNED_IN):
            raise _violation("ad.targeting.viewer_types", "unknown viewer type")
    for name in ("genres", "excluded_genres", "plans"):
        for value in getattr(targeting, name):
            _text(value, f"ad.targeting.{name}", 100, required=True)


def validate_schedule(schedule: Schedule, now: dt.datetime, *, end_changed: bool = True) -> None:
    _window(schedule.start_time, schedule.end_time, now, "ad.schedule.", new_end=end_changed)
    check_time_zone(schedule.time_zone, "ad.schedule.time_zone")
    if len(schedule.day_parts) > 20:
        raise _violation("ad.schedule.day_parts", "at most 20 day parts", "INVALID_SCHEDULE")
    for index, part in enumerate(schedule.day_parts):
        if not 0 <= part.start_minute < part.end_minute <= 1440:
            raise _violation(f"ad.schedule.day_parts[{index}].end_time", "must be after start_time", "INVALID_SCHEDULE")
        if any(not 1 <= day <= 7 for day in part.days):
            raise _violation(f"ad.schedule.day_parts[{index}].days", "unknown day of week", "INVALID_SCHEDULE")


def validate_ad(spec: AdSpec, now: dt.datetime, *, end_changed: bool = True) -> None:
    _text(spec.display_name, "ad.display_name", 200, required=True)
    if spec.placement not in PLACEMENTS:
        raise _violation("ad.placement", "is required")
    if spec.state not in (0, ACTIVE, PAUSED):
        raise _violation("ad.state", "must be ACTIVE or PAUSED on create")
    if not spec.click_url:
        raise _violation("ad.click_url", "is required")
    _https(spec.click_url, "ad.click_url", allow_http=True)
    validate_creative(spec.placement, spec.creative)
    validate_targeting(spec.targeting)
    validate_schedule(spec.schedule, now, end_changed=end_changed)
    if spec.pricing_model not in (0, CPM, CPC):
        raise _violation("ad.pricing.model", "must be CPM or CPC")
    if spec.pricing_model and spec.rate_micros <= 0:
        raise _violation("ad.pricing.rate", "must be positive")
    _budget(spec.budget, "ad.")
    if not 1 <= spec.priority <= 100:
        raise _violation("ad.priority", "must be 1 to 100")
    if not 1 <= spec.weight <= 1000:
        raise _violation("ad.weight", "must be 1 to 1,000")
    if len(spec.caps) > 3:
        raise _violation("ad.frequency_caps", "at most 3 caps")
    for index, (maximum, period) in enumerate(spec.caps):
        if maximum < 1:
            raise _violation(f"ad.frequency_caps[{index}].max_impressions", "must be at least 1")
        if not 60 <= period <= 30 * 86_400:
            raise _violation(f"ad.frequency_caps[{index}].period", "must be from 1 minute to 30 days")


CAMPAIGN_PATHS = {"display_name", "advertiser", "description", "start_time", "end_time", "budget", "budget.total", "budget.daily"}
AD_PATHS = (
    {
        "display_name",
        "creative",
        "click_url",
        "targeting",
        "schedule",
        "pricing",
        "budget",
        "budget.total",
        "budget.daily",
        "priority",
        "weight",
        "frequency_caps",
    }
    | {f"creative.{f.name}" for f in dataclasses.fields(Creative)}
    | {f"targeting.{f.name}" for f in dataclasses.fields(Targeting)}
    | {
        "schedule.start_time",
        "schedule.end_time",
        "schedule.time_zone",
        "schedule.day_parts",
    }
)
_AD_FIELD = {"pricing": ("pricing_model", "rate_micros"), "frequency_caps": ("caps",)}
_BUDGET_FIELD = {"total": "total_micros", "daily": "daily_micros"}
_CREATIVE_FIELD = {"duration": "duration_ms", "skip_offset": "skip_offset_ms"}


def _mask(paths: Sequence[str], allowed: set[str]) -> list[str]:
    if not paths:
        raise _violation("update_mask", "name at least one field to update")
    if list(paths) == ["*"]:
        return sorted(p for p in allowed if "." not in p)
    for path in paths:
        if path not in allowed:
            raise _violation("update_mask", f"path {path[:100]!r} is unknown, immutable or output only")
    return list(paths)


def apply_campaign_mask(current: CampaignSpec, incoming: CampaignSpec, paths: Sequence[str]) -> CampaignSpec:
    result = current
    for path in _mask(paths, CAMPAIGN_PATHS):
        head, _, tail = path.partition(".")
        if head == "budget" and tail:
            name = _BUDGET_FIELD[tail]
            result = dataclasses.replace(
                result, budget=dataclasses.replace(result.budget, **{name: getattr(incoming.budget, name)})
            )
        else:
            result = dataclasses.replace(result, **{head: getattr(incoming, head)})
    return result


def apply_ad_mask(current: AdSpec, incoming: AdSpec, paths: Sequence[str]) -> AdSpec:
    result = current
    for path in _mask(paths, AD_PATHS):
        head, _, tail = path.partition(".")
        if not tail:
            names = _AD_FIELD.get(head, (head,))
            result = dataclasses.replace(result, **{name: getattr(incoming, name) for name in names})
            continue
        name = {"budget": _BUDGET_FIELD, "creative": _CREATIVE_FIELD}.get(head, {}).get(tail, tail)
        inner = dataclasses.replace(getattr(result, head), **{name: getattr(getattr(incoming, head), name)})
        result = dataclasses.replace(result, **{head: inner})
    return result


def request_fingerprint(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def check_replay(stored_fingerprint: str, fingerprint: str, request_id: str) -> None:
    if stored_fingerprint != fingerprint:
        raise AlreadyExists(
            "request_id was already used for a different request", reason="REQUEST_ID_REUSED", metadata={"request_id": request_id}
        )


# -- serving ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spend:
    """What an ad and its campaign have spent, as the serving counters say."""

    ad_total: int = 0
    ad_today: int = 0
    campaign_total: int = 0
    campaign_today: int = 0


@dataclass(frozen=True)
class ServeableAd:
    """An ad joined with what serving needs of its campaign."""

    ad: Ad
    campaign: Campaign

    @property
    def id(self) -> str:
        return self.ad.id


def local_day(now: dt.datetime, time_zone: str) -> dt.date:
    return now.astimezone(zoneinfo.ZoneInfo(time_zone or "UTC")).date()


def _in_day_parts(schedule: Schedule, now: dt.datetime) -> bool:
    if not schedule.day_parts:
        return True
    local = now.astimezone(zoneinfo.ZoneInfo(schedule.time_zone or "UTC"))
    minute = local.hour * 60 + local.minute
    weekday = local.isoweekday()
    return any((not p.days or weekday in p.days) and p.start_minute <= minute < p.end_minute for p in schedule.day_parts)


def serving_status(ad: Ad, campaign: Campaign, now: dt.datetime, spend: Spend) -> int:
    """The first reason that holds the ad back, in the contract's order, or SERVING."""
    spec, flight = ad.spec, campaign.spec
    if spec.state == ARCHIVED or flight.state == ARCHIVED:
        return S_ARCHIVED
    if spec.state == PAUSED:
        return S_PAUSED
    if flight.state == PAUSED:
        return S_CAMPAIGN_PAUSED
    starts = [t for t in (spec.schedule.start_time, flight.start_time) if t is not None]
    if any(t > now for t in starts):
        return S_SCHEDULED
    ends = [t for t in (spec.schedule.end_time, flight.end_time) if t is not None]
    if any(t <= now for t in ends):
        return S_ENDED
    if not _in_day_parts(spec.schedule, now):
        return S_OUTSIDE_DAY_PARTS
    next_cost = charge_per_impression(spec)
    for budget, spent in ((spec.budget.total_micros, spend.ad_total), (flight.budget.total_micros, spend.campaign_total)):
        if budget is not None and spent + next_cost >= budget + (1 if next_cost else 0):
            return S_BUDGET_EXHAUSTED
    for budget, spent in ((spec.budget.daily_micros, spend.ad_today), (flight.budget.daily_micros, spend.campaign_today)):
        if budget is not None and spent + next_cost >= budget + (1 if next_cost else 0):
            return S_DAILY_BUDGET_EXHAUSTED
    return SERVING


def charge_per_impression(spec: AdSpec) -> int:
    """Micros charged for one recorded impression: CPM rate / 1000, rounded down; CPC and house ads 0."""
    return spec.rate_micros // 1000 if spec.pricing_model == CPM else 0


def charge_per_click(spec: AdSpec) -> int:
    return spec.rate_micros if spec.pricing_model == CPC else 0


@dataclass(frozen=True)
class Viewer:
    user_id: str = ""
    device_id: str = ""
    plan: str = ""

    @property
    def key(self) -> str:
        """Who frequency caps and unique counts see: the user, else the device, else nobody."""
        if self.user_id:
            return f"u:{self.user_id}"
        return f"d:{self.device_id}" if self.device_id else ""


@dataclass(frozen=True)
class AdRequest:
    placement: int
    viewer: Viewer
    title: str = ""
    country: str = ""
    region: str = ""
    device_type: int = 0
    language: str = ""
    exclude_ads: frozenset[str] = frozenset()
    title_genres: tuple[str, ...] | None = None  # None: not known (no title, or Catalog unreachable)
    title_categories: tuple[str, ...] | None = None


def validate_context(request: AdRequest) -> None:
    if request.placement not in PLACEMENTS:
        raise _violation("placement", "is required")
    if request.country and not _COUNTRY.match(request.country):
        raise _violation("context.country", "must be an ISO 3166-1 alpha-2 code such as `UG`")
    if request.region and not _REGION.match(request.region):
        raise _violation("context.region", "must be an ISO 3166-2 code such as `UG-102`")
    if request.title and not _TITLE.match(request.title):
        raise _violation("context.title", "must be `titles/{title}` or an episode of one")
    if len(request.viewer.device_id) > 64:
        raise _violation("context.device_id", "must be at most 64 characters")
    if len(request.exclude_ads) > 20:
        raise _violation("exclude_ads", "at most 20 ads")


def matches(targeting: Targeting, request: AdRequest) -> bool:
    """AND between lists, OR within one; an empty list does not restrict."""
    country = request.country
    if targeting.countries and country not in targeting.countries:
        return False
    if country and country in targeting.excluded_countries:
        return False
    if targeting.regions and request.region not in targeting.regions:
        return False
    if targeting.languages and request.language.split("-")[0].lower() not in targeting.languages:
        return False
    if targeting.device_types and request.device_type not in targeting.device_types:
        return False
    signed_in = VIEWER_SIGNED_IN if request.viewer.user_id else VIEWER_ANONYMOUS
    if targeting.viewer_types and signed_in not in targeting.viewer_types:
        return False
    if targeting.plans and request.viewer.plan not in targeting.plans:
        return False
    show = request.title.split("/seasons/")[0]
    if targeting.titles and show not in targeting.titles and request.title not in targeting.titles:
        return False
    if show and (show in targeting.excluded_titles or request.title in targeting.excluded_titles):
        return False
    if targeting.genres or targeting.categories or targeting.excluded_genres:
        if request.title_genres is None:
            return False  # no title, or Catalog unreachable: brand safety first
        if targeting.genres and not set(targeting.genres) & set(request.title_genres):
            return False
        if set(targeting.excluded_genres) & set(request.title_genres):
            return False
        if targeting.categories and not set(targeting.categories) & set(request.title_categories or ()):
            return False
    return True


def pacing_allows(
    budget: int | None,
    spent: int,
    window_start: dt.datetime,
    window_end: dt.datetime | None,
    now: dt.datetime,
    *,
    mode: str,
) -> bool:
    """Whether spend is behind the pace the budget's window allows now.

    Even: an ad serves while its spend is at most `budget * elapsed / window`, so spend never runs
    more than one event ahead of the pace; frontloaded runs 1.5x ahead of that; asap does not pace.
    A window without an end (a lifetime budget on an open flight) is not paced.
    """
    if budget is None or mode == "asap" or window_end is None or window_end <= window_start:
        return True
    fraction = min(1.0, max(0.0, (now - window_start) / (window_end - window_start)))
    if mode == "frontloaded":
        fraction = min(1.0, fraction * 1.5)
    return spent <= budget * fraction


def paced(candidate: ServeableAd, spend: Spend, now: dt.datetime, mode: str) -> bool:
    spec, flight = candidate.ad.spec, candidate.campaign.spec
    tz = zoneinfo.ZoneInfo(spec.schedule.time_zone or "UTC")
    local_midnight = dt.datetime.combine(now.astimezone(tz).date(), dt.time(), tzinfo=tz)
    utc_midnight = dt.datetime.combine(now.astimezone(dt.UTC).date(), dt.time(), tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    checks = (
        (spec.budget.daily_micros, spend.ad_today, local_midnight.astimezone(dt.UTC), (local_midnight + day).astimezone(dt.UTC)),
        (flight.budget.daily_micros, spend.campaign_today, utc_midnight, utc_midnight + day),
        (
            spec.budget.total_micros,
            spend.ad_total,
            spec.schedule.start_time or flight.start_time or candidate.ad.create_time or now,
            spec.schedule.end_time or flight.end_time,
        ),
        (
            flight.budget.total_micros,
            spend.campaign_total,
            flight.start_time or candidate.campaign.create_time or now,
            flight.end_time,
        ),
    )
    return all(pacing_allows(b, s, ws, we, now, mode=mode) for b, s, ws, we in checks)


def choose(candidates: Sequence[ServeableAd], rng: random.Random) -> ServeableAd | None:
    """Highest priority wins; ties rotate at random in proportion to weight."""
    if not candidates:
        return None
    top = max(c.ad.spec.priority for c in candidates)
    tier = [c for c in candidates if c.ad.spec.priority == top]
    return rng.choices(tier, weights=[c.ad.spec.weight for c in tier], k=1)[0]


def is_bot(user_agent: str, fragments: Sequence[str]) -> bool:
    agent = user_agent.lower()
    return bool(agent) and any(fragment.lower() in agent for fragment in fragments)


# -- impression tokens -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenClaims:
    token_id: str
    ad_id: str
    campaign_id: str
    placement: int
    user_id: str
    device_id: str
    select_time: dt.datetime
    title: str = ""
    country: str = ""
    region: str = ""
    device_type: int = 0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    if _b64(data) != text:
        raise ValueError("non-canonical base64")
    return data


class ImpressionTokens:
    """HMAC-SHA256 over the selection (viewer, ad, serve time, context) with a key derived from the server secret."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"marquee.ads impression token v1", hashlib.sha256).digest()

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()

    def mint(self, claims: TokenClaims) -> str:
        body = json.dumps(
            [
                claims.token_id,
                claims.ad_id,
                claims.campaign_id,
                claims.placement,
                claims.user_id,
                claims.device_id,
                int(claims.select_time.timestamp() * 1000),
                claims.title,
                claims.country,
                claims.region,
                claims.device_type,
            ],
            separators=(",", ":"),
        ).encode()
        return "v1." + _b64(body) + "." + _b64(self._mac(body))

    def verify(self, token: str) -> TokenClaims:
        """The claims of a token this server minted; IMPRESSION_TOKEN_INVALID otherwise (no binding check here)."""
        try:
            version, body_text, mac_text = token.split(".")
            body, mac = _unb64(body_text), _unb64(mac_text)
            if version != "v1" or not hmac.compare_digest(mac, self._mac(body)):
                raise ValueError("bad signature")
            values = json.loads(body)
            return TokenClaims(
                token_id=str(values[0]),
                ad_id=str(values[1]),
                campaign_id=str(values[2]),
                placement=int(values[3]),
                user_id=str(values[4]),
                device_id=str(values[5]),
                select_time=dt.datetime.fromtimestamp(int(values[6]) / 1000, dt.UTC),
                title=str(values[7]),
                country=str(values[8]),
                region=str(values[9]),
                device_type=int(values[10]),
            )
        except (ValueError, TypeError, IndexError, KeyError, UnicodeDecodeError):
            raise token_invalid("impression_token is malformed or its signature does not verify") from None


def token_invalid(message: str, *, commit: bool = False) -> InvalidArgument:
    return InvalidArgument(
        message,
        reason="IMPRESSION_TOKEN_INVALID",
        domain=DOMAIN,
        commit=commit,
        violations=[FieldViolation("impression_token", message)],
    )


def bound_to(claims: TokenClaims, viewer: Viewer) -> bool:
    """A token minted for a user works only for that user; an anonymous one only with its device id."""
    if claims.user_id:
        return claims.user_id == viewer.user_id
    return not viewer.user_id and claims.device_id == viewer.device_id


def expired(message: str) -> FailedPrecondition:
    return FailedPrecondition(message, reason="IMPRESSION_TOKEN_EXPIRED", domain=DOMAIN)


def within_select_window(claims: TokenClaims, now: dt.datetime) -> bool:
    return now - claims.select_time <= SELECT_WINDOW


def check_select_window(claims: TokenClaims, now: dt.datetime) -> None:
    if not within_select_window(claims, now):
        raise expired("the impression token is more than 15 minutes old; select a new ad")


def check_click_window(record_time: dt.datetime, now: dt.datetime) -> None:
    if now - record_time > CLICK_WINDOW:
        raise expired("outcomes and clicks are accepted for 60 minutes after the impression")


@dataclass(frozen=True)
class Outcome:
    outcome: int
    viewed_ms: int
    viewable: bool


def video_outcome(outcome: int, viewed_ms: int, duration_ms: int, skip_offset_ms: int, field_prefix: str) -> Outcome:
    """The outcome as stored: a skip before the skip offset (or of an unskippable ad) becomes ABANDONED;
    viewable per MRC video (2 s watched)."""
    if outcome not in (OUTCOME_COMPLETED, OUTCOME_SKIPPED, OUTCOME_ABANDONED, OUTCOME_FAILED):
        raise _violation(f"{field_prefix}.outcome", "is required")
    if viewed_ms < 0 or (duration_ms and viewed_ms > duration_ms):
        raise _violation(f"{field_prefix}.viewed_duration", "must be from 0 to the ad's duration")
    if outcome == OUTCOME_SKIPPED and (not skip_offset_ms or viewed_ms < skip_offset_ms):
        outcome = OUTCOME_ABANDONED
    return Outcome(outcome, viewed_ms, viewed_ms >= MRC_VIDEO_VIEWABLE_MS)


# -- reports ---------------------------------------------------------------------------------------


@dataclass
class Counts:
    impressions: int = 0
    viewable: int = 0
    clicks: int = 0
    video_impressions: int = 0
    completions: int = 0
    skips: int = 0
    outcomes: int = 0
    viewed_ms: int = 0
    revenue_micros: int = 0
    invalid_impressions: int = 0
    invalid_clicks: int = 0
    unique_users: int = 0

    def add(self, other: Counts) -> None:
        """Adds every count but `unique_users` (not additive). Spelled out: this runs per hour of a report."""
        self.impressions += other.impressions
        self.viewable += other.viewable
        self.clicks += other.clicks
        self.video_impressions += other.video_impressions
        self.completions += other.completions
        self.skips += other.skips
        self.outcomes += other.outcomes
        self.viewed_ms += other.viewed_ms
        self.revenue_micros += other.revenue_micros
        self.invalid_impressions += other.invalid_impressions
        self.invalid_clicks += other.invalid_clicks


def ratio(numerator: int, denominator: int) -> float:
    """A rate from 0 to 1; 0 when nothing was delivered. Clicks are counted once per impression, so CTR ≤ 1."""
    return min(1.0, numerator / denominator) if denominator > 0 else 0.0


def ecpm_micros(counts: Counts) -> int:
    return counts.revenue_micros * 1000 // counts.impressions if counts.impressions else 0


def sort_value(counts: Counts, order: int) -> float:
    if order == ORDER_IMPRESSIONS:
        return counts.impressions
    if order == ORDER_CLICKS:
        return counts.clicks
    if order == ORDER_CTR:
        return ratio(counts.clicks, counts.impressions)
    if order == ORDER_ECPM:
        return ecpm_micros(counts)
    if order == ORDER_COMPLETION:
        return ratio(counts.completions, counts.video_impressions)
    return counts.revenue_micros


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date
    zone: zoneinfo.ZoneInfo

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def utc_start(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=self.zone).astimezone(dt.UTC)

    @property
    def utc_end(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=self.zone).astimezone(dt.UTC)

    @property
    def whole_utc_days(self) -> bool:
        """Whether the report's days are UTC days, so the daily rollups can answer."""
        return str(self.zone) in ("UTC", "Etc/UTC")

    def day_of(self, hour: dt.datetime) -> dt.date:
        return hour.astimezone(self.zone).date()

    def hours(self, day: dt.date | None = None) -> list[dt.datetime]:
        """The UTC hours of one local day (or of the whole range)."""
        start = dt.datetime.combine(day or self.start, dt.time(), tzinfo=self.zone).astimezone(dt.UTC)
        end = dt.datetime.combine((day or self.end) + dt.timedelta(days=1), dt.time(), tzinfo=self.zone).astimezone(dt.UTC)
        found, hour = [], start.replace(minute=0, second=0, microsecond=0)
        while hour < end:
            found.append(hour)
            hour += dt.timedelta(hours=1)
        return found


# Report days a time zone can shift and a 30-day default window can reach back from without overflow.
REPORT_EARLIEST, REPORT_LATEST = dt.date(1970, 1, 1), dt.date(9998, 12, 31)


def date_range(start: dt.date | None, end: dt.date | None, time_zone: str, now: dt.datetime) -> DateRange:
    try:
        zone = zoneinfo.ZoneInfo(time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _violation("time_zone", f"unknown time zone {time_zone[:64]!r}") from None
    for name, value in (("start_date", start), ("end_date", end)):
        if value is not None and not REPORT_EARLIEST <= value <= REPORT_LATEST:
            raise _violation(name, f"must be between {REPORT_EARLIEST} and {REPORT_LATEST}")
    last = end or now.astimezone(zone).date()
    first = start or last - dt.timedelta(days=29)
    if last < first:
        raise _violation("end_date", "must not be before start_date")
    if (last - first).days > 366:
        raise _violation("end_date", "at most 366 days after start_date")
    return DateRange(first, last, zone)


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class RollupDelta:
    """What one event adds to its hour's rollup rows (total and each dimension)."""

    ad_id: str
    campaign_id: str
    hour: dt.datetime
    keys: dict[str, str] = field(default_factory=dict)  # dimension -> key
    counts: Counts = field(default_factory=Counts)


def dimension_keys(country: str, device_type: int, title: str) -> dict[str, str]:
    """The rollup rows one event adds to, by dimension; `day` is the total again, bucketed per UTC day."""
    return {
        "": "",
        "day": "",
        "country": country,
        "device": DEVICE_NAMES.get(device_type, DEVICE_NAMES[0]),
        "title": title.split("/seasons/")[0],
    }


def bucket(dimension: str, moment: dt.datetime) -> dt.datetime:
    """The rollup bucket of an event: its UTC day for `day`, its UTC hour otherwise."""
    hour = moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return hour.replace(hour=0) if dimension == "day" else hour
