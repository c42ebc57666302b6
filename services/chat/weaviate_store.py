"""The vector seam on Weaviate (`weaviate-client` v4, async): one collection of chunks with their metadata.

Searches are Weaviate's hybrid query (BM25 on `text` fused with the vector by `relativeScoreFusion`, the
same fusion the embedded index uses) with the metadata filters pushed to the server. Writes are gRPC
batches; a document is deleted with one filtered batch delete. Vectors are ours (`self_provided`): the
embedding seam makes them, so Weaviate needs no vectorizer module. The similarity reported for a hit is the
cosine of the query and the chunk's own vector (returned with the hit), so the answer threshold means the
same on both backends.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from services.chat.vectors import ChunkFilter, IndexedChunk, IndexUnavailable, Vector, VectorHit

# Chunk ids are ours; Weaviate wants UUIDs. A fixed namespace makes the mapping stable across processes,
# so re-inserting a chunk replaces it.
_NAMESPACE = uuid.UUID("6c1b3f0e-4a57-4f7a-9a53-0d7c2b8f5e11")
_PROPERTIES = ["chunk_id", "document_id", "text", "category", "skill_level", "tags", "enabled"]
_PAGE = 1000


def object_uuid(chunk_id: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, chunk_id)


@dataclass(frozen=True, slots=True)
class WeaviateConfig:
    url: str  # REST, for example http://weaviate:8080
    grpc_address: str  # host:port, for example weaviate:50051
    collection: str = "MarqueeChatChunk"
    api_key: str = ""
    grpc_secure: bool = False
    timeout_seconds: float = 10.0
    alpha: float = 0.75


class WeaviateIndex:
    """`VectorIndex` on a Weaviate collection; `open` connects and creates the collection when missing."""

    def __init__(self, client: Any, config: WeaviateConfig) -> None:
        self._client = client
        self._config = config
        self._collection = client.collections.use(config.collection)

    @classmethod
    async def open(cls, config: WeaviateConfig) -> WeaviateIndex:
        import weaviate
        from weaviate.classes.init import AdditionalConfig, Auth, Timeout

        rest = urlsplit(config.url)
        grpc_host, _, grpc_port = config.grpc_address.rpartition(":")
        if rest.hostname is None or not grpc_host or not grpc_port.isdigit():
            raise IndexUnavailable(f"bad Weaviate address: {config.url!r} / {config.grpc_address!r}")
        secure = rest.scheme == "https"
        timeout = config.timeout_seconds
        # skip_init_checks: the client would otherwise ask pypi.org for its latest version on every start;
        # readiness is checked below instead (REST `/.well-known/ready`, then the collection over REST and gRPC).
        client = weaviate.use_async_with_custom(
            http_host=rest.hostname, http_port=rest.port or (443 if secure else 80), http_secure=secure,
            grpc_host=grpc_host, grpc_port=int(grpc_port), grpc_secure=config.grpc_secure,
            auth_credentials=Auth.api_key(config.api_key) if config.api_key else None,
            additional_config=AdditionalConfig(timeout=Timeout(init=timeout, query=timeout, insert=timeout)),
            skip_init_checks=True,
        )  # fmt: skip
        try:
            await client.connect()
            if not await client.is_ready():
                raise IndexUnavailable(f"Weaviate at {config.url} is not ready")
            index = cls(client, config)
            await index._ensure_collection()
            await index.count()  # one gRPC call: the gRPC port answers too
            return index
        except IndexUnavailable:
            await client.close()
            raise
        except Exception as exc:  # the client's errors (connection, status, gRPC) all mean "not usable"
            await client.close()
            raise IndexUnavailable(f"Weaviate at {config.url} is unavailable: {exc}") from exc

    async def _ensure_collection(self) -> None:
        from weaviate.classes.config import Configure, DataType, Property, Tokenization, VectorDistances

        if await self._client.collections.exists(self._config.collection):
            return

        def keyword(name: str, data_type: Any = DataType.TEXT) -> Any:
            return Property(
                name=name, data_type=data_type, tokenization=Tokenization.FIELD, index_searchable=False,
                index_filterable=True,
            )  # fmt: skip

        await self._client.collections.create(
            self._config.collection,
            description="Marquee Chat knowledge-base chunks",
            properties=[
                keyword("chunk_id"),
                keyword("document_id"),
                Property(name="text", data_type=DataType.TEXT, tokenization=Tokenization.WORD),
                keyword("category"),
                Property(name="skill_level", data_type=DataType.INT, index_filterable=True),
                keyword("tags", DataType.TEXT_ARRAY),
                Property(name="enabled", data_type=DataType.BOOL, index_filterable=True),
            ],
            vector_config=Configure.Vectors.self_provided(
                vector_index_config=Configure.VectorIndex.hnsw(distance_metric=VectorDistances.COSINE)
            ),
            inverted_index_config=Configure.inverted_index(bm25_b=0.75, bm25_k1=1.2),
        )

    # Writes ---------------------------------------------------------------------------------------------

    async def _insert(self, objects: list[Any]) -> None:
        for start in range(0, len(objects), _PAGE):
            try:
                result = await self._bounded(self._collection.data.insert_many(objects[start : start + _PAGE]))
            except Exception as exc:
                raise IndexUnavailable(f"Weaviate batch insert failed: {exc}") from exc
            if result.errors:
                first = next(iter(result.errors.values()))
                raise IndexUnavailable(f"Weaviate refused {len(result.errors)} chunks: {first.message}")

    async def upsert(self, chunks: Sequence[IndexedChunk]) -> None:
        from weaviate.classes.data import DataObject

        await self._insert(
            [
                DataObject(
                    uuid=object_uuid(c.chunk_id),
                    properties={
                        "chunk_id": c.chunk_id,
                        "document_id": c.document_id,
                        "text": c.text,
                        "category": c.category,
                        "skill_level": c.skill_level,
                        "tags": list(c.tags),
                        "enabled": c.enabled,
                    },
                    vector=np.asarray(c.vector, dtype=np.float32).tolist(),
                )
                for c in chunks
            ]
        )

    async def delete_document(self, document_id: str) -> None:
        from weaviate.classes.query import Filter

        try:
            await self._bounded(self._collection.data.delete_many(where=Filter.by_property("document_id").equal(document_id)))
        except Exception as exc:
            raise IndexUnavailable(f"Weaviate batch delete failed: {exc}") from exc

    async def set_enabled(self, document_id: str, enabled: bool) -> None:
        """Weaviate has no filtered update: the document's chunks are read back (with vectors) and re-inserted."""
        from weaviate.classes.data import DataObject
        from weaviate.classes.query import Filter

        where = Filter.by_property("document_id").equal(document_id)
        objects: list[Any] = []
        offset = 0
        try:
            while True:
                page = await self._bounded(
                    self._collection.query.fetch_objects(
                        filters=where, limit=_PAGE, offset=offset, include_vector=True, return_properties=_PROPERTIES
                    )
                )
                for found in page.objects:
                    properties = dict(found.properties)
                    properties["enabled"] = enabled
                    objects.append(DataObject(uuid=found.uuid, properties=properties, vector=_vector_of(found)))
                if len(page.objects) < _PAGE:
                    break
                offset += _PAGE
        except Exception as exc:
            raise IndexUnavailable(f"Weaviate read failed: {exc}") from exc
        await self._insert(objects)

    # Reads ----------------------------------------------------------------------------------------------

    async def search(self, vector: Vector, text: str, k: int, where: ChunkFilter) -> list[VectorHit]:
        from weaviate.classes.query import HybridFusion, MetadataQuery

        if k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32)
        try:
            # The client retries UNAVAILABLE with backoff for about a minute; an answer waits `timeout_seconds`.
            found = await self._bounded(self._collection.query.hybrid(
                query=text.strip() or None, vector=query.tolist(), alpha=self._config.alpha, limit=k,
                fusion_type=HybridFusion.RELATIVE_SCORE, query_properties=["text"], filters=_filters(where),
                include_vector=True, return_properties=["chunk_id", "document_id"],
                return_metadata=MetadataQuery(score=True),
            ))  # fmt: skip
        except Exception as exc:
            raise IndexUnavailable(f"Weaviate search failed: {exc}") from exc
        hits = []
        norm = float(np.linalg.norm(query)) or 1.0
        for obj in found.objects:
            chunk_vector = np.asarray(_vector_of(obj), dtype=np.float32)
            denominator = norm * (float(np.linalg.norm(chunk_vector)) or 1.0)
            similarity = float(chunk_vector @ query) / denominator if chunk_vector.size == query.size else 0.0
            hits.append(
                VectorHit(
                    chunk_id=str(obj.properties["chunk_id"]), document_id=str(obj.properties["document_id"]),
                    score=min(1.0, max(0.0, similarity)), fused=float(obj.metadata.score or 0.0),
                )
            )  # fmt: skip
        return hits

    async def _bounded(self, call: Any) -> Any:
        try:
            return await asyncio.wait_for(call, self._config.timeout_seconds)
        except TimeoutError as exc:
            raise IndexUnavailable(f"Weaviate did not answer within {self._config.timeout_seconds:g} s") from exc

    async def count(self) -> int:
        try:
            total = await self._bounded(self._collection.aggregate.over_all(total_count=True))
        except Exception as exc:
            raise IndexUnavailable(f"Weaviate aggregate failed: {exc}") from exc
        return int(total.total_count or 0)

    async def aclose(self) -> None:
        await asyncio.shield(self._client.close())


def _vector_of(obj: Any) -> list[float]:
    vectors = obj.vector or {}
    value = vectors.get("default") if isinstance(vectors, dict) else vectors
    if value is None and isinstance(vectors, dict) and vectors:
        value = next(iter(vectors.values()))
    return list(value or [])


def _filters(where: ChunkFilter) -> Any:
    from weaviate.classes.query import Filter

    parts: list[Any] = []
    if not where.include_disabled:
        parts.append(Filter.by_property("enabled").equal(True))
    if where.categories:
        parts.append(Filter.by_property("category").contains_any(sorted(where.categories)))
    if where.documents:
        parts.append(Filter.by_property("document_id").contains_any(sorted(where.documents)))
    if where.tags:
        parts.append(Filter.by_property("tags").contains_any(sorted(where.tags)))
    if where.skill_levels:
        parts.append(Filter.by_property("skill_level").contains_any(sorted(where.skill_levels)))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Filter.all_of(parts)
