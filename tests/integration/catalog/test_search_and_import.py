"""Search on the backend under test (FTS relevance, filters, sorts) and import from the TMDb stand-in."""

from __future__ import annotations

import uuid

import grpc
from google.protobuf import field_mask_pb2
from google.type import date_pb2
from marquee.catalog.v1 import catalog_pb2 as pb

from tests.integration.catalog.conftest import Stub, expect, fails, make_title
from tests.support.tmdb_standin import TmdbStandin


async def test_search_relevance_filters_and_sorts(stub: Stub, admin) -> None:
    word = "zq" + uuid.uuid4().hex[:6]
    in_title = await make_title(
        stub,
        admin,
        display_name=f"The {word} Affair",
        overview="A quiet story.",
        release_date=date_pb2.Date(year=1990, month=1, day=1),
    )
    in_overview = await make_title(
        stub,
        admin,
        display_name="Unrelated",
        overview=f"Somewhere a {word} waits.",
        release_date=date_pb2.Date(year=2015, month=1, day=1),
        access_level=pb.ACCESS_LEVEL_BASIC,
    )
    series = await make_title(
        stub,
        admin,
        kind=pb.TITLE_KIND_SERIES,
        display_name=f"{word} Chronicles",
        release_date=date_pb2.Date(year=2022, month=1, day=1),
        genres=["Mystery"],
    )
    await make_title(stub, admin, display_name=f"{word} draft", publish=False)
    found = await stub.SearchTitles(pb.SearchTitlesRequest(query=word))
    names = [t.name for t in found.titles]
    assert set(names) == {in_title.name, in_overview.name, series.name}
    assert found.total_size == 3
    assert names.index(in_overview.name) == 2  # a title match outranks an overview match
    newest = await stub.SearchTitles(pb.SearchTitlesRequest(query=word, order_by=pb.TITLE_ORDER_NEWEST))
    assert [t.name for t in newest.titles] == [series.name, in_overview.name, in_title.name]
    alpha = await stub.SearchTitles(pb.SearchTitlesRequest(query=word, order_by=pb.TITLE_ORDER_TITLE))
    assert [t.display_name for t in alpha.titles] == sorted(t.display_name for t in alpha.titles)
    kinds = await stub.SearchTitles(pb.SearchTitlesRequest(query=word, filter=pb.TitleFilter(kind=pb.TITLE_KIND_SERIES)))
    assert [t.name for t in kinds.titles] == [series.name]
    years = await stub.SearchTitles(pb.SearchTitlesRequest(query=word, filter=pb.TitleFilter(min_year=2010, max_year=2016)))
    assert [t.name for t in years.titles] == [in_overview.name]
    levels = await stub.SearchTitles(
        pb.SearchTitlesRequest(query=word, filter=pb.TitleFilter(access_levels=[pb.ACCESS_LEVEL_BASIC]))
    )
    assert [t.name for t in levels.titles] == [in_overview.name]
    genres = await stub.SearchTitles(pb.SearchTitlesRequest(query=word, filter=pb.TitleFilter(genres=["Mystery"])))
    assert [t.name for t in genres.titles] == [series.name]
    drafts = await stub.SearchTitles(
        pb.SearchTitlesRequest(query=word, filter=pb.TitleFilter(include_drafts=True)), metadata=admin
    )
    assert len(drafts.titles) == 4
    paged = await stub.SearchTitles(pb.SearchTitlesRequest(query=word, page_size=2))
    rest = await stub.SearchTitles(pb.SearchTitlesRequest(query=word, page_size=2, page_token=paged.next_page_token))
    assert [t.name for t in [*paged.titles, *rest.titles]] == names
    assert paged.total_size == rest.total_size == 3
    other = await fails(stub.SearchTitles(pb.SearchTitlesRequest(query="else", page_size=2, page_token=paged.next_page_token)))
    expect(other, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN")
    renamed = pb.Title(name=in_title.name, display_name="Renamed entirely")
    await stub.UpdateTitle(
        pb.UpdateTitleRequest(title=renamed, update_mask=field_mask_pb2.FieldMask(paths=["display_name"])), metadata=admin
    )
    after = await stub.SearchTitles(pb.SearchTitlesRequest(query=word))
    assert in_title.name not in {t.name for t in after.titles}
    operators = await stub.SearchTitles(pb.SearchTitlesRequest(query=f'"{word}"* ( ^'))
    assert operators.titles


async def test_search_index_follows_every_change_to_a_title(stub: Stub, admin) -> None:
    """Searches filter and sort in the search index alone: it must follow each write to a title."""
    word = "zq" + uuid.uuid4().hex[:6]

    async def found(**filters: object) -> list[str]:
        request = pb.SearchTitlesRequest(query=word, filter=pb.TitleFilter(**filters), order_by=pb.TITLE_ORDER_TITLE)
        return [t.name for t in (await stub.SearchTitles(request)).titles]

    async def update(title: pb.Title, *paths: str) -> None:
        mask = field_mask_pb2.FieldMask(paths=list(paths))
        await stub.UpdateTitle(pb.UpdateTitleRequest(title=title, update_mask=mask), metadata=admin)

    first = await make_title(stub, admin, display_name=f"{word} a", genres=["Noir"], publish=False)
    second = await make_title(stub, admin, display_name=f"{word} b", genres=["Western"])
    assert await found() == [second.name]  # a draft is not found
    await stub.PublishTitle(pb.PublishTitleRequest(name=first.name), metadata=admin)
    assert await found() == [first.name, second.name]
    await update(pb.Title(name=first.name, display_name=f"{word} c"), "display_name")  # sorts by the new name
    assert await found() == [second.name, first.name]
    assert await found(genres=["Noir"]) == [first.name]
    await update(pb.Title(name=first.name, genres=["Western", "Drama"]), "genres")
    assert await found(genres=["Noir"]) == []
    assert await found(genres=["Drama"]) == [first.name]
    assert await found(genres=["Western"]) == [second.name, first.name]
    await update(pb.Title(name=first.name, access_level=pb.ACCESS_LEVEL_PREMIUM), "access_level")
    assert await found(access_levels=[pb.ACCESS_LEVEL_PREMIUM]) == [first.name]
    await update(pb.Title(name=first.name, release_date=date_pb2.Date(year=1961, month=5, day=1)), "release_date")
    assert await found(min_year=1960, max_year=1962) == [first.name]
    await stub.UnpublishTitle(pb.UnpublishTitleRequest(name=second.name), metadata=admin)
    assert await found() == [first.name]
    current = (await stub.GetTitle(pb.GetTitleRequest(name=first.name))).title
    await stub.DeleteTitle(pb.DeleteTitleRequest(name=first.name, etag=current.etag), metadata=admin)
    assert await found() == []
    assert (await stub.SearchTitles(pb.SearchTitlesRequest(query=word))).total_size == 0


async def test_search_provider_and_cache(stub: Stub, admin, tmdb: TmdbStandin) -> None:
    before = len(tmdb.paths())
    found = await stub.SearchProvider(pb.SearchProviderRequest(query="standin"), metadata=admin)
    assert {(r.provider_id, r.kind) for r in found.results} == {("603", pb.TITLE_KIND_MOVIE), ("1399", pb.TITLE_KIND_SERIES)}
    await stub.SearchProvider(pb.SearchProviderRequest(query="standin"), metadata=admin)
    assert len(tmdb.paths()) == before + 1  # the second search came from the database cache
    _, query, _ = tmdb.requests[-1]
    assert query["api_key"] == ["v3-test-key"]
    first = await stub.SearchProvider(pb.SearchProviderRequest(query="standin", page_size=1), metadata=admin)
    second = await stub.SearchProvider(
        pb.SearchProviderRequest(query="standin", page_size=1, page_token=first.next_page_token), metadata=admin
    )
    assert [r.provider_id for r in [*first.results, *second.results]] == [r.provider_id for r in found.results]
    assert not second.next_page_token
    assert len(tmdb.paths()) == before + 1  # every page came from the cached provider answer
    expect(
        await fails(stub.SearchProvider(pb.SearchProviderRequest(query=" "), metadata=admin)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )


async def test_import_creates_then_updates_with_retries(stub: Stub, admin, tmdb: TmdbStandin) -> None:
    tmdb.fail_next(503)
    tmdb.fail_next(429, headers={"Retry-After": "1"})
    first = await stub.ImportTitle(
        pb.ImportTitleRequest(provider_id="1399", kind=pb.TITLE_KIND_SERIES, publish=True, access_level=pb.ACCESS_LEVEL_BASIC),
        metadata=admin,
    )
    assert first.created
    assert first.title.episode_count == 3
    assert first.title.season_count == 1
    assert first.title.external_ids.imdb_id == "tt0944947"
    assert first.title.access_level == pb.ACCESS_LEVEL_BASIC
    assert first.title.publish_state == pb.PUBLISH_STATE_PUBLISHED
    requests = len(tmdb.paths())
    again = await stub.ImportTitle(pb.ImportTitleRequest(provider_id="1399", kind=pb.TITLE_KIND_SERIES), metadata=admin)
    assert not again.created
    assert again.title.name == first.title.name
    assert len(tmdb.paths()) == requests  # details and season came from the cache
    episodes = await stub.ListEpisodes(pb.ListEpisodesRequest(parent=f"{first.title.name}/seasons/1"))
    assert [e.episode_number for e in episodes.episodes] == [1, 2, 3]
    missing = await fails(stub.ImportTitle(pb.ImportTitleRequest(provider_id="999999", kind=pb.TITLE_KIND_MOVIE), metadata=admin))
    expect(missing, grpc.StatusCode.NOT_FOUND, "PROVIDER_TITLE_NOT_FOUND")
    tmdb.fail_next(500, count=4)
    down = await fails(stub.ImportTitle(pb.ImportTitleRequest(provider_id="603", kind=pb.TITLE_KIND_MOVIE), metadata=admin))
    expect(down, grpc.StatusCode.UNAVAILABLE, "PROVIDER_UNAVAILABLE")
    tmdb.fail_next(429, headers={"Retry-After": "120"})
    limited = await fails(stub.ImportTitle(pb.ImportTitleRequest(provider_id="603", kind=pb.TITLE_KIND_MOVIE), metadata=admin))
    expect(limited, grpc.StatusCode.RESOURCE_EXHAUSTED, "PROVIDER_RATE_LIMITED")
    assert limited.retry is not None
    assert limited.retry.retry_delay.seconds == 120
    movie = await stub.ImportTitle(pb.ImportTitleRequest(provider_id="603", kind=pb.TITLE_KIND_MOVIE), metadata=admin)
    assert movie.created
    assert movie.title.runtime_minutes == 136
    assert list(movie.title.genres) == ["Action"]
    expect(
        await fails(stub.ImportTitle(pb.ImportTitleRequest(provider_id="abc", kind=pb.TITLE_KIND_MOVIE), metadata=admin)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )
