"""Ads settings: token windows, pacing, invalid-traffic rules, the optional GeoIP database."""

from __future__ import annotations

import enum
import pathlib

from pydantic import Field

from services.core.settings import ServiceSettings


class Pacing(enum.StrEnum):
    EVEN = "even"
    FRONTLOADED = "frontloaded"
    ASAP = "asap"


class AdsSettings(ServiceSettings):
    ads_currency: str = Field("USD", description="Reporting currency of prices, budgets and revenue.")
    ads_pacing: Pacing = Field(
        Pacing.EVEN,
        description="How budgets spread over their window: even (default), frontloaded (1.5x ahead early) or asap.",
    )
    ads_eligible_cache_seconds: float = Field(
        2.0, ge=0, description="How long one process reuses its list of serveable ads (admin changes elsewhere show within this)."
    )
    ads_entitlements_cache_seconds: float = Field(60.0, ge=0, le=60, description="How long a viewer's ads entitlement is reused.")
    ads_geoip_database: pathlib.Path | None = Field(
        None, description="A MaxMind-format .mmdb file; when set, SelectAd takes the country and region from the caller's IP."
    )
    ads_click_repeat_seconds: int = Field(
        10, ge=0, description="A second click by one viewer on one ad within this many seconds is counted as invalid."
    )
    ads_bot_user_agents: list[str] = Field(
        default_factory=lambda: ["bot", "crawler", "spider", "slurp", "headless", "curl/", "wget/", "python-requests", "scrapy"],
        description="User-agent fragments (case-insensitive) whose traffic is counted as invalid.",
    )
    ads_campaign_max_impressions: int = Field(
        0, ge=0, description="Campaign-wide frequency cap per viewer across all its ads; 0 turns it off."
    )
    ads_campaign_cap_seconds: int = Field(86_400, ge=60, description="Period of the campaign-wide frequency cap.")
    ads_write_batch: int = Field(
        256,
        ge=1,
        le=10_000,
        description="Most impressions one transaction records: concurrent RecordImpression calls in one process share "
        "a transaction up to this many (1: one transaction per call).",
    )
