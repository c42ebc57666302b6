"""Assertions shared by the Billing integration tests."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import grpc
import pytest

from tests.support.harness import RpcError, rpc_error

DOMAIN = "marquee.billing"


async def fails(call: Awaitable[Any]) -> RpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return rpc_error(caught.value)


def assert_error(error: RpcError, code: grpc.StatusCode, reason: str) -> None:
    assert (error.code, error.reason) == (code, reason), error.message
    assert error.info is not None
    assert error.info.domain == DOMAIN


def fields(error: RpcError) -> list[str]:
    return [v.field for v in error.bad_request.field_violations] if error.bad_request else []
