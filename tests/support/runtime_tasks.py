"""A task that lives in the tests, to prove the slow-work runtime over a real worker and Redis.

The worker loads it with `--task-modules tests.support.runtime_tasks`. Its operations sit in
their own table (created with the same migration helper a service uses) and every success
writes one row to `runtime_test_completions` in the transaction that ends the operation,
so a test can count completions: exactly one per operation, whatever was redelivered.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from google.protobuf import struct_pb2
from sqlalchemy import Column, Integer, MetaData, String, Table

from services.core.errors import FailedPrecondition
from services.core.models import NAMING_CONVENTION, UtcDateTime, utcnow
from services.core.operations import OperationsTable
from services.core.tasks import OperationRun, operation_task

SERVICE = "runtime_test"
QUEUE = "runtime_test"
TABLE = "runtime_test_operations"

metadata = MetaData(naming_convention=NAMING_CONVENTION)
RUNTIME_OPERATIONS = OperationsTable.declare(metadata, service=SERVICE, table_name=TABLE)
completions = Table(
    "runtime_test_completions",
    metadata,
    Column("operation_id", String(32), primary_key=True),
    Column("attempt", Integer, nullable=False),
    Column("completed_at", UtcDateTime(), nullable=False),
)

# What StartTranscode of the test servicer runs for `assets/<scenario>`: task arguments and deadline.
SCENARIOS: dict[str, dict[str, Any]] = {
    "quick": {"kwargs": {"steps": 3, "step_seconds": 0.02}, "deadline_seconds": 60},
    "steady": {"kwargs": {"steps": 5, "step_seconds": 0.4}, "deadline_seconds": 60},
    "slow": {"kwargs": {"steps": 8, "step_seconds": 0.75}, "deadline_seconds": 120},
    "child": {"kwargs": {"steps": 2, "step_seconds": 0.05, "child_seconds": 60}, "deadline_seconds": 120},
    "overdue": {"kwargs": {"steps": 2, "step_seconds": 0.05, "child_seconds": 60}, "deadline_seconds": 2},
    "stuck": {"kwargs": {"steps": 1, "step_seconds": 4, "ignore_stop": True}, "deadline_seconds": 1.5},
    # Sent to a queue no worker consumes: only the deadline can end it.
    "unclaimed": {"kwargs": {"steps": 1, "step_seconds": 0.01}, "deadline_seconds": 1.5, "queue": "runtime_test_nobody"},
    # For the SIGKILL test: a queue only the worker that gets killed (and its successor) consumes.
    "killable": {"kwargs": {"steps": 8, "step_seconds": 0.6}, "deadline_seconds": 120, "queue": "runtime_test_kill"},
    # For the benchmark's fan-out: long enough to open a thousand watchers while it runs.
    "fanout": {"kwargs": {"steps": 60, "step_seconds": 0.25}, "deadline_seconds": 600},
    "killable_long": {"kwargs": {"steps": 20, "step_seconds": 0.6}, "deadline_seconds": 300, "queue": "runtime_test_kill"},
    "child_fails": {"kwargs": {"steps": 1, "step_seconds": 0.01, "child_seconds": 0.1, "child_exit": 3}, "deadline_seconds": 60},
    "refused": {"kwargs": {"steps": 2, "step_seconds": 0.02, "fail_at": 1}, "deadline_seconds": 60},
}


def deadline_of(scenario: str) -> dt.timedelta:
    return dt.timedelta(seconds=SCENARIOS[scenario]["deadline_seconds"])


@operation_task(RUNTIME_OPERATIONS, name="marquee.runtime_test.steps", queue=QUEUE, time_limit=600)
def run_steps(
    run: OperationRun,
    *,
    steps: int,
    step_seconds: float,
    child_seconds: float = 0,
    fail_at: int = -1,
    ignore_stop: bool = False,
    child_exit: int = 0,
) -> struct_pb2.Struct:
    """`steps` steps of `step_seconds` each (resuming after the last checkpointed one), then
    optionally a child `sleep`-like process; success writes one completion row."""
    first = int(run.checkpoint.get("steps_done", 0))
    for index in range(first, steps):
        metadata = struct_pb2.Struct()
        metadata.update({"steps_total": steps, "step": index + 1})
        run.progress(f"step_{index + 1}", int(100 * index / (steps + 1)), f"step {index + 1} of {steps}", metadata=metadata)
        if index == fail_at:
            raise FailedPrecondition("the test task refuses this step", reason="TEST_REFUSED")
        _sleep(run, step_seconds, ignore_stop=ignore_stop)
        run.save_checkpoint(steps_done=index + 1)
    if child_seconds:
        run.progress("child", 90, "running a child process")
        run.run_child(
            [sys.executable, "-c", f"import sys, time; time.sleep({child_seconds}); sys.exit({child_exit})"],
            on_start=lambda pid: run.save_checkpoint(child_pid=pid),
        )
    attempt = run.attempt

    def record_completion(session: Any) -> None:
        session.execute(completions.insert().values(operation_id=run.operation_id, attempt=attempt, completed_at=utcnow()))

    result = struct_pb2.Struct()
    result.update({"steps": steps, "attempt": attempt, "resumed_from": first})
    run.succeed(result, also=record_completion)
    return result


def _sleep(run: OperationRun, seconds: float, *, ignore_stop: bool) -> None:
    """Sleep in slices, stopping cooperatively (unless the scenario plays a stuck task)."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(0.05, left))
        if not ignore_stop:
            run.check_cancelled()
