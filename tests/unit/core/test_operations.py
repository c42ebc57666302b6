"""Operation names, states, proto conversion and the store's compare-and-set transitions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from google.protobuf import struct_pb2
from google.rpc import code_pb2
from marquee.longrunning.v1 import operation_pb2
from sqlalchemy import MetaData, create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from services.core.errors import InvalidArgument, NotFound
from services.core.operations import (
    OperationsTable,
    OperationStore,
    State,
    TaskCall,
    cancelled_status,
    pack,
    parse_operation_name,
    parse_parent,
    to_proto,
)
from services.core.tokens import ROLE_ADMIN, ROLE_SERVICE, Principal

OID = "0123456789abcdef0123456789abcdef"
ANN = Principal(user_id="ann")
ADMIN = Principal(user_id="root", role=ROLE_ADMIN)
SERVICE = Principal(user_id="services/notes", role=ROLE_SERVICE)
LEASE = dt.timedelta(seconds=30)


def test_users_me_is_the_caller_and_others_are_not_found() -> None:
    assert parse_operation_name(f"users/me/operations/{OID}", ANN) == ("ann", OID)
    assert parse_operation_name(f"users/ann/operations/{OID}", ANN) == ("ann", OID)
    with pytest.raises(NotFound):
        parse_operation_name(f"users/bob/operations/{OID}", ANN)
    assert parse_operation_name(f"users/bob/operations/{OID}", ADMIN) == ("bob", OID)
    assert parse_operation_name(f"users/bob/operations/{OID}", SERVICE) == ("bob", OID)
    assert parse_parent("users/me", ANN) == "ann"
    assert parse_parent("users/bob", ANN) is None
    assert parse_parent("users/bob", ADMIN) == "bob"


def test_a_service_must_name_the_user() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_operation_name(f"users/me/operations/{OID}", SERVICE)
    assert caught.value.violations[0].field == "name"


@pytest.mark.parametrize(
    "name",
    [
        "",
        f"operations/{OID}",
        "users/me/operations/XYZ",
        f"users/me/operations/{OID}/extra",
        f"users//operations/{OID}",
        f"users/a b/operations/{OID}",
        f"users/{'x' * 65}/operations/{OID}",
    ],
)
def test_malformed_names_are_invalid_with_a_field_violation(name: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_operation_name(name, ANN)
    assert [v.field for v in caught.value.violations] == ["name"]
    assert len(caught.value.message) < 200


def test_states_match_the_contract() -> None:
    for state in State:
        assert State.from_proto(state.proto) is state
        assert operation_pb2.OperationState.Name(state.proto) == f"OPERATION_STATE_{state.value}"
    assert {s for s in State if s.terminal} == {State.SUCCEEDED, State.FAILED, State.CANCELLED}


@pytest.fixture
def store() -> Iterator[tuple[OperationStore, Session]]:
    declared = OperationsTable.declare(MetaData(), service="unit")
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    declared.table.metadata.create_all(engine)
    with Session(engine) as session:
        yield OperationStore(declared), session
    engine.dispose()


def _create(store: OperationStore, session: Session, **extra: object) -> str:
    record = store.create(
        session, owner="ann", kind="test", deadline=dt.timedelta(minutes=5), task=TaskCall("t.run", "q", {"asset_id": "a1"}),
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    assert (record.state, record.sequence, record.task_kwargs, record.task_queue) == (State.QUEUED, 1, {"asset_id": "a1"}, "q")
    return record.id


def test_a_claim_is_won_once_and_taken_over_only_after_the_lease(store: tuple[OperationStore, Session]) -> None:
    ops, session = store
    oid = _create(ops, session)
    now = dt.datetime.now(dt.UTC)
    first = ops.claim(session, oid, worker="w1", lease=LEASE, now=now)
    assert first is not None
    assert (first.state, first.attempts, first.sequence) == (State.RUNNING, 1, 2)
    assert ops.claim(session, oid, worker="w2", lease=LEASE, now=now + dt.timedelta(seconds=10)) is None
    taken = ops.claim(session, oid, worker="w2", lease=LEASE, now=now + dt.timedelta(seconds=31))
    assert taken is not None
    assert (taken.worker, taken.attempts) == ("w2", 2)
    # The old worker lost it: its progress and its success are refused.
    assert ops.progress(session, oid, worker="w1", step="s", percent=50) is None
    assert ops.finish(session, oid, state=State.SUCCEEDED, worker="w1") is None


def test_percent_never_decreases_and_the_end_happens_once(store: tuple[OperationStore, Session]) -> None:
    ops, session = store
    oid = _create(ops, session)
    assert ops.claim(session, oid, worker="w", lease=LEASE) is not None
    high = ops.progress(session, oid, worker="w", step="a", percent=60, message="m" * 1000)
    assert high is not None
    assert len(high.message) == 500
    low = ops.progress(session, oid, worker="w", step="b", percent=10)
    assert low is not None
    assert (low.step, low.percent) == ("b", 60)
    result = struct_pb2.Struct()
    result.update({"ok": True})
    done = ops.finish(session, oid, state=State.SUCCEEDED, response=pack(result), worker="w")
    assert done is not None
    assert (done.percent, done.done) == (100, True)
    assert ops.finish(session, oid, state=State.FAILED) is None
    proto = to_proto(done)
    unpacked = struct_pb2.Struct()
    assert proto.response.Unpack(unpacked)
    assert unpacked["ok"] is True
    assert proto.done
    assert proto.HasField("end_time")


def test_cancel_ends_a_queued_operation_and_flags_a_running_one(store: tuple[OperationStore, Session]) -> None:
    ops, session = store
    queued = _create(ops, session)
    cancelled = ops.request_cancel(session, queued)
    assert cancelled is not None
    assert cancelled.state is State.CANCELLED
    assert to_proto(cancelled).error.code == code_pb2.CANCELLED
    assert ops.request_cancel(session, queued) is None
    running = _create(ops, session)
    assert ops.claim(session, running, worker="w", lease=LEASE) is not None
    flagged = ops.request_cancel(session, running)
    assert flagged is not None
    assert (flagged.state, flagged.cancel_requested) == (State.RUNNING, True)
    # A success after a cancel request is refused; the worker then ends it CANCELLED.
    assert ops.finish(session, running, state=State.SUCCEEDED, worker="w", unless_cancelled=True) is None
    ended = ops.finish(session, running, state=State.CANCELLED, error=cancelled_status())
    assert ended is not None
    assert ended.state is State.CANCELLED


def test_pages_are_newest_first_and_owner_scoped(store: tuple[OperationStore, Session]) -> None:
    ops, session = store
    base = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    ids = [ops.create(session, owner="ann", kind="k", deadline=LEASE, now=base + dt.timedelta(seconds=i)).id for i in range(5)]
    ops.create(session, owner="bob", kind="k", deadline=LEASE, now=base)
    first = ops.page(session, owner="ann", limit=2)
    assert [r.id for r in first.records] == [ids[4], ids[3]]
    assert first.after is not None
    second = ops.page(session, owner="ann", limit=2, after=first.after)
    third = ops.page(session, owner="ann", limit=2, after=second.after)
    assert [r.id for r in second.records + third.records] == [ids[2], ids[1], ids[0]]
    assert third.after is None
    overdue = ops.overdue(session, now=base + dt.timedelta(minutes=1))
    assert {r.owner for r in overdue} == {"ann", "bob"}


def test_end_hooks_run_once_in_the_transaction_that_ends_the_operation(store: tuple[OperationStore, Session]) -> None:
    ops, session = store
    ended: list[tuple[str, State]] = []
    ops.declared.on_end(lambda _session, record: ended.append((record.id, record.state)))
    queued = _create(ops, session)
    ops.request_cancel(session, queued)
    running = _create(ops, session)
    ops.claim(session, running, worker="w", lease=LEASE)
    ops.progress(session, running, worker="w", step="s", percent=10)
    assert ended == [(queued, State.CANCELLED)]
    ops.finish(session, running, state=State.FAILED, error=cancelled_status())
    ops.finish(session, running, state=State.SUCCEEDED)  # lost the race: no second call
    assert ended == [(queued, State.CANCELLED), (running, State.FAILED)]


def test_progress_may_replace_the_metadata_and_finished_operations_are_purged(store: tuple[OperationStore, Session]) -> None:
    ops, session = store
    first = struct_pb2.Struct()
    first.update({"rendition": "480p"})
    oid = ops.create(session, owner="ann", kind="k", deadline=LEASE, metadata=first).id
    ops.claim(session, oid, worker="w", lease=LEASE)
    kept = ops.progress(session, oid, worker="w", step="a", percent=10)
    assert kept is not None
    assert kept.metadata == pack(first)
    second = struct_pb2.Struct()
    second.update({"rendition": "720p"})
    changed = ops.progress(session, oid, worker="w", step="b", percent=20, metadata=second)
    assert changed is not None
    shown = struct_pb2.Struct()
    assert to_proto(changed).metadata.Unpack(shown)
    assert shown["rendition"] == "720p"
    ended = ops.finish(session, oid, state=State.SUCCEEDED, worker="w")
    assert ended is not None
    assert ended.ended_at is not None
    assert ops.purge_finished(session, before=ended.ended_at) == 0
    assert ops.purge_finished(session, before=ended.ended_at + dt.timedelta(seconds=1)) == 1
    assert ops.get(session, oid) is None
