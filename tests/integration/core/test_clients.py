"""The client packages other teams install: they import in a fresh venv and talk to a real server."""

from __future__ import annotations

import asyncio
import pathlib
import shutil
import subprocess
import sys

import grpc
import pytest
from grpclib.client import Channel

from services.core.server import Server
from tests.support.harness import BACKEND

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.mark.skipif(BACKEND == "external", reason="backend-independent: runs once, on the embedded pass")
def test_grpcio_client_package_installs_in_a_fresh_venv(tmp_path: pathlib.Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    # Install from a copy: setuptools builds inside the project folder, which must stay clean.
    package = tmp_path / "marquee-protos"
    shutil.copytree(ROOT / "clients" / "python", package, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(package)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr
    probe = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from marquee.auth.v1 import auth_pb2, auth_pb2_grpc; from marquee.chat.v1 import chat_pb2_grpc;"
            "print(auth_pb2.DESCRIPTOR.services_by_name['AuthService'].full_name, hasattr(chat_pb2_grpc, 'ChatServiceStub'))",
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["marquee.auth.v1.AuthService", "True"]


async def test_typed_sync_client_calls_the_server(server: Server) -> None:
    from marquee_typed.marquee.auth.v1 import AuthServiceStub, GetAuthConfigRequest

    def call() -> object:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            return AuthServiceStub(channel).get_auth_config(GetAuthConfigRequest())

    config = await asyncio.to_thread(call)
    assert config.issuer == "marquee"  # type: ignore[attr-defined]
    assert config.password_policy.min_length == 10  # type: ignore[attr-defined]


async def test_typed_async_client_calls_the_server(server: Server) -> None:
    from grpclib.const import Status
    from grpclib.exceptions import GRPCError
    from marquee_typed.marquee.auth.v1 import AuthServiceAsyncStub, GetJwksRequest, GetUserRequest

    channel = Channel("127.0.0.1", server.port)
    try:
        stub = AuthServiceAsyncStub(channel)
        jwks = await stub.get_jwks(GetJwksRequest())
        assert [key.kty for key in jwks.keys] == ["EC"]
        with pytest.raises(GRPCError) as failure:
            await stub.get_user(GetUserRequest(name="users/me"))
        assert failure.value.status == Status.UNAUTHENTICATED
    finally:
        channel.close()
