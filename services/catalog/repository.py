"""Catalog's queries. Takes a session, never commits: the unit of work around the RPC does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    column,
    delete,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects import postgresql

from services.catalog.domain import STATUS_DRAFT, STATUS_PUBLISHED
from services.catalog.models import (
    Category,
    Episode,
    ProviderCache,
    Season,
    Title,
    TitleCategory,
    TitleGenre,
)
from services.core.db import Prepared, is_read_only
from services.core.repository import Repository

# GetTitle's reads, compiled once (services/core/db.py): used on read-only units of work only.
_TITLE = Prepared(select(*Title.__table__.columns).where(Title.id == bindparam("title_id")))
_GENRES_OF_ONE = Prepared(
    select(TitleGenre.genre).where(TitleGenre.title_id == bindparam("title_id")).order_by(TitleGenre.position)
)
_CATEGORIES_OF_ONE = Prepared(
    select(TitleCategory.category_id).where(TitleCategory.title_id == bindparam("title_id")).order_by(TitleCategory.position)
)
_SEASONS = Prepared(
    select(*Season.__table__.columns).where(Season.title_id == bindparam("title_id")).order_by(Season.season_number)
)

# Listing orders: (sort column, descending).
ORDER_COLUMNS: dict[str, tuple[Any, bool]] = {
    "newest": (Title.release_key, True),
    "popularity": (Title.popularity, True),
    "rating": (Title.rating, True),
    "title": (Title.sort_title, False),
}
# `total_size` is an estimate: a listing by filters alone (no words) stops counting here. Word
# searches count exactly, in the same pass that orders their matches.
COUNT_CAP = 2_000

# The search index's row per title (migration catalog_0002): the filter and sort columns of
# catalog_titles, the genres, and on PostgreSQL the weighted tsvector. SQLite keys it by the FTS5
# rowid (`doc`) and stores genres as `|HEX(genre)|...|`; PostgreSQL stores them as an array.
_PG_GENRES = postgresql.ARRAY(String(100))
_FTS_DOCS = table(
    "catalog_fts_docs",
    column("doc", Integer),
    column("title_id", String),
    column("status", String),
    column("kind", String),
    column("access_level", Integer),
    column("release_key", Integer),
    column("popularity", Float),
    column("rating", Float),
    column("sort_title", String),
    column("genres", String),
    column("search_vector", postgresql.TSVECTOR),
)
_FTS_DEFERRED = ("catalog_fts_docs_from_title", "catalog_fts_docs_from_genres")
_FTS_TITLES = table("catalog_fts_titles", column("rowid", Integer))
_DOC_ORDER: dict[str, tuple[Any, bool]] = {
    "newest": (_FTS_DOCS.c.release_key, True),
    "popularity": (_FTS_DOCS.c.popularity, True),
    "rating": (_FTS_DOCS.c.rating, True),
    "title": (_FTS_DOCS.c.sort_title, False),
}


@dataclass(frozen=True)
class TitleQuery:
    """Which titles a listing or search considers."""

    include_drafts: bool = False
    kind: str = ""
    genres: tuple[str, ...] = ()
    category_id: str = ""
    min_year: int = 0
    max_year: int = 0
    access_levels: tuple[int, ...] = ()
    words: tuple[str, ...] = ()


@dataclass
class TitlePage:
    rows: list[tuple[Title, float]] = field(default_factory=list)
    total: int = 0


class CatalogRepository(Repository):
    # titles
    def title(self, title_id: str, *, for_update: bool = False) -> Title | None:
        if is_read_only(self.s):  # GetTitle's hot path: a prepared statement, a detached row
            found = _TITLE.objects(self.s, Title, title_id=title_id)
            return found[0] if found else None
        query = select(Title).where(Title.id == title_id)
        if for_update:
            query = query.with_for_update()
        return self.s.scalars(query).first()

    def title_by_slug(self, slug: str) -> Title | None:
        return self.s.scalars(select(Title).where(Title.slug == slug)).first()

    def title_by_tmdb(self, kind: str, tmdb_id: str) -> Title | None:
        return self.s.scalars(select(Title).where(Title.kind == kind, Title.tmdb_id == tmdb_id)).first()

    def titles_by_tmdb(self, ids: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        if not ids:
            return {}
        rows = self.s.execute(select(Title.kind, Title.tmdb_id, Title.id).where(tuple_(Title.kind, Title.tmdb_id).in_(list(ids))))
        return {(kind, tmdb): title_id for kind, tmdb, title_id in rows if tmdb}

    def title_by_imdb(self, imdb_id: str) -> Title | None:
        return self.s.scalars(select(Title).where(Title.imdb_id == imdb_id)).first()

    def slug_taken(self, slug: str, *, except_title: str = "") -> bool:
        query = select(Title.id).where(Title.slug == slug, Title.id != except_title)
        return self.s.scalars(query).first() is not None

    def slugs_like(self, base: str) -> set[str]:
        return set(self.s.scalars(select(Title.slug).where(Title.slug.like(f"{base}%"))))

    def titles_by_ids(self, ids: Sequence[str]) -> dict[str, Title]:
        if not ids:
            return {}
        return {t.id: t for t in self.s.scalars(select(Title).where(Title.id.in_(list(ids))))}

    def genres_of(self, title_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {i: [] for i in title_ids}
        if len(title_ids) == 1 and is_read_only(self.s):  # no autoflush on the driver's cursor: reads only
            found[title_ids[0]] = [genre for (genre,) in _GENRES_OF_ONE.rows(self.s, title_id=title_ids[0])]
        elif title_ids:
            rows = self.s.execute(
                select(TitleGenre.title_id, TitleGenre.genre)
                .where(TitleGenre.title_id.in_(list(title_ids)))
                .order_by(TitleGenre.title_id, TitleGenre.position)
            )
            for title_id, genre in rows:
                found[title_id].append(genre)
        return found

    def categories_of(self, title_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {i: [] for i in title_ids}
        if len(title_ids) == 1 and is_read_only(self.s):  # no autoflush on the driver's cursor: reads only
            found[title_ids[0]] = [category for (category,) in _CATEGORIES_OF_ONE.rows(self.s, title_id=title_ids[0])]
        elif title_ids:
            rows = self.s.execute(
                select(TitleCategory.title_id, TitleCategory.category_id)
                .where(TitleCategory.title_id.in_(list(title_ids)))
                .order_by(TitleCategory.title_id, TitleCategory.position)
            )
            for title_id, category_id in rows:
                found[title_id].append(category_id)
        return found

    def set_genres(self, title_id: str, genres: Sequence[str]) -> None:
        self.s.execute(delete(TitleGenre).where(TitleGenre.title_id == title_id))
        for position, genre in enumerate(genres):
            self.s.add(TitleGenre(title_id=title_id, genre=genre, position=position))

    def set_categories(self, title_id: str, category_ids: Sequence[str]) -> None:
        self.s.execute(delete(TitleCategory).where(TitleCategory.title_id == title_id))
        for position, category_id in enumerate(category_ids):
            self.s.add(TitleCategory(title_id=title_id, category_id=category_id, position=position))

    def count_titles(self) -> int:
        return self.s.scalar(select(func.count()).select_from(Title)) or 0

    def _filtered(self, query: Select[Any], q: TitleQuery) -> Select[Any]:
        statuses = (STATUS_DRAFT, STATUS_PUBLISHED) if q.include_drafts else (STATUS_PUBLISHED,)
        conditions: list[ColumnElement[bool]] = [
            Title.status == statuses[0] if len(statuses) == 1 else Title.status.in_(statuses)
        ]
        if q.kind:
            conditions.append(Title.kind == q.kind)
        if q.genres:
            conditions.append(exists().where(TitleGenre.title_id == Title.id, TitleGenre.genre.in_(list(q.genres))))
        if q.category_id:
            conditions.append(exists().where(TitleCategory.title_id == Title.id, TitleCategory.category_id == q.category_id))
        if q.min_year:
            conditions.append(Title.release_key >= q.min_year * 10000)
        if q.max_year:
            conditions.append(and_(Title.release_key > 0, Title.release_key <= q.max_year * 10000 + 1231))
        if q.access_levels:
            conditions.append(Title.access_level.in_(list(q.access_levels)))
        return query.where(*conditions)

    def page_titles(self, q: TitleQuery, *, order: str, after: dict[str, Any] | None, limit: int, count: bool) -> TitlePage:
        """One keyset page: `limit` titles after `after` (the last row's sort key), with a score for searches.

        With `count`, the first page also counts the matches: a search with words scans every
        match anyway and counts them all in the same pass; a listing by filters alone stops
        counting at COUNT_CAP. Later pages carry the first page's count in their token.
        """
        if q.words:
            return self._page_search(q, order=order, after=after, limit=limit, count=count)
        key, descending = ORDER_COLUMNS.get(order, ORDER_COLUMNS["popularity"])
        base: Select[Any] = self._filtered(select(Title), q)
        page = base
        if after is not None:
            position = tuple_(key, Title.id)
            bound = tuple_(literal(after["k"]), literal(after["id"]))
            page = page.where(position < bound if descending else position > bound)
        page = page.order_by(key.desc(), Title.id.desc()) if descending else page.order_by(key.asc(), Title.id.asc())
        rows = [(title, 0.0) for title in self.s.scalars(page.limit(limit))]
        total = 0
        if count and after is not None:
            total = int(after.get("t", 0))
        elif count:
            capped = base.with_only_columns(Title.id).limit(COUNT_CAP).subquery()
            total = self.s.scalar(select(func.count()).select_from(capped)) or 0
        return TitlePage(rows, total)

    def _page_search(self, q: TitleQuery, *, order: str, after: dict[str, Any] | None, limit: int, count: bool) -> TitlePage:
        """A page of a word search, found, filtered and ordered in the search index alone.

        `catalog_fts_docs` (see migration catalog_0002) carries every column a search filters
        or sorts by, so the matches, however many, never touch catalog_titles: only the page's
        ids are loaded from it. Counting is a window over the same narrow rows.
        """
        docs = _FTS_DOCS
        postgres = self.dialect == "postgresql"
        statuses = (STATUS_DRAFT, STATUS_PUBLISHED) if q.include_drafts else (STATUS_PUBLISHED,)
        conditions: list[ColumnElement[bool]] = [docs.c.status.in_(statuses)]
        if q.kind:
            conditions.append(docs.c.kind == q.kind)
        if q.genres:
            if postgres:
                conditions.append(type_coerce(docs.c.genres, _PG_GENRES).overlap(literal(list(q.genres), _PG_GENRES)))
            else:  # `|HEX|HEX|`: one instr per wanted genre, exact for any genre text
                wanted = ("|" + genre.encode().hex().upper() + "|" for genre in q.genres)
                conditions.append(or_(*(func.instr(docs.c.genres, w) > 0 for w in wanted)))
        if q.category_id:
            conditions.append(
                exists().where(TitleCategory.title_id == docs.c.title_id, TitleCategory.category_id == q.category_id)
            )
        if q.min_year:
            conditions.append(docs.c.release_key >= q.min_year * 10000)
        if q.max_year:
            conditions.append(and_(docs.c.release_key > 0, docs.c.release_key <= q.max_year * 10000 + 1231))
        if q.access_levels:
            conditions.append(docs.c.access_level.in_(list(q.access_levels)))
        ranked = order == "relevance"
        score: ColumnElement[Any]
        if postgres:
            # psycopg prepares repeated statements; a generic plan cannot see how selective the words
            # are. Plan each search for its words.
            self.s.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            # The index's triggers are deferred to commit (catalog_0002); fire what this transaction
            # has pending, so it finds its own writes.
            self.s.execute(text(f"SET CONSTRAINTS {', '.join(_FTS_DEFERRED)} IMMEDIATE"))
            tsquery = func.plainto_tsquery("english", " ".join(q.words))
            matching = select(docs.c.title_id).where(docs.c.search_vector.op("@@")(tsquery))
            # Cast the float4 rank to float8 so the value in a page token compares exactly.
            score = cast(func.ts_rank_cd(docs.c.search_vector, tsquery), Float(53))
        else:
            # Every word must match (implicit AND); each is quoted so FTS5 syntax in input is inert.
            expression = " ".join('"' + word.replace('"', "") + '"' for word in q.words)
            fts: ColumnElement[Any] = literal_column("catalog_fts_titles")
            matching = (
                select(docs.c.title_id)
                .select_from(_FTS_TITLES.join(docs, docs.c.doc == _FTS_TITLES.c.rowid))
                .where(fts.op("MATCH")(expression))
            )
            # bm25 is lower-is-better; negate it. The title column weighs ten times the overview.
            score = -func.bm25(fts, literal_column("10.0"), literal_column("1.0"))
        key_column, descending = (score, True) if ranked else _DOC_ORDER.get(order, _DOC_ORDER["popularity"])
        found = matching.add_columns(key_column.label("k")).where(*conditions)
        if postgres:
            # A fence (OFFSET 0): rank below the count window, or the window would hold every match's tsvector.
            found = found.offset(0)
        # Order and count outside the matching query: an FTS5 auxiliary function (bm25) cannot feed a
        # window directly.
        inner = found.subquery("found")
        page: Select[Any] = select(inner.c.title_id, inner.c.k)
        if count and after is None:
            page = page.add_columns(func.count().over().label("total"))
        if after is not None:
            position = tuple_(inner.c.k, inner.c.title_id)
            bound = tuple_(literal(after["k"]), literal(after["id"]))
            page = page.where(position < bound if descending else position > bound)
        if descending:
            page = page.order_by(inner.c.k.desc(), inner.c.title_id.desc())
        else:
            page = page.order_by(inner.c.k.asc(), inner.c.title_id.asc())
        result = self.s.execute(page.limit(limit)).all()
        titles = self.titles_by_ids([row[0] for row in result])
        rows = [(titles[row[0]], float(row[1] or 0.0) if ranked else 0.0) for row in result if row[0] in titles]
        total = 0
        if count and after is not None:
            total = int(after.get("t", 0))
        elif count:
            total = int(result[0][2]) if result else 0
        return TitlePage(rows, total)

    @staticmethod
    def sort_key(title: Title, score: float, order: str) -> float | int | str:
        if order == "relevance":
            return score
        keys: dict[str, float | int | str] = {
            "newest": title.release_key,
            "popularity": title.popularity,
            "rating": title.rating,
            "title": title.sort_title,
        }
        return keys.get(order, title.popularity)

    # seasons and episodes
    def seasons(self, title_id: str, *, after: int | None = None, limit: int | None = None) -> Sequence[Season]:
        if after is None and limit is None and is_read_only(self.s):
            return _SEASONS.objects(self.s, Season, title_id=title_id)
        query = select(Season).where(Season.title_id == title_id)
        if after is not None:
            query = query.where(Season.season_number > after)
        query = query.order_by(Season.season_number)
        if limit is not None:
            query = query.limit(limit)
        return self.s.scalars(query).all()

    def season(self, title_id: str, number: int) -> Season | None:
        return self.s.scalars(select(Season).where(Season.title_id == title_id, Season.season_number == number)).first()

    def episodes(self, season_id: str, *, after: int | None, limit: int) -> Sequence[Episode]:
        query = select(Episode).where(Episode.season_id == season_id)
        if after is not None:
            query = query.where(Episode.episode_number > after)
        return self.s.scalars(query.order_by(Episode.episode_number).limit(limit)).all()

    def episode(self, season_id: str, number: int) -> Episode | None:
        return self.s.scalars(select(Episode).where(Episode.season_id == season_id, Episode.episode_number == number)).first()

    def count_episodes(self, *, season_id: str = "", title_id: str = "") -> int:
        query = select(func.count()).select_from(Episode)
        query = query.where(Episode.season_id == season_id) if season_id else query.where(Episode.title_id == title_id)
        return self.s.scalar(query) or 0

    # categories
    def category(self, category_id: str) -> Category | None:
        return self.s.get(Category, category_id)

    def categories_by_ids(self, ids: Sequence[str]) -> dict[str, Category]:
        if not ids:
            return {}
        return {c.id: c for c in self.s.scalars(select(Category).where(Category.id.in_(list(ids))))}

    def category_slug_taken(self, slug: str, *, except_id: str = "") -> bool:
        return self.s.scalars(select(Category.id).where(Category.slug == slug, Category.id != except_id)).first() is not None

    def categories(self, *, after: tuple[int, str] | None, limit: int) -> Sequence[Category]:
        query = select(Category)
        if after is not None:
            query = query.where(tuple_(Category.sort_order, Category.id) > tuple_(literal(after[0]), literal(after[1])))
        return self.s.scalars(query.order_by(Category.sort_order, Category.id).limit(limit)).all()

    def category_title_counts(self, ids: Sequence[str]) -> dict[str, int]:
        if not ids:
            return {}
        rows = self.s.execute(
            select(TitleCategory.category_id, func.count())
            .join(Title, Title.id == TitleCategory.title_id)
            .where(TitleCategory.category_id.in_(list(ids)), Title.status == STATUS_PUBLISHED)
            .group_by(TitleCategory.category_id)
        )
        return {category_id: int(n) for category_id, n in rows}

    # genres
    def genre_counts(self, *, after: tuple[int, str] | None, limit: int) -> list[tuple[str, int]]:
        """Genres of published titles, most used first, then by name."""
        n = func.count().label("n")
        query = (
            select(TitleGenre.genre, n)
            .join(Title, Title.id == TitleGenre.title_id)
            .where(Title.status == STATUS_PUBLISHED)
            .group_by(TitleGenre.genre)
        )
        if after is not None:
            count, name = after
            query = query.having(or_(func.count() < count, and_(func.count() == count, TitleGenre.genre > name)))
        rows = self.s.execute(query.order_by(n.desc(), TitleGenre.genre).limit(limit))
        return [(genre, int(count)) for genre, count in rows]

    # provider cache
    def cached(self, key: str, now: dt.datetime) -> dict[str, Any] | None:
        row = self.s.get(ProviderCache, key)
        if row is None or row.expire_time <= now:
            return None
        return dict(row.body)

    def store_cached(self, key: str, body: dict[str, Any], expire_time: dt.datetime) -> None:
        row = self.s.get(ProviderCache, key)
        if row is None:
            self.s.add(ProviderCache(key=key, body=body, expire_time=expire_time))
        else:
            row.body, row.expire_time = body, expire_time
