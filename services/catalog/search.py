"""Full-text search, one seam with two real backends chosen by the database dialect.

PostgreSQL: `catalog_titles.search_vector` (a weighted tsvector kept by a trigger, GIN
indexed), matched with `plainto_tsquery` and ranked with `ts_rank_cd`.

SQLite: an FTS5 table (`catalog_fts_titles`, keyed through `catalog_fts_docs` because
titles have text ids) that the migration creates with permanent triggers on
`catalog_titles`, so every connection and process that writes titles keeps it current.
migrations/env.py keeps autogenerate away from these hand-built tables.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, Float, String, Subquery, cast, func, literal, text

from services.catalog.models import Title

_WORD = re.compile(r"\w+", re.UNICODE)
log = logging.getLogger("marquee.catalog")

def query_words(query: str) -> list[str]:
    """The searchable words of a user's query (punctuation and operators dropped)."""
    return _WORD.findall(query.lower())[:32]


@dataclass(frozen=True)
class Matches:
    """The titles matching a query, as a condition on `Title` or a (title_id, score) subquery to join.

    `score` is higher for better matches; it is computed only when `ranked` was asked for
    (relevance order), since scoring every match is most of a broad search's cost.
    """

    score: ColumnElement[float]
    condition: ColumnElement[bool] | None = None
    subquery: Subquery | None = None


class SearchBackend(Protocol):
    def matches(self, words: list[str], *, ranked: bool) -> Matches: ...


class PostgresSearch:
    def matches(self, words: list[str], *, ranked: bool) -> Matches:
        query = func.plainto_tsquery("english", " ".join(words))
        # Cast the float4 rank to float8 so the value in a page token compares exactly.
        score = cast(func.ts_rank_cd(Title.search_vector, query), Float(53)) if ranked else literal(0.0)
        return Matches(score=score, condition=Title.search_vector.op("@@")(query))


class SqliteSearch:
    def matches(self, words: list[str], *, ranked: bool) -> Matches:
        # Every word must match (implicit AND); each is quoted so FTS5 syntax in input is inert.
        expression = " ".join('"' + word.replace('"', "") + '"' for word in words)
        matching = (
            "FROM catalog_fts_titles JOIN catalog_fts_docs d ON d.doc = catalog_fts_titles.rowid "
            "WHERE catalog_fts_titles MATCH :fts_query"
        )
        if not ranked:
            ids = text(f"SELECT d.title_id {matching}").bindparams(fts_query=expression).columns(title_id=String)
            return Matches(score=literal(0.0), condition=Title.id.in_(ids.subquery("m").select()))
        # bm25 is lower-is-better; negate it. The title column weighs ten times the overview.
        statement = (
            text(f"SELECT d.title_id AS title_id, -bm25(catalog_fts_titles, 10.0, 1.0) AS score {matching}")
            .bindparams(fts_query=expression)
            .columns(title_id=String, score=Float)
        )
        subquery = statement.subquery("m")
        return Matches(score=subquery.c.score, subquery=subquery)


def backend_for(dialect: str) -> SearchBackend:
    return PostgresSearch() if dialect == "postgresql" else SqliteSearch()
