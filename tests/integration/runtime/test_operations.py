"""Operations end to end: a real worker process runs the test task, two server instances
watch it through Redis, cancel kills the child process, the reaper ends overdue work,
and nobody sees another user's operation."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import grpc
import pytest
import redis
from google.protobuf import struct_pb2
from google.rpc import code_pb2
from marquee.longrunning.v1 import operation_pb2
from marquee.media.v1 import media_pb2, media_pb2_grpc

from services.core.settings import Settings
from tests.integration.runtime.conftest import Caller, completions_of, operation_id, record_of, start, watch
from tests.support.harness import rpc_error

Stubs = list[media_pb2_grpc.MediaServiceStub]
S = operation_pb2.OperationState

pytestmark = pytest.mark.usefixtures("worker")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def _until(predicate: Any, within: float = 30.0) -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def _assert_well_ordered(events: list[operation_pb2.OperationEvent]) -> None:
    sequences = [e.sequence for e in events]
    assert sequences == sorted(set(sequences)), sequences
    percents = [e.operation.progress.percent for e in events]
    assert percents == sorted(percents), percents
    assert [e.operation.done for e in events] == [False] * (len(events) - 1) + [True]


async def test_three_servers_two_processes_watch_the_same_run_to_the_end(
    stubs: Stubs, alice: Caller, runtime_settings: Settings
) -> None:
    operation = await start(stubs[0], alice, "steady")
    assert operation.state == S.OPERATION_STATE_QUEUED
    assert operation.name == f"users/{alice.user_id}/operations/{operation_id(operation.name)}"
    # This process, another server process, and a second server in this process, all at once.
    first, second, third = await asyncio.gather(*(watch(stub, alice, operation.name) for stub in stubs))
    for events in (first, second, third):
        _assert_well_ordered(events)
        steps = [e.operation.progress.step for e in events]
        assert {"step_1", "step_2", "step_3", "step_4", "step_5"} <= set(steps)
        last = events[-1].operation
        assert last.state == S.OPERATION_STATE_SUCCEEDED
        assert last.progress.percent == 100
        result = struct_pb2.Struct()
        assert last.response.Unpack(result)
        assert result["steps"] == 5
        metadata = struct_pb2.Struct()
        assert last.metadata.Unpack(metadata)  # the metadata the last step reported
        assert (metadata["steps_total"], metadata["step"]) == (5, 5)
    # Both processes saw the same final event, whichever process ran the task.
    assert first[-1].sequence == second[-1].sequence == third[-1].sequence
    assert completions_of(runtime_settings, operation_id(operation.name)) == 1
    # Watching a finished operation sends one event and ends.
    again = await watch(stubs[1], alice, operation.name)
    assert len(again) == 1
    assert again[0].sequence == first[-1].sequence


async def test_a_reconnecting_client_gets_the_current_state_and_continues(stubs: Stubs, alice: Caller) -> None:
    operation = await start(stubs[1], alice, "steady", request_id="reconnect-1")
    early = await watch(stubs[1], alice, operation.name, limit=2)
    assert len(early) == 2
    rest = await watch(stubs[0], alice, operation.name)
    assert rest[0].sequence >= early[-1].sequence  # the current state, no replay of old events
    _assert_well_ordered(rest)
    assert rest[-1].operation.state == S.OPERATION_STATE_SUCCEEDED


async def test_a_retried_start_returns_the_same_operation(stubs: Stubs, alice: Caller) -> None:
    first = await start(stubs[0], alice, "quick", request_id="same-key")
    second = await start(stubs[1], alice, "quick", request_id="same-key")
    assert first.name == second.name


async def test_cancel_stops_the_run_and_kills_its_child(stubs: Stubs, alice: Caller, runtime_settings: Settings) -> None:
    operation = await start(stubs[0], alice, "child")
    oid = operation_id(operation.name)
    record = await _until(lambda: (r := record_of(runtime_settings, oid)).checkpoint.get("child_pid") and r)
    pid = int(record.checkpoint["child_pid"])
    assert _alive(pid)
    watching = asyncio.ensure_future(watch(stubs[1], alice, operation.name))
    began = time.monotonic()
    cancelled = await stubs[0].CancelOperation(media_pb2.CancelOperationRequest(name=operation.name), metadata=alice.auth)
    assert cancelled.operation.state in (S.OPERATION_STATE_RUNNING, S.OPERATION_STATE_CANCELLED)
    events = await watching
    assert time.monotonic() - began < 5
    last = events[-1].operation
    assert last.state == S.OPERATION_STATE_CANCELLED
    assert last.error.code == code_pb2.CANCELLED
    await _until(lambda: not _alive(pid), within=5)
    assert completions_of(runtime_settings, oid) == 0
    # Cancelling twice is harmless.
    again = await stubs[1].CancelOperation(media_pb2.CancelOperationRequest(name=operation.name), metadata=alice.auth)
    assert again.operation.state == S.OPERATION_STATE_CANCELLED


async def test_cancelling_a_queued_operation_ends_it_at_once(stubs: Stubs, alice: Caller) -> None:
    operation = await start(stubs[0], alice, "unclaimed")
    reply = await stubs[1].CancelOperation(media_pb2.CancelOperationRequest(name=operation.name), metadata=alice.auth)
    assert reply.operation.state == S.OPERATION_STATE_CANCELLED
    assert reply.operation.done


async def test_cancelling_a_finished_operation_is_a_failed_precondition(stubs: Stubs, alice: Caller) -> None:
    operation = await start(stubs[0], alice, "quick")
    events = await watch(stubs[0], alice, operation.name)
    assert events[-1].operation.state == S.OPERATION_STATE_SUCCEEDED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stubs[0].CancelOperation(media_pb2.CancelOperationRequest(name=operation.name), metadata=alice.auth)
    error = rpc_error(caught.value)
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "OPERATION_ALREADY_DONE"
    assert error.info is not None
    assert error.info.metadata["operation"] == operation.name


async def test_a_domain_error_in_the_task_fails_the_operation_with_that_status(stubs: Stubs, alice: Caller) -> None:
    operation = await start(stubs[0], alice, "refused")
    events = await watch(stubs[1], alice, operation.name)
    last = events[-1].operation
    assert last.state == S.OPERATION_STATE_FAILED
    assert last.error.code == code_pb2.FAILED_PRECONDITION
    assert "refuses" in last.error.message


async def test_a_child_process_that_fails_fails_the_operation_internal(
    stubs: Stubs, alice: Caller, runtime_settings: Settings
) -> None:
    operation = await start(stubs[0], alice, "child_fails")
    events = await watch(stubs[1], alice, operation.name)
    last = events[-1].operation
    assert last.state == S.OPERATION_STATE_FAILED
    assert last.error.code == code_pb2.INTERNAL
    assert last.error.message.endswith("exited with status 3")
    assert completions_of(runtime_settings, operation_id(operation.name)) == 0


async def test_past_its_deadline_a_running_operation_fails_and_its_child_is_killed(
    stubs: Stubs, alice: Caller, runtime_settings: Settings
) -> None:
    operation = await start(stubs[0], alice, "overdue")
    oid = operation_id(operation.name)
    record = await _until(lambda: (r := record_of(runtime_settings, oid)).checkpoint.get("child_pid") and r)
    events = await watch(stubs[1], alice, operation.name, within=15)
    last = events[-1].operation
    assert last.state == S.OPERATION_STATE_FAILED
    assert last.error.code == code_pb2.DEADLINE_EXCEEDED
    await _until(lambda: not _alive(int(record.checkpoint["child_pid"])), within=5)


async def test_an_operation_no_worker_takes_ends_at_its_deadline(stubs: Stubs, alice: Caller) -> None:
    operation = await start(stubs[0], alice, "unclaimed")
    began = time.monotonic()
    events = await watch(stubs[1], alice, operation.name, within=15)
    assert events[-1].operation.state == S.OPERATION_STATE_FAILED
    assert events[-1].operation.error.code == code_pb2.DEADLINE_EXCEEDED
    assert time.monotonic() - began < 6


async def test_a_stuck_task_that_wakes_after_its_deadline_changes_nothing(
    stubs: Stubs, alice: Caller, runtime_settings: Settings
) -> None:
    operation = await start(stubs[0], alice, "stuck")
    oid = operation_id(operation.name)
    events = await watch(stubs[0], alice, operation.name, within=15)
    assert events[-1].operation.error.code == code_pb2.DEADLINE_EXCEEDED
    ended = record_of(runtime_settings, oid)
    await asyncio.sleep(4.0)  # the stuck step ends and the task tries to go on
    after = record_of(runtime_settings, oid)
    assert (after.state, after.sequence, after.updated_at) == (ended.state, ended.sequence, ended.updated_at)
    assert completions_of(runtime_settings, oid) == 0


# ---- ownership and bad input ---------------------------------------------------------------


async def test_another_users_operation_is_not_found(stubs: Stubs, alice: Caller, bob: Caller, admin: Caller) -> None:
    operation = await start(stubs[0], alice, "quick")
    oid = operation_id(operation.name)
    for name in (operation.name, f"users/me/operations/{oid}", f"users/{bob.user_id}/operations/{oid}"):
        for call in (
            stubs[0].GetOperation(media_pb2.GetOperationRequest(name=name), metadata=bob.auth),
            stubs[1].CancelOperation(media_pb2.CancelOperationRequest(name=name), metadata=bob.auth),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await call
            assert rpc_error(caught.value).code == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await watch(stubs[1], bob, name)
        assert rpc_error(caught.value).code == grpc.StatusCode.NOT_FOUND
        assert rpc_error(caught.value).reason == "NOT_FOUND"
    listed = await stubs[0].ListOperations(media_pb2.ListOperationsRequest(parent=f"users/{alice.user_id}"), metadata=bob.auth)
    assert list(listed.operations) == []
    # The owner sees it as users/me; an admin may name the owner.
    mine = await stubs[0].GetOperation(media_pb2.GetOperationRequest(name=f"users/me/operations/{oid}"), metadata=alice.auth)
    assert mine.operation.name == operation.name
    seen = await stubs[1].GetOperation(media_pb2.GetOperationRequest(name=operation.name), metadata=admin.auth)
    assert seen.operation.name == operation.name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "operations/abc",
        "users/me/operations/not-hex",
        "users/me/things/0123456789abcdef0123456789abcdef",
        "users//operations/x",
    ],
)
async def test_a_malformed_name_is_invalid_argument(stubs: Stubs, alice: Caller, name: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stubs[0].GetOperation(media_pb2.GetOperationRequest(name=name), metadata=alice.auth)
    error = rpc_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.bad_request is not None
    assert [v.field for v in error.bad_request.field_violations] == ["name"]


async def test_list_pages_newest_first_and_filters(stubs: Stubs, bob: Caller) -> None:
    started = [await start(stubs[0], bob, "unclaimed") for _ in range(3)]
    await stubs[0].CancelOperation(media_pb2.CancelOperationRequest(name=started[0].name), metadata=bob.auth)
    first = await stubs[1].ListOperations(media_pb2.ListOperationsRequest(parent="users/me", page_size=2), metadata=bob.auth)
    assert [o.name for o in first.operations] == [started[2].name, started[1].name]
    assert first.next_page_token
    second = await stubs[0].ListOperations(
        media_pb2.ListOperationsRequest(parent="users/me", page_size=2, page_token=first.next_page_token), metadata=bob.auth
    )
    assert [o.name for o in second.operations] == [started[0].name]
    assert second.next_page_token == ""
    cancelled = await stubs[0].ListOperations(
        media_pb2.ListOperationsRequest(parent="users/me", states=[S.OPERATION_STATE_CANCELLED]), metadata=bob.auth
    )
    assert [o.name for o in cancelled.operations] == [started[0].name]
    # A token from one query does not page another; an unknown state is refused.
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stubs[0].ListOperations(
            media_pb2.ListOperationsRequest(parent="users/me", page_token=first.next_page_token, asset="assets/x"),
            metadata=bob.auth,
        )
    assert rpc_error(caught.value).reason == "INVALID_PAGE_TOKEN"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stubs[0].ListOperations(media_pb2.ListOperationsRequest(parent="users/me", states=[0]), metadata=bob.auth)
    error = rpc_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.bad_request is not None
    assert error.bad_request.field_violations[0].field == "states[0]"


async def test_a_watch_survives_the_loss_of_its_servers_redis_subscription(
    stubs: Stubs, alice: Caller, runtime_settings: Settings
) -> None:
    operation = await start(stubs[0], alice, "steady")
    events: list[operation_pb2.OperationEvent] = []
    call = stubs[1].WatchOperation(media_pb2.WatchOperationRequest(name=operation.name), metadata=alice.auth)
    iterator = call.__aiter__()
    events.append((await iterator.__anext__()).event)
    # Drop every hub connection of the test service (only this suite's servers hold one).
    client = redis.Redis.from_url(runtime_settings.redis_url)
    try:
        hubs = [c for c in client.client_list() if c.get("name") == "hub:marquee:operations:runtime_test"]
        assert hubs
        for hub in hubs:
            client.client_kill_filter(_id=hub["id"])
    finally:
        client.close()
    async for reply in iterator:
        events.append(reply.event)
    _assert_well_ordered(events)
    assert events[-1].operation.state == S.OPERATION_STATE_SUCCEEDED
