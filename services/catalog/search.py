"""The words of a search query, as both search backends match them.

The matching itself lives in repository.py (`CatalogRepository._page_search`): SQLite FTS5
and PostgreSQL tsvector, over `catalog_fts_docs`, which migrations catalog_0001 and
catalog_0002 build and keep current with triggers.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)


def query_words(query: str) -> list[str]:
    """The searchable words of a user's query (punctuation and operators dropped)."""
    return _WORD.findall(query.lower())[:32]
