"""Titles, seasons, episodes, categories and genres over a real channel."""

from __future__ import annotations

import asyncio
import uuid

import grpc
from google.protobuf import field_mask_pb2
from google.type import date_pb2
from marquee.catalog.v1 import catalog_pb2 as pb
from marquee.catalog.v1 import catalog_pb2_grpc

from services.app import Dependencies, build_server
from services.catalog.settings import CatalogSettings
from services.core.settings import Settings
from tests.integration.catalog.conftest import Stub, expect, fails, make_title

NF, INV, PD = grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED


async def test_create_get_by_id_and_slug(stub: Stub, admin, user) -> None:
    slug = f"night-{uuid.uuid4().hex[:6]}"
    title = await make_title(
        stub,
        admin,
        display_name="Night Market",
        slug=slug,
        overview="Lagos after dark",
        release_date=date_pb2.Date(year=2020, month=5, day=1),
        genres=["Drama"],
    )
    by_id = await stub.GetTitle(pb.GetTitleRequest(name=title.name), metadata=user)
    by_slug = await stub.GetTitle(pb.GetTitleRequest(name=f"titles/slug:{slug}"))
    assert by_id.title.name == by_slug.title.name == title.name
    assert by_slug.title.genres == ["Drama"]
    assert by_slug.title.publish_state == pb.PUBLISH_STATE_PUBLISHED
    expect(await fails(stub.GetTitle(pb.GetTitleRequest(name="titles/slug:nope-nope"))), NF, "NOT_FOUND")
    expect(await fails(stub.GetTitle(pb.GetTitleRequest(name="movies/1"))), INV, "INVALID_ARGUMENT")
    derived = await make_title(stub, admin, display_name="Night Market", publish=False)
    assert derived.slug.startswith("night-market")


async def test_unpublished_and_deleted_are_invisible_to_users(stub: Stub, admin, user) -> None:
    draft = await make_title(stub, admin, publish=False)
    expect(await fails(stub.GetTitle(pb.GetTitleRequest(name=draft.name), metadata=user)), NF, "NOT_FOUND")
    expect(await fails(stub.GetTitle(pb.GetTitleRequest(name=draft.name))), NF, "NOT_FOUND")
    assert (await stub.GetTitle(pb.GetTitleRequest(name=draft.name), metadata=admin)).title.name == draft.name
    listed = await stub.ListTitles(pb.ListTitlesRequest(page_size=100, filter=pb.TitleFilter(include_drafts=True)), metadata=user)
    assert draft.name not in {t.name for t in listed.titles}
    published = await make_title(stub, admin)
    await stub.UnpublishTitle(pb.UnpublishTitleRequest(name=published.name), metadata=admin)
    expect(await fails(stub.GetTitle(pb.GetTitleRequest(name=published.name), metadata=user)), NF, "NOT_FOUND")
    await stub.PublishTitle(pb.PublishTitleRequest(name=published.name), metadata=admin)
    current = (await stub.GetTitle(pb.GetTitleRequest(name=published.name), metadata=admin)).title
    await stub.DeleteTitle(pb.DeleteTitleRequest(name=published.name, etag=current.etag), metadata=admin)
    expect(await fails(stub.GetTitle(pb.GetTitleRequest(name=published.name), metadata=admin)), NF, "NOT_FOUND")
    expect(await fails(stub.DeleteTitle(pb.DeleteTitleRequest(name=published.name), metadata=admin)), NF, "NOT_FOUND")


async def test_locked_fails_closed_when_billing_cannot_answer(stub: Stub, admin, user) -> None:
    premium = await make_title(stub, admin, access_level=pb.ACCESS_LEVEL_PREMIUM)
    free = await make_title(stub, admin)
    assert (await stub.GetTitle(pb.GetTitleRequest(name=premium.name), metadata=user)).title.locked
    assert (await stub.GetTitle(pb.GetTitleRequest(name=premium.name))).title.locked
    assert not (await stub.GetTitle(pb.GetTitleRequest(name=free.name), metadata=user)).title.locked
    assert not (await stub.GetTitle(pb.GetTitleRequest(name=premium.name), metadata=admin)).title.locked
    listed = await stub.SearchTitles(
        pb.SearchTitlesRequest(filter=pb.TitleFilter(access_levels=[pb.ACCESS_LEVEL_PREMIUM]), page_size=100), metadata=user
    )
    assert listed.titles
    assert all(t.locked for t in listed.titles)


async def test_update_mask_and_etag(stub: Stub, admin) -> None:
    title = await make_title(stub, admin, publish=False)
    mask = field_mask_pb2.FieldMask(paths=["display_name", "genres", "external_ids.imdb_id"])
    changed = pb.Title(
        name=title.name,
        display_name="Renamed",
        genres=["Comedy", "Drama"],
        etag=title.etag,
        external_ids=pb.ExternalIds(imdb_id=f"tt{uuid.uuid4().int % 10**8}"),
    )
    updated = (await stub.UpdateTitle(pb.UpdateTitleRequest(title=changed, update_mask=mask), metadata=admin)).title
    assert (updated.display_name, list(updated.genres)) == ("Renamed", ["Comedy", "Drama"])
    assert updated.etag != title.etag
    stale = await fails(stub.UpdateTitle(pb.UpdateTitleRequest(title=changed, update_mask=mask), metadata=admin))
    expect(stale, grpc.StatusCode.ABORTED, "ETAG_MISMATCH")
    expect(
        await fails(stub.DeleteTitle(pb.DeleteTitleRequest(name=title.name, etag="stale"), metadata=admin)),
        grpc.StatusCode.ABORTED,
        "ETAG_MISMATCH",
    )
    for paths in (["rating"], ["kind"], ["nonsense"], []):
        error = await fails(
            stub.UpdateTitle(
                pb.UpdateTitleRequest(title=pb.Title(name=title.name), update_mask=field_mask_pb2.FieldMask(paths=paths)),
                metadata=admin,
            )
        )
        expect(error, INV, "INVALID_ARGUMENT")
        assert error.bad_request is not None
        assert error.bad_request.field_violations[0].field == "update_mask"
    other = await make_title(stub, admin, publish=False)
    taken = pb.Title(name=other.name, slug=updated.slug)
    expect(
        await fails(
            stub.UpdateTitle(
                pb.UpdateTitleRequest(title=taken, update_mask=field_mask_pb2.FieldMask(paths=["slug"])), metadata=admin
            )
        ),
        grpc.StatusCode.ALREADY_EXISTS,
        "SLUG_TAKEN",
    )
    expect(
        await fails(
            stub.UpdateTitle(
                pb.UpdateTitleRequest(
                    title=pb.Title(name="titles/unknown"), update_mask=field_mask_pb2.FieldMask(paths=["overview"])
                ),
                metadata=admin,
            )
        ),
        NF,
        "NOT_FOUND",
    )


async def test_admin_rpcs_refuse_users(stub: Stub, user) -> None:
    calls = [
        stub.CreateTitle(pb.CreateTitleRequest(title=pb.Title(kind=pb.TITLE_KIND_MOVIE, display_name="x")), metadata=user),
        stub.PublishTitle(pb.PublishTitleRequest(name="titles/x"), metadata=user),
        stub.UnpublishTitle(pb.UnpublishTitleRequest(name="titles/x"), metadata=user),
        stub.DeleteTitle(pb.DeleteTitleRequest(name="titles/x"), metadata=user),
        stub.UpdateTitle(pb.UpdateTitleRequest(title=pb.Title(name="titles/x")), metadata=user),
        stub.CreateSeason(pb.CreateSeasonRequest(parent="titles/x"), metadata=user),
        stub.CreateEpisode(pb.CreateEpisodeRequest(parent="titles/x/seasons/1"), metadata=user),
        stub.UpdateEpisode(pb.UpdateEpisodeRequest(), metadata=user),
        stub.DeleteEpisode(pb.DeleteEpisodeRequest(name="titles/x/seasons/1/episodes/1"), metadata=user),
        stub.CreateCategory(pb.CreateCategoryRequest(), metadata=user),
        stub.UpdateCategory(pb.UpdateCategoryRequest(), metadata=user),
        stub.DeleteCategory(pb.DeleteCategoryRequest(name="categories/x"), metadata=user),
        stub.SearchProvider(pb.SearchProviderRequest(query="x"), metadata=user),
        stub.ImportTitle(pb.ImportTitleRequest(provider_id="1", kind=pb.TITLE_KIND_MOVIE), metadata=user),
    ]
    for call in calls:
        expect(await fails(call), PD, "ROLE_REQUIRED")


async def test_series_seasons_and_episodes(stub: Stub, admin, user) -> None:
    series = await make_title(stub, admin, kind=pb.TITLE_KIND_SERIES, publish=False)
    for n in (2, 3):
        await stub.CreateSeason(pb.CreateSeasonRequest(parent=series.name, season=pb.Season(season_number=n)), metadata=admin)
    expect(
        await fails(
            stub.CreateSeason(pb.CreateSeasonRequest(parent=series.name, season=pb.Season(season_number=2)), metadata=admin)
        ),
        grpc.StatusCode.ALREADY_EXISTS,
        "SEASON_EXISTS",
    )
    for n in range(2, 6):
        await stub.CreateEpisode(
            pb.CreateEpisodeRequest(
                parent=f"{series.name}/seasons/1", episode=pb.Episode(episode_number=n, display_name=f"E{n}")
            ),
            metadata=admin,
        )
    expect(
        await fails(
            stub.CreateEpisode(
                pb.CreateEpisodeRequest(
                    parent=f"{series.name}/seasons/1", episode=pb.Episode(episode_number=2, display_name="dup")
                ),
                metadata=admin,
            )
        ),
        grpc.StatusCode.ALREADY_EXISTS,
        "EPISODE_EXISTS",
    )
    # drafts are invisible to users below the title too
    expect(await fails(stub.ListSeasons(pb.ListSeasonsRequest(parent=series.name), metadata=user)), NF, "NOT_FOUND")
    await stub.PublishTitle(pb.PublishTitleRequest(name=series.name), metadata=admin)
    got = await stub.GetTitle(pb.GetTitleRequest(name=series.name), metadata=user)
    assert [s.season_number for s in got.seasons] == [1, 2, 3]
    assert got.title.episode_count == 5
    first = await stub.ListSeasons(pb.ListSeasonsRequest(parent=series.name, page_size=2))
    rest = await stub.ListSeasons(pb.ListSeasonsRequest(parent=series.name, page_size=2, page_token=first.next_page_token))
    assert [s.season_number for s in [*first.seasons, *rest.seasons]] == [1, 2, 3]
    assert not rest.next_page_token
    names, token = [], ""
    while True:
        page = await stub.ListEpisodes(pb.ListEpisodesRequest(parent=f"{series.name}/seasons/1", page_size=2, page_token=token))
        names += [e.episode_number for e in page.episodes]
        token = page.next_page_token
        if not token:
            break
    assert names == [1, 2, 3, 4, 5]
    episode_name = f"{series.name}/seasons/1/episodes/3"
    updated = await stub.UpdateEpisode(
        pb.UpdateEpisodeRequest(
            episode=pb.Episode(name=episode_name, display_name="Renamed", runtime_minutes=42),
            update_mask=field_mask_pb2.FieldMask(paths=["display_name", "runtime_minutes"]),
        ),
        metadata=admin,
    )
    assert (updated.episode.display_name, updated.episode.runtime_minutes) == ("Renamed", 42)
    expect(
        await fails(
            stub.UpdateEpisode(
                pb.UpdateEpisodeRequest(
                    episode=pb.Episode(name=episode_name), update_mask=field_mask_pb2.FieldMask(paths=["season_number"])
                ),
                metadata=admin,
            )
        ),
        INV,
        "INVALID_ARGUMENT",
    )
    assert (await stub.GetEpisode(pb.GetEpisodeRequest(name=episode_name))).episode.display_name == "Renamed"
    await stub.DeleteEpisode(pb.DeleteEpisodeRequest(name=episode_name), metadata=admin)
    expect(await fails(stub.GetEpisode(pb.GetEpisodeRequest(name=episode_name))), NF, "NOT_FOUND")
    expect(await fails(stub.GetEpisode(pb.GetEpisodeRequest(name="titles/x/seasons/a/episodes/1"))), INV, "INVALID_ARGUMENT")
    movie = await make_title(stub, admin)
    expect(
        await fails(stub.ListSeasons(pb.ListSeasonsRequest(parent=movie.name))),
        grpc.StatusCode.FAILED_PRECONDITION,
        "NOT_A_SERIES",
    )
    empty = (
        await stub.CreateTitle(
            pb.CreateTitleRequest(title=pb.Title(kind=pb.TITLE_KIND_SERIES, display_name="Empty")), metadata=admin
        )
    ).title
    expect(
        await fails(stub.PublishTitle(pb.PublishTitleRequest(name=empty.name), metadata=admin)),
        grpc.StatusCode.FAILED_PRECONDITION,
        "SERIES_HAS_NO_EPISODES",
    )


async def test_categories_and_genres(stub: Stub, admin) -> None:
    slug = f"nolly-{uuid.uuid4().hex[:6]}"
    category = (
        await stub.CreateCategory(
            pb.CreateCategoryRequest(category=pb.Category(display_name="Nollywood classics", slug=slug, sort_order=-5)),
            metadata=admin,
        )
    ).category
    expect(
        await fails(
            stub.CreateCategory(pb.CreateCategoryRequest(category=pb.Category(display_name="Other", slug=slug)), metadata=admin)
        ),
        grpc.StatusCode.ALREADY_EXISTS,
        "SLUG_TAKEN",
    )
    genre = f"Genre{uuid.uuid4().hex[:6]}"
    await make_title(stub, admin, categories=[category.name], genres=[genre])
    listed = await stub.ListCategories(pb.ListCategoriesRequest(page_size=1))
    assert listed.categories[0].name == category.name
    assert listed.categories[0].title_count == 1
    found = await stub.SearchTitles(pb.SearchTitlesRequest(filter=pb.TitleFilter(category=category.name)))
    assert len(found.titles) == 1
    updated = await stub.UpdateCategory(
        pb.UpdateCategoryRequest(
            category=pb.Category(name=category.name, description="Old gold"),
            update_mask=field_mask_pb2.FieldMask(paths=["description"]),
        ),
        metadata=admin,
    )
    assert updated.category.description == "Old gold"
    genres, token = [], ""
    while True:
        page = await stub.ListGenres(pb.ListGenresRequest(page_size=3, page_token=token))
        genres += [(g.display_name, g.title_count) for g in page.genres]
        token = page.next_page_token
        if not token:
            break
    assert (genre, 1) in genres
    assert len(genres) == len(set(genres))
    await stub.DeleteCategory(pb.DeleteCategoryRequest(name=category.name), metadata=admin)
    expect(await fails(stub.DeleteCategory(pb.DeleteCategoryRequest(name=category.name), metadata=admin)), NF, "NOT_FOUND")
    bad = await fails(
        stub.CreateTitle(
            pb.CreateTitleRequest(title=pb.Title(kind=pb.TITLE_KIND_MOVIE, display_name="x", categories=["categories/missing"])),
            metadata=admin,
        )
    )
    expect(bad, INV, "INVALID_ARGUMENT")


async def test_bad_input(stub: Stub, admin) -> None:
    for request in (
        pb.ListTitlesRequest(page_size=-1),
        pb.ListTitlesRequest(order_by=pb.TITLE_ORDER_RELEVANCE),
        pb.ListTitlesRequest(order_by=99),  # type: ignore[arg-type]
        pb.ListTitlesRequest(filter=pb.TitleFilter(min_year=2020, max_year=2010)),
        pb.ListTitlesRequest(filter=pb.TitleFilter(kind=7)),  # type: ignore[arg-type]
        pb.ListTitlesRequest(filter=pb.TitleFilter(access_levels=[9])),  # type: ignore[list-item]
    ):
        expect(await fails(stub.ListTitles(request)), INV, "INVALID_ARGUMENT")
    expect(await fails(stub.SearchTitles(pb.SearchTitlesRequest())), INV, "INVALID_ARGUMENT")
    expect(await fails(stub.ListTrendingTitles(pb.ListTrendingTitlesRequest(window_hours=721))), INV, "INVALID_ARGUMENT")
    for title in (
        pb.Title(display_name="no kind"),
        pb.Title(kind=pb.TITLE_KIND_MOVIE),
        pb.Title(kind=pb.TITLE_KIND_MOVIE, display_name="x", access_level=8),  # type: ignore[arg-type]
        pb.Title(kind=pb.TITLE_KIND_MOVIE, display_name="x", slug="Bad Slug"),
    ):
        expect(await fails(stub.CreateTitle(pb.CreateTitleRequest(title=title), metadata=admin)), INV, "INVALID_ARGUMENT")
    expect(await fails(stub.PublishTitle(pb.PublishTitleRequest(name="titles/unknown"), metadata=admin)), NF, "NOT_FOUND")


async def test_create_title_is_idempotent(stub: Stub, admin) -> None:
    request = pb.CreateTitleRequest(title=pb.Title(kind=pb.TITLE_KIND_MOVIE, display_name="Once"), request_id=uuid.uuid4().hex)
    first = await stub.CreateTitle(request, metadata=admin)
    again = await stub.CreateTitle(request, metadata=admin)
    assert first.title.name == again.title.name
    request.title.display_name = "Twice"
    expect(await fails(stub.CreateTitle(request, metadata=admin)), grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")


async def test_trending_falls_back_to_popularity_when_tracking_cannot_answer(
    catalog_settings: Settings, tmdb_settings: CatalogSettings, stub: Stub, admin
) -> None:
    await make_title(stub, admin)  # at least one published title to list
    # Tracking's address is a closed port; window 719 h keeps this test off the trending cache
    # that every Catalog process shares.
    unreachable = catalog_settings.model_copy(update={"peer_addresses": {"tracking": "127.0.0.1:9"}})
    server = build_server(Dependencies.build(unreachable, tmdb_settings), address="127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            page = await catalog_pb2_grpc.CatalogServiceStub(channel).ListTrendingTitles(
                pb.ListTrendingTitlesRequest(page_size=5, window_hours=719)
            )
    finally:
        await server.stop(0)
    popularity = [t.title.popularity for t in page.titles]
    assert page.titles
    assert popularity == sorted(popularity, reverse=True)
    assert all(t.watcher_count == 0 for t in page.titles)


async def test_keyset_walk_without_duplicates_or_gaps_under_inserts(stub: Stub, admin) -> None:
    genre = f"Walk{uuid.uuid4().hex[:6]}"
    before = [
        await make_title(stub, admin, genres=[genre], release_date=date_pb2.Date(year=2000 + i % 20, month=1, day=1))
        for i in range(25)
    ]
    seen: list[str] = []
    token = ""
    inserted: list[asyncio.Task[pb.Title]] = []
    while True:
        page = await stub.ListTitles(pb.ListTitlesRequest(page_size=4, page_token=token, filter=pb.TitleFilter(genres=[genre])))
        seen += [t.name for t in page.titles]
        if len(inserted) < 3:  # concurrent inserts of older titles sort ahead of the cursor: none may repeat or hide one
            inserted.append(
                asyncio.create_task(
                    make_title(stub, admin, genres=[genre], release_date=date_pb2.Date(year=1950, month=1, day=1))
                )
            )
        token = page.next_page_token
        if not token:
            break
    await asyncio.gather(*inserted)
    assert len(seen) == len(set(seen))
    assert {t.name for t in before} <= set(seen)


async def test_tampered_and_foreign_page_tokens(stub: Stub, admin) -> None:
    for _ in range(3):
        await make_title(stub, admin)
    page = await stub.ListTitles(pb.ListTitlesRequest(page_size=1))
    assert page.next_page_token
    body, mac = page.next_page_token.split(".")
    tampered = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac
    for request in (
        pb.ListTitlesRequest(page_size=1, page_token=tampered),
        pb.ListTitlesRequest(page_size=1, page_token=page.next_page_token, order_by=pb.TITLE_ORDER_RATING),
        pb.ListTitlesRequest(page_size=1, page_token="garbage"),
    ):
        expect(await fails(stub.ListTitles(request)), INV, "INVALID_PAGE_TOKEN")
    expect(await fails(stub.ListCategories(pb.ListCategoriesRequest(page_token=page.next_page_token))), INV, "INVALID_PAGE_TOKEN")
