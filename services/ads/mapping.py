"""Ads' messages: request fields into domain values (Parser) and use-case results into messages (Mapper)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

from google.api import httpbody_pb2
from google.protobuf import duration_pb2, json_format, timestamp_pb2
from google.type import date_pb2, money_pb2, timeofday_pb2
from marquee.ads.v1 import ads_pb2 as pb
from marquee.api.v1 import userdata_pb2

from services.ads import domain
from services.ads.usecases import Caller, Overview, RecordedImpression, Report, Selection, StatsPage, UserExport
from services.core import names
from services.core.convert import enum_number as _enum
from services.core.convert import message_from, plain_from, timestamp
from services.core.errors import FieldViolation, InvalidArgument, invalid
from services.core.interceptors import Context, current_client_ip, current_metadata, current_principal

R = TypeVar("R", pb.GetAdStatsResponse, pb.GetCampaignStatsResponse)
P = TypeVar("P", pb.ListAdStatsResponse, pb.ListCampaignStatsResponse)

# -- proto -> domain -------------------------------------------------------------------------------


class Parser:
    """Request fields into domain values; knows the reporting currency."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def money(self, value: money_pb2.Money, field: str) -> int:
        if value.currency_code != self.currency:
            raise InvalidArgument(
                f"{field}: must be in {self.currency}",
                reason="CURRENCY_MISMATCH",
                domain=domain.DOMAIN,
                metadata={"currency": self.currency},
            )
        if value.units < 0 or value.nanos < 0:
            raise invalid(field, "must not be negative")
        return domain.money_micros(value.units, value.nanos)

    def budget(self, message: Any, field: str) -> domain.Budget:
        if not message.HasField("budget"):
            return domain.Budget()
        budget = message.budget
        return domain.Budget(
            self.money(budget.total, f"{field}.total") if budget.HasField("total") else None,
            self.money(budget.daily, f"{field}.daily") if budget.HasField("daily") else None,
        )

    def campaign(self, message: pb.Campaign) -> domain.CampaignSpec:
        return plain_from(
            domain.CampaignSpec,
            message,
            start_time=_time(message, "start_time"),
            end_time=_time(message, "end_time"),
            budget=self.budget(message, "campaign.budget"),
        )

    def ad(self, message: pb.Ad, *, campaign_required: bool = True) -> domain.AdSpec:
        campaign_id = ""
        if message.campaign or campaign_required:
            campaign_id = domain.parse_id(message.campaign, "campaigns", "ad.campaign")
        c, s = message.creative, message.schedule
        pricing = (0, 0)
        if message.HasField("pricing"):
            pricing = (message.pricing.model, self.money(message.pricing.rate, "ad.pricing.rate"))
            if pricing[0] == 0:
                raise invalid("ad.pricing.model", "is required (CPM or CPC)")
        return domain.AdSpec(
            display_name=message.display_name,
            campaign_id=campaign_id,
            placement=message.placement,
            creative=plain_from(domain.Creative, c, duration_ms=_ms(c.duration), skip_offset_ms=_ms(c.skip_offset)),
            click_url=message.click_url,
            targeting=plain_from(domain.Targeting, message.targeting),
            schedule=domain.Schedule(
                start_time=_time(s, "start_time"),
                end_time=_time(s, "end_time"),
                time_zone=s.time_zone or "UTC",
                day_parts=tuple(
                    domain.DayPart(
                        tuple(p.days), p.start_time.hours * 60 + p.start_time.minutes, p.end_time.hours * 60 + p.end_time.minutes
                    )
                    for p in s.day_parts
                ),
            ),
            pricing_model=pricing[0],
            rate_micros=pricing[1],
            budget=self.budget(message, "ad.budget"),
            priority=message.priority or 50,
            weight=message.weight or 100,
            caps=tuple((cap.max_impressions, cap.period.seconds) for cap in message.frequency_caps),
            state=message.state,
        )

    def campaign_filter(self, f: pb.CampaignFilter) -> dict[str, Any]:
        return {"states": list(f.states), "advertiser": f.advertiser, "search": f.search}

    def ad_request(self, request: pb.SelectAdRequest) -> domain.AdRequest:
        c = request.context
        return domain.AdRequest(
            placement=request.placement,
            viewer=domain.Viewer(device_id=c.device_id),
            title=c.title,
            country=c.country.upper(),
            region=c.region.upper(),
            device_type=c.device_type,
            language=c.language,
            exclude_ads=frozenset(name.removeprefix("ads/") for name in request.exclude_ads),
        )

    def impression_filter(self, request: pb.ListImpressionsRequest) -> dict[str, Any]:
        return {
            "ad_id": domain.parse_id(request.ad, "ads", "ad") if request.ad else "",
            "campaign_id": domain.parse_id(request.campaign, "campaigns", "campaign") if request.campaign else "",
            "user_id": _user(request.user),
            "device_id": request.device_id,
            "start": _time(request, "start_time"),
            "end": _time(request, "end_time"),
            "clicked_only": request.clicked_only,
        }


def period(request: Any) -> dict[str, Any]:
    """A report request's `start_date`, `end_date` and `time_zone` as the use cases' keywords."""
    return {"start": _date(request, "start_date"), "end": _date(request, "end_date"), "time_zone": request.time_zone}


def _time(message: Any, field: str) -> dt.datetime | None:
    return getattr(message, field).ToDatetime(dt.UTC) if message.HasField(field) else None


def _ms(value: duration_pb2.Duration) -> int:
    return value.seconds * 1000 + value.nanos // 1_000_000


def _date(message: Any, field: str) -> dt.date | None:
    if not message.HasField(field):
        return None
    value = getattr(message, field)
    try:
        return dt.date(value.year, value.month, value.day)
    except ValueError:
        raise invalid(field, "is not a valid date") from None


def caller(context: Context) -> Caller:
    principal = current_principal()
    metadata = current_metadata()
    return Caller(
        user_id=principal.user_id if principal else "",
        address=current_client_ip(),
        user_agent=metadata.get("user-agent", ""),
    )


def video(result: pb.VideoResult) -> tuple[int, int]:
    return result.outcome, _ms(result.viewed_duration)


# -- domain -> proto -------------------------------------------------------------------------------


def _duration(ms: int) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=ms // 1000, nanos=(ms % 1000) * 1_000_000)


def _ts(value: dt.datetime | None) -> timestamp_pb2.Timestamp | None:
    return timestamp(value)


class Mapper:
    def __init__(self, currency: str) -> None:
        self.currency = currency

    def money(self, micros: int | None) -> money_pb2.Money | None:
        if micros is None:
            return None
        return money_pb2.Money(currency_code=self.currency, units=micros // domain.MICROS, nanos=(micros % domain.MICROS) * 1000)

    def budget(self, budget: domain.Budget) -> pb.Budget | None:
        if budget.total_micros is None and budget.daily_micros is None:
            return None
        return pb.Budget(total=self.money(budget.total_micros), daily=self.money(budget.daily_micros))

    # The messages below take every field the domain value names alike from it (`message_from`);
    # what is given is what differs: names, money in micros, durations in milliseconds.

    def campaign(self, campaign: domain.Campaign) -> pb.Campaign:
        return message_from(
            pb.Campaign,
            campaign,
            campaign.spec,
            name=f"campaigns/{campaign.id}",
            budget=self.budget(campaign.spec.budget),
            spend=self.money(campaign.spend_micros),
            spend_today=self.money(campaign.spend_today_micros),
        )

    def creative(self, creative: domain.Creative) -> pb.Creative:
        return message_from(
            pb.Creative,
            creative,
            duration=_duration(creative.duration_ms) if creative.duration_ms else None,
            skip_offset=_duration(creative.skip_offset_ms) if creative.skip_offset_ms else None,
        )

    def ad(self, ad: domain.Ad) -> pb.Ad:
        spec, s = ad.spec, ad.spec.schedule
        return message_from(
            pb.Ad,
            ad,
            spec,
            name=f"ads/{ad.id}",
            campaign=f"campaigns/{spec.campaign_id}",
            creative=self.creative(spec.creative),
            targeting=message_from(pb.Targeting, spec.targeting),
            schedule=pb.Schedule(
                start_time=_ts(s.start_time),
                end_time=_ts(s.end_time),
                time_zone=s.time_zone,
                day_parts=[
                    pb.DayPart(days=p.days, start_time=_time_of_day(p.start_minute), end_time=_time_of_day(p.end_minute))
                    for p in s.day_parts
                ],
            ),
            pricing=pb.Pricing(model=_enum(spec.pricing_model), rate=self.money(spec.rate_micros))
            if spec.pricing_model
            else None,
            budget=self.budget(spec.budget),
            frequency_caps=[pb.FrequencyCap(max_impressions=m, period=duration_pb2.Duration(seconds=p)) for m, p in spec.caps],
            spend=self.money(ad.spend_micros),
            spend_today=self.money(ad.spend_today_micros),
        )

    def impression(self, row: domain.Impression) -> pb.Impression:
        return message_from(
            pb.Impression,
            row,
            name=f"impressions/{row.id}",
            ad=f"ads/{row.ad_id}",
            campaign=f"campaigns/{row.campaign_id}",
            user=f"users/{row.user_id}" if row.user_id else "",
            viewed_duration=_duration(row.viewed_ms) if row.viewed_ms is not None else None,
            cost=self.money(row.cost_micros),
        )

    def export_document(self, export: UserExport) -> httpbody_pb2.HttpBody:
        """The account export as JSON: impressions in the contract's `Impression` form (snake case)."""
        document = {
            "export_time": export.export_time.astimezone(dt.UTC).isoformat(),
            "user": f"users/{export.user_id}",
            "impressions": [
                json_format.MessageToDict(self.impression(row), preserving_proto_field_name=True) for row in export.impressions
            ],
            "frequency_caps": [
                {
                    "scope": scope,
                    ("ad" if scope == "ad" else "campaign"): f"{'ads' if scope == 'ad' else 'campaigns'}/{resource_id}",
                    "impressions": count,
                    "expire_time": empties.astimezone(dt.UTC).isoformat() if empties else None,
                }
                for scope, resource_id, count, empties in export.caps
            ],
        }
        return httpbody_pb2.HttpBody(content_type="application/json", data=json.dumps(document, indent=1).encode())

    def metrics(self, counts: domain.Counts) -> pb.AdMetrics:
        average = counts.viewed_ms // counts.outcomes if counts.outcomes else 0
        return message_from(
            pb.AdMetrics,
            counts,
            ctr=domain.ratio(counts.clicks, counts.impressions),
            completion_rate=domain.ratio(counts.completions, counts.video_impressions),
            skip_rate=domain.ratio(counts.skips, counts.video_impressions),
            average_viewed_duration=_duration(average),
            revenue=self.money(counts.revenue_micros),
            ecpm=self.money(domain.ecpm_micros(counts)),
        )

    def daily(self, days: list[tuple[dt.date, domain.Counts]]) -> list[pb.DailyAdMetrics]:
        return [
            pb.DailyAdMetrics(date=date_pb2.Date(year=d.year, month=d.month, day=d.day), metrics=self.metrics(c)) for d, c in days
        ]

    def report(self, report: Report, response: R) -> R:
        """Fills a GetAdStats / GetCampaignStats answer (the two share their fields)."""
        response.totals.CopyFrom(self.metrics(report.totals))
        response.daily.extend(self.daily(report.daily))
        response.breakdown.extend(pb.AdMetricsBreakdown(key=k, metrics=self.metrics(c)) for k, c in report.breakdown)
        response.data_time.MergeFrom(timestamp(report.data_time) or timestamp_pb2.Timestamp())
        return response

    def stats_page(self, page: StatsPage, response: P) -> P:
        """Fills a ListAdStats / ListCampaignStats page: rows of ads or of campaigns, and the page's figures."""
        if isinstance(response, pb.ListAdStatsResponse):
            response.rows.extend(
                pb.AdStatsRow(
                    ad=f"ads/{ad.id}",
                    display_name=ad.spec.display_name,
                    campaign=f"campaigns/{ad.spec.campaign_id}",
                    advertiser=ad.advertiser,
                    placement=ad.spec.placement,
                    state=ad.spec.state,
                    metrics=self.metrics(counts),
                )
                for ad, counts in page.rows
            )
        else:
            response.rows.extend(
                pb.CampaignStatsRow(
                    campaign=f"campaigns/{c.id}",
                    display_name=c.spec.display_name,
                    advertiser=c.spec.advertiser,
                    state=c.spec.state,
                    metrics=self.metrics(counts),
                )
                for c, counts in page.rows
            )
        response.next_page_token = page.next_page_token
        response.totals.CopyFrom(self.metrics(page.totals))
        response.total_size = page.total_size
        response.data_time.MergeFrom(timestamp(page.data_time) or timestamp_pb2.Timestamp())
        return response

    def overview(self, overview: Overview) -> pb.GetOverviewStatsResponse:
        return pb.GetOverviewStatsResponse(
            totals=self.metrics(overview.totals),
            daily=self.daily(overview.daily),
            placements=[
                pb.PlacementStats(
                    placement=_enum(p),
                    requests=requests,
                    fills=fills,
                    fill_rate=domain.ratio(fills, requests),
                    frequency_capped=capped,
                    metrics=self.metrics(metrics),
                )
                for p, requests, fills, capped, metrics in overview.placements
            ],
            ad_free_requests=overview.ad_free_requests,
            data_time=_ts(overview.data_time),
        )

    def selection(self, selection: Selection) -> pb.SelectAdResponse:
        served = selection.served
        if served is None:
            return pb.SelectAdResponse(no_fill_reason=_enum(selection.no_fill_reason), ad_free=selection.ad_free)
        creative = served.ad.spec.creative
        return pb.SelectAdResponse(
            ad=message_from(
                pb.ServedAd,
                served,  # what Media resolved (the video, its size and length) wins over the creative
                served.ad.spec,
                creative,
                ad=f"ads/{served.ad.id}",
                advertiser=served.ad.advertiser,
                impression_token=served.token,
                duration=_duration(served.duration_ms) if served.duration_ms else None,
                skip_offset=_duration(creative.skip_offset_ms) if creative.skip_offset_ms else None,
            )
        )

    def recorded(self, recorded: RecordedImpression) -> pb.RecordImpressionResponse:
        return pb.RecordImpressionResponse(
            impression=f"impressions/{recorded.impression_id}", click_expire_time=_ts(recorded.click_expire_time)
        )

    def finished(self, impression_id: str, outcome: int) -> pb.FinishImpressionResponse:
        return pb.FinishImpressionResponse(impression=f"impressions/{impression_id}", video_outcome=_enum(outcome))


def _time_of_day(minute: int) -> timeofday_pb2.TimeOfDay:
    return timeofday_pb2.TimeOfDay(hours=minute // 60, minutes=minute % 60)


def named_user(request: Any) -> str:
    """The user id of `name` (`users/{user}`); `users/me` is refused: these calls come from services."""
    name = names.parse(request, "name")
    if name["user"] == names.ME:
        raise InvalidArgument(
            "name: `users/me` is not accepted here; name the user",
            reason="USERS_ME_NOT_ALLOWED",
            violations=[FieldViolation("name", "`users/me` is not accepted here; name the user")],
        )
    if name["user"] == names.ALL:
        raise invalid("name", "`users/-` is not accepted here; name one user", reason="INVALID_NAME")
    return name["user"]


def disposition(value: domain.Disposition) -> userdata_pb2.UserDataDisposition:
    return userdata_pb2.UserDataDisposition(category=value.category, count=value.count, description=value.description)


def _user(name: str) -> str:
    if not name:
        return ""
    if not name.startswith("users/") or len(name) > 70 or "/" in name[6:] or not name[6:]:
        raise invalid("user", "must be `users/{user}`")
    return name[6:]


def ad_filter(f: pb.AdFilter) -> dict[str, Any]:
    return {
        "states": list(f.states),
        "serving_statuses": list(f.serving_statuses),
        "placements": list(f.placements),
        "campaign_id": domain.parse_id(f.campaign, "campaigns", "filter.campaign") if f.campaign else "",
        "advertiser": f.advertiser,
        "search": f.search,
    }
