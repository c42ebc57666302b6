"""The Weaviate vector store end to end: Chat's server with `chat_vector_store = weaviate`, the stand-in at the
far end of real REST and gRPC sockets (its store is inspected directly), outages mapped to statuses."""

from __future__ import annotations

import grpc
from marquee.chat.v1 import chat_pb2 as pb

from tests.integration.chat.conftest import Metadata, Stub, answer, conversation, expect, fails, ready_document
from tests.support.weaviate_standin import WeaviateStandin

ROPING = (
    "For heading, build a loop about as long as your arm span, hold the spoke a third of the way down, and swing "
    "flat over your head before delivering it over the horns."
)


def stored(weaviate: WeaviateStandin, document: pb.Document) -> list[dict[str, object]]:
    document_id = document.name.removeprefix("documents/")
    with weaviate.lock:
        return [
            dict(o.properties)
            for c in weaviate.collections.values()
            for o in c.objects.values()
            if o.properties.get("document_id") == document_id
        ]


async def test_the_collection_is_created_on_start_with_the_chunk_schema(weaviate_stub: Stub, weaviate: WeaviateStandin) -> None:
    assert weaviate.requests["POST /v1/schema"] >= 1
    (schema,) = [c.schema for name, c in weaviate.collections.items() if name.startswith("Chunks")]
    properties = {p["name"]: p["dataType"][0] for p in schema["properties"]}
    assert properties == {
        "chunk_id": "text", "document_id": "text", "text": "text", "category": "text", "skill_level": "int",
        "tags": "text[]", "enabled": "boolean",
    }  # fmt: skip
    assert schema["vectorConfig"]["default"]["vectorizer"] == {"none": {}}


async def test_ingestion_batches_chunks_into_weaviate_and_answers_cite_them(
    weaviate_stub: Stub, weaviate: WeaviateStandin, admin: Metadata, user: Metadata
) -> None:
    document = await ready_document(
        weaviate_stub, admin, "Heading loops", ROPING, category="technique", tags=["team-roping"],
        skill_level=pb.SKILL_LEVEL_INTERMEDIATE,
    )  # fmt: skip
    objects = stored(weaviate, document)
    assert len(objects) == document.chunk_count >= 1
    assert {(o["category"], o["skill_level"], tuple(o["tags"]), o["enabled"]) for o in objects} == {  # type: ignore[arg-type]
        ("technique", 2, ("team-roping",), True)
    }
    found = await weaviate_stub.RetrieveChunks(
        pb.RetrieveChunksRequest(query="how big is the loop for heading", tags=["team-roping"]), metadata=admin
    )
    assert [c.document for c in found.chunks] == [document.name]
    assert 0.3 <= found.chunks[0].score <= 1.0
    none = await weaviate_stub.RetrieveChunks(
        pb.RetrieveChunksRequest(query="how big is the loop for heading", tags=["no-such-tag"]), metadata=admin
    )
    assert list(none.chunks) == []
    chat = await conversation(weaviate_stub, user, skill_level=pb.SKILL_LEVEL_INTERMEDIATE)
    events = await answer(weaviate_stub, user, chat.name, "How big is the loop for heading?")
    final = events[-1].completed.message
    assert [c.document for c in final.citations] == [document.name], (
        final.content,
        [e for e in events if e.WhichOneof("event") == "citation"],
    )


async def test_disabling_and_deleting_reach_weaviate(weaviate_stub: Stub, weaviate: WeaviateStandin, admin: Metadata) -> None:
    document = await ready_document(weaviate_stub, admin, "Goat tying rules", "The goat tie must hold six seconds.")
    query = pb.RetrieveChunksRequest(query="how long must the goat tie hold", documents=[document.name])
    assert (await weaviate_stub.RetrieveChunks(query, metadata=admin)).chunks
    await weaviate_stub.UpdateDocument(
        pb.UpdateDocumentRequest(
            document=pb.Document(name=document.name, retrieval_enabled=False), update_mask={"paths": ["retrieval_enabled"]}
        ),
        metadata=admin,
    )
    assert {o["enabled"] for o in stored(weaviate, document)} == {False}
    assert not (await weaviate_stub.RetrieveChunks(query, metadata=admin)).chunks
    query.include_disabled = True
    assert (await weaviate_stub.RetrieveChunks(query, metadata=admin)).chunks
    deletes = weaviate.requests["BatchDelete"]
    await weaviate_stub.DeleteDocument(pb.DeleteDocumentRequest(name=document.name), metadata=admin)
    assert weaviate.requests["BatchDelete"] == deletes + 1
    assert stored(weaviate, document) == []


async def test_a_weaviate_outage_is_unavailable_and_costs_no_allowance(
    weaviate_stub: Stub, weaviate: WeaviateStandin, admin: Metadata, user: Metadata
) -> None:
    await ready_document(weaviate_stub, admin, "Arena footing", "Arena sand should be two to three inches deep over a firm base.")
    before = (await weaviate_stub.GetUsage(pb.GetUsageRequest(name="users/me/usage"), metadata=user)).usage
    chat = await conversation(weaviate_stub, user)
    weaviate.down = True  # the client retries for a minute; Chat gives up after chat_weaviate_timeout_seconds
    try:
        down = await fails(answer(weaviate_stub, user, chat.name, "How deep should the arena sand be?"))
        expect(down, grpc.StatusCode.UNAVAILABLE, "KNOWLEDGE_BASE_UNAVAILABLE")
        retrieve = await fails(weaviate_stub.RetrieveChunks(pb.RetrieveChunksRequest(query="sand"), metadata=admin))
        expect(retrieve, grpc.StatusCode.UNAVAILABLE, "KNOWLEDGE_BASE_UNAVAILABLE")
    finally:
        weaviate.down = False
    after = (await weaviate_stub.GetUsage(pb.GetUsageRequest(name="users/me/usage"), metadata=user)).usage
    assert after.messages_used == before.messages_used
    again = await weaviate_stub.GetConversation(pb.GetConversationRequest(name=chat.name), metadata=user)
    assert again.conversation.message_count == 0
    events = await answer(weaviate_stub, user, chat.name, "How deep should the arena sand be?")
    assert events[-1].WhichOneof("event") == "completed"
