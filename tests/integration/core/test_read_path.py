"""The read path of services/core (issue #15) on the configured backend: the read lane refuses
writes, read_first falls back to a unit of work, Prepared rows equal the ORM's, the log writer
keeps every line in order, and a revoked token leaves the verifier's cache."""

from __future__ import annotations

import datetime as dt
import io
import logging
import subprocess
import sys
import threading
import uuid

import pytest
from sqlalchemy import bindparam, literal_column, select, text, update
from sqlalchemy.exc import DBAPIError

from services.auth.models import User
from services.core import errors
from services.core.db import Database, Prepared, is_read_only
from services.core.logs import BackgroundHandler, TextFormatter
from services.core.revocation import Revocations
from services.core.settings import Settings
from services.core.tokens import KeySet, TokenSigner, TokenVerifier

USER_BY_ID = Prepared(select(*User.__table__.columns).where(User.id == bindparam("user_id")))


@pytest.fixture
async def database(settings: Settings) -> Database:
    opened = Database.from_settings(settings)
    yield opened  # type: ignore[misc]  # an async generator fixture
    opened.close()


async def _new_user(database: Database, **fields: object) -> str:
    user_id = uuid.uuid4().hex

    def add(session: object) -> None:
        session.add(  # type: ignore[attr-defined]
            User(
                id=user_id, email=f"{user_id}@read.test", display_name="Before", preferences={"app": {"theme": "dark"}}, **fields
            )
        )

    await database.run(add)
    return user_id


def _display_name(session: object, user_id: str) -> str:
    return str(session.scalars(select(User.display_name).where(User.id == user_id)).one())  # type: ignore[attr-defined]


async def test_a_read_sees_committed_writes_and_cannot_write(database: Database) -> None:
    user_id = await _new_user(database)
    assert await database.read(_display_name, user_id) == "Before"
    await database.run(lambda s: s.execute(update(User).where(User.id == user_id).values(display_name="After")))
    assert await database.read(_display_name, user_id) == "After"  # the held connection holds no old snapshot

    with pytest.raises(DBAPIError):  # the connection itself is read-only (query_only / READ ONLY)
        await database.read(lambda s: s.execute(update(User).where(User.id == user_id).values(display_name="Sneaky")))

    def orm_change(session: object) -> None:
        session.get(User, user_id).display_name = "Never flushed"  # type: ignore[attr-defined]

    await database.read(orm_change)  # a read never flushes: the change is discarded
    assert await database.read(_display_name, user_id) == "After"
    assert await database.read(is_read_only) is True
    assert await database.run(is_read_only) is False


async def test_a_domain_error_in_a_read_reaches_the_caller_and_the_lane_goes_on(database: Database) -> None:
    def missing(session: object) -> None:
        raise errors.NotFound("users/nobody not found")

    with pytest.raises(errors.NotFound):
        await database.read(missing)
    user_id = await _new_user(database)
    assert await database.read(_display_name, user_id) == "Before"


async def test_read_first_runs_again_as_a_unit_of_work_only_when_it_changes_something(database: Database) -> None:
    user_id = await _new_user(database)
    before = database.read_fallbacks

    def catch_up(session: object) -> str:
        user = session.get(User, user_id)  # type: ignore[attr-defined]
        if user.display_name != "Caught up":
            user.display_name = "Caught up"
        return str(user.display_name)

    assert await database.read_first(catch_up) == "Caught up"
    assert database.read_fallbacks == before + 1
    assert await database.read(_display_name, user_id) == "Caught up"  # written by the fallback
    assert await database.read_first(catch_up) == "Caught up"
    assert database.read_fallbacks == before + 1  # nothing to change: answered by the read

    def core_write(session: object) -> int:
        session.execute(update(User).where(User.id == user_id).values(display_name="By Core"))  # type: ignore[attr-defined]
        return 1

    assert await database.read_first(core_write) == 1  # refused by the read-only connection, then run
    assert await database.read(_display_name, user_id) == "By Core"


async def test_prepared_rows_are_the_values_the_orm_loads(database: Database) -> None:
    user_id = await _new_user(database, email_verified=True, last_login_time=dt.datetime(2026, 5, 4, 3, 2, 1, tzinfo=dt.UTC))

    def orm(session: object) -> dict[str, object]:
        user = session.get(User, user_id)  # type: ignore[attr-defined]
        return {c.key: getattr(user, c.key) for c in User.__table__.columns}

    def prepared(session: object) -> dict[str, object]:
        (user,) = USER_BY_ID.objects(session, User, user_id=user_id)  # type: ignore[arg-type]
        return {c.key: getattr(user, c.key) for c in User.__table__.columns}

    expected = await database.run(orm)
    assert await database.read(prepared) == expected  # on the read lane
    assert await database.run(prepared) == expected  # and in a unit of work
    assert expected["preferences"] == {"app": {"theme": "dark"}}
    assert expected["email_verified"] is True
    last_login = expected["last_login_time"]
    assert isinstance(last_login, dt.datetime)
    assert last_login.tzinfo is not None
    assert await database.read(lambda s: USER_BY_ID.rows(s, user_id="nobody")) == []


async def test_a_point_read_runs_on_the_loop_on_sqlite_and_on_the_lane_elsewhere(database: Database, settings: Settings) -> None:
    user_id = await _new_user(database)

    def where(session: object) -> tuple[int, bool, str]:
        (user,) = USER_BY_ID.objects(session, User, user_id=user_id)  # type: ignore[arg-type]
        return threading.get_ident(), is_read_only(session), user.display_name  # type: ignore[arg-type]

    thread, read_only, name = await database.read_point(where)
    assert (read_only, name) == (True, "Before")
    assert (thread == threading.get_ident()) is settings.is_sqlite  # inline only on SQLite
    await database.run(lambda s: s.execute(update(User).where(User.id == user_id).values(display_name="After")))
    assert (await database.read_point(where))[2] == "After"  # the held connection holds no old snapshot

    def missing(session: object) -> None:
        raise errors.NotFound("users/nobody not found")

    with pytest.raises(errors.NotFound):
        await database.read_point(missing)
    with pytest.raises(DBAPIError):  # read-only inline too
        await database.read_point(lambda s: s.execute(update(User).where(User.id == user_id).values(display_name="Sneaky")))
    assert (await database.read_point(where))[2] == "After"


async def test_a_point_read_over_its_budget_is_handed_to_the_lane(database: Database, settings: Settings) -> None:
    # Some tens of milliseconds of SQLite work, far over the inline budget: interrupted, run again on the lane.
    slow = Prepared(
        select(literal_column("count(*)")).select_from(
            text("(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT i FROM n) AS n")
        )
    )

    def count(session: object) -> tuple[int, int]:
        return threading.get_ident(), slow.rows(session)[0][0]  # type: ignore[arg-type]

    before = database.inline_handoffs
    thread, counted = await database.read_point(count)
    assert counted == 300000
    assert thread != threading.get_ident()  # answered by a lane thread
    if settings.is_sqlite:
        assert database.inline_handoffs == before + 1
        assert (await database.read_first_point(count))[1] == 300000
        assert database.inline_handoffs == before + 2


async def test_a_point_read_first_that_changes_an_attached_row_runs_as_a_unit_of_work(database: Database) -> None:
    user_id = await _new_user(database)
    before = database.read_fallbacks

    def catch_up(session: object) -> str:
        (user,) = USER_BY_ID.attached(session, User, user_id=user_id)  # type: ignore[arg-type]
        if user.display_name != "Caught up":
            user.display_name = "Caught up"  # seen: the row is in the session as if queried
        return user.display_name

    assert await database.read_first_point(catch_up) == "Caught up"
    assert database.read_fallbacks == before + 1
    assert await database.read(_display_name, user_id) == "Caught up"  # written by the fallback
    assert await database.read_first_point(catch_up) == "Caught up"
    assert database.read_fallbacks == before + 1  # nothing to change: answered by the read


def test_the_log_writer_keeps_every_line_in_order_and_renders_tracebacks() -> None:
    stream = io.StringIO()
    handler = BackgroundHandler(stream, TextFormatter("%(levelname)s %(message)s"), batch_seconds=3600)
    logger = logging.getLogger(f"marquee.test.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for number in range(500):
            logger.warning("line %d", number)
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
        assert stream.getvalue() == ""  # nothing written on the calling thread
        handler.flush()
    finally:
        logger.removeHandler(handler)
        handler.close()
    lines = stream.getvalue().splitlines()
    assert lines[:500] == [f"WARNING line {n}" for n in range(500)]
    assert lines[500] == "ERROR failed"
    assert "ValueError: boom" in stream.getvalue()


async def test_a_revoked_token_is_refused_and_dropped_from_the_cache(settings: Settings) -> None:
    keys = KeySet.from_settings(settings)
    verifier = TokenVerifier.from_settings(settings, keys)
    revocations = Revocations(settings.redis_url, lifetime_seconds=60)
    verifier.revocations = revocations
    await revocations.start()
    try:
        session_id = uuid.uuid4().hex
        token, _ = TokenSigner.from_settings(settings, keys).sign("user-7", token_id="t7", session_id=session_id)
        assert verifier.verify(token).user_id == "user-7"
        assert verifier.verify(token).user_id == "user-7"  # from the cache
        await revocations.revoke_sessions([session_id], "signed_out")
        for _ in range(2):
            with pytest.raises(errors.Unauthenticated) as refused:
                verifier.verify(token)
            assert refused.value.reason == "SESSION_REVOKED"
        assert token not in verifier._cache  # the refused token holds no cache entry
    finally:
        await revocations.close()


def test_an_instance_built_from_a_row_in_a_fresh_process_has_configured_mappers() -> None:
    # The model constructor configures the mappers; `loaded` must too (a server whose first use of
    # a model was a Prepared read answered GetTitle with INTERNAL).
    script = (
        "from sqlalchemy import inspect\n"
        "from services.catalog.models import Title\n"
        "from services.core.db import loaded\n"
        "keys = [c.key for c in Title.__table__.columns]\n"
        "loaded(Title, keys, [None] * len(keys))\n"
        "assert inspect(Title).configured\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
