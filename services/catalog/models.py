"""Catalog's tables. Every table is prefixed `catalog_`; no other service references them.

Search: on PostgreSQL `catalog_titles.search_vector` is a weighted tsvector kept by a trigger
(migration catalog_0001); on SQLite an FTS5 table indexes names and overviews. Searches with
words read `catalog_fts_docs` (migration catalog_0002, both backends): a trigger-kept copy of
the columns they filter and sort by (and, on PostgreSQL, of the tsvector, behind a GIN index),
so a broad match never reads these wide rows (repository.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.catalog.domain import STATUS_DRAFT
from services.core.models import NAMING_CONVENTION, Timestamps, UtcDateTime, new_id


class Base(DeclarativeBase):
    """Catalog's own MetaData: the service owns these tables and nothing else."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Title(Timestamps, Base):
    __tablename__ = "catalog_titles"
    __table_args__ = (
        # Provider ids are unique per kind (TMDb movie 1 and tv 1 are different titles).
        UniqueConstraint("kind", "tmdb_id"),
        # One index per listing order, led by status, so a keyset page is an index range scan.
        Index("ix_catalog_titles_status_release", "status", "release_key", "id"),
        Index("ix_catalog_titles_status_popularity", "status", "popularity", "id"),
        Index("ix_catalog_titles_status_rating", "status", "rating", "id"),
        Index("ix_catalog_titles_status_sort_title", "status", "sort_title", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10))
    display_name: Mapped[str] = mapped_column(String(300))
    # Lower-cased display name: the key of alphabetical order.
    sort_title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    overview: Mapped[str] = mapped_column(Text, default="")
    release_date: Mapped[dt.date | None] = mapped_column(Date)
    # yyyymmdd of release_date, 0 when unknown: a non-null key for "newest" and year filters.
    release_key: Mapped[int] = mapped_column(Integer, default=0)
    runtime_minutes: Mapped[int] = mapped_column(Integer, default=0)
    poster_path: Mapped[str] = mapped_column(String(2048), default="")
    backdrop_path: Mapped[str] = mapped_column(String(2048), default="")
    original_language: Mapped[str] = mapped_column(String(16), default="")
    tmdb_id: Mapped[str | None] = mapped_column(String(32))
    imdb_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    tvdb_id: Mapped[str | None] = mapped_column(String(32))
    access_level: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default=STATUS_DRAFT)
    rating: Mapped[float] = mapped_column(Float, default=0.0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    popularity: Mapped[float] = mapped_column(Float, default=0.0)
    season_count: Mapped[int] = mapped_column(Integer, default=0)
    episode_count: Mapped[int] = mapped_column(Integer, default=0)
    asset: Mapped[str] = mapped_column(String(200), default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    search_vector: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    publish_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    delete_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class TitleGenre(Base):
    __tablename__ = "catalog_title_genres"
    __table_args__ = (Index("ix_catalog_title_genres_genre", "genre", "title_id"),)

    title_id: Mapped[str] = mapped_column(ForeignKey("catalog_titles.id", ondelete="CASCADE"), primary_key=True)
    genre: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Category(Timestamps, Base):
    __tablename__ = "catalog_categories"
    __table_args__ = (Index("ix_catalog_categories_order", "sort_order", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class TitleCategory(Base):
    __tablename__ = "catalog_title_categories"
    __table_args__ = (Index("ix_catalog_title_categories_category", "category_id", "title_id"),)

    title_id: Mapped[str] = mapped_column(ForeignKey("catalog_titles.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[str] = mapped_column(ForeignKey("catalog_categories.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Season(Base):
    __tablename__ = "catalog_seasons"
    __table_args__ = (UniqueConstraint("title_id", "season_number"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    title_id: Mapped[str] = mapped_column(ForeignKey("catalog_titles.id", ondelete="CASCADE"))
    season_number: Mapped[int] = mapped_column(Integer)
    display_name: Mapped[str] = mapped_column(String(300), default="")
    overview: Mapped[str] = mapped_column(Text, default="")
    air_date: Mapped[dt.date | None] = mapped_column(Date)
    poster_path: Mapped[str] = mapped_column(String(2048), default="")
    episode_count: Mapped[int] = mapped_column(Integer, default=0)


class Episode(Base):
    __tablename__ = "catalog_episodes"
    __table_args__ = (UniqueConstraint("season_id", "episode_number"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    season_id: Mapped[str] = mapped_column(ForeignKey("catalog_seasons.id", ondelete="CASCADE"))
    title_id: Mapped[str] = mapped_column(String(32), index=True)
    season_number: Mapped[int] = mapped_column(Integer)
    episode_number: Mapped[int] = mapped_column(Integer)
    display_name: Mapped[str] = mapped_column(String(300))
    overview: Mapped[str] = mapped_column(Text, default="")
    air_date: Mapped[dt.date | None] = mapped_column(Date)
    runtime_minutes: Mapped[int] = mapped_column(Integer, default=0)
    still_path: Mapped[str] = mapped_column(String(2048), default="")
    asset: Mapped[str] = mapped_column(String(200), default="")
    tmdb_id: Mapped[str] = mapped_column(String(32), default="")
    imdb_id: Mapped[str] = mapped_column(String(32), default="")
    tvdb_id: Mapped[str] = mapped_column(String(32), default="")


class ProviderCache(Base):
    """Responses of the metadata provider, so a repeat lookup costs no provider request."""

    __tablename__ = "catalog_provider_cache"

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    body: Mapped[dict[str, object]] = mapped_column(JSON)
    expire_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
