"""Migration notes_0002 moves every notes_jobs row onto the shared operation store and drops the
old table: run on a database of its own (SQLite, or a scratch PostgreSQL database on the external
backend), from notes_0001 with rows of each state, up to notes_0002."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from marquee.notes.v1 import notes_pb2 as pb
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from services.core.migrate import alembic_config
from services.core.operations import OperationRecord, OperationStore, State, to_proto
from services.core.settings import Settings
from services.notes.models import NOTES_OPERATIONS


@pytest.fixture
def scratch(settings: Settings, tmp_path) -> Iterator[Settings]:
    if settings.is_sqlite:
        yield settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'migration.db'}"})
        return
    url = make_url(settings.resolved_database_url)
    name = f"notes_migration_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield settings.model_copy(update={"database_url": url.set(database=name).render_as_string(hide_password=False)})
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _job(job_id: str, state: str, **values: object) -> dict[str, object]:
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    row: dict[str, object] = {
        "id": job_id, "user_id": "u1", "kind": "generate_notes", "state": state, "request_id": None,
        "request_hash": "h", "target": "users/u1/notes/n1", "note_id": "n1", "quiz_id": "", "source_key": "upload:x",
        "request": json.dumps({"source": {"transcript": {"text": "t"}}, "options": {}}),
        "source": json.dumps({"kind": "uploaded_transcript"}), "step": "summarize", "percent": 40,
        "message": "summarizing 1 of 2", "steps": json.dumps({"chunk": {"state": "succeeded"}}), "chunk_count": 2,
        "partials": json.dumps({"0": {"section": {}, "terms": []}}), "credits": 1, "credit_status": "reserved",
        "model": "m", "input_tokens": 10, "output_tokens": 5, "cancel_requested": False, "attempts": 1,
        "error_code": 0, "error_reason": "", "error_message": "", "quiz_error_reason": "", "quiz_error_message": "",
        "sequence": 4, "create_time": now, "update_time": now, "end_time": None,
    }  # fmt: skip
    row.update(values)
    return row


def test_jobs_move_onto_the_operation_store(scratch: Settings) -> None:
    config = alembic_config(scratch)
    command.upgrade(config, "notes_0001")
    engine = create_engine(scratch.resolved_database_url)
    running, failed, reqid = uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex
    rows = [
        _job(running, "running"),
        _job(failed, "failed", error_code=14, error_reason="LLM_UNAVAILABLE", error_message="model down",
             credit_status="released", end_time=dt.datetime(2026, 12, 1, 12, 5, tzinfo=dt.UTC)),
        _job(reqid, "queued", request_id="r-1", kind="generate_quiz", quiz_id="q1", target="users/u1/notes/n1/quizzes/q1"),
    ]  # fmt: skip
    try:
        with engine.begin() as connection:
            columns = ", ".join(rows[0])
            values = ", ".join(f":{c}" for c in rows[0])
            for row in rows:
                insert = text(f"INSERT INTO notes_jobs ({columns}) VALUES ({values})")  # noqa: S608  # this test's own column names
                connection.execute(insert, row)
        command.upgrade(config, "notes_0002")
        assert not inspect(engine).has_table("notes_jobs")
        store = OperationStore(NOTES_OPERATIONS)
        with engine.connect() as connection:
            from sqlalchemy.orm import Session

            with Session(bind=connection) as session:
                moved: dict[str, OperationRecord] = {r: store.get(session, r) for r in (running, failed, reqid)}  # type: ignore[misc]
    finally:
        engine.dispose()

    job = moved[running]
    assert (job.owner, job.kind, job.state, job.step, job.percent) == ("u1", "generate_notes", State.RUNNING, "summarize", 40)
    assert job.sequence == 5
    # The facts only Notes knows become the checkpoint: a resumed job keeps its chunk summaries.
    assert job.checkpoint["partials"] == {"0": {"section": {}, "terms": []}}
    assert job.checkpoint["credit_status"] == "reserved"
    assert job.checkpoint["request"]["source"] == {"transcript": {"text": "t"}}
    assert job.task_name == "marquee.notes.run_job"
    meta = pb.GenerateNotesMetadata()
    assert to_proto(job).metadata.Unpack(meta)
    assert (meta.note, meta.credits, meta.credit_status, meta.chunk_count) == (
        "users/u1/notes/n1", 1, pb.CREDIT_STATUS_RESERVED, 2
    )  # fmt: skip

    done = to_proto(moved[failed])
    assert done.done
    assert done.error.code == 14
    assert done.error.message == "model down"

    quiz = moved[reqid]
    assert (quiz.kind, quiz.request_id, quiz.state, quiz.checkpoint["quiz_id"]) == ("generate_quiz", "r-1", State.QUEUED, "q1")
