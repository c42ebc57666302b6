"""The only place Ads builds queries. Takes a session, never commits; rows leave as domain values."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, Table, and_, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.ads import domain
from services.ads.models import AdRow, CampaignRow, ImpressionRow, RollupRow

S = TypeVar("S", Select[CampaignRow], Select[AdRow, str])

_COUNT_COLUMNS = [f.name for f in dataclasses.fields(domain.Counts) if f.name != "unique_users"]
_ADS: Table = AdRow.__table__  # type: ignore[assignment]
_CAMPAIGNS: Table = CampaignRow.__table__  # type: ignore[assignment]
_IMPRESSIONS: Table = ImpressionRow.__table__  # type: ignore[assignment]
_ROLLUPS: Table = RollupRow.__table__  # type: ignore[assignment]
_ROLLUP_UPSERTS: dict[str, Any] = {}


def _rollup_upsert(dialect: str) -> Any:
    """The rollup upsert, built once per dialect (its parameters come with each execution)."""
    found = _ROLLUP_UPSERTS.get(dialect)
    if found is None:
        statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_ROLLUPS)
        found = statement.on_conflict_do_update(
            index_elements=[_ROLLUPS.c.ad_id, _ROLLUPS.c.dimension, _ROLLUPS.c.key, _ROLLUPS.c.hour],
            set_={name: _ROLLUPS.c[name] + statement.excluded[name] for name in _COUNT_COLUMNS},
        )
        _ROLLUP_UPSERTS[dialect] = found
    return found


def _dt(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def creative_json(creative: domain.Creative) -> dict[str, Any]:
    return dataclasses.asdict(creative)


def targeting_json(targeting: domain.Targeting) -> dict[str, Any]:
    return {k: list(v) for k, v in dataclasses.asdict(targeting).items()}


def schedule_json(schedule: domain.Schedule) -> dict[str, Any]:
    return {
        "start_time": schedule.start_time.isoformat() if schedule.start_time else None,
        "end_time": schedule.end_time.isoformat() if schedule.end_time else None,
        "time_zone": schedule.time_zone,
        "day_parts": [[list(p.days), p.start_minute, p.end_minute] for p in schedule.day_parts],
    }


def _campaign(row: CampaignRow, ad_count: int = 0) -> domain.Campaign:
    return domain.Campaign(
        id=row.id,
        spec=domain.CampaignSpec(
            display_name=row.display_name,
            advertiser=row.advertiser,
            description=row.description,
            state=row.state,
            start_time=row.start_time,
            end_time=row.end_time,
            budget=domain.Budget(row.budget_total_micros, row.budget_daily_micros),
        ),
        spend_micros=row.spend_micros,
        ad_count=ad_count,
        version=row.version,
        create_time=row.create_time,
        update_time=row.update_time,
        archive_time=row.archive_time,
    )


def _ad(row: AdRow, advertiser: str = "") -> domain.Ad:
    schedule = row.schedule or {}
    return domain.Ad(
        id=row.id,
        spec=domain.AdSpec(
            display_name=row.display_name,
            campaign_id=row.campaign_id,
            placement=row.placement,
            creative=domain.Creative(**row.creative),
            click_url=row.click_url,
            targeting=domain.Targeting(**{k: tuple(v) for k, v in (row.targeting or {}).items()}),
            schedule=domain.Schedule(
                start_time=_dt(schedule.get("start_time")),
                end_time=_dt(schedule.get("end_time")),
                time_zone=schedule.get("time_zone") or "UTC",
                day_parts=tuple(domain.DayPart(tuple(d), s, e) for d, s, e in schedule.get("day_parts", [])),
            ),
            pricing_model=row.pricing_model,
            rate_micros=row.rate_micros,
            budget=domain.Budget(row.budget_total_micros, row.budget_daily_micros),
            priority=row.priority,
            weight=row.weight,
            caps=tuple((int(m), int(p)) for m, p in row.caps or ()),
            state=row.state,
        ),
        advertiser=advertiser,
        impressions=row.impressions,
        clicks=row.clicks,
        spend_micros=row.spend_micros,
        version=row.version,
        create_time=row.create_time,
        update_time=row.update_time,
        archive_time=row.archive_time,
    )


class AdsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- campaigns --------------------------------------------------------------------------------

    def add_campaign(
        self, campaign_id: str, spec: domain.CampaignSpec, now: dt.datetime, request_id: str, fingerprint: str
    ) -> None:
        self.session.add(
            CampaignRow(
                id=campaign_id,
                display_name=spec.display_name,
                advertiser=spec.advertiser,
                description=spec.description,
                state=spec.state or domain.ACTIVE,
                start_time=spec.start_time,
                end_time=spec.end_time,
                budget_total_micros=spec.budget.total_micros,
                budget_daily_micros=spec.budget.daily_micros,
                spend_micros=0,
                version=1,
                request_id=request_id or None,
                request_fingerprint=fingerprint,
                create_time=now,
                update_time=now,
            )
        )
        self.session.flush()

    def campaign_by_request(self, request_id: str) -> tuple[domain.Campaign, str] | None:
        row = self.session.scalar(select(CampaignRow).where(CampaignRow.request_id == request_id))
        return (self._with_count(row), row.request_fingerprint) if row else None

    def _ad_count(self, campaign_id: str) -> int:
        return int(
            self.session.scalar(
                select(func.count()).select_from(AdRow).where(AdRow.campaign_id == campaign_id, AdRow.state != domain.ARCHIVED)
            )
            or 0
        )

    def _with_count(self, row: CampaignRow) -> domain.Campaign:
        return _campaign(row, self._ad_count(row.id))

    def campaign(self, campaign_id: str, *, lock: bool = False) -> domain.Campaign | None:
        query = select(CampaignRow).where(CampaignRow.id == campaign_id)
        row = self.session.scalar(query.with_for_update() if lock else query)
        return self._with_count(row) if row else None

    def save_campaign(self, campaign: domain.Campaign, now: dt.datetime) -> None:
        spec = campaign.spec
        self.session.execute(
            update(CampaignRow)
            .where(CampaignRow.id == campaign.id)
            .values(
                display_name=spec.display_name,
                advertiser=spec.advertiser,
                description=spec.description,
                state=spec.state,
                start_time=spec.start_time,
                end_time=spec.end_time,
                budget_total_micros=spec.budget.total_micros,
                budget_daily_micros=spec.budget.daily_micros,
                version=CampaignRow.version + 1,
                update_time=now,
                archive_time=campaign.archive_time,
            )
        )

    def list_campaigns(
        self, *, states: Sequence[int], advertiser: str, search: str, order: int, after: dict[str, Any] | None, limit: int
    ) -> list[domain.Campaign]:
        query: Select[Any] = select(CampaignRow).where(CampaignRow.state.in_(states))
        if advertiser:
            query = query.where(func.lower(CampaignRow.advertiser) == advertiser.lower())
        if search:
            pattern = f"%{search.lower()}%"
            query = query.where(
                or_(func.lower(CampaignRow.display_name).like(pattern), func.lower(CampaignRow.advertiser).like(pattern))
            )
        query = _keyset(query, CampaignRow, order, after, advertiser_column=CampaignRow.advertiser)
        rows = self.session.scalars(query.limit(limit)).all()
        counts = self._ad_counts([r.id for r in rows])
        return [_campaign(r, counts.get(r.id, 0)) for r in rows]

    def _ad_counts(self, campaign_ids: Sequence[str]) -> dict[str, int]:
        if not campaign_ids:
            return {}
        rows = self.session.execute(
            select(AdRow.campaign_id, func.count())
            .where(AdRow.campaign_id.in_(campaign_ids), AdRow.state != domain.ARCHIVED)
            .group_by(AdRow.campaign_id)
        ).all()
        return {campaign_id: int(count) for campaign_id, count in rows}

    def all_campaigns(self, *, states: Sequence[int], advertiser: str, search: str) -> list[domain.Campaign]:
        query = select(CampaignRow).where(CampaignRow.state.in_(states))
        if advertiser:
            query = query.where(func.lower(CampaignRow.advertiser) == advertiser.lower())
        if search:
            pattern = f"%{search.lower()}%"
            query = query.where(
                or_(func.lower(CampaignRow.display_name).like(pattern), func.lower(CampaignRow.advertiser).like(pattern))
            )
        return [_campaign(r) for r in self.session.scalars(query)]

    def archive_campaign_ads(self, campaign_id: str, now: dt.datetime) -> None:
        self.session.execute(
            update(AdRow)
            .where(AdRow.campaign_id == campaign_id, AdRow.state != domain.ARCHIVED)
            .values(state=domain.ARCHIVED, archive_time=now, update_time=now, version=AdRow.version + 1)
        )

    # -- ads --------------------------------------------------------------------------------------

    def add_ad(self, ad_id: str, spec: domain.AdSpec, now: dt.datetime, request_id: str, fingerprint: str) -> None:
        self.session.add(
            AdRow(
                id=ad_id,
                campaign_id=spec.campaign_id,
                display_name=spec.display_name,
                placement=spec.placement,
                creative=creative_json(spec.creative),
                click_url=spec.click_url,
                targeting=targeting_json(spec.targeting),
                schedule=schedule_json(spec.schedule),
                pricing_model=spec.pricing_model,
                rate_micros=spec.rate_micros,
                budget_total_micros=spec.budget.total_micros,
                budget_daily_micros=spec.budget.daily_micros,
                priority=spec.priority,
                weight=spec.weight,
                caps=[list(c) for c in spec.caps],
                state=spec.state or domain.ACTIVE,
                impressions=0,
                clicks=0,
                spend_micros=0,
                version=1,
                request_id=request_id or None,
                request_fingerprint=fingerprint,
                create_time=now,
                update_time=now,
            )
        )
        self.session.flush()

    def _ads_with_advertiser(self, query: Select[AdRow, str]) -> list[domain.Ad]:
        rows = self.session.execute(query).all()
        return [_ad(ad, advertiser) for ad, advertiser in rows]

    def _ad_query(self) -> Select[AdRow, str]:
        return select(AdRow, CampaignRow.advertiser).join(CampaignRow, CampaignRow.id == AdRow.campaign_id)

    def ad(self, ad_id: str, *, lock: bool = False) -> domain.Ad | None:
        query = self._ad_query().where(AdRow.id == ad_id)
        found = self._ads_with_advertiser(query.with_for_update(of=AdRow) if lock else query)
        return found[0] if found else None

    def ad_by_request(self, request_id: str) -> tuple[domain.Ad, str] | None:
        found = self.session.execute(self._ad_query().where(AdRow.request_id == request_id)).first()
        return (_ad(found[0], found[1]), found[0].request_fingerprint) if found else None

    def save_ad(self, ad: domain.Ad, now: dt.datetime) -> None:
        spec = ad.spec
        self.session.execute(
            update(AdRow)
            .where(AdRow.id == ad.id)
            .values(
                display_name=spec.display_name,
                creative=creative_json(spec.creative),
                click_url=spec.click_url,
                targeting=targeting_json(spec.targeting),
                schedule=schedule_json(spec.schedule),
                pricing_model=spec.pricing_model,
                rate_micros=spec.rate_micros,
                budget_total_micros=spec.budget.total_micros,
                budget_daily_micros=spec.budget.daily_micros,
                priority=spec.priority,
                weight=spec.weight,
                caps=[list(c) for c in spec.caps],
                state=spec.state,
                version=AdRow.version + 1,
                update_time=now,
                archive_time=ad.archive_time,
            )
        )

    def _ad_filter(
        self,
        query: Select[AdRow, str],
        *,
        states: Sequence[int],
        placements: Sequence[int],
        campaign_id: str,
        advertiser: str,
        search: str,
    ) -> Select[AdRow, str]:
        if states:
            query = query.where(AdRow.state.in_(states))
        if placements:
            query = query.where(AdRow.placement.in_(placements))
        if campaign_id:
            query = query.where(AdRow.campaign_id == campaign_id)
        if advertiser:
            query = query.where(func.lower(CampaignRow.advertiser) == advertiser.lower())
        if search:
            query = query.where(func.lower(AdRow.display_name).like(f"%{search.lower()}%"))
        return query

    def list_ads(self, *, order: int, after: dict[str, Any] | None, limit: int, **filters: Any) -> list[domain.Ad]:
        query = self._ad_filter(self._ad_query(), **filters)
        return self._ads_with_advertiser(_keyset(query, AdRow, order, after).limit(limit))

    def all_ads(self, **filters: Any) -> list[domain.Ad]:
        return self._ads_with_advertiser(self._ad_filter(self._ad_query(), **filters))

    def serveable(self) -> list[tuple[domain.Ad, domain.Campaign]]:
        """Every ad that might serve (neither it nor its campaign archived), with its campaign."""
        rows = self.session.execute(
            select(AdRow, CampaignRow)
            .join(CampaignRow, CampaignRow.id == AdRow.campaign_id)
            .where(AdRow.state != domain.ARCHIVED, CampaignRow.state != domain.ARCHIVED)
        ).all()
        return [(_ad(ad, campaign.advertiser), _campaign(campaign)) for ad, campaign in rows]

    # -- impressions ------------------------------------------------------------------------------

    def impression_by_token(self, token_id: str, *, lock: bool = False) -> ImpressionRow | None:
        query = select(ImpressionRow).where(ImpressionRow.token_id == token_id)
        return self.session.scalar(query.with_for_update() if lock else query)

    def impression_by_request(self, user_id: str, device_id: str, request_id: str) -> ImpressionRow | None:
        return self.session.scalar(
            select(ImpressionRow).where(
                ImpressionRow.request_id == request_id, ImpressionRow.user_id == user_id, ImpressionRow.device_id == device_id
            )
        )

    def impression_by_click_request(self, request_id: str, user_id: str, device_id: str) -> ImpressionRow | None:
        return self.session.scalar(
            select(ImpressionRow).where(
                ImpressionRow.click_request_id == request_id,
                ImpressionRow.user_id == user_id,
                ImpressionRow.device_id == device_id,
            )
        )

    def add_impression(self, row: ImpressionRow) -> None:
        """A Core INSERT of the row's set columns (unset ones take their defaults); a second row for the
        same token fails at its unique index (IntegrityError), which the caller turns into a replay."""
        values = {column.name: getattr(row, column.key) for column in _IMPRESSIONS.columns}
        self.session.connection().execute(_IMPRESSIONS.insert(), {k: v for k, v in values.items() if v is not None})

    def add_impressions(self, rows: Sequence[ImpressionRow]) -> None:
        """Many rows as executemany INSERTs, one per set of columns given (a banner and a finished video
        set different ones); one duplicate token fails them all at the unique index (IntegrityError)."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            values = {column.name: getattr(row, column.key) for column in _IMPRESSIONS.columns}
            present = {k: v for k, v in values.items() if v is not None}
            groups.setdefault(tuple(present), []).append(present)
        connection = self.session.connection()
        for group in groups.values():
            connection.execute(_IMPRESSIONS.insert(), group)

    def impression(self, impression_id: str) -> ImpressionRow | None:
        return self.session.get(ImpressionRow, impression_id)

    def list_impressions(
        self,
        *,
        ad_id: str,
        campaign_id: str,
        user_id: str,
        device_id: str,
        start: dt.datetime | None,
        end: dt.datetime | None,
        clicked_only: bool,
        after: dict[str, Any] | None,
        limit: int,
    ) -> list[ImpressionRow]:
        query = select(ImpressionRow)
        for column, value in (
            (ImpressionRow.ad_id, ad_id),
            (ImpressionRow.campaign_id, campaign_id),
            (ImpressionRow.user_id, user_id),
            (ImpressionRow.device_id, device_id),
        ):
            if value:
                query = query.where(column == value)
        if start is not None:
            query = query.where(ImpressionRow.record_time >= start)
        if end is not None:
            query = query.where(ImpressionRow.record_time < end)
        if clicked_only:
            query = query.where(ImpressionRow.click_count > 0)
        if after is not None:
            moment = dt.datetime.fromisoformat(after["t"])
            query = query.where(
                or_(ImpressionRow.record_time < moment, and_(ImpressionRow.record_time == moment, ImpressionRow.id < after["id"]))
            )
        query = query.order_by(ImpressionRow.record_time.desc(), ImpressionRow.id.desc()).limit(limit)
        return list(self.session.scalars(query))

    def user_impressions(self, user_id: str) -> list[ImpressionRow]:
        """Every impression recorded for a signed-in user, oldest first (account export)."""
        query = select(ImpressionRow).where(ImpressionRow.user_id == user_id)
        return list(self.session.scalars(query.order_by(ImpressionRow.record_time, ImpressionRow.id)))

    def user_impression_counts(self, user_id: str) -> tuple[int, int, int]:
        """(impressions, of which counted in the reported metrics, clicks) linked to a user."""
        row = self.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((ImpressionRow.invalid_reason == "", 1), else_=0)), 0),
                func.coalesce(func.sum(ImpressionRow.click_count), 0),
            ).where(ImpressionRow.user_id == user_id)
        ).one()
        return int(row[0]), int(row[1]), int(row[2])

    def delete_user_impressions(self, user_id: str) -> int:
        """Deletes a user's impressions (account erasure); the rollups they were counted in stay."""
        result = self.session.execute(delete(ImpressionRow).where(ImpressionRow.user_id == user_id))
        return int(getattr(result, "rowcount", 0) or 0)

    def charge(self, ad_id: str, campaign_id: str, *, impressions: int, clicks: int, micros: int) -> None:
        """Lifetime counters of the ad and the campaign, as atomic increments (no read-modify-write).

        Core statements on the session's connection: the ORM's bulk-update machinery costs more than
        the statement on this hot path (one per recorded impression)."""
        connection = self.session.connection()
        if impressions or clicks or micros:
            connection.execute(
                _ADS.update()
                .where(_ADS.c.id == ad_id)
                .values(
                    impressions=_ADS.c.impressions + impressions,
                    clicks=_ADS.c.clicks + clicks,
                    spend_micros=_ADS.c.spend_micros + micros,
                )
            )
        if micros:
            connection.execute(
                _CAMPAIGNS.update().where(_CAMPAIGNS.c.id == campaign_id).values(spend_micros=_CAMPAIGNS.c.spend_micros + micros)
            )

    # -- rollups ----------------------------------------------------------------------------------

    def add_to_rollups(self, *deltas: domain.RollupDelta) -> None:
        """Every dimension's row of every delta in one statement: `INSERT ... ON CONFLICT DO UPDATE SET
        n = n + excluded.n` with one parameter set per row (one prepared statement on SQLite, one batch on
        PostgreSQL). Deltas that meet on a row are summed first (an upsert may touch a row once per
        statement), and rows go in key order, so two processes' batches lock shared rows in one order."""
        summed: dict[tuple[str, str, str, dt.datetime], dict[str, Any]] = {}
        for delta in deltas:
            values = {name: getattr(delta.counts, name) for name in _COUNT_COLUMNS}
            if not any(values.values()):
                continue
            for dimension, key in delta.keys.items():
                hour = domain.bucket(dimension, delta.hour)
                row = summed.get((delta.ad_id, dimension, key, hour))
                if row is None:
                    summed[(delta.ad_id, dimension, key, hour)] = {
                        "ad_id": delta.ad_id, "hour": hour, "dimension": dimension, "key": key,
                        "campaign_id": delta.campaign_id, **values,
                    }  # fmt: skip
                else:
                    for name, value in values.items():
                        row[name] += value
        if not summed:
            return
        connection = self.session.connection()
        connection.execute(_rollup_upsert(connection.dialect.name), [summed[k] for k in sorted(summed)])

    def _sums(self) -> list[Any]:
        return [func.coalesce(func.sum(getattr(RollupRow, name)), 0) for name in _COUNT_COLUMNS]

    @staticmethod
    def _counts(values: Sequence[Any]) -> domain.Counts:
        return domain.Counts(**{name: int(value or 0) for name, value in zip(_COUNT_COLUMNS, values, strict=True)})

    def _scope(self, query: Select[Any], ad_ids: Sequence[str] | None, campaign_id: str) -> Select[Any]:
        if ad_ids is not None and len(ad_ids) == 1:
            query = query.where(RollupRow.ad_id == ad_ids[0])  # an equality lets the planner take the primary key
        elif ad_ids is not None:
            query = query.where(RollupRow.ad_id.in_(ad_ids))
        if campaign_id:
            query = query.where(RollupRow.campaign_id == campaign_id)
        return query

    def hourly(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        ad_ids: Sequence[str] | None = None,
        campaign_id: str = "",
        daily: bool = False,
    ) -> list[tuple[dt.datetime, domain.Counts]]:
        """Totals per bucket: per UTC hour, or per UTC day (`daily`: 24 times fewer rows to read)."""
        dimension = "day" if daily else ""
        query = select(RollupRow.hour, *self._sums()).where(
            RollupRow.dimension == dimension, RollupRow.key == "", RollupRow.hour >= start, RollupRow.hour < end
        )
        query = self._scope(query, ad_ids, campaign_id).group_by(RollupRow.hour)
        return [(_aware(row[0]), self._counts(row[1:])) for row in self.session.execute(query)]

    def by_key(
        self, dimension: str, start: dt.datetime, end: dt.datetime, *, ad_ids: Sequence[str] | None = None, campaign_id: str = ""
    ) -> list[tuple[str, domain.Counts]]:
        query = select(RollupRow.key, *self._sums()).where(
            RollupRow.dimension == dimension, RollupRow.hour >= start, RollupRow.hour < end
        )
        query = self._scope(query, ad_ids, campaign_id).group_by(RollupRow.key)
        return [(row[0], self._counts(row[1:])) for row in self.session.execute(query)]

    def by_ad(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        ad_ids: Sequence[str] | None = None,
        campaign_id: str = "",
        daily: bool = False,
    ) -> dict[str, domain.Counts]:
        query = select(RollupRow.ad_id, *self._sums()).where(
            RollupRow.dimension == ("day" if daily else ""), RollupRow.key == "", RollupRow.hour >= start, RollupRow.hour < end
        )
        query = self._scope(query, ad_ids, campaign_id).group_by(RollupRow.ad_id)
        return {row[0]: self._counts(row[1:]) for row in self.session.execute(query)}

    def by_campaign(self, start: dt.datetime, end: dt.datetime, *, daily: bool = False) -> dict[str, domain.Counts]:
        query = (
            select(RollupRow.campaign_id, *self._sums())
            .where(
                RollupRow.dimension == ("day" if daily else ""),
                RollupRow.key == "",
                RollupRow.hour >= start,
                RollupRow.hour < end,
            )
            .group_by(RollupRow.campaign_id)
        )
        return {row[0]: self._counts(row[1:]) for row in self.session.execute(query)}

    def ad_placements(self, ad_ids: Sequence[str] | None = None) -> dict[str, int]:
        query = select(AdRow.id, AdRow.placement)
        if ad_ids is not None:
            query = query.where(AdRow.id.in_(ad_ids))
        return {ad_id: placement for ad_id, placement in self.session.execute(query)}


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _keyset(query: S, table: Any, order: int, after: dict[str, Any] | None, advertiser_column: Any = None) -> S:
    """Newest first (1, default), recently updated (2), by display name (3), by advertiser or priority (4); id breaks ties."""
    if order == 2:
        columns = [(table.update_time, True, "t")]
    elif order == 3:
        columns = [(table.display_name, False, "s")]
    elif order == 4 and advertiser_column is not None:
        columns = [(advertiser_column, False, "a"), (table.display_name, False, "s")]
    elif order == 4:
        columns = [(table.priority, True, "p"), (table.weight, True, "w")]
    else:
        columns = [(table.create_time, True, "t")]
    columns.append((table.id, True, "id"))
    if after is not None:
        clauses = []
        for index, (column, descending, key) in enumerate(columns):
            value = after[key]
            if key == "t":
                value = dt.datetime.fromisoformat(value)
            equal = [c == (dt.datetime.fromisoformat(after[k]) if k == "t" else after[k]) for c, _, k in columns[:index]]
            clauses.append(and_(*equal, column < value if descending else column > value))
        query = query.where(or_(*clauses))
    return query.order_by(*[(c.desc() if d else c.asc()) for c, d, _ in columns])


def position(order: int, item: domain.Ad | domain.Campaign, advertiser: str = "") -> dict[str, Any]:
    """The keyset position after `item`, matching `_keyset`."""
    spec = item.spec
    if order == 2:
        found: dict[str, Any] = {"t": item.update_time.isoformat() if item.update_time else ""}
    elif order == 3:
        found = {"s": spec.display_name}
    elif order == 4 and isinstance(item, domain.Campaign):
        found = {"a": item.spec.advertiser, "s": spec.display_name}
    elif order == 4 and isinstance(item, domain.Ad):
        found = {"p": item.spec.priority, "w": item.spec.weight}
    else:
        found = {"t": item.create_time.isoformat() if item.create_time else ""}
    found["id"] = item.id
    return found
