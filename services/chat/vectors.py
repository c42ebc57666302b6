"""The vector seam: chunk vectors with their metadata, searched by meaning and by keywords at once (hybrid).

Embedded default (`LocalHybridIndex`): a usearch HNSW graph persisted in the data dir, beside an SQLite
FTS5 keyword index and the chunks' metadata in one SQLite file. A query runs both searches, keeps what the
metadata filters allow, and fuses them the way Weaviate's `relativeScoreFusion` does: each list's scores
scaled to 0..1, then `alpha * vector + (1 - alpha) * keyword`. When filters leave fewer than `k` graph
hits, the filtered chunks are scored exactly. Production may name Weaviate instead (`weaviate_store.py`).
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import re
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
_TERM = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class IndexedChunk:
    chunk_id: str
    document_id: str
    text: str
    vector: Vector
    category: str = ""
    skill_level: int = 0
    tags: tuple[str, ...] = ()
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class ChunkFilter:
    """Empty fields do not filter. `skill_levels` holds the document levels an answer may use (0 = any document)."""

    categories: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    skill_levels: frozenset[int] = frozenset()
    include_disabled: bool = False


@dataclass(frozen=True, slots=True)
class VectorHit:
    chunk_id: str
    document_id: str
    score: float  # cosine similarity of query and chunk, clipped to 0..1
    fused: float  # the hybrid ranking score
    keyword_rank: int | None = None


class VectorIndex(Protocol):
    async def upsert(self, chunks: Sequence[IndexedChunk]) -> None: ...

    async def delete_document(self, document_id: str) -> None: ...

    async def set_enabled(self, document_id: str, enabled: bool) -> None: ...

    async def search(self, vector: Vector, text: str, k: int, where: ChunkFilter) -> list[VectorHit]: ...

    async def count(self) -> int: ...

    async def aclose(self) -> None: ...


class IndexUnavailable(Exception):
    """The index cannot be read or written; the message is safe to show."""


@dataclass(slots=True)
class _Meta:
    chunk_id: str
    document_id: str
    category: str
    skill_level: int
    tags: frozenset[str]
    enabled: bool


@dataclass
class _State:
    meta: dict[int, _Meta] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    next_key: int = 1


def _allowed(meta: _Meta, where: ChunkFilter) -> bool:
    if not meta.enabled and not where.include_disabled:
        return False
    if where.categories and meta.category not in where.categories:
        return False
    if where.documents and meta.document_id not in where.documents:
        return False
    if where.tags and not (meta.tags & where.tags):
        return False
    return not (where.skill_levels and meta.skill_level not in where.skill_levels)


def fts_query(text: str, limit_terms: int = 32) -> str:
    """An FTS5 query matching any of the words (each quoted, so no user text is parsed as syntax)."""
    terms = list(dict.fromkeys(t.lower() for t in _TERM.findall(text)))[:limit_terms]
    return " OR ".join(f'"{t}"' for t in terms)


def _scaled(values: dict[int, float]) -> dict[int, float]:
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if high - low < 1e-12:
        return dict.fromkeys(values, 1.0)
    return {key: (value - low) / (high - low) for key, value in values.items()}


class LocalHybridIndex:
    """usearch (HNSW, inner product on unit vectors) + SQLite FTS5, in `directory`."""

    def __init__(
        self,
        directory: pathlib.Path,
        dimensions: int,
        alpha: float = 0.75,
        connectivity: int = 16,
        expansion_search: int = 200,
    ) -> None:
        from usearch.index import Index

        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.dimensions = dimensions
        self.alpha = alpha
        self._lock = threading.Lock()
        self._graph_path = directory / "vectors.usearch"
        self._db = sqlite3.connect(directory / "chunks.sqlite", check_same_thread=False, isolation_level=None)
        self._db.executescript(
            """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS chunks (
                key INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL UNIQUE, document_id TEXT NOT NULL,
                category TEXT NOT NULL, skill_level INTEGER NOT NULL, tags TEXT NOT NULL, enabled INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS chunks_document ON chunks (document_id);
            CREATE VIRTUAL TABLE IF NOT EXISTS chunk_text USING fts5(text, tokenize='porter unicode61');
            CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5vocab(chunk_text, 'row');
            """
        )
        self._graph = Index(
            ndim=dimensions, metric="ip", dtype="f32", connectivity=connectivity, expansion_search=expansion_search
        )
        if self._graph_path.exists():
            self._graph.load(str(self._graph_path))
        self._state = _State()
        for key, chunk_id, document_id, category, skill, tags, enabled in self._db.execute(
            "SELECT key, chunk_id, document_id, category, skill_level, tags, enabled FROM chunks"
        ):
            self._state.meta[key] = _Meta(chunk_id, document_id, category, skill, frozenset(json.loads(tags)), bool(enabled))
            self._state.keys[chunk_id] = key
            self._state.next_key = max(self._state.next_key, key + 1)

    # Writes ---------------------------------------------------------------------------------------------

    def _remove_keys(self, keys: list[int]) -> None:
        if not keys:
            return
        self._graph.remove(np.asarray(keys, dtype=np.uint64))
        self._db.executemany("DELETE FROM chunks WHERE key = ?", [(k,) for k in keys])
        self._db.executemany("DELETE FROM chunk_text WHERE rowid = ?", [(k,) for k in keys])
        for key in keys:
            meta = self._state.meta.pop(key)
            self._state.keys.pop(meta.chunk_id, None)

    def _upsert(self, chunks: Sequence[IndexedChunk]) -> None:
        if not chunks:
            return
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._remove_keys([self._state.keys[c.chunk_id] for c in chunks if c.chunk_id in self._state.keys])
                keys = list(range(self._state.next_key, self._state.next_key + len(chunks)))
                self._state.next_key += len(chunks)
                self._db.executemany(
                    "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (k, c.chunk_id, c.document_id, c.category, c.skill_level, json.dumps(sorted(c.tags)), int(c.enabled))
                        for k, c in zip(keys, chunks, strict=True)
                    ],
                )
                self._db.executemany(
                    "INSERT INTO chunk_text (rowid, text) VALUES (?, ?)", [(k, c.text) for k, c in zip(keys, chunks, strict=True)]
                )
                vectors = np.stack([np.asarray(c.vector, dtype=np.float32) for c in chunks])
                self._graph.add(np.asarray(keys, dtype=np.uint64), vectors)
                self._db.execute("COMMIT")
            except Exception:
                self._db.execute("ROLLBACK")
                raise
            for k, c in zip(keys, chunks, strict=True):
                self._state.meta[k] = _Meta(c.chunk_id, c.document_id, c.category, c.skill_level, frozenset(c.tags), c.enabled)
                self._state.keys[c.chunk_id] = k
            self._graph.save(str(self._graph_path))

    def _delete_document(self, document_id: str) -> None:
        with self._lock:
            keys = [k for (k,) in self._db.execute("SELECT key FROM chunks WHERE document_id = ?", (document_id,))]
            self._db.execute("BEGIN")
            self._remove_keys(keys)
            self._db.execute("COMMIT")
            self._graph.save(str(self._graph_path))

    def _set_enabled(self, document_id: str, enabled: bool) -> None:
        with self._lock:
            self._db.execute("UPDATE chunks SET enabled = ? WHERE document_id = ?", (int(enabled), document_id))
            for meta in self._state.meta.values():
                if meta.document_id == document_id:
                    meta.enabled = enabled

    # Reads ----------------------------------------------------------------------------------------------

    def _search(self, vector: Vector, text: str, k: int, where: ChunkFilter) -> list[VectorHit]:
        with self._lock:
            size = len(self._graph)
            if size == 0 or k <= 0:
                return []
            query = np.asarray(vector, dtype=np.float32)
            wanted = min(size, max(4 * k, 40))
            matches = self._graph.search(query, wanted)
            similarity: dict[int, float] = {}
            for key, distance in zip(matches.keys.tolist(), matches.distances.tolist(), strict=True):
                meta = self._state.meta.get(int(key))
                if meta is not None and _allowed(meta, where):
                    similarity[int(key)] = 1.0 - float(distance)
            if len(similarity) < k and size > wanted:
                # Filters rejected most graph hits: score the chunks they allow exactly.
                allowed = [key for key, meta in self._state.meta.items() if _allowed(meta, where)]
                if allowed:
                    rows = np.asarray(self._graph.get(np.asarray(allowed, dtype=np.uint64)), dtype=np.float32)
                    scores = rows @ query
                    best = np.argsort(-scores)[:wanted]
                    similarity = {allowed[i]: float(scores[i]) for i in best}
            keyword: dict[int, float] = {}
            keyword_rank: dict[int, int] = {}
            match = fts_query(self._discriminating_terms(text, size))
            if match:
                rows_found = self._db.execute(
                    "SELECT rowid, bm25(chunk_text) FROM chunk_text WHERE chunk_text MATCH ? ORDER BY bm25(chunk_text) LIMIT ?",
                    (match, wanted * 2),
                ).fetchall()
                for rowid, bm25 in rows_found:
                    meta = self._state.meta.get(int(rowid))
                    if meta is not None and _allowed(meta, where):
                        keyword[int(rowid)] = -float(bm25)  # SQLite's bm25 is lower-is-better
                        keyword_rank[int(rowid)] = len(keyword_rank) + 1
            missing = [key for key in keyword if key not in similarity]
            if missing:
                rows = np.asarray(self._graph.get(np.asarray(missing, dtype=np.uint64)), dtype=np.float32)
                for key, score in zip(missing, (rows @ query).tolist(), strict=True):
                    similarity[key] = float(score)
            vector_scaled = _scaled(similarity)
            keyword_scaled = _scaled(keyword)
            fused = {
                key: self.alpha * vector_scaled.get(key, 0.0) + (1 - self.alpha) * keyword_scaled.get(key, 0.0)
                for key in similarity
            }
            ranked = sorted(fused, key=lambda key: (-fused[key], -similarity[key]))[:k]
            return [
                VectorHit(
                    chunk_id=self._state.meta[key].chunk_id,
                    document_id=self._state.meta[key].document_id,
                    score=min(1.0, max(0.0, similarity[key])),
                    fused=fused[key],
                    keyword_rank=keyword_rank.get(key),
                )
                for key in ranked
            ]

    def _discriminating_terms(self, text: str, size: int) -> str:
        """The query's words less, in an index of over 1,000 chunks, those in over 10 % of them: BM25 gives such
        words almost no weight, and ranking every chunk that holds them is most of a keyword query's cost.
        Nothing left: no keyword half."""
        terms = list(dict.fromkeys(t.lower() for t in _TERM.findall(text)))[:32]
        if size <= 1000:
            return " ".join(terms)
        kept = []
        for term in terms:
            row = self._db.execute("SELECT doc FROM chunk_terms WHERE term = ?", (term,)).fetchone()
            if row is None or int(row[0]) <= 0.1 * size:
                kept.append(term)
        return " ".join(kept)

    async def upsert(self, chunks: Sequence[IndexedChunk]) -> None:
        await asyncio.to_thread(self._upsert, chunks)

    async def delete_document(self, document_id: str) -> None:
        await asyncio.to_thread(self._delete_document, document_id)

    async def set_enabled(self, document_id: str, enabled: bool) -> None:
        await asyncio.to_thread(self._set_enabled, document_id, enabled)

    async def search(self, vector: Vector, text: str, k: int, where: ChunkFilter) -> list[VectorHit]:
        return await asyncio.to_thread(self._search, vector, text, k, where)

    def search_blocking(self, vector: Vector, text: str, k: int, where: ChunkFilter) -> list[VectorHit]:
        """The same search on the calling thread (benchmarks; servers use `search`)."""
        return self._search(vector, text, k, where)

    async def count(self) -> int:
        return len(self._state.meta)

    async def aclose(self) -> None:
        with self._lock:
            self._db.close()
