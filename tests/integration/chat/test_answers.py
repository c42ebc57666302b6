"""Answers over the wire: ingestion to READY, cited answers from the right document, stop, disconnect, failures.

Every test runs twice: on the embedded index and with `chat_vector_store = weaviate` against the Weaviate
stand-in (tests/support/weaviate_standin.py) at the far end of real REST and gRPC sockets."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
from marquee.chat.v1 import chat_pb2 as pb

from tests.integration.chat.conftest import (
    LONG_ANSWER,
    Metadata,
    Stub,
    answer,
    conversation,
    expect,
    fails,
    ready_document,
)
from tests.support.llm_standin import LlmStandin

BARRELS = (
    "The cloverleaf barrel pattern has three barrels set in a triangle. The rider circles each barrel once and "
    "sprints home through the timer. Tipping a barrel adds a five second penalty."
)
VACCINES = (
    "Horses need yearly vaccines against tetanus, encephalitis, West Nile virus and rabies. A negative Coggins "
    "test is needed for travel between states."
)


@pytest.fixture(scope="module", params=["local", "weaviate"])
def stub(request: pytest.FixtureRequest) -> Stub:
    """The embedded-index server, then the Weaviate one: the same tests over both vector stores."""
    return request.getfixturevalue("stub" if request.param == "local" else "weaviate_stub")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
async def documents(stub: Stub, signer: object) -> AsyncIterator[dict[str, pb.Document]]:
    from tests.integration.chat.conftest import token

    admin = token(signer, "admin")  # type: ignore[arg-type]
    made = {
        "barrels": await ready_document(stub, admin, "Barrel racing basics", BARRELS, category="rules"),
        "vaccines": await ready_document(stub, admin, "Horse vaccinations", VACCINES, category="care"),
    }
    yield made
    # The same texts are ingested again for the other vector store (the same text twice is DUPLICATE_DOCUMENT).
    for document in made.values():
        await stub.DeleteDocument(pb.DeleteDocumentRequest(name=document.name), metadata=admin)


async def test_ingestion_chunks_and_retrieval(stub: Stub, admin: Metadata, documents: dict[str, pb.Document]) -> None:
    document = documents["barrels"]
    assert document.chunk_count >= 1
    assert document.token_count > 20
    assert document.embedding_model == "standin-embed"
    chunks = await stub.ListDocumentChunks(pb.ListDocumentChunksRequest(parent=document.name), metadata=admin)
    assert chunks.chunks[0].name.startswith(f"{document.name}/chunks/")
    assert BARRELS[chunks.chunks[0].start_offset : chunks.chunks[0].end_offset] == chunks.chunks[0].text
    found = await stub.RetrieveChunks(
        pb.RetrieveChunksRequest(query="how many barrels in the cloverleaf pattern", top_k=3), metadata=admin
    )
    assert found.chunks[0].document == document.name
    assert found.chunks[0].rank == 1
    assert found.chunks[0].used_by_answers
    assert found.embedding_model == "standin-embed"
    only_care = await stub.RetrieveChunks(
        pb.RetrieveChunksRequest(query="how many barrels in the cloverleaf pattern", categories=["care"]), metadata=admin
    )
    assert {c.document for c in only_care.chunks} == {documents["vaccines"].name}


async def test_a_question_is_answered_from_the_right_document_with_its_citation(
    stub: Stub, user: Metadata, documents: dict[str, pb.Document]
) -> None:
    chat = await conversation(stub, user)
    events = await answer(stub, user, chat.name, "How many barrels are in the cloverleaf pattern?")
    kinds = [event.WhichOneof("event") for event in events]
    assert kinds[0] == "started"
    assert kinds[-1] == "completed"
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    first_delta = kinds.index("delta")
    assert all(kind == "citation" for kind in kinds[1:first_delta])
    given = [e.citation for e in events if e.WhichOneof("event") == "citation"]
    assert given[0].document == documents["barrels"].name
    text = "".join(e.delta.text for e in events if e.WhichOneof("event") == "delta")
    assert text == "From the guide: The cloverleaf barrel pattern has three barrels set in a triangle [1]."
    final = events[-1].completed.message
    assert final.content == text
    assert final.state == pb.MESSAGE_STATE_COMPLETE
    assert final.finish_reason == pb.FINISH_REASON_STOP
    assert [(c.index, c.document, c.cited) for c in final.citations] == [(1, documents["barrels"].name, True)]
    assert documents["vaccines"].name not in {c.document for c in final.citations}
    assert final.usage.completion_tokens > 0
    assert final.usage.prompt_tokens > 0
    stored = await stub.GetMessage(pb.GetMessageRequest(name=final.name), metadata=user)
    assert stored.message.content == text
    assert [c.document for c in stored.message.citations] == [documents["barrels"].name]
    again = await stub.GetConversation(pb.GetConversationRequest(name=chat.name, include_messages=True), metadata=user)
    assert again.conversation.title == "How many barrels are in the cloverleaf pattern"
    assert again.conversation.message_count == 2
    assert [m.role for m in again.messages] == [pb.MESSAGE_ROLE_USER, pb.MESSAGE_ROLE_ASSISTANT]
    assert not again.conversation.generating_message


async def test_nothing_relevant_says_so_without_sources(
    stub: Stub, user: Metadata, documents: dict[str, pb.Document], model: LlmStandin
) -> None:
    chat = await conversation(stub, user)
    events = await answer(stub, user, chat.name, "Quantum chromodynamics gluon confinement?")
    assert "citation" not in [e.WhichOneof("event") for e in events]
    final = events[-1].completed.message
    assert final.content == "The knowledge base does not cover that question."
    assert list(final.citations) == []
    system = model.requests[-1][1]["messages"][0]["content"]
    assert "No passage of the knowledge base is relevant" in system


async def test_history_goes_to_the_model(
    stub: Stub, user: Metadata, documents: dict[str, pb.Document], model: LlmStandin
) -> None:
    chat = await conversation(stub, user, skill_level=pb.SKILL_LEVEL_BEGINNER)
    await answer(stub, user, chat.name, "How many barrels are in the cloverleaf pattern?")
    await answer(stub, user, chat.name, "And what happens if I tip one?")
    sent = model.requests[-1][1]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert "beginner" in sent[0]["content"]


async def test_stop_keeps_the_text_so_far(stub: Stub, user: Metadata, model: LlmStandin) -> None:
    model.token_delay = 0.02
    chat = await conversation(stub, user)
    call = stub.SendMessage(pb.SendMessageRequest(conversation=chat.name, content="tell me a long story"), metadata=user)
    events: list[pb.SendMessageResponse] = []
    async for event in call:
        events.append(event)
        if sum(e.WhichOneof("event") == "delta" for e in events) == 3:
            break
    started = events[0].started
    busy = await fails(answer(stub, user, chat.name, "another question"))
    expect(busy, grpc.StatusCode.FAILED_PRECONDITION, "GENERATION_IN_PROGRESS")
    stopped = await stub.StopGeneration(pb.StopGenerationRequest(name=started.assistant_message), metadata=user)
    rest = [event async for event in call]
    assert rest[-1].WhichOneof("event") == "completed"
    message = stopped.message
    assert message.state == pb.MESSAGE_STATE_CANCELLED
    assert message.finish_reason == pb.FINISH_REASON_CANCELLED
    assert 0 < len(message.content) < len(LONG_ANSWER)
    assert LONG_ANSWER.startswith(message.content)
    assert rest[-1].completed.message.content == message.content
    # Stopping again returns it unchanged; the conversation takes questions again.
    again = await stub.StopGeneration(pb.StopGenerationRequest(name=started.assistant_message), metadata=user)
    assert again.message.content == message.content
    model.token_delay = 0.0
    assert (await answer(stub, user, chat.name, "Quantum gluon?"))[-1].completed.message.state == pb.MESSAGE_STATE_COMPLETE


async def test_a_client_that_hangs_up_finds_the_whole_answer_stored(stub: Stub, user: Metadata, model: LlmStandin) -> None:
    model.token_delay = 0.02
    chat = await conversation(stub, user)
    call = stub.SendMessage(pb.SendMessageRequest(conversation=chat.name, content="tell me a long story"), metadata=user)
    name = ""
    async for event in call:
        if event.WhichOneof("event") == "started":
            name = event.started.assistant_message
        if event.WhichOneof("event") == "delta":
            break
    call.cancel()
    midway = await stub.GetMessage(pb.GetMessageRequest(name=name), metadata=user)
    assert midway.message.state == pb.MESSAGE_STATE_GENERATING
    for _ in range(200):
        stored = (await stub.GetMessage(pb.GetMessageRequest(name=name), metadata=user)).message
        if stored.state != pb.MESSAGE_STATE_GENERATING:
            break
        await asyncio.sleep(0.05)
    assert stored.state == pb.MESSAGE_STATE_COMPLETE
    assert stored.content == LONG_ANSWER


async def test_a_retry_with_the_same_request_id_replays(stub: Stub, user: Metadata, documents: dict[str, pb.Document]) -> None:
    chat = await conversation(stub, user)
    first = await answer(stub, user, chat.name, "How many barrels are in the cloverleaf pattern?", request_id="r-1")
    second = await answer(stub, user, chat.name, "How many barrels are in the cloverleaf pattern?", request_id="r-1")
    assert second[0].started.assistant_message == first[0].started.assistant_message
    assert second[-1].completed.message.content == first[-1].completed.message.content
    reused = await fails(answer(stub, user, chat.name, "something else", request_id="r-1"))
    expect(reused, grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")
    again = await stub.GetConversation(pb.GetConversationRequest(name=chat.name), metadata=user)
    assert again.conversation.message_count == 2


async def test_a_model_outage_fails_the_answer_after_started(stub: Stub, user: Metadata, model: LlmStandin) -> None:
    chat = await conversation(stub, user)
    model.fail_next(503, times=3, path="/v1/chat/completions")
    call = stub.SendMessage(pb.SendMessageRequest(conversation=chat.name, content="Quantum gluon?"), metadata=user)
    seen: list[pb.SendMessageResponse] = []

    async def read() -> None:
        async for event in call:
            seen.append(event)

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await read()
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert seen[0].WhichOneof("event") == "started"
    stored = await stub.GetMessage(pb.GetMessageRequest(name=seen[0].started.assistant_message), metadata=user)
    assert stored.message.state == pb.MESSAGE_STATE_FAILED
    assert stored.message.finish_reason == pb.FINISH_REASON_ERROR


async def test_a_knowledge_base_outage_fails_before_anything_is_stored(stub: Stub, user: Metadata, model: LlmStandin) -> None:
    chat = await conversation(stub, user)
    model.fail_next(503, path="/v1/embeddings")
    # A question never asked before: an asked one's embedding is cached and needs no embedding call.
    down = await fails(answer(stub, user, chat.name, "How many barrels make the cloverleaf, during an outage?"))
    expect(down, grpc.StatusCode.UNAVAILABLE, "KNOWLEDGE_BASE_UNAVAILABLE")
    again = await stub.GetConversation(pb.GetConversationRequest(name=chat.name), metadata=user)
    assert again.conversation.message_count == 0


async def test_bad_messages_are_refused(stub: Stub, user: Metadata) -> None:
    chat = await conversation(stub, user)
    expect(await fails(answer(stub, user, chat.name, "   ")), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    expect(await fails(answer(stub, user, chat.name, "x" * 8001)), grpc.StatusCode.INVALID_ARGUMENT, "MESSAGE_TOO_LONG")
    hot = await fails(answer(stub, user, chat.name, "hi", temperature=3.0))
    expect(hot, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    expect(await fails(answer(stub, user, chat.name, "hi", model="gpt-9")), grpc.StatusCode.INVALID_ARGUMENT, "UNKNOWN_MODEL")


async def test_another_users_conversation_and_messages_are_not_found(
    stub: Stub, user: Metadata, other: Metadata, documents: dict[str, pb.Document]
) -> None:
    chat = await conversation(stub, user)
    events = await answer(stub, user, chat.name, "How many barrels are in the cloverleaf pattern?")
    message = events[-1].completed.message.name
    for call in (
        stub.GetConversation(pb.GetConversationRequest(name=chat.name), metadata=other),
        stub.GetMessage(pb.GetMessageRequest(name=message), metadata=other),
        stub.ListMessages(pb.ListMessagesRequest(parent=chat.name), metadata=other),
        stub.StopGeneration(pb.StopGenerationRequest(name=message), metadata=other),
        answer(stub, other, chat.name, "hello"),
    ):
        expect(await fails(call), grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    denied = await fails(stub.CreateDocument(pb.CreateDocumentRequest(document=pb.Document(title="t", text="x")), metadata=user))
    assert denied.code == grpc.StatusCode.PERMISSION_DENIED


async def test_messages_page_with_tokens(stub: Stub, user: Metadata) -> None:
    chat = await conversation(stub, user)
    for n in range(3):
        await answer(stub, user, chat.name, f"Quantum gluon {n}?")
    first = await stub.ListMessages(pb.ListMessagesRequest(parent=chat.name, page_size=4), metadata=user)
    assert len(first.messages) == 4
    rest = await stub.ListMessages(
        pb.ListMessagesRequest(parent=chat.name, page_size=4, page_token=first.next_page_token), metadata=user
    )
    assert len(rest.messages) == 2
    assert not rest.next_page_token
    bad = await fails(stub.ListMessages(pb.ListMessagesRequest(parent=chat.name, page_token="nope"), metadata=user))
    expect(bad, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN")


async def test_document_delete_removes_it_from_retrieval(stub: Stub, admin: Metadata) -> None:
    text = "In goat tying the tie must hold six seconds after the rider steps back."
    document = await ready_document(stub, admin, "Goat tying", text)
    query = pb.RetrieveChunksRequest(query="goat tying tie hold seconds", documents=[document.name])
    assert (await stub.RetrieveChunks(query, metadata=admin)).chunks
    await stub.DeleteDocument(pb.DeleteDocumentRequest(name=document.name), metadata=admin)
    assert not (await stub.RetrieveChunks(query, metadata=admin)).chunks
    missing = await fails(stub.GetDocument(pb.GetDocumentRequest(name=document.name), metadata=admin))
    expect(missing, grpc.StatusCode.NOT_FOUND, "NOT_FOUND")


async def test_a_repeated_question_is_embedded_once(stub: Stub, admin: Metadata, model: LlmStandin) -> None:
    query = pb.RetrieveChunksRequest(query=f"cloverleaf barrels {uuid.uuid4().hex}")

    def embedding_calls() -> int:
        return sum(1 for path, *_ in model.requests if path == "/v1/embeddings")

    before = embedding_calls()
    first = await stub.RetrieveChunks(query, metadata=admin)
    again = await stub.RetrieveChunks(query, metadata=admin)
    assert embedding_calls() == before + 1
    assert [c.chunk.name for c in again.chunks] == [c.chunk.name for c in first.chunks]
