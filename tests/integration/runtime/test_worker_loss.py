"""A worker killed with SIGKILL mid-task: the task is delivered again, resumes from its
checkpoint on another worker, and the operation completes exactly once."""

from __future__ import annotations

import asyncio
import signal
import time

from google.protobuf import struct_pb2
from marquee.longrunning.v1 import operation_pb2
from marquee.media.v1 import media_pb2_grpc

from services.core.processes import stop_process
from services.core.settings import Settings
from tests.integration.runtime.conftest import RUNTIME, Caller, completions_of, operation_id, record_of, start, watch
from tests.support.runtime_server import start_worker, wait_for_worker

S = operation_pb2.OperationState


async def test_sigkill_mid_task_is_redelivered_and_completes_once(
    stubs: list[media_pb2_grpc.MediaServiceStub], alice: Caller, runtime_settings: Settings, worker: object
) -> None:
    # Only the doomed worker and its successor consume the "killable" queue; the session
    # worker's reaper (which sweeps the same table) is what notices the lost lease.
    doomed = start_worker(runtime_settings, name="doomed", queues="runtime_test_kill", concurrency=1, **RUNTIME)
    successor = None
    try:
        wait_for_worker(runtime_settings, doomed, name="doomed")
        operation = await start(stubs[0], alice, "killable")
        oid = operation_id(operation.name)
        # A watcher that stays connected through the kill.
        watching = asyncio.ensure_future(watch(stubs[1], alice, operation.name, within=90))
        early = await watch(stubs[0], alice, operation.name, limit=4)
        assert early[-1].operation.progress.step in {f"step_{n}" for n in range(2, 7)}
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
        killed_at = time.monotonic()
        held = record_of(runtime_settings, oid)
        assert held.state.value == "RUNNING"
        assert held.attempts == 1
        successor = start_worker(runtime_settings, name="successor", queues="runtime_test_kill", concurrency=1, **RUNTIME)
        events = await watching
        last = events[-1].operation
        assert last.state == S.OPERATION_STATE_SUCCEEDED, last
        result = struct_pb2.Struct()
        assert last.response.Unpack(result)
        assert result["attempt"] == 2
        assert result["resumed_from"] >= 1  # steps done before the kill were not redone
        assert time.monotonic() - killed_at < 30
        assert completions_of(runtime_settings, oid) == 1
        # Any later copy of the message (broker redelivery, a second resend) changes nothing.
        await asyncio.sleep(2.0)
        assert completions_of(runtime_settings, oid) == 1
        assert record_of(runtime_settings, oid).sequence == events[-1].sequence
    finally:
        stop_process(doomed, timeout_seconds=5)
        if successor is not None:
            stop_process(successor, timeout_seconds=15)
