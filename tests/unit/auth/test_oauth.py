"""The OAuth client against a local provider over real HTTP: profiles, refusals and retries."""

from __future__ import annotations

import base64
import hashlib
import socket
import string
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr

from services.auth.oauth import (
    OAuthClient,
    ProviderProfile,
    ProviderRejected,
    ProviderUnavailable,
    authorization_url,
    pkce_pair,
)
from services.core.settings import OAuthProvider
from tests.support.oauth_provider import LocalOAuthProvider

REDIRECT_URI = "https://app.marquee.test/oauth/callback"


@pytest.fixture
def server() -> Iterator[LocalOAuthProvider]:
    with LocalOAuthProvider() as provider:
        yield provider


@pytest.fixture
def client() -> Iterator[OAuthClient]:
    oauth = OAuthClient(timeout_seconds=3.0)
    yield oauth
    oauth.close()


def authorize(server: LocalOAuthProvider, provider: str, *, state: str = "state-1") -> tuple[OAuthProvider, str, str]:
    """Run the browser half of sign-in; returns (config, code, code_verifier)."""
    config = server.settings_for(provider)
    verifier, challenge = pkce_pair()
    code, returned_state = server.authorize(
        authorization_url(config, redirect_uri=REDIRECT_URI, state=state, code_challenge=challenge)
    )
    assert returned_state == state
    return config, code, verifier


def sign_in(server: LocalOAuthProvider, client: OAuthClient, provider: str) -> ProviderProfile:
    config, code, verifier = authorize(server, provider)
    return client.fetch_profile(provider, config, code=code, code_verifier=verifier, redirect_uri=REDIRECT_URI)


def query_of(url: str) -> Mapping[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_pkce_pair_is_a_64_character_verifier_and_its_s256_challenge() -> None:
    verifier, challenge = pkce_pair()
    assert len(verifier) == 64
    assert set(verifier) <= set(string.ascii_letters + string.digits + "-_")
    assert challenge == base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert pkce_pair()[0] != verifier


def test_authorization_url_carries_the_s256_challenge_and_state(server: LocalOAuthProvider) -> None:
    url = authorization_url(server.settings_for("github"), redirect_uri=REDIRECT_URI, state="st&te", code_challenge="abc-_123")
    assert url.startswith(f"{server.base_url}/github/authorize?")
    assert query_of(url) == {
        "response_type": ["code"],
        "client_id": ["marquee-test"],
        "redirect_uri": [REDIRECT_URI],
        "scope": ["read:user user:email"],
        "state": ["st&te"],
        "code_challenge": ["abc-_123"],
        "code_challenge_method": ["S256"],
    }


def test_authorization_url_asks_google_to_let_the_person_choose_an_account() -> None:
    config = OAuthProvider(
        client_id="id", authorize_url="https://accounts.google.com/o/oauth2/v2/auth", scopes=["openid", "email"]
    )
    query = query_of(authorization_url(config, redirect_uri=REDIRECT_URI, state="s", code_challenge="c"))
    assert query["access_type"] == ["online"]
    assert query["prompt"] == ["select_account"]
    assert query["scope"] == ["openid email"]


@pytest.mark.parametrize(("reported", "expected"), [(True, True), ("true", True), (False, False), ("false", False)])
def test_google_profile(server: LocalOAuthProvider, client: OAuthClient, reported: object, expected: bool) -> None:
    server.add_account(
        "google",
        subject="1089",
        email="Ada@Example.COM",
        name="Ada Lovelace",
        avatar="https://lh3.example/ada.png",
        overrides={"email_verified": reported},
    )
    assert sign_in(server, client, "google") == ProviderProfile(
        provider="google",
        subject="1089",
        email="ada@example.com",
        email_verified=expected,
        display_name="Ada Lovelace",
        avatar_url="https://lh3.example/ada.png",
    )


def test_github_profile_uses_the_primary_verified_email(server: LocalOAuthProvider, client: OAuthClient) -> None:
    # The server lists a verified noreply address before the primary one.
    server.add_account(
        "github", subject="4242", email="Grace@Example.com", name="Grace Hopper", avatar="https://avatars.example/4242"
    )
    assert sign_in(server, client, "github") == ProviderProfile(
        provider="github",
        subject="4242",
        email="grace@example.com",
        email_verified=True,
        display_name="Grace Hopper",
        avatar_url="https://avatars.example/4242",
    )
    assert ("GET", "/github/user/emails") in server.requests


def test_github_profile_falls_back_to_the_login_and_any_verified_email(server: LocalOAuthProvider, client: OAuthClient) -> None:
    server.add_account(
        "github", subject="7", email="linus@example.com", email_verified=False, overrides={"name": None, "login": "torvalds"}
    )
    profile = sign_in(server, client, "github")
    assert profile.display_name == "torvalds"
    # The primary address is unverified, so the verified noreply one is the email GitHub vouches for.
    assert (profile.email, profile.email_verified) == ("7+testuser@users.noreply.github.com", True)


def test_discord_profile_builds_the_avatar_url(server: LocalOAuthProvider, client: OAuthClient) -> None:
    server.add_account(
        "discord", subject="80351110224678912", email="Nelly@Discord.com", name="Nelly", avatar="8342729096ea3675442027381ff50dfe"
    )
    assert sign_in(server, client, "discord") == ProviderProfile(
        provider="discord",
        subject="80351110224678912",
        email="nelly@discord.com",
        email_verified=True,
        display_name="Nelly",
        avatar_url="https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png",
    )


def test_discord_profile_without_email_avatar_or_global_name(server: LocalOAuthProvider, client: OAuthClient) -> None:
    server.add_account("discord", subject="99", email="", name="Quiet One", overrides={"global_name": None})
    profile = sign_in(server, client, "discord")
    assert (profile.email, profile.email_verified, profile.avatar_url) == ("", False, "")
    assert profile.display_name == "quietone"  # the username


@pytest.mark.parametrize(
    ("provider", "overrides"), [("google", {"sub": ""}), ("github", {"id": None}), ("discord", {"id": True})]
)
def test_profile_without_a_subject_is_rejected(
    server: LocalOAuthProvider, client: OAuthClient, provider: str, overrides: Mapping[str, Any]
) -> None:
    server.add_account(provider, subject="1", email="a@example.com", overrides=overrides)
    with pytest.raises(ProviderRejected, match=r"no `(sub|id)`"):
        sign_in(server, client, provider)


def test_wrong_code_verifier_is_rejected(server: LocalOAuthProvider, client: OAuthClient) -> None:
    server.add_account("google", subject="1", email="a@example.com")
    config, code, _ = authorize(server, "google")
    with pytest.raises(ProviderRejected, match="invalid_grant"):
        client.fetch_profile("google", config, code=code, code_verifier=pkce_pair()[0], redirect_uri=REDIRECT_URI)


def test_reused_code_is_rejected(server: LocalOAuthProvider, client: OAuthClient) -> None:
    server.add_account("discord", subject="1", email="a@example.com")
    config, code, verifier = authorize(server, "discord")
    client.fetch_profile("discord", config, code=code, code_verifier=verifier, redirect_uri=REDIRECT_URI)
    with pytest.raises(ProviderRejected, match="invalid_grant"):
        client.fetch_profile("discord", config, code=code, code_verifier=verifier, redirect_uri=REDIRECT_URI)


def test_wrong_client_secret_is_rejected_without_echoing_it(server: LocalOAuthProvider, client: OAuthClient) -> None:
    server.add_account("github", subject="1", email="a@example.com")
    config, code, verifier = authorize(server, "github")
    config = config.model_copy(update={"client_secret": SecretStr("not-the-secret")})
    with pytest.raises(ProviderRejected, match="invalid_client") as caught:
        client.fetch_profile("github", config, code=code, code_verifier=verifier, redirect_uri=REDIRECT_URI)
    assert "not-the-secret" not in str(caught.value)
    assert server.token_calls() == 1  # a refusal is final, not retried


def test_token_endpoint_error_is_rejected_without_retry(server: LocalOAuthProvider, client: OAuthClient) -> None:
    server.add_account("google", subject="1", email="a@example.com")
    config, code, verifier = authorize(server, "google")
    server.fail_next_token("invalid_grant")
    with pytest.raises(ProviderRejected, match="invalid_grant"):
        client.fetch_profile("google", config, code=code, code_verifier=verifier, redirect_uri=REDIRECT_URI)
    assert server.token_calls() == 1


def test_two_server_errors_are_retried_then_sign_in_succeeds(server: LocalOAuthProvider, client: OAuthClient) -> None:
    server.add_account("github", subject="5", email="a@example.com")
    server.fail_next_token("server_error", times=2)
    assert sign_in(server, client, "github").subject == "5"
    assert server.token_calls() == 3


def test_three_server_errors_make_the_provider_unavailable(server: LocalOAuthProvider, client: OAuthClient) -> None:
    server.add_account("google", subject="1", email="a@example.com")
    server.fail_next_token("server_error", times=3)
    with pytest.raises(ProviderUnavailable, match="HTTP 500"):
        sign_in(server, client, "google")
    assert server.token_calls() == 3


def test_a_hung_provider_is_unavailable_within_the_timeout(server: LocalOAuthProvider) -> None:
    server.add_account("discord", subject="1", email="a@example.com")
    config, code, verifier = authorize(server, "discord")
    server.fail_next_token("hang", times=3)
    oauth = OAuthClient(timeout_seconds=0.3)
    try:
        started = time.monotonic()
        with pytest.raises(ProviderUnavailable, match="Timeout"):
            oauth.fetch_profile("discord", config, code=code, code_verifier=verifier, redirect_uri=REDIRECT_URI)
        assert time.monotonic() - started < 1.0  # one budget for the whole sign-in, not one per attempt
    finally:
        oauth.close()


def test_an_unreachable_provider_is_unavailable(client: OAuthClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port once the probe closes, so every attempt is refused.
    base = f"http://127.0.0.1:{port}/google"
    config = OAuthProvider(
        client_id="marquee-test",
        client_secret=SecretStr("test-secret"),
        authorize_url=f"{base}/authorize",
        token_url=f"{base}/token",
        userinfo_url=f"{base}/userinfo",
    )
    with pytest.raises(ProviderUnavailable, match="ConnectError"):
        client.fetch_profile("google", config, code="c", code_verifier="v", redirect_uri=REDIRECT_URI)


def test_an_unknown_provider_is_a_programming_error(server: LocalOAuthProvider, client: OAuthClient) -> None:
    with pytest.raises(ValueError, match="unknown OAuth provider"):
        client.fetch_profile("myspace", server.settings_for("google"), code="c", code_verifier="v", redirect_uri=REDIRECT_URI)
