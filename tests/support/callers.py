"""Callers with signed access tokens, for areas whose tests act as users, admins and services.

A conftest that wants them imports the fixtures (`signer`, `alice`, `bob`, `admin`, `service`) by name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from services.core.settings import Settings
from services.core.tokens import ROLE_ADMIN, ROLE_SERVICE, ROLE_USER, KeySet, TokenSigner
from tests.support.harness import bearer

Metadata = tuple[tuple[str, str], ...]


@dataclass
class Caller:
    user_id: str
    auth: Metadata

    @property
    def name(self) -> str:
        return f"users/{self.user_id}"


def make_caller(signer: TokenSigner, role: str) -> Caller:
    user_id = uuid.uuid4().hex
    token, _ = signer.sign(user_id if role != ROLE_SERVICE else f"services/{user_id}", token_id=uuid.uuid4().hex, role=role)
    return Caller(user_id, bearer(token))


@pytest.fixture(scope="session")
def signer(settings: Settings) -> TokenSigner:
    return TokenSigner.from_settings(settings, KeySet.from_settings(settings))


@pytest.fixture
def alice(signer: TokenSigner) -> Caller:
    return make_caller(signer, ROLE_USER)


@pytest.fixture
def bob(signer: TokenSigner) -> Caller:
    return make_caller(signer, ROLE_USER)


@pytest.fixture(scope="session")
def admin(signer: TokenSigner) -> Caller:
    return make_caller(signer, ROLE_ADMIN)


@pytest.fixture(scope="session")
def service(signer: TokenSigner) -> Caller:
    return make_caller(signer, ROLE_SERVICE)
