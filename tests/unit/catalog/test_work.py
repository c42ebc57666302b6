"""Catalog's unit-of-work steps (`CatalogWork`) on a real SQLite session (FTS5 attached), without sockets."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.catalog import search
from services.catalog.demo import demo_rows, load_demo_catalog
from services.catalog.domain import EpisodeFields, ProviderSeason, ProviderTitleDetails, TitleFields, title_etag
from services.catalog.repository import CatalogRepository, TitleQuery
from services.catalog.usecases import CatalogWork, SeasonValues
from services.core import errors, migrate
from services.core.settings import Settings


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> Iterator[CatalogRepository]:
    # The real migrations: they build the FTS5 index and its triggers, which the models do not describe.
    settings = Settings(env="test", data_dir=tmp_path, services=["catalog"])
    migrate.upgrade(settings)
    engine = create_engine(settings.resolved_database_url)
    with Session(engine) as session:
        yield CatalogRepository(session)
    engine.dispose()


work = CatalogWork()


def test_search_words() -> None:
    assert search.query_words('"Night" OR (market*') == ["night", "or", "market"]


def test_create_validates_and_derives_unique_slugs(repo: CatalogRepository) -> None:
    first = work.create_title(repo, TitleFields(kind="movie", display_name="Night Market"))
    second = work.create_title(repo, TitleFields(kind="movie", display_name="Night Market"))
    assert (first.title.slug, second.title.slug) == ("night-market", "night-market-2")
    with pytest.raises(errors.InvalidArgument) as caught:
        work.create_title(repo, TitleFields(kind="episode", display_name="", runtime_minutes=-1))
    assert {v.field for v in caught.value.violations} == {"title.kind", "title.display_name", "title.runtime_minutes"}
    with pytest.raises(errors.AlreadyExists) as taken:
        work.create_title(repo, TitleFields(kind="movie", display_name="Other", slug="night-market"))
    assert taken.value.reason == "SLUG_TAKEN"


def test_etag_publish_and_visibility(repo: CatalogRepository) -> None:
    view = work.create_title(repo, TitleFields(kind="series", display_name="Saga"))
    etag = title_etag(view.title.id, view.title.revision)
    with pytest.raises(errors.FailedPrecondition) as empty:
        work.publish(repo, view.title.id)
    assert empty.value.reason == "SERIES_HAS_NO_EPISODES"
    work.create_season(repo, view.title.id, SeasonValues(1, "", "", None, ""))
    work.create_episode(repo, view.title.id, 1, 1, EpisodeFields(display_name="Pilot"))
    with pytest.raises(errors.NotFound):
        work.get_title(repo, title_id=view.title.id, admin=False)
    work.publish(repo, view.title.id)
    assert work.get_title(repo, slug="saga", admin=False).title.id == view.title.id
    with pytest.raises(errors.Aborted) as stale:
        work.update_title(repo, view.title.id, TitleFields(overview="x"), etag=etag)
    assert stale.value.reason == "ETAG_MISMATCH"
    work.delete_title(repo, view.title.id, etag="")
    with pytest.raises(errors.NotFound):
        work.get_title(repo, title_id=view.title.id, admin=True)


def test_import_twice_updates_instead_of_duplicating(repo: CatalogRepository) -> None:
    def details(name: str, episodes: int) -> ProviderTitleDetails:
        episode_list = [(n, EpisodeFields(display_name=f"E{n}")) for n in range(1, episodes + 1)]
        season = ProviderSeason(1, "Season 1", "", None, "", episode_list)
        return ProviderTitleDetails("series", "1399", TitleFields(display_name=name, imdb_id="tt1"), [season])

    first, created = work.import_title(repo, details("Thrones", 2), access_level=2, publish=True)
    again, created_again = work.import_title(repo, details("Thrones (renamed)", 3), access_level=3, publish=False)
    assert (created, created_again) == (True, False)
    assert again.title.id == first.title.id
    assert again.title.display_name == "Thrones (renamed)"
    assert again.title.episode_count == 3
    assert again.title.access_level == 2  # access level is only given to new imports
    assert repo.count_titles() == 1


def test_keyset_pages_and_fts_search(repo: CatalogRepository) -> None:
    load_demo_catalog(repo.s)
    seen: list[str] = []
    after = None
    while True:
        views, after, _ = work.list_titles(repo, TitleQuery(), order="popularity", after=after, limit=37, count=False)
        seen += [v.title.id for v in views]
        if after is None:
            break
    assert len(seen) == len(set(seen)) == 300
    views, _, total = work.list_titles(repo, TitleQuery(words=("lagos",)), order="relevance", after=None, limit=5, count=True)
    assert total > 0
    assert all("lagos" in (v.title.display_name + v.title.overview).lower() for v in views)
    assert [v.score for v in views] == sorted((v.score for v in views), reverse=True)


def test_search_index_follows_title_writes(repo: CatalogRepository) -> None:
    def found(order: str = "popularity", **filters: Any) -> list[str]:
        query = TitleQuery(words=("quokka",), **filters)
        views, _, _ = work.list_titles(repo, query, order=order, after=None, limit=10, count=True)
        return [v.title.display_name for v in views]

    low = work.create_title(repo, TitleFields(kind="movie", display_name="Quokka low", genres=["Noir"], popularity=1.0))
    high = work.create_title(repo, TitleFields(kind="movie", display_name="Quokka high", genres=["Noir"], popularity=2.0))
    work.publish(repo, low.title.id)
    work.publish(repo, high.title.id)
    repo.flush()
    assert found() == ["Quokka high", "Quokka low"]
    work.update_title(repo, low.title.id, TitleFields(popularity=3.0, rating=9.0, genres=["Noir|Western"]), etag="")
    assert found() == ["Quokka low", "Quokka high"]
    assert found("rating") == ["Quokka low", "Quokka high"]
    assert found(genres=("Noir",)) == ["Quokka high"]  # genre names match whole, never a part
    assert found(genres=("Western",)) == []
    assert found(genres=("Noir|Western", "Drama")) == ["Quokka low"]
    work.unpublish(repo, high.title.id)
    assert found() == ["Quokka low"]
    assert found(include_drafts=True) == ["Quokka low", "Quokka high"]
    work.delete_title(repo, low.title.id, etag="")
    assert found() == []
    repo.delete(repo.title(high.title.id))
    repo.flush()
    assert found(include_drafts=True) == []


def test_demo_catalog_is_deterministic_and_loads_once(repo: CatalogRepository) -> None:
    first, again = demo_rows(), demo_rows()
    assert [t["display_name"] for t in first["titles"]] == [t["display_name"] for t in again["titles"]]
    assert all(t["display_name"].startswith("Demo: ") for t in first["titles"])
    assert {t["access_level"] for t in first["titles"]} == {1, 2, 3}
    assert first["episodes"]
    # "an electric story", never "a electric story"
    assert not any(re.search(r"\ba [aeiou]", t["overview"]) for t in first["titles"])
    assert any(" an " in t["overview"] for t in first["titles"])
    assert load_demo_catalog(repo.s) == 300
    assert load_demo_catalog(repo.s) == 0
