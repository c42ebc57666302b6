"""A Celery worker process for the worker-loss test: the production app (`create_celery` registers
Notes' task from `services/notes/tasks.py`), settings from the environment, the operation reaper,
and unacknowledged jobs of a dead worker redelivered after a few seconds instead of an hour."""

from __future__ import annotations

import os
import sys

from services.core.settings import load_settings
from services.core.tasks import Reaper, RuntimeHolder
from services.notes.models import NOTES_OPERATIONS
from services.worker import create_celery


def main() -> None:
    settings = load_settings()
    app = create_celery(settings)
    # A job whose worker died is handed to another worker once it has been unacknowledged this long.
    app.conf.broker_transport_options = {
        "visibility_timeout": float(os.environ.get("NOTES_VISIBILITY_TIMEOUT", "6")),
        "unacked_restore_interval": 1,
    }
    # The production worker's reaper (`run_worker` starts one): it resends a job whose worker died.
    Reaper(RuntimeHolder(settings), app, [NOTES_OPERATIONS]).start()
    app.worker_main(
        [
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "-Q",
            sys.argv[1],
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ]
    )


if __name__ == "__main__":
    main()
