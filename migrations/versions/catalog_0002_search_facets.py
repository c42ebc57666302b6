"""search index carries the filter and sort columns (so a broad search never reads catalog_titles)

A one-word search can match a fifth of the catalog. Filtering and ordering those matches
through catalog_titles (wide rows: overviews, paths) was most of the cost, so
`catalog_fts_docs` now carries what searches filter and sort by, kept current by triggers
on catalog_titles and catalog_title_genres (on PostgreSQL deferred to commit; searches fire
pending ones first): status, kind, access_level, release_key, popularity, rating, sort_title
and the genres. Categories are not carried: a category filter still checks
catalog_title_categories per match.

SQLite: the existing FTS5 row map gains these columns; genres are stored as
`|HEX(genre)|HEX(genre)|` (hex is an exact, separator-free encoding of any genre text).
PostgreSQL: a new narrow table with the same columns, the genres as an array, and a copy of
the weighted tsvector, both behind one GIN index. catalog_titles keeps computing its tsvector
(the copy's source); its GIN index, which nothing reads any more, is dropped.

Revision ID: catalog_0002
Revises: catalog_0001
Create Date: 2026-11-22 07:55:00.000000
"""

# The DDL below is assembled from this module's constants only (column names), never from input.
# ruff: noqa: S608

from __future__ import annotations

from alembic import op

revision = "catalog_0002"
down_revision = "catalog_0001"
branch_labels = None
depends_on = None

# Columns of catalog_titles copied into the search index, with their SQLite defaults for ADD COLUMN.
CARRIED = {
    "status": "TEXT NOT NULL DEFAULT ''",
    "kind": "TEXT NOT NULL DEFAULT ''",
    "access_level": "INTEGER NOT NULL DEFAULT 0",
    "release_key": "INTEGER NOT NULL DEFAULT 0",
    "popularity": "REAL NOT NULL DEFAULT 0",
    "rating": "REAL NOT NULL DEFAULT 0",
    "sort_title": "TEXT NOT NULL DEFAULT ''",
}
NAMES = ", ".join(CARRIED)
NEW_VALUES = ", ".join(f"NEW.{name}" for name in CARRIED)

SQLITE_GENRES_OF = "(SELECT '|' || group_concat(hex(genre), '|') || '|' FROM catalog_title_genres g WHERE g.title_id = {title})"


def sqlite_genres_trigger(event: str, rows: tuple[str, ...]) -> str:
    """Recomputes the genres of the title(s) a catalog_title_genres change touches."""
    updates = " ".join(
        f"UPDATE catalog_fts_docs SET genres = "
        f"{SQLITE_GENRES_OF.format(title=f'{row}.title_id')} WHERE title_id = {row}.title_id;"
        for row in rows
    )
    return f"CREATE TRIGGER catalog_fts_genres_{event.lower()} AFTER {event} ON catalog_title_genres BEGIN {updates} END"


SQLITE_UP = [
    *(f"ALTER TABLE catalog_fts_docs ADD COLUMN {name} {definition}" for name, definition in CARRIED.items()),
    "ALTER TABLE catalog_fts_docs ADD COLUMN genres TEXT",
    f"UPDATE catalog_fts_docs SET ({NAMES}) = (SELECT {NAMES} FROM catalog_titles t WHERE t.id = catalog_fts_docs.title_id)",
    "UPDATE catalog_fts_docs SET genres = " + SQLITE_GENRES_OF.format(title="catalog_fts_docs.title_id"),
    "DROP TRIGGER catalog_fts_insert",
    f"""CREATE TRIGGER catalog_fts_insert AFTER INSERT ON catalog_titles BEGIN
         INSERT INTO catalog_fts_titles(display_name, overview) VALUES (NEW.display_name, NEW.overview);
         INSERT INTO catalog_fts_docs(doc, title_id, {NAMES}, genres)
         VALUES (last_insert_rowid(), NEW.id, {NEW_VALUES}, {SQLITE_GENRES_OF.format(title="NEW.id")});
       END""",
    f"""CREATE TRIGGER catalog_fts_facets_update AFTER UPDATE OF {NAMES} ON catalog_titles BEGIN
         UPDATE catalog_fts_docs SET ({NAMES}) = ({NEW_VALUES}) WHERE title_id = NEW.id;
       END""",
    sqlite_genres_trigger("INSERT", ("NEW",)),
    sqlite_genres_trigger("UPDATE", ("OLD", "NEW")),
    sqlite_genres_trigger("DELETE", ("OLD",)),
]
SQLITE_DOWN = [
    *(f"DROP TRIGGER IF EXISTS catalog_fts_genres_{event}" for event in ("insert", "update", "delete")),
    "DROP TRIGGER IF EXISTS catalog_fts_facets_update",
    "DROP TRIGGER IF EXISTS catalog_fts_insert",
    """CREATE TRIGGER catalog_fts_insert AFTER INSERT ON catalog_titles BEGIN
         INSERT INTO catalog_fts_titles(display_name, overview) VALUES (NEW.display_name, NEW.overview);
         INSERT INTO catalog_fts_docs(doc, title_id) VALUES (last_insert_rowid(), NEW.id);
       END""",
    *(f"ALTER TABLE catalog_fts_docs DROP COLUMN {name}" for name in (*CARRIED, "genres")),
]

PG_GENRES_OF = "COALESCE((SELECT array_agg(genre) FROM catalog_title_genres g WHERE g.title_id = {title}), '{{}}')"
PG_UP = [
    """CREATE TABLE catalog_fts_docs (
         title_id VARCHAR(32) NOT NULL PRIMARY KEY REFERENCES catalog_titles (id) ON DELETE CASCADE,
         status VARCHAR(10) NOT NULL,
         kind VARCHAR(10) NOT NULL,
         access_level INTEGER NOT NULL,
         release_key INTEGER NOT NULL,
         popularity DOUBLE PRECISION NOT NULL,
         rating DOUBLE PRECISION NOT NULL,
         sort_title VARCHAR(300) NOT NULL,
         genres VARCHAR(100)[] NOT NULL DEFAULT '{}',
         search_vector TSVECTOR
       )""",
    f"""INSERT INTO catalog_fts_docs (title_id, {NAMES}, genres, search_vector)
        SELECT t.id, {", ".join(f"t.{name}" for name in CARRIED)}, {PG_GENRES_OF.format(title="t.id")}, t.search_vector
          FROM catalog_titles t""",
    # Genres in the same GIN index: a genre filter narrows the matches before any row is read.
    # fastupdate off, as on catalog_titles: no pending list for searches to scan after bulk writes.
    "CREATE INDEX ix_catalog_fts_docs_search ON catalog_fts_docs USING gin (search_vector, genres) WITH (fastupdate = off)",
    # One title's row, rebuilt from its current state; written only when something changed.
    f"""CREATE FUNCTION catalog_fts_docs_sync(title VARCHAR) RETURNS void AS $$
          INSERT INTO catalog_fts_docs AS d (title_id, {NAMES}, genres, search_vector)
          SELECT t.id, {", ".join(f"t.{name}" for name in CARRIED)}, {PG_GENRES_OF.format(title="t.id")}, t.search_vector
            FROM catalog_titles t WHERE t.id = title
          ON CONFLICT (title_id) DO UPDATE SET ({NAMES}, genres, search_vector) =
            ({", ".join(f"EXCLUDED.{name}" for name in CARRIED)}, EXCLUDED.genres, EXCLUDED.search_vector)
          WHERE ({", ".join(f"d.{name}" for name in CARRIED)}, d.genres, d.search_vector) IS DISTINCT FROM
                ({", ".join(f"EXCLUDED.{name}" for name in CARRIED)}, EXCLUDED.genres, EXCLUDED.search_vector)
        $$ LANGUAGE sql""",
    """CREATE FUNCTION catalog_fts_docs_from_title() RETURNS trigger AS $$
        BEGIN
          PERFORM catalog_fts_docs_sync(NEW.id);
          RETURN NULL;
        END
        $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION catalog_fts_docs_from_genres() RETURNS trigger AS $$
        BEGIN
          IF TG_OP <> 'INSERT' THEN PERFORM catalog_fts_docs_sync(OLD.title_id); END IF;
          IF TG_OP <> 'DELETE' THEN PERFORM catalog_fts_docs_sync(NEW.title_id); END IF;
          RETURN NULL;
        END
        $$ LANGUAGE plpgsql""",
    # Deferred to commit, so a title written with its genres in one transaction gets one row version
    # instead of one per genre (MVCC would leave the rest as bloat). Searches first run
    # `SET CONSTRAINTS ... IMMEDIATE`, which fires anything pending: a transaction sees its own writes.
    # search_vector is set by catalog_0001's BEFORE trigger when display_name or overview change.
    f"""CREATE CONSTRAINT TRIGGER catalog_fts_docs_from_title
        AFTER INSERT OR UPDATE OF {NAMES}, display_name, overview ON catalog_titles
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_fts_docs_from_title()""",
    """CREATE CONSTRAINT TRIGGER catalog_fts_docs_from_genres
       AFTER INSERT OR UPDATE OR DELETE ON catalog_title_genres
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_fts_docs_from_genres()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS catalog_fts_docs_from_genres ON catalog_title_genres",
    "DROP FUNCTION IF EXISTS catalog_fts_docs_from_genres()",
    "DROP TRIGGER IF EXISTS catalog_fts_docs_from_title ON catalog_titles",
    "DROP FUNCTION IF EXISTS catalog_fts_docs_from_title()",
    "DROP FUNCTION IF EXISTS catalog_fts_docs_sync(VARCHAR)",
    "DROP TABLE IF EXISTS catalog_fts_docs",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else PG_UP if dialect == "postgresql" else []:
        op.execute(statement)
    # Searches match catalog_fts_docs' copy of the tsvector now; catalog_titles keeps computing
    # the tsvector (the copy's source) but no query reads it through an index any more.
    op.drop_index("ix_catalog_titles_search_vector", table_name="catalog_titles")


def downgrade() -> None:
    op.create_index(
        "ix_catalog_titles_search_vector",
        "catalog_titles",
        ["search_vector"],
        postgresql_using="gin",
        postgresql_with={"fastupdate": "off"},
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else PG_DOWN if dialect == "postgresql" else []:
        op.execute(statement)
