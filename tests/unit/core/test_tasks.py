"""Task conventions: discovery, and the options every registered task carries."""

from __future__ import annotations

import pathlib

import pytest

from services.core.settings import ALL_SERVICES, Settings
from services.core.tasks import RuntimeSettings, collect_tasks, service_task_modules
from services.worker import create_celery, operation_tables, queues_of
from tests.support import runtime_tasks


def test_the_worker_registers_named_late_acked_time_limited_tasks(settings: Settings) -> None:
    app = create_celery(settings, task_modules=["tests.support.runtime_tasks"])
    try:
        task = app.tasks["marquee.runtime_test.steps"]
        assert (task.acks_late, task.reject_on_worker_lost, task.time_limit, task.queue) == (True, True, 600, "runtime_test")
        assert task.soft_time_limit == 570
        assert app.conf.worker_prefetch_multiplier == 1
        assert app.conf.task_routes["marquee.runtime_test.steps"] == {"queue": "runtime_test"}
        specs = app.marquee_specs  # type: ignore[attr-defined]
        assert queues_of(specs) == ["celery", "runtime_test"]
        assert operation_tables(specs) == [runtime_tasks.RUNTIME_OPERATIONS]
    finally:
        app.close()


def test_task_modules_come_from_each_service_and_the_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # No served service has tasks yet; a service gains them by adding services/<name>/tasks.py.
    services = pathlib.Path(__file__).resolve().parents[3] / "services"
    with_tasks = [name for name in ALL_SERVICES if (services / name / "tasks.py").exists()]
    assert service_task_modules([*ALL_SERVICES, "nonexistent"]) == [f"services.{name}.tasks" for name in with_tasks]
    monkeypatch.setenv("MARQUEE_WORKER_TASK_MODULES", "tests.support.runtime_tasks, other.module")
    assert RuntimeSettings.load(settings).worker_task_modules == ["tests.support.runtime_tasks", "other.module"]


def test_a_task_name_declared_twice_is_refused() -> None:
    assert [spec.name for spec in collect_tasks(["tests.support.runtime_tasks"])] == ["marquee.runtime_test.steps"]
    with pytest.raises(ValueError, match="declared twice"):
        collect_tasks(["tests.support.runtime_tasks", "tests.unit.core.duplicate_tasks"])
