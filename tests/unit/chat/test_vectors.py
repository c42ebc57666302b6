"""The embedded hybrid index: usearch + FTS5 on disk, filters, fusion, persistence."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from services.chat.vectors import ChunkFilter, IndexedChunk, LocalHybridIndex, fts_query

DIM = 16


def unit(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vector = rng.standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def chunk(n: int, document: str, text: str, **extra: object) -> IndexedChunk:
    return IndexedChunk(chunk_id=f"{document}-{n}", document_id=document, text=text, vector=unit(n), **extra)  # type: ignore[arg-type]


@pytest.fixture
def index(tmp_path: pathlib.Path) -> LocalHybridIndex:
    return LocalHybridIndex(tmp_path / "vectors", DIM)


async def test_nearest_vector_first_with_cosine_score(index: LocalHybridIndex) -> None:
    await index.upsert([chunk(n, "d1", f"text number {n}") for n in range(50)])
    hits = await index.search(unit(7), "", 5, ChunkFilter())
    assert hits[0].chunk_id == "d1-7"
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert len(hits) == 5


async def test_keywords_lift_an_exact_term_match(index: LocalHybridIndex) -> None:
    await index.upsert([chunk(n, "d1", "general horse care advice") for n in range(30)])
    await index.upsert([chunk(99, "d2", "the cloverleaf pattern has three barrels")])
    query = unit(3)  # nearest by vector is d1-3; the words point at d2-99
    hits = await index.search(query, "cloverleaf barrels", 3, ChunkFilter())
    assert "d2-99" in [h.chunk_id for h in hits]
    assert next(h for h in hits if h.chunk_id == "d2-99").keyword_rank == 1


async def test_filters_by_metadata_even_when_few_match(index: LocalHybridIndex) -> None:
    chunks = [chunk(n, f"doc{n % 10}", "rodeo", category="rules" if n == 123 else "care", tags=("t",)) for n in range(200)]
    await index.upsert(chunks)
    hits = await index.search(unit(1), "", 5, ChunkFilter(categories=frozenset({"rules"})))
    assert [h.chunk_id for h in hits] == ["doc3-123"]
    hits = await index.search(unit(1), "", 5, ChunkFilter(documents=frozenset({"doc4"})))
    assert {h.document_id for h in hits} == {"doc4"}
    assert await index.search(unit(1), "", 5, ChunkFilter(tags=frozenset({"missing"}))) == []


async def test_disabled_documents_and_skill_levels(index: LocalHybridIndex) -> None:
    await index.upsert([chunk(1, "a", "x", skill_level=1), chunk(2, "b", "x", skill_level=3)])
    await index.set_enabled("a", False)
    assert [h.document_id for h in await index.search(unit(1), "x", 5, ChunkFilter())] == ["b"]
    everything = await index.search(unit(1), "x", 5, ChunkFilter(include_disabled=True))
    assert {h.document_id for h in everything} == {"a", "b"}
    only = await index.search(unit(1), "x", 5, ChunkFilter(include_disabled=True, skill_levels=frozenset({0, 1})))
    assert [h.document_id for h in only] == ["a"]


async def test_reindex_replaces_and_delete_removes(index: LocalHybridIndex) -> None:
    await index.upsert([chunk(1, "a", "old words")])
    await index.upsert([IndexedChunk("a-1", "a", "new words", unit(2))])
    assert await index.count() == 1
    hits = await index.search(unit(2), "new", 5, ChunkFilter())
    assert hits[0].chunk_id == "a-1"
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert hits[0].keyword_rank == 1
    await index.delete_document("a")
    assert await index.count() == 0
    assert await index.search(unit(2), "new", 5, ChunkFilter()) == []


async def test_persists_across_reopen(tmp_path: pathlib.Path) -> None:
    first = LocalHybridIndex(tmp_path / "v", DIM)
    await first.upsert([chunk(n, "d", f"word{n}") for n in range(20)])
    await first.aclose()
    again = LocalHybridIndex(tmp_path / "v", DIM)
    assert await again.count() == 20
    hits = await again.search(unit(11), "word11", 1, ChunkFilter())
    assert hits[0].chunk_id == "d-11"
    await again.upsert([chunk(100, "e", "fresh")])
    assert (await again.search(unit(100), "", 1, ChunkFilter()))[0].chunk_id == "e-100"
    await again.aclose()


def test_fts_query_quotes_every_term() -> None:
    assert fts_query('what "is" NEAR(a b) -- OR drop;') == '"what" OR "is" OR "near" OR "a" OR "b" OR "or" OR "drop"'
    assert fts_query("!!!") == ""


async def test_broad_filters_search_the_graph_deeper_and_match_exact_scoring(
    index: LocalHybridIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.chat import vectors

    chunks = [chunk(n, f"doc{n % 7}", "rodeo", category="rules" if n % 3 == 0 else "care") for n in range(300)]
    await index.upsert(chunks)
    where = ChunkFilter(categories=frozenset({"rules"}))
    exact = [h.chunk_id for h in await index.search(unit(5), "", 5, where)]  # 100 allowed: scored exactly
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 10)  # now a broad filter: the graph path
    graph = [h.chunk_id for h in await index.search(unit(5), "", 5, where)]
    assert graph == exact
    assert all(int(c.split("-")[1]) % 3 == 0 for c in graph)


async def test_filter_postings_follow_deletes_reindexing_and_disabling(index: LocalHybridIndex) -> None:
    await index.upsert([chunk(n, "a", "x", category="rules", tags=("t1",)) for n in range(3)])
    await index.upsert([chunk(n, "b", "x", category="care", tags=("t2",)) for n in range(3, 6)])
    await index.upsert([IndexedChunk("a-0", "a", "x", unit(0), category="care")])  # moved to care, no tags
    rules = await index.search(unit(0), "", 10, ChunkFilter(categories=frozenset({"rules"})))
    assert {h.chunk_id for h in rules} == {"a-1", "a-2"}
    assert {h.chunk_id for h in await index.search(unit(0), "", 10, ChunkFilter(tags=frozenset({"t1"})))} == {"a-1", "a-2"}
    await index.set_enabled("b", False)
    care = await index.search(unit(0), "", 10, ChunkFilter(categories=frozenset({"care"})))
    assert {h.chunk_id for h in care} == {"a-0"}
    await index.delete_document("a")
    assert await index.search(unit(0), "", 10, ChunkFilter(categories=frozenset({"care"}))) == []
    back = await index.search(unit(0), "", 10, ChunkFilter(categories=frozenset({"care"}), include_disabled=True))
    assert {h.document_id for h in back} == {"b"}


async def test_the_keyword_half_keeps_rare_words_within_its_budget(tmp_path: pathlib.Path) -> None:
    index = LocalHybridIndex(tmp_path / "big", DIM, alpha=0.2)  # keywords weigh most
    common = [chunk(n, "d", f"horse saddle item{n}") for n in range(1500)]
    await index.upsert(common)
    assert index._discriminating_terms("horse item42 nothingmatches", 1500) == "item42"  # horse is in every chunk
    hits = await index.search(unit(9999), "horse item42", 3, ChunkFilter())
    assert hits[0].chunk_id == "d-42"
    assert hits[0].keyword_rank == 1


async def test_the_matrix_grows_and_an_index_without_one_gets_it_from_the_graph(tmp_path: pathlib.Path) -> None:
    first = LocalHybridIndex(tmp_path / "m", DIM)
    for start in range(0, 1500, 500):  # past the first 1,024 rows: the file grows once
        await first.upsert([chunk(n, f"d{n % 3}", f"word{n}") for n in range(start, start + 500)])
    await first.delete_document("d1")
    await first.aclose()
    matrix = tmp_path / "m" / "vectors.f32"
    assert matrix.stat().st_size == 2048 * DIM * 4
    matrix.unlink()  # as an index written before the matrix existed
    again = LocalHybridIndex(tmp_path / "m", DIM)
    for n in (0, 1026, 1499):  # filtered: scored exactly from the rebuilt matrix
        hits = await again.search(unit(n), "", 1, ChunkFilter(documents=frozenset({f"d{n % 3}"})))
        assert (hits[0].chunk_id, round(hits[0].score, 4)) == (f"d{n % 3}-{n}", 1.0)
    assert await again.search(unit(1), "", 3, ChunkFilter(documents=frozenset({"d1"}))) == []
    await again.aclose()
