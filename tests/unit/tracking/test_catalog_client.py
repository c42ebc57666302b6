"""The Catalog seam: facts from Catalog's messages, and the short in-process cache."""

from __future__ import annotations

import datetime as dt

import grpc
from google.type import date_pb2
from marquee.catalog.v1 import catalog_pb2 as cpb

from services.tracking.catalog_client import CatalogClient, TitleFacts, title_facts


def test_facts_from_catalog_messages() -> None:
    title = cpb.Title(
        name="titles/t1", kind=cpb.TITLE_KIND_SERIES, display_name="Show", genres=["Drama"],
        publish_state=cpb.PUBLISH_STATE_PUBLISHED, release_date=date_pb2.Date(year=2020, month=5, day=1),
    )  # fmt: skip
    episodes = [
        cpb.Episode(season_number=1, episode_number=2, runtime_minutes=40, air_date=date_pb2.Date(year=2020, month=5, day=8)),
        cpb.Episode(season_number=0, episode_number=1),
        cpb.Episode(season_number=1, episode_number=1, runtime_minutes=45),
    ]
    facts = title_facts(title, episodes)
    assert (facts.title_id, facts.kind, facts.published, facts.release_date) == ("t1", "series", True, dt.date(2020, 5, 1))
    assert [(e.season_number, e.episode_number) for e in facts.episodes] == [(0, 1), (1, 1), (1, 2)]
    assert facts.episode_count == 2
    assert facts.episodes[1].air_date is None
    assert facts.episodes[2].air_date == dt.date(2020, 5, 8)


class Counting(CatalogClient):
    def __init__(self, answer: TitleFacts | None, clock: list[float]) -> None:
        super().__init__(lambda: grpc.aio.insecure_channel("127.0.0.1:9"), self._no_metadata, clock=lambda: clock[0])
        self.answer, self.calls = answer, 0

    @staticmethod
    async def _no_metadata() -> tuple[tuple[str, str], ...]:
        return ()

    async def _fetch(self, title_id: str) -> TitleFacts | None:
        self.calls += 1
        return self.answer


async def test_found_titles_are_cached_for_a_minute_missing_ones_briefly() -> None:
    clock = [0.0]
    found = Counting(TitleFacts("t1", "movie"), clock)
    missing = Counting(None, clock)
    for _ in range(3):
        await found.title("t1")
        await missing.title("t2")
    assert (found.calls, missing.calls) == (1, 1)
    clock[0] = 10.0
    await found.title("t1")
    await missing.title("t2")
    assert (found.calls, missing.calls) == (1, 2)
    clock[0] = 75.0
    await found.title("t1")
    assert found.calls == 2
