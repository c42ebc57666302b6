"""A second declaration of the test task's name, to prove the worker refuses duplicates."""

from __future__ import annotations

from services.core.tasks import OperationRun, operation_task
from tests.support.runtime_tasks import RUNTIME_OPERATIONS


@operation_task(RUNTIME_OPERATIONS, name="marquee.runtime_test.steps", queue="runtime_test", time_limit=10)
def same_name(run: OperationRun) -> None:
    """Never runs."""
