"""Notes fixtures: a Marquee server whose Notes service talks to a YouTube stand-in and an
OpenAI-compatible model stand-in, and a real Celery worker (thread pool) consuming its jobs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from celery.contrib.testing.worker import start_worker
from marquee.billing.v1 import billing_pb2, billing_pb2_grpc
from marquee.longrunning.v1 import operation_pb2 as lro
from marquee.notes.v1 import notes_pb2 as pb
from marquee.notes.v1 import notes_pb2_grpc

from services.app import Dependencies, build_server
from services.core.embeddings import EmbeddingSettings
from services.core.llm import LlmSettings
from services.core.server import Server
from services.core.settings import Settings
from services.core.tokens import ROLE_SERVICE, ROLE_USER, KeySet, TokenSigner
from services.notes import tasks
from services.notes.settings import NotesSettings
from services.worker import create_celery
from tests.integration.notes import study_model
from tests.support.harness import RpcError, bearer, rpc_error
from tests.support.llm_standin import LlmStandin
from tests.support.switch_proxy import SwitchProxy
from tests.support.youtube_standin import YouTubeStandin

DOMAIN = "marquee.notes"
Metadata = tuple[tuple[str, str], ...]


@dataclass
class Caller:
    user_id: str
    auth: Metadata

    @property
    def name(self) -> str:
        return f"users/{self.user_id}"


@pytest.fixture(scope="package")
def youtube() -> Iterator[YouTubeStandin]:
    with YouTubeStandin() as standin:
        yield standin


@pytest.fixture(scope="package")
def llm() -> Iterator[LlmStandin]:
    with LlmStandin(reply=study_model.reply) as standin:
        yield standin


def service_settings(settings: Settings, youtube: YouTubeStandin, llm: LlmStandin) -> dict[type, Any]:
    return {
        NotesSettings: NotesSettings.load(
            settings,
            notes_youtube_base_url=youtube.base_url,
            notes_chunk_tokens=400,
            # The refund outbox retries quickly here, so a test sees Billing's return within seconds.
            notes_refund_poll_seconds=0.2,
            notes_refund_retry_initial_seconds=0.2,
            notes_refund_retry_max_seconds=1.0,
            notes_refund_lease_seconds=10.0,
        ),
        EmbeddingSettings: EmbeddingSettings.load(settings, embedding_provider="openai", embedding_base_url=llm.openai_url),
        LlmSettings: LlmSettings.load(
            settings,
            llm_provider="openai",
            llm_base_url=llm.openai_url,
            llm_model="standin-notes",
            llm_tokenize_url=llm.openai_url.removesuffix("/v1") + "/tokenize",
            llm_retry_base_seconds=0.01,
            llm_max_retries=2,
        ),
    }


@pytest.fixture(scope="package")
def billing_switch() -> Iterator[SwitchProxy]:
    """What Notes (the server and the worker) dials for Billing: a proxy to the test server's own
    Billing that a test can switch off to see Notes with Billing down."""
    proxy = SwitchProxy()
    yield proxy
    proxy.close()


def notes_settings(settings: Settings, billing_switch: SwitchProxy) -> Settings:
    """The settings of a Notes server whose Billing is behind the switch."""
    return settings.model_copy(update={"peer_addresses": {**settings.peer_addresses, "billing": billing_switch.address}})


@pytest.fixture(scope="package")
async def notes_server(
    settings: Settings, youtube: YouTubeStandin, llm: LlmStandin, billing_switch: SwitchProxy
) -> AsyncIterator[Server]:
    deps = Dependencies.build(notes_settings(settings, billing_switch))
    deps.service_settings.update(service_settings(settings, youtube, llm))
    running = build_server(deps, address="127.0.0.1:0")
    await running.start()
    billing_switch.target = ("127.0.0.1", running.port)
    yield running
    await running.stop(1.0)


@pytest.fixture(scope="package")
def worker(
    settings: Settings, notes_server: Server, youtube: YouTubeStandin, llm: LlmStandin, billing_switch: SwitchProxy
) -> Iterator[None]:
    """A real Celery worker on the test Redis, its Notes peers pointed at the test server (Billing through the switch)."""
    worker_settings = settings.model_copy(
        update={"peer_addresses": {"billing": billing_switch.address, "media": f"127.0.0.1:{notes_server.port}"}}
    )
    app = create_celery(worker_settings, task_modules=[])
    app.conf.task_default_queue = tasks.QUEUE
    tasks.register(app, worker_settings, service_settings=service_settings(settings, youtube, llm))
    with start_worker(app, pool="threads", concurrency=3, perform_ping_check=False, shutdown_timeout=10.0, loglevel="WARNING"):
        yield


@pytest.fixture(scope="package")
async def notes_channel(notes_server: Server) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{notes_server.port}") as opened:
        yield opened


@pytest.fixture(scope="package")
def notes(notes_channel: grpc.aio.Channel) -> notes_pb2_grpc.NotesServiceStub:
    return notes_pb2_grpc.NotesServiceStub(notes_channel)


@pytest.fixture(scope="package")
def billing(notes_channel: grpc.aio.Channel) -> billing_pb2_grpc.BillingServiceStub:
    return billing_pb2_grpc.BillingServiceStub(notes_channel)


@pytest.fixture(scope="session")  # the session-scoped callers of tests/support sign with it
def signer(settings: Settings) -> TokenSigner:
    return TokenSigner.from_settings(settings, KeySet.from_settings(settings))


@pytest.fixture(scope="package")
def service(signer: TokenSigner) -> Caller:
    token, _ = signer.sign("services/tests", token_id=uuid.uuid4().hex, role=ROLE_SERVICE)
    return Caller("tests", bearer(token))


def new_user(signer: TokenSigner) -> Caller:
    user_id = uuid.uuid4().hex
    token, _ = signer.sign(user_id, token_id=uuid.uuid4().hex, role=ROLE_USER)
    return Caller(user_id, bearer(token))


@pytest.fixture
def alice(signer: TokenSigner) -> Caller:
    return new_user(signer)


@pytest.fixture
def bob(signer: TokenSigner) -> Caller:
    return new_user(signer)


async def grant(billing: billing_pb2_grpc.BillingServiceStub, service: Caller, user: Caller, amount: int) -> None:
    await billing.GrantCredits(
        billing_pb2.GrantCreditsRequest(user=user.name, amount=amount, reason="test credits", request_id=uuid.uuid4().hex),
        metadata=service.auth,
    )


async def balance(billing: billing_pb2_grpc.BillingServiceStub, service: Caller, user: Caller) -> int:
    reply = await billing.GetCreditBalance(
        billing_pb2.GetCreditBalanceRequest(name=f"{user.name}/creditBalance"), metadata=service.auth
    )
    return int(reply.credit_balance.balance)


async def fails(call: Awaitable[Any]) -> RpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return rpc_error(caught.value)


def expect(error: RpcError, code: grpc.StatusCode, reason: str) -> None:
    assert (error.code, error.reason) == (code, reason), error.message
    assert error.info is not None
    assert len(error.message) < 400


async def wait_done(notes: notes_pb2_grpc.NotesServiceStub, caller: Caller, name: str, limit: float = 60.0) -> lro.Operation:
    async def poll() -> lro.Operation:
        while True:
            reply = await notes.GetOperation(pb.GetOperationRequest(name=name), metadata=caller.auth)
            if reply.operation.done:
                return reply.operation
            await asyncio.sleep(0.1)

    return await asyncio.wait_for(poll(), limit)


def transcript_source(
    text: str, fmt: int = pb.TRANSCRIPT_FORMAT_UNSPECIFIED, title: str = "", video_uri: str = ""
) -> pb.SourceInput:
    return pb.SourceInput(transcript=pb.TranscriptInput(text=text, format=fmt, title=title, video_uri=video_uri))


def metadata_of(operation: lro.Operation) -> pb.GenerateNotesMetadata:
    found = pb.GenerateNotesMetadata()
    operation.metadata.Unpack(found)
    return found


def note_of(operation: lro.Operation) -> pb.Note:
    found = pb.Note()
    assert operation.response.Unpack(found), operation
    return found
