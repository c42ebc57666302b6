"""Tracking fixtures: stubs on the shared server, signed tokens, and titles seeded through Catalog's admin RPCs."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass

import grpc
import pytest
from google.type import date_pb2
from marquee.catalog.v1 import catalog_pb2 as cpb
from marquee.catalog.v1 import catalog_pb2_grpc
from marquee.tracking.v1 import tracking_pb2_grpc

from tests.support.callers import Caller, Metadata, make_caller  # noqa: F401  (re-exported to the area's tests)
from tests.support.rpc import expect_error, fails  # noqa: F401  (re-exported to the area's tests)

DOMAIN = "marquee.tracking"


@pytest.fixture(scope="package")
def tracking(channel: grpc.aio.Channel) -> tracking_pb2_grpc.TrackingServiceStub:
    return tracking_pb2_grpc.TrackingServiceStub(channel)


@pytest.fixture(scope="package")
def catalog(channel: grpc.aio.Channel) -> catalog_pb2_grpc.CatalogServiceStub:
    return catalog_pb2_grpc.CatalogServiceStub(channel)


expect = functools.partial(expect_error, domain=DOMAIN)


@dataclass
class Show:
    title_id: str
    display_name: str
    seasons: dict[int, int]  # season number → episodes

    @property
    def name(self) -> str:
        return f"titles/{self.title_id}"

    def episode(self, season: int, number: int) -> str:
        return f"{self.name}/seasons/{season}/episodes/{number}"


def _date(value: dt.date) -> date_pb2.Date:
    return date_pb2.Date(year=value.year, month=value.month, day=value.day)


async def seed_title(
    catalog: catalog_pb2_grpc.CatalogServiceStub,
    admin: Caller,
    *,
    kind: str = "series",
    seasons: dict[int, int] | None = None,
    genres: tuple[str, ...] = ("Drama",),
    publish: bool = True,
    unaired: dict[int, int] | None = None,
    runtime: int = 30,
) -> Show:
    """A title created and published through Catalog's admin RPCs; `unaired` episodes air next year."""
    display = f"{kind.title()} {uuid.uuid4().hex[:8]}"
    title = (
        await catalog.CreateTitle(
            cpb.CreateTitleRequest(
                title=cpb.Title(
                    kind=cpb.TITLE_KIND_SERIES if kind == "series" else cpb.TITLE_KIND_MOVIE,
                    display_name=display,
                    genres=list(genres),
                    runtime_minutes=runtime if kind == "movie" else 0,
                )
            ),
            metadata=admin.auth,
        )
    ).title
    seasons = seasons if kind == "series" else {}
    seasons = {1: 3} if seasons is None else seasons
    past, future = dt.date.today() - dt.timedelta(days=30), dt.date.today() + dt.timedelta(days=365)
    for season, count in (seasons or {}).items():
        await catalog.CreateSeason(
            cpb.CreateSeasonRequest(parent=title.name, season=cpb.Season(season_number=season)), metadata=admin.auth
        )
        late = (unaired or {}).get(season, 0)
        for number in range(1, count + 1):
            aired = number <= count - late
            await catalog.CreateEpisode(
                cpb.CreateEpisodeRequest(
                    parent=f"{title.name}/seasons/{season}",
                    episode=cpb.Episode(
                        episode_number=number,
                        display_name=f"Episode {season}x{number}",
                        runtime_minutes=runtime,
                        air_date=_date(past if aired else future),
                    ),
                ),
                metadata=admin.auth,
            )
    if publish:
        await catalog.PublishTitle(cpb.PublishTitleRequest(name=title.name), metadata=admin.auth)
    return Show(title.name.removeprefix("titles/"), display, dict(seasons or {}))


@pytest.fixture
async def show(catalog: catalog_pb2_grpc.CatalogServiceStub, admin: Caller) -> Show:
    """A published series: season 1 with 3 episodes, season 2 with 2."""
    return await seed_title(catalog, admin, seasons={1: 3, 2: 2})


@pytest.fixture
async def movie(catalog: catalog_pb2_grpc.CatalogServiceStub, admin: Caller) -> Show:
    return await seed_title(catalog, admin, kind="movie", genres=("Drama", "Crime"), runtime=100)
