"""The vector seam: chunk vectors with their metadata, searched by meaning and by keywords at once (hybrid).

Embedded default (`LocalHybridIndex`): a usearch HNSW graph persisted in the data dir, beside an SQLite
FTS5 keyword index and the chunks' metadata in one SQLite file, and every vector once more in a memory-mapped
float32 matrix (`vectors.f32`, one row per key) so that scoring chosen chunks exactly is one numpy gather and
matmul, not a lookup in the graph. A query runs both searches, keeps what the metadata filters allow, and
fuses them the way Weaviate's `relativeScoreFusion` does: each list's scores scaled to 0..1, then
`alpha * vector + (1 - alpha) * keyword`. A filter that leaves a few thousand chunks scores them exactly.
Production may name Weaviate instead (`weaviate_store.py`).
"""

from __future__ import annotations

import asyncio
import heapq
import json
import math
import pathlib
import re
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
Matrix = np.memmap[Any, np.dtype[np.float32]]
_TERM = re.compile(r"\w+", re.UNICODE)
# A filter leaving at most this many chunks is scored exactly from the matrix: gathering and scoring 16k
# rows of 384 floats costs about what a graph search deep enough to find `k` of them among the rest does.
EXACT_LIMIT = 16_384
# HNSW parameters: at 100k synthetic 384-d chunks, M 32 / ef 400 finds 0.96 of the exact top 5 (M 16 / ef 200:
# 0.74) at about 2.3 ms a search against 1 ms; building costs 2.4x as long. benchmarks/bench_chat.py measures it.
CONNECTIVITY = 32
EXPANSION_ADD = 256
EXPANSION_SEARCH = 400
# Most chunks the keyword half lets FTS5 rank (see `_discriminating_terms`).
KEYWORD_POSTINGS = 4000


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
    # Postings per filter field, so a filter's candidates are a few set operations, not a scan of `meta`.
    by_category: dict[str, set[int]] = field(default_factory=dict)
    by_document: dict[str, set[int]] = field(default_factory=dict)
    by_tag: dict[str, set[int]] = field(default_factory=dict)
    by_level: dict[int, set[int]] = field(default_factory=dict)
    disabled: set[int] = field(default_factory=set)

    def add(self, key: int, meta: _Meta) -> None:
        self.meta[key] = meta
        self.keys[meta.chunk_id] = key
        self.by_category.setdefault(meta.category, set()).add(key)
        self.by_document.setdefault(meta.document_id, set()).add(key)
        self.by_level.setdefault(meta.skill_level, set()).add(key)
        for tag in meta.tags:
            self.by_tag.setdefault(tag, set()).add(key)
        if not meta.enabled:
            self.disabled.add(key)

    def remove(self, key: int) -> _Meta:
        meta = self.meta.pop(key)
        self.keys.pop(meta.chunk_id, None)
        pairs: list[tuple[dict[Any, set[int]], Any]] = [
            (self.by_category, meta.category), (self.by_document, meta.document_id), (self.by_level, meta.skill_level),
        ]  # fmt: skip
        pairs += [(self.by_tag, tag) for tag in meta.tags]
        for postings, value in pairs:
            found = postings.get(value)
            if found is not None:
                found.discard(key)
                if not found:
                    del postings[value]
        self.disabled.discard(key)
        return meta

    def candidates(self, where: ChunkFilter) -> set[int] | None:
        """The keys `where` allows, or None when it allows every enabled chunk (no metadata filter)."""
        chosen: set[int] | None = None
        filters: list[tuple[dict[Any, set[int]], frozenset[Any]]] = [
            (self.by_category, where.categories), (self.by_document, where.documents), (self.by_tag, where.tags),
            (self.by_level, where.skill_levels),
        ]  # fmt: skip
        for postings, wanted in filters:
            if not wanted:
                continue
            union: set[int] = set().union(*(postings.get(value, set()) for value in wanted))
            chosen = union if chosen is None else chosen & union
        if chosen is not None and not where.include_disabled:
            chosen -= self.disabled
        return chosen


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
        connectivity: int = CONNECTIVITY,
        expansion_search: int = EXPANSION_SEARCH,
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
            ndim=dimensions, metric="ip", dtype="f32", connectivity=connectivity, expansion_add=EXPANSION_ADD,
            expansion_search=expansion_search,
        )  # fmt: skip
        if self._graph_path.exists():
            self._graph.load(str(self._graph_path))
            self._graph.expansion_search = expansion_search  # type: ignore[misc]  # the file does not keep it
        self._state = _State()
        self._document_frequency: dict[str, int] = {}  # term -> chunks holding it; cleared by every write
        for key, chunk_id, document_id, category, skill, tags, enabled in self._db.execute(
            "SELECT key, chunk_id, document_id, category, skill_level, tags, enabled FROM chunks"
        ):
            self._state.add(key, _Meta(chunk_id, document_id, category, skill, frozenset(json.loads(tags)), bool(enabled)))
            self._state.next_key = max(self._state.next_key, key + 1)
        self._matrix_path = directory / "vectors.f32"
        self._matrix = self._open_matrix()

    # The matrix: row `key` holds the vector of the chunk with that key (rows of removed keys are stale) ---

    def _open_matrix(self) -> Matrix:
        capacity = self._matrix_path.stat().st_size // (4 * self.dimensions) if self._matrix_path.exists() else 0
        if capacity < self._state.next_key:  # an index from before the matrix: copied out of the graph once
            self._grow(self._state.next_key)
            matrix = self._matrix
            keys = sorted(self._state.meta)
            for start in range(0, len(keys), 4096):
                batch = np.asarray(keys[start : start + 4096], dtype=np.uint64)
                matrix[batch.astype(np.int64)] = np.asarray(self._graph.get(batch), dtype=np.float32)
            matrix.flush()
            return matrix
        return np.memmap(self._matrix_path, dtype=np.float32, mode="r+", shape=(capacity, self.dimensions))

    def _grow(self, rows: int) -> None:
        capacity = max(1024, 1 << (rows - 1).bit_length())
        with self._matrix_path.open("ab") as file:
            file.truncate(capacity * 4 * self.dimensions)  # the new rows read as zeros
        self._matrix = np.memmap(self._matrix_path, dtype=np.float32, mode="r+", shape=(capacity, self.dimensions))

    def _rows(self, keys: Sequence[int] | npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        return np.asarray(self._matrix[np.asarray(keys, dtype=np.int64)])

    # Writes ---------------------------------------------------------------------------------------------

    def _remove_keys(self, keys: list[int]) -> None:
        if not keys:
            return
        self._graph.remove(np.asarray(keys, dtype=np.uint64))
        self._db.executemany("DELETE FROM chunks WHERE key = ?", [(k,) for k in keys])
        self._db.executemany("DELETE FROM chunk_text WHERE rowid = ?", [(k,) for k in keys])
        for key in keys:
            self._state.remove(key)
        self._document_frequency.clear()

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
                if self._state.next_key > len(self._matrix):
                    self._grow(self._state.next_key)
                self._matrix[np.asarray(keys, dtype=np.int64)] = vectors
                self._matrix.flush()
                self._db.execute("COMMIT")
            except Exception:
                self._db.execute("ROLLBACK")
                raise
            for k, c in zip(keys, chunks, strict=True):
                self._state.add(k, _Meta(c.chunk_id, c.document_id, c.category, c.skill_level, frozenset(c.tags), c.enabled))
            self._document_frequency.clear()
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
            for key in self._state.by_document.get(document_id, set()):
                self._state.meta[key].enabled = enabled
                if enabled:
                    self._state.disabled.discard(key)
                else:
                    self._state.disabled.add(key)

    # Reads ----------------------------------------------------------------------------------------------

    def _search(self, vector: Vector, text: str, k: int, where: ChunkFilter) -> list[VectorHit]:
        with self._lock:
            size = len(self._graph)
            if size == 0 or k <= 0:
                return []
            query = np.asarray(vector, dtype=np.float32)
            wanted = min(size, max(4 * k, 40))
            allowed = self._state.candidates(where)
            similarity = self._vector_half(query, wanted, allowed, where, size)
            keyword, keyword_rank = self._keyword_half(text, wanted * 2, allowed, where, size)
            missing = [key for key in keyword if key not in similarity]
            if missing:
                for key, score in zip(missing, (self._rows(missing) @ query).tolist(), strict=True):
                    similarity[key] = float(score)
            # Fuse the best `wanted` of each half only: min-max scaling over a long tail is what made the
            # scores of the head indistinct (and the tail is never returned).
            vector_scaled = _scaled(similarity)
            keyword_scaled = _scaled(keyword)
            fused = {
                key: self.alpha * vector_scaled.get(key, 0.0) + (1 - self.alpha) * keyword_scaled.get(key, 0.0)
                for key in similarity
            }
            ranked = heapq.nsmallest(k, fused, key=lambda key: (-fused[key], -similarity[key]))
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

    def _vector_half(
        self, query: Vector, wanted: int, allowed: set[int] | None, where: ChunkFilter, size: int
    ) -> dict[int, float]:
        """Cosine similarity of the best `wanted` chunks the filter allows.

        Unfiltered: one graph search. A filter that leaves few chunks (at most EXACT_LIMIT): those are scored
        exactly, which costs as much as they are few. A broader filter: the graph is searched deeper, by the
        inverse of the share the filter keeps, and the allowed hits are kept; exact scoring is the fallback
        when that still finds fewer than asked for."""
        if allowed is not None and len(allowed) <= EXACT_LIMIT:
            return self._exact(query, list(allowed), wanted)
        share = 1.0 if allowed is None else len(allowed) / size
        depth = min(size, math.ceil(wanted / share * 1.5)) if allowed is not None else wanted
        matches = self._graph.search(query, depth)
        similarity: dict[int, float] = {}
        for key, distance in zip(matches.keys.tolist(), matches.distances.tolist(), strict=True):
            key = int(key)
            if (
                key in self._state.meta
                and (allowed is None or key in allowed)
                and (where.include_disabled or key not in self._state.disabled)
            ):
                similarity[key] = 1.0 - float(distance)
                if len(similarity) >= wanted:
                    break
        if len(similarity) < min(wanted, len(allowed) if allowed is not None else wanted) and size > depth:
            keys = list(allowed) if allowed is not None else [
                key for key in self._state.meta if where.include_disabled or key not in self._state.disabled
            ]  # fmt: skip
            return self._exact(query, keys, wanted)
        return similarity

    def _exact(self, query: Vector, keys: list[int], wanted: int) -> dict[int, float]:
        if not keys:
            return {}
        scores = self._rows(keys) @ query
        best = np.argpartition(-scores, wanted - 1)[:wanted] if len(keys) > wanted else np.arange(len(keys))
        return {keys[i]: float(scores[i]) for i in best.tolist()}

    def _keyword_half(
        self, text: str, limit: int, allowed: set[int] | None, where: ChunkFilter, size: int
    ) -> tuple[dict[int, float], dict[int, int]]:
        keyword: dict[int, float] = {}
        keyword_rank: dict[int, int] = {}
        match = fts_query(self._discriminating_terms(text, size))
        if not match:
            return keyword, keyword_rank
        rows_found = self._db.execute(
            "SELECT rowid, bm25(chunk_text) FROM chunk_text WHERE chunk_text MATCH ? ORDER BY bm25(chunk_text) LIMIT ?",
            (match, limit),
        ).fetchall()
        for rowid, bm25 in rows_found:
            key = int(rowid)
            if key not in self._state.meta or (allowed is not None and key not in allowed):
                continue
            if not where.include_disabled and key in self._state.disabled:
                continue
            keyword[key] = -float(bm25)  # SQLite's bm25 is lower-is-better
            keyword_rank[key] = len(keyword_rank) + 1
        return keyword, keyword_rank

    def _discriminating_terms(self, text: str, size: int) -> str:
        """The query's words that BM25 ranks by, within a budget. In an index of over 1,000 chunks, words in
        over 10 % of them are dropped (BM25 gives them almost no weight), and the rest are taken rarest first
        while the chunks holding them stay under KEYWORD_POSTINGS: FTS5 scores every chunk that matches, so
        the budget bounds the keyword half's cost however common the words. Nothing left: no keyword half."""
        terms = list(dict.fromkeys(t.lower() for t in _TERM.findall(text)))[:32]
        if size <= 1000:
            return " ".join(terms)
        unknown = [t for t in terms if t not in self._document_frequency]
        if unknown:
            found = dict.fromkeys(unknown, 0)
            marks = ",".join("?" * len(unknown))
            query = f"SELECT term, doc FROM chunk_terms WHERE term IN ({marks})"  # noqa: S608 -- only placeholders
            for term, documents in self._db.execute(query, unknown):
                found[str(term)] = int(documents)
            if len(self._document_frequency) > 50_000:
                self._document_frequency.clear()
            self._document_frequency.update(found)
        kept: list[str] = []
        postings = 0
        for term in sorted(terms, key=lambda t: self._document_frequency.get(t, 0)):
            frequency = self._document_frequency.get(term, 0)
            if frequency == 0:
                continue  # in no chunk: matching it finds nothing
            if frequency > 0.1 * size or (kept and postings + frequency > KEYWORD_POSTINGS):
                break
            kept.append(term)
            postings += frequency
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
