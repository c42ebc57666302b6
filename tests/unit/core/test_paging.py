"""Page tokens are opaque, tamper-evident and bound to their query."""

from __future__ import annotations

import pytest

from services.core.errors import InvalidArgument
from services.core.paging import PageTokens, page_size

TOKENS = PageTokens(b"test-secret")


def test_round_trip() -> None:
    token = TOKENS.encode({"v": "2026-11-22T10:00:00+00:00", "id": "abc"}, query="q1")
    assert TOKENS.decode(token, query="q1") == {"v": "2026-11-22T10:00:00+00:00", "id": "abc"}
    assert "abc" not in token or "." in token  # base64, not a bare offset


def test_empty_token_is_the_first_page() -> None:
    assert TOKENS.decode("", query="q1") is None


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: "eyJvZmZzZXQiOjEwMDB9." + t.split(".", 1)[1],  # body swapped
        lambda t: t.replace(".", ""),  # not a token
        lambda t: "garbage",
    ],
)
def test_tampered_token_is_invalid_page_token(mutate: object) -> None:
    token = TOKENS.encode({"offset": 20}, query="q1")
    with pytest.raises(InvalidArgument) as failure:
        TOKENS.decode(mutate(token), query="q1")  # type: ignore[operator]
    assert failure.value.reason == "INVALID_PAGE_TOKEN"
    assert failure.value.violations[0].field == "page_token"


def test_every_single_character_edit_is_refused() -> None:
    # Lenient base64 would map some edits of the last character back to the same bytes.
    token = TOKENS.encode({"v": "2026-11-22T10:00:00+00:00", "id": "abc"}, query="q1")
    for index, original in enumerate(token):
        for replacement in "AQgw-_.x":
            if replacement != original:
                edited = token[:index] + replacement + token[index + 1 :]
                with pytest.raises(InvalidArgument):
                    TOKENS.decode(edited, query="q1")


def test_token_from_another_query_is_refused() -> None:
    token = TOKENS.encode({"offset": 20}, query="filter=a")
    with pytest.raises(InvalidArgument):
        TOKENS.decode(token, query="filter=b")


def test_token_from_another_secret_is_refused() -> None:
    token = PageTokens(b"other").encode({"offset": 20}, query="q1")
    with pytest.raises(InvalidArgument):
        TOKENS.decode(token, query="q1")


def test_page_size_defaults_and_caps() -> None:
    assert page_size(0) == 20
    assert page_size(7) == 7
    assert page_size(10_000) == 100
    with pytest.raises(InvalidArgument):
        page_size(-1)
