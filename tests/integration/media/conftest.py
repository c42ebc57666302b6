"""Media fixtures: a real SeaweedFS for the session, signed tokens, stubs, and tiny real clips."""

from __future__ import annotations

import pathlib
import uuid
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from marquee.media.v1 import media_pb2_grpc

from services.core.seaweedfs import EmbeddedSeaweedFS
from services.core.settings import Settings
from services.core.storage import ObjectStore
from services.core.tokens import ROLE_ADMIN, ROLE_SERVICE, ROLE_USER, KeySet, TokenSigner
from tests.support.harness import RpcError, bearer, rpc_error
from tests.support.seaweed import make_clip, start_store

DOMAIN = "marquee.media"
Metadata = tuple[tuple[str, str], ...]


@pytest.fixture(scope="session")
def seaweed(settings: Settings) -> Iterator[EmbeddedSeaweedFS]:
    started = start_store(settings)
    yield started
    started.stop()


@pytest.fixture(scope="session")
def objects(seaweed: EmbeddedSeaweedFS) -> ObjectStore:
    assert seaweed.connection is not None
    return ObjectStore(seaweed.connection)


@pytest.fixture(scope="session")
def signer(settings: Settings) -> TokenSigner:
    return TokenSigner.from_settings(settings, KeySet.from_settings(settings))


@dataclass
class Caller:
    user_id: str
    auth: Metadata

    @property
    def name(self) -> str:
        return f"users/{self.user_id}"


def _caller(signer: TokenSigner, role: str) -> Caller:
    user_id = uuid.uuid4().hex
    token, _ = signer.sign(user_id if role != ROLE_SERVICE else f"services/{user_id}", token_id=uuid.uuid4().hex, role=role)
    return Caller(user_id, bearer(token))


@pytest.fixture
def alice(signer: TokenSigner) -> Caller:
    return _caller(signer, ROLE_USER)


@pytest.fixture
def bob(signer: TokenSigner) -> Caller:
    return _caller(signer, ROLE_USER)


@pytest.fixture(scope="session")
def admin(signer: TokenSigner) -> Caller:
    return _caller(signer, ROLE_ADMIN)


@pytest.fixture(scope="session")
def service(signer: TokenSigner) -> Caller:
    return _caller(signer, ROLE_SERVICE)


@pytest.fixture(scope="session")
def media(channel: grpc.aio.Channel, seaweed: EmbeddedSeaweedFS) -> media_pb2_grpc.MediaServiceStub:
    return media_pb2_grpc.MediaServiceStub(channel)


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "clip.mp4")


async def fails(call: Awaitable[Any]) -> RpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return rpc_error(caught.value)
