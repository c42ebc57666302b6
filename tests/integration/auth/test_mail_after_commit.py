"""Auth's email goes out only after its unit of work commits; a rollback sends nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

from services.auth.domain import Client, token_hash
from services.auth.passwords import Passwords
from services.auth.repository import AuthRepository
from services.auth.settings import AuthSettings
from services.auth.usecases import AuthUseCases, AuthWork, DeferredMailer
from services.core.db import Database
from services.core.ratelimit import RateLimiter
from services.core.redis_store import connect
from services.core.settings import Settings
from services.core.tokens import KeySet, TokenSigner

LINK = re.compile(r"token=([A-Za-z0-9_\-]+)")


class CommittedCheckingMailer:
    """Records each email, and checks at send time that the token it carries is committed
    (read in a fresh transaction, as the recipient's click would)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.sent: list[tuple[str, str, bool]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        found = LINK.search(body)
        assert found is not None, body
        with self.database.transaction() as session:
            committed = AuthRepository(session).one_time_token(token_hash(found.group(1))) is not None
        self.sent.append((to, subject, committed))


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    opened = Database.from_settings(settings)
    yield opened
    opened.close()


@pytest.fixture
def domain(settings: Settings, auth_settings: AuthSettings) -> Iterator[AuthWork]:
    client = connect(settings.redis_url)
    yield AuthWork(
        settings,
        auth=auth_settings,
        signer=TokenSigner.from_settings(settings, KeySet.from_settings(settings)),
        passwords=Passwords(min_length=auth_settings.password_min_length),
        limiter=RateLimiter(client),
        mailer=DeferredMailer(),
    )
    client.close()


def register(domain: AuthWork, repo: AuthRepository, email: str) -> None:
    domain.register(repo, email=email, password="a long passphrase 42", display_name="", locale="", time_zone="", client=Client())


async def test_mail_goes_out_after_the_commit(domain: AuthWork, database: Database) -> None:
    mailer = CommittedCheckingMailer(database)
    use = AuthUseCases(database, mailer)
    email = f"after-commit-{uuid.uuid4().hex[:8]}@example.com"
    await use.run(lambda repo: register(domain, repo, email))
    assert mailer.sent == [(email, "Confirm your email address", True)]


async def test_a_rolled_back_unit_of_work_sends_no_mail(domain: AuthWork, database: Database) -> None:
    mailer = CommittedCheckingMailer(database)
    use = AuthUseCases(database, mailer)
    email = f"rolled-back-{uuid.uuid4().hex[:8]}@example.com"

    def register_then_fail(repo: AuthRepository) -> None:
        register(domain, repo, email)
        raise RuntimeError("a later step of the same transaction failed")

    with pytest.raises(RuntimeError):
        await use.run(register_then_fail)
    assert mailer.sent == []
    with database.transaction() as session:
        assert AuthRepository(session).user_by_email(email) is None


def test_mail_outside_a_unit_of_work_is_refused() -> None:
    with pytest.raises(RuntimeError, match="after it commits"):
        DeferredMailer().send("a@example.com", "subject", "body")
