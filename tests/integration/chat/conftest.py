"""Chat fixtures: a Marquee server whose model and embeddings are the local OpenAI-compatible stand-in, and tokens."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import grpc
import pytest
from marquee.chat.v1 import chat_pb2 as pb
from marquee.chat.v1 import chat_pb2_grpc

from services.app import Dependencies, build_server
from services.chat.settings import ChatSettings
from services.core.embeddings import EmbeddingSettings
from services.core.llm import LlmSettings
from services.core.settings import Settings
from services.core.tokens import ROLE_ADMIN, ROLE_USER, KeySet, TokenSigner
from tests.support.harness import RpcError, bearer, rpc_error
from tests.support.llm_standin import LlmStandin
from tests.support.weaviate_standin import WeaviateStandin

Stub = chat_pb2_grpc.ChatServiceStub
Metadata = tuple[tuple[str, str], ...]
LONG_ANSWER = " ".join(f"word{i}" for i in range(150)) + " [1]."
SOURCE = re.compile(r"^\[1\] [^\n]*\n([^\n]*)", re.MULTILINE)


def reply(messages: list[dict[str, Any]]) -> str:
    """The stand-in model: cites source [1] with its first sentence, or says the knowledge base has nothing."""
    system = str(messages[0]["content"]) if messages and messages[0]["role"] == "system" else ""
    question = str(messages[-1]["content"])
    if "tell me a long story" in question:
        return LONG_ANSWER
    found = SOURCE.search(system)
    if found is None:
        return "The knowledge base does not cover that question."
    return f"From the guide: {found.group(1).split('. ')[0].rstrip('.')} [1]."


@pytest.fixture(scope="package")
def model() -> Iterator[LlmStandin]:
    with LlmStandin(reply=reply, embedding_dim=256) as standin:
        yield standin


@pytest.fixture(autouse=True)
def _fresh_model(model: LlmStandin) -> None:
    model.token_delay = 0.0
    model.failures.clear()
    model.mid_stream_error = False


@pytest.fixture(scope="package")
def weaviate() -> Iterator[WeaviateStandin]:
    with WeaviateStandin() as standin:
        yield standin


@asynccontextmanager
async def serving(settings: Settings, model: LlmStandin, index_dir: Any, **chat: Any) -> AsyncIterator[int]:
    deps = Dependencies.build(settings)
    deps.service_settings[LlmSettings] = LlmSettings(
        llm_provider="openai", llm_base_url=model.openai_url, llm_model="standin-chat", llm_retry_base_seconds=0.01,
        llm_max_retries=2,
    )  # fmt: skip
    deps.service_settings[EmbeddingSettings] = EmbeddingSettings(
        embedding_provider="openai", embedding_base_url=model.openai_url, embedding_model="standin-embed",
        embedding_max_retries=0,
    )  # fmt: skip
    deps.service_settings[ChatSettings] = ChatSettings(
        chat_answer_score_threshold=0.3, chat_index_dir=index_dir, chat_chunk_tokens=64, chat_chunk_overlap_tokens=8,
        **({"chat_fetch_allowed_networks": ["127.0.0.1/32"]} | chat),  # the test site; 127.0.0.2 stays refused
    )  # fmt: skip
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    try:
        yield running.port
    finally:
        await running.stop(1.0)


@pytest.fixture(scope="package")
async def chat_server(settings: Settings, model: LlmStandin, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[int]:
    async with serving(settings, model, tmp_path_factory.mktemp("chat-index")) as port:
        yield port


@pytest.fixture(scope="package")
async def weaviate_chat_server(
    settings: Settings, model: LlmStandin, weaviate: WeaviateStandin, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[int]:
    """The same server with `chat_vector_store = weaviate`, its index at the stand-in's end of the wire."""
    async with serving(
        settings, model, tmp_path_factory.mktemp("chat-index-unused"), chat_vector_store="weaviate",
        chat_weaviate_url=weaviate.url, chat_weaviate_grpc_address=weaviate.grpc_address,
        chat_weaviate_collection=f"Chunks{uuid.uuid4().hex[:8]}", chat_weaviate_timeout_seconds=2.0,
    ) as port:  # fmt: skip
        yield port


@pytest.fixture(scope="package")
async def stub(chat_server: int) -> AsyncIterator[Stub]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{chat_server}") as channel:
        yield chat_pb2_grpc.ChatServiceStub(channel)


@pytest.fixture(scope="package")
async def weaviate_stub(weaviate_chat_server: int) -> AsyncIterator[Stub]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{weaviate_chat_server}") as channel:
        yield chat_pb2_grpc.ChatServiceStub(channel)


@pytest.fixture(scope="session")  # the session-scoped callers of tests/support sign with it
def signer(settings: Settings) -> TokenSigner:
    return TokenSigner.from_settings(settings, KeySet.from_settings(settings))


def token(signer: TokenSigner, role: str = ROLE_USER) -> Metadata:
    signed, _ = signer.sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex, role=role)
    return bearer(signed)


@pytest.fixture
def admin(signer: TokenSigner) -> Metadata:
    return token(signer, ROLE_ADMIN)


@pytest.fixture
def user(signer: TokenSigner) -> Metadata:
    return token(signer)


@pytest.fixture
def other(signer: TokenSigner) -> Metadata:
    return token(signer)


async def fails(call: Awaitable[Any]) -> RpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return rpc_error(caught.value)


def expect(error: RpcError, code: grpc.StatusCode, reason: str) -> None:
    assert (error.code, error.reason) == (code, reason), error.message


async def ready_document(stub: Stub, admin: Metadata, title: str, text: str, **fields: Any) -> pb.Document:
    created = await stub.CreateDocument(
        pb.CreateDocumentRequest(document=pb.Document(title=title, text=text, **fields)), metadata=admin
    )
    assert created.document.state == pb.DOCUMENT_STATE_PENDING
    for _ in range(300):
        found = await stub.GetDocument(pb.GetDocumentRequest(name=created.document.name), metadata=admin)
        if found.document.state in (pb.DOCUMENT_STATE_READY, pb.DOCUMENT_STATE_FAILED):
            assert found.document.state == pb.DOCUMENT_STATE_READY, found.document.error.message
            return found.document
        await asyncio.sleep(0.05)
    raise AssertionError("the document never became READY")


async def conversation(stub: Stub, who: Metadata, **fields: Any) -> pb.Conversation:
    created = await stub.CreateConversation(
        pb.CreateConversationRequest(parent="users/me", conversation=pb.Conversation(**fields)), metadata=who
    )
    return created.conversation


async def answer(stub: Stub, who: Metadata, name: str, content: str, **fields: Any) -> list[pb.SendMessageResponse]:
    call = stub.SendMessage(pb.SendMessageRequest(conversation=name, content=content, **fields), metadata=who)
    return [event async for event in call]
