"""Page tokens are opaque, tamper-evident and bound to their query and, inside an RPC, to its caller."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

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


# -- binding to the caller and the whole query (what the interceptor records) ----------------


def _within(principal_id: str | None, request: object, fn: Callable[[], Any]) -> Any:
    from services.core import interceptors
    from services.core.tokens import Principal

    def run() -> Any:
        interceptors._principal.set(Principal(principal_id) if principal_id else None)
        interceptors._request.set(request)
        return fn()

    return contextvars.copy_context().run(run)


def test_a_token_is_bound_to_the_caller_and_every_query_field() -> None:
    from marquee.billing.v1 import billing_pb2

    pages = PageTokens(b"k" * 32)
    first = billing_pb2.ListCreditPacksRequest(page_size=1)
    token = _within("u1", first, lambda: pages.encode({"id": 3}, query="packs"))
    following = billing_pb2.ListCreditPacksRequest(page_size=7, page_token=token)
    assert _within("u1", following, lambda: pages.decode(token, query="packs")) == {"id": 3}
    for caller, request in [
        ("u2", following),
        (None, following),
        ("u1", billing_pb2.ListCreditPacksRequest(page_size=1, page_token=token, show_inactive=True)),
    ]:
        with pytest.raises(InvalidArgument):
            _within(caller, request, lambda: pages.decode(token, query="packs"))


def test_page_serves_limit_rows_and_resumes_after_the_last_one_served() -> None:
    rows = [{"id": f"r{n}", "n": n} for n in range(4)]
    served, token = TOKENS.page(rows, 3, query="rows", position=lambda row: {"n": row["n"]})
    assert served == rows[:3]
    assert TOKENS.decode(token, query="rows") == {"n": 2}
    assert TOKENS.page(rows[:3], 3, query="rows", position=lambda row: {"n": row["n"]}) == (rows[:3], "")


def test_keyset_page_tokens_read_back_as_time_and_id() -> None:
    import datetime as dt

    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    rows = [(when, "a"), (when, "b")]
    served, token = TOKENS.keyset_page(rows, 1, query="events", key=lambda row: row)
    assert served == [(when, "a")]
    assert TOKENS.keyset_after(token, query="events") == (when, "a")
