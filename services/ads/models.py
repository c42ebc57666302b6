"""Ads tables, all prefixed `ads_`: campaigns, ads, recorded impressions and the hourly rollups reports read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.models import NAMING_CONVENTION, UtcDateTime


class Base(DeclarativeBase):
    """Ads' own MetaData."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CampaignRow(Base):
    __tablename__ = "ads_campaigns"
    __table_args__ = (Index("ix_ads_campaigns_create", "create_time", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    advertiser: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    end_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    budget_total_micros: Mapped[int | None] = mapped_column(BigInteger)
    budget_daily_micros: Mapped[int | None] = mapped_column(BigInteger)
    spend_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    request_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    update_time: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    archive_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class AdRow(Base):
    __tablename__ = "ads_ads"
    __table_args__ = (
        Index("ix_ads_ads_campaign", "campaign_id"),
        Index("ix_ads_ads_create", "create_time", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(200))
    placement: Mapped[int] = mapped_column(Integer)
    creative: Mapped[dict[str, Any]] = mapped_column(JSON)
    click_url: Mapped[str] = mapped_column(String(2048))
    targeting: Mapped[dict[str, Any]] = mapped_column(JSON)
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON)
    pricing_model: Mapped[int] = mapped_column(Integer, default=0)
    rate_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    budget_total_micros: Mapped[int | None] = mapped_column(BigInteger)
    budget_daily_micros: Mapped[int | None] = mapped_column(BigInteger)
    priority: Mapped[int] = mapped_column(Integer, default=50)
    weight: Mapped[int] = mapped_column(Integer, default=100)
    caps: Mapped[list[Any]] = mapped_column(JSON)
    state: Mapped[int] = mapped_column(Integer)
    impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)
    spend_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    request_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    update_time: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    archive_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ImpressionRow(Base):
    """One recorded showing. `invalid_reason` set: kept and reported apart, never charged or counted."""

    __tablename__ = "ads_impressions"
    __table_args__ = (
        Index("ix_ads_impressions_record", "record_time", "id"),
        Index("ix_ads_impressions_ad_record", "ad_id", "record_time"),
        Index("ix_ads_impressions_campaign_record", "campaign_id", "record_time"),
        Index("ix_ads_impressions_user_record", "user_id", "record_time"),
        Index("ix_ads_impressions_device_record", "device_id", "record_time"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    request_id: Mapped[str] = mapped_column(String(128), default="")
    ad_id: Mapped[str] = mapped_column(String(32))
    campaign_id: Mapped[str] = mapped_column(String(32))
    placement: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str] = mapped_column(String(64), default="")
    device_id: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    region: Mapped[str] = mapped_column(String(10), default="")
    device_type: Mapped[int] = mapped_column(Integer, default=0)
    select_time: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    record_time: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    is_video: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    skip_offset_ms: Mapped[int] = mapped_column(Integer, default=0)
    video_outcome: Mapped[int] = mapped_column(Integer, default=0)
    viewed_ms: Mapped[int | None] = mapped_column(Integer)
    viewable: Mapped[bool | None] = mapped_column(Boolean)
    finish_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    finish_request_id: Mapped[str] = mapped_column(String(128), default="")
    click_count: Mapped[int] = mapped_column(Integer, default=0)
    first_click_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    click_request_id: Mapped[str] = mapped_column(String(128), default="")
    click_counted: Mapped[bool] = mapped_column(Boolean, default=False)
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    invalid_reason: Mapped[str] = mapped_column(String(32), default="")


class RollupRow(Base):
    """Delivery of one ad in one UTC hour, in total (`dimension` '') and by country, device type and title.

    Kept current in the same unit of work as each event, so reports read these and never raw impressions.
    """

    __tablename__ = "ads_rollups"
    __table_args__ = (
        Index("ix_ads_rollups_campaign_hour", "campaign_id", "dimension", "hour"),
        Index("ix_ads_rollups_dimension_hour", "dimension", "hour"),
        # One ad's breakdown (every key of a dimension) over a range of hours.
        Index("ix_ads_rollups_ad_dimension_hour", "ad_id", "dimension", "hour"),
    )

    # Key order: one ad's totals (dimension '') over a range of hours is one contiguous index range.
    ad_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    hour: Mapped[dt.datetime] = mapped_column(UtcDateTime, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(32))
    impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    viewable: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)
    video_impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    completions: Mapped[int] = mapped_column(BigInteger, default=0)
    skips: Mapped[int] = mapped_column(BigInteger, default=0)
    outcomes: Mapped[int] = mapped_column(BigInteger, default=0)
    viewed_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    revenue_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    invalid_impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    invalid_clicks: Mapped[int] = mapped_column(BigInteger, default=0)
