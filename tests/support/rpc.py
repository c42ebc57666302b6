"""Assertions on failed RPCs: the one copy every test area uses."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import grpc
import pytest

from tests.support.harness import RpcError, rpc_error


async def fails(call: Awaitable[Any]) -> RpcError:
    """Await a call that must fail and return its status and google.rpc details."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return rpc_error(caught.value)


def expect_error(error: RpcError, code: grpc.StatusCode, reason: str, *, domain: str | None = None) -> None:
    """The status code and ErrorInfo reason (and, when given, the ErrorInfo domain) of a failed call."""
    assert (error.code, error.reason) == (code, reason), error.message
    if domain is not None:
        assert error.info is not None
        assert error.info.domain == domain, error.info


def fields(error: RpcError) -> list[str]:
    """The fields named by the BadRequest violations, in order."""
    return [v.field for v in error.bad_request.field_violations] if error.bad_request else []
