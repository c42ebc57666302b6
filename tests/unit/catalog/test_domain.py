"""Catalog's rules on plain values, without a database: fields of titles, seasons, episodes and
categories, slugs, etags, visibility and publishing, and what an import sets."""

from __future__ import annotations

import datetime as dt

import pytest

from services.catalog.domain import (
    ACCESS_FREE,
    STATUS_DELETED,
    STATUS_DRAFT,
    STATUS_PUBLISHED,
    EpisodeFields,
    ProviderSeason,
    ProviderTitleDetails,
    TitleFields,
    category_ids_of,
    category_values,
    check_episode_fields,
    check_etag,
    check_external_id,
    check_new_episode,
    check_publishable,
    check_season,
    check_series,
    check_title_fields,
    episode_changes,
    import_fields,
    imported_season_changes,
    is_visible,
    new_title_fields,
    release_key,
    season_display_name,
    slug_taken,
    slugify,
    sort_title,
    title_changes,
    title_etag,
    title_not_found,
    unique_slug,
)
from services.core import errors

# -- slugs, keys, etags -------------------------------------------------------------------


def test_slugs_are_ascii_hyphenated_and_never_empty() -> None:
    assert slugify("Ṣàngó: The Return!") == "sango-the-return"
    assert slugify("???") == "title"
    assert slugify("a" * 79 + " b") == "a" * 79  # cut at 80, no trailing hyphen
    assert sort_title("The Wire") == "the wire"


def test_a_derived_slug_takes_the_first_free_number() -> None:
    assert unique_slug("saga", set()) == "saga"
    assert unique_slug("saga", {"saga"}) == "saga-2"
    assert unique_slug("saga", {"saga", "saga-2", "saga-3", "saga-5"}) == "saga-4"
    taken = slug_taken("saga")
    assert isinstance(taken, errors.AlreadyExists)
    assert (taken.reason, dict(taken.metadata)) == ("SLUG_TAKEN", {"slug": "saga"})


def test_release_keys_order_dates_and_unknown_is_zero() -> None:
    assert release_key(dt.date(2024, 2, 29)) == 20240229
    assert release_key(dt.date(1999, 12, 31)) < release_key(dt.date(2000, 1, 1))
    assert release_key(None) == 0


def test_the_etag_follows_the_revision_and_a_stale_one_is_refused() -> None:
    first, second = title_etag("t1", 1), title_etag("t1", 2)
    assert first != second != title_etag("t2", 2)
    assert len(first) == 20
    check_etag("", second)  # no etag: the write applies whatever the revision
    check_etag(second, second)
    with pytest.raises(errors.Aborted) as stale:
        check_etag(first, second)
    assert stale.value.reason == "ETAG_MISMATCH"


# -- titles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "admin", "visible"),
    [
        (STATUS_PUBLISHED, False, True),
        (STATUS_PUBLISHED, True, True),
        (STATUS_DRAFT, False, False),
        (STATUS_DRAFT, True, True),
        (STATUS_DELETED, True, False),
        (STATUS_DELETED, False, False),
    ],
)
def test_who_sees_a_title(status: str, admin: bool, visible: bool) -> None:
    assert is_visible(status, admin=admin) is visible


def test_a_missing_title_names_itself() -> None:
    missing = title_not_found("abc")
    assert (str(missing), dict(missing.metadata)) == ("titles/abc not found", {"name": "titles/abc"})


def test_a_new_title_needs_a_kind_and_a_name_and_gets_every_violation() -> None:
    with pytest.raises(errors.InvalidArgument) as caught:
        check_title_fields(
            TitleFields(kind="episode", runtime_minutes=-1, access_level=7, slug="Bad Slug", original_language="x" * 17),
            creating=True,
        )
    assert [v.field for v in caught.value.violations] == [
        "title.kind",
        "title.display_name",
        "title.slug",
        "title.runtime_minutes",
        "title.access_level",
        "title.original_language",
    ]
    assert str(caught.value) == "must be MOVIE or SERIES"  # the first violation's description


def test_an_update_checks_only_what_it_sets() -> None:
    assert check_title_fields(TitleFields(overview="x"), creating=False) == []
    with pytest.raises(errors.InvalidArgument) as caught:
        check_title_fields(TitleFields(display_name="   ", imdb_id="t" * 33, poster_path="p" * 2049), creating=False)
    assert [v.field for v in caught.value.violations] == [
        "title.display_name",
        "title.poster_path",
        "title.external_ids.imdb_id",
    ]


def test_names_and_genres_are_normalized_in_place() -> None:
    fields = TitleFields(kind="movie", display_name="  Night Market ", genres=[" Drama", "Drama ", "", "Noir"])
    check_title_fields(fields, creating=True)
    assert (fields.display_name, fields.genres) == ("Night Market", ["Drama", "Noir"])
    with pytest.raises(errors.InvalidArgument) as caught:
        check_title_fields(TitleFields(genres=[f"g{n}" for n in range(21)]), creating=False)
    assert caught.value.violations[0].field == "title.genres"


def test_categories_are_named_once_each_and_must_exist() -> None:
    names = ["categories/a", "categories/b", "categories/a", "genres/x", "categories/"]
    assert category_ids_of(names) == ["a", "b"]
    with pytest.raises(errors.InvalidArgument) as caught:
        check_title_fields(TitleFields(categories=names), creating=False, known_categories=["a"])
    assert [v.description for v in caught.value.violations] == [
        "'genres/x' is not categories/{category}",
        "'categories/' is not categories/{category}",
        "unknown categories: b",
    ]
    assert check_title_fields(TitleFields(categories=["categories/a"]), creating=False, known_categories=["a"]) == ["a"]


def test_title_changes_name_only_the_set_columns() -> None:
    assert title_changes(TitleFields()) == {}
    changes = title_changes(
        TitleFields(
            display_name="Saga", rating=0.0, tmdb_id="", imdb_id="tt1", release_date=dt.date(2020, 5, 1), set_release_date=True
        )
    )
    # a given empty external id clears it; zero is a value, not "unset"
    assert changes == {
        "display_name": "Saga",
        "rating": 0.0,
        "tmdb_id": None,
        "imdb_id": "tt1",
        "release_date": dt.date(2020, 5, 1),
        "release_key": 20200501,
    }
    assert title_changes(TitleFields(set_release_date=True)) == {"release_date": None, "release_key": 0}


def test_a_new_title_derives_its_slug_and_defaults_its_level() -> None:
    fields = new_title_fields(TitleFields(kind="movie", display_name="x"))
    assert (fields.slug, fields.access_level) == ("", None)
    fields = new_title_fields(TitleFields(kind="movie", display_name="x", slug="given", access_level=3))
    assert (fields.slug, fields.access_level) == ("given", 3)


def test_a_provider_id_belongs_to_one_title() -> None:
    check_external_id("TMDb", "tmdb_id", "42", holder=None, title_id="t1")
    check_external_id("TMDb", "tmdb_id", "42", holder="t1", title_id="t1")
    check_external_id("TMDb", "tmdb_id", "", holder="t2", title_id="t1")
    with pytest.raises(errors.AlreadyExists) as caught:
        check_external_id("IMDb", "imdb_id", "tt9", holder="t2", title_id="t1")
    assert (str(caught.value), caught.value.reason) == ("another title has this IMDb id", "EXTERNAL_ID_TAKEN")
    assert dict(caught.value.metadata) == {"imdb_id": "tt9"}


def test_a_series_is_published_with_an_episode() -> None:
    check_publishable("movie", 0)
    check_publishable("series", 1)
    with pytest.raises(errors.FailedPrecondition) as caught:
        check_publishable("series", 0)
    assert caught.value.reason == "SERIES_HAS_NO_EPISODES"


# -- seasons and episodes -------------------------------------------------------------------


def test_seasons_belong_to_series_and_are_checked() -> None:
    check_series("series")
    with pytest.raises(errors.FailedPrecondition) as movie:
        check_series("movie")
    assert movie.value.reason == "NOT_A_SERIES"
    check_season(0, "", "")
    with pytest.raises(errors.InvalidArgument) as caught:
        check_season(1001, "n" * 301, "o" * 5001)
    assert [v.field for v in caught.value.violations] == ["season.season_number", "season.display_name", "season.overview"]
    assert [season_display_name(0, ""), season_display_name(3, ""), season_display_name(3, "Finale")] == [
        "Specials",
        "Season 3",
        "Finale",
    ]


def test_episode_fields_are_checked_and_a_new_one_needs_a_number_and_a_name() -> None:
    check_episode_fields(EpisodeFields(asset="assets/abc_1-2"))
    with pytest.raises(errors.InvalidArgument) as caught:
        check_episode_fields(EpisodeFields(display_name=" ", runtime_minutes=10_001, asset="media/abc"))
    assert [v.field for v in caught.value.violations] == ["episode.display_name", "episode.runtime_minutes", "episode.asset"]
    with pytest.raises(errors.InvalidArgument) as number:
        check_new_episode(0, EpisodeFields(display_name="Pilot"))
    assert number.value.violations[0].field == "episode.episode_number"
    with pytest.raises(errors.InvalidArgument) as name:
        check_new_episode(1, EpisodeFields())
    assert str(name.value) == "episode.display_name: is required"
    check_new_episode(1, EpisodeFields(display_name="Pilot"))


def test_episode_changes_strip_the_name_and_set_the_air_date_only_when_given() -> None:
    assert episode_changes(EpisodeFields(display_name=" Pilot ", tmdb_id="")) == {"display_name": "Pilot", "tmdb_id": ""}
    assert episode_changes(EpisodeFields(air_date=dt.date(2020, 1, 1))) == {}
    assert episode_changes(EpisodeFields(set_air_date=True)) == {"air_date": None}


# -- categories ---------------------------------------------------------------------------------


def test_category_values_strip_the_name_and_derive_the_slug() -> None:
    assert category_values("  Family night ", "", "", slug_given=True) == ("Family night", "family-night")
    assert category_values("Family night", "", "kids", slug_given=True) == ("Family night", "kids")
    # an update that leaves the slug alone does not re-check the stored one
    assert category_values("Family night", "", "Old Slug", slug_given=False) == ("Family night", "Old Slug")
    with pytest.raises(errors.InvalidArgument) as caught:
        category_values(" ", "d" * 2001, "Bad Slug", slug_given=True)
    assert [v.field for v in caught.value.violations] == ["category.display_name", "category.description", "category.slug"]


# -- import -------------------------------------------------------------------------------------


def _details(imdb_id: str | None = "tt1") -> ProviderTitleDetails:
    return ProviderTitleDetails("series", "1399", TitleFields(display_name="Thrones", imdb_id=imdb_id, slug="x", categories=[]))


def test_a_new_import_takes_the_level_and_refuses_a_held_imdb_id() -> None:
    fields = import_fields(_details(), existing=None, imdb_holder=None, access_level=0)
    assert (fields.kind, fields.tmdb_id, fields.imdb_id, fields.access_level) == ("series", "1399", "tt1", ACCESS_FREE)
    assert import_fields(_details(), existing=None, imdb_holder=None, access_level=3).access_level == 3
    with pytest.raises(errors.AlreadyExists) as caught:
        import_fields(_details(), existing=None, imdb_holder="other", access_level=2)
    assert (caught.value.reason, dict(caught.value.metadata)) == ("EXTERNAL_ID_TAKEN", {"imdb_id": "tt1"})


def test_a_refresh_keeps_slug_categories_level_and_another_titles_imdb_claim() -> None:
    fields = import_fields(_details(), existing="mine", imdb_holder="other", access_level=3)
    assert (fields.imdb_id, fields.slug, fields.categories, fields.access_level) == (None, None, None, None)
    assert import_fields(_details(), existing="mine", imdb_holder="mine", access_level=3).imdb_id == "tt1"
    assert import_fields(_details(), existing="mine", imdb_holder=None, access_level=3).imdb_id == "tt1"


def test_imported_seasons_are_cut_to_the_columns() -> None:
    provided = ProviderSeason(1, "n" * 400, "o" * 6000, dt.date(2011, 4, 17), "p" * 3000, [])
    changes = imported_season_changes(provided)
    assert [len(changes[k]) for k in ("display_name", "overview", "poster_path")] == [300, 5000, 2048]
    assert changes["air_date"] == dt.date(2011, 4, 17)
