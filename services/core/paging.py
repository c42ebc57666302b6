"""Opaque, tamper-evident page tokens for keyset pagination.

A token carries the sort key of the last row served and a fingerprint of the
query that produced it, signed with HMAC-SHA256. A token that was altered, or
is replayed against a different query, is INVALID_ARGUMENT / INVALID_PAGE_TOKEN.

Inside an RPC every token is also bound, with no help from its call site, to the
caller (the verified user id, or anonymous) and to a digest of every field of
the request except `page_token` and `page_size` (which may change between
pages), as the interceptor recorded them: a token from one user is refused for
another, and a token is refused once any filter or flag (`show_inactive`) changes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from google.protobuf.message import Message

from services.core.errors import FieldViolation, InvalidArgument
from services.core.interceptors import current_principal, current_request

# Fields a client may change from one page to the next (AIP-158).
PAGING_FIELDS = ("page_token", "page_size")

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def page_size(requested: int, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE) -> int:
    if requested < 0:
        raise InvalidArgument(
            "page_size must not be negative",
            violations=[FieldViolation("page_size", f"must be between 0 and {maximum}")],
        )
    return min(requested or default, maximum)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """Strict decoding: only the one canonical spelling of some bytes is accepted.

    Lenient base64 ignores stray characters and the spare low bits of the last
    character, so an edited token could otherwise decode to the original bytes.
    """
    data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    if _b64(data) != text:
        raise ValueError("non-canonical base64")
    return data


def request_digest(request: Message | None) -> bytes:
    """A digest of `request` without its paging fields (empty outside an RPC)."""
    if request is None:
        return b""
    query = request.__class__()
    query.CopyFrom(request)
    for name in PAGING_FIELDS:
        if name in query.DESCRIPTOR.fields_by_name:
            query.ClearField(name)
    return hashlib.sha256(query.DESCRIPTOR.full_name.encode() + b"\x00" + query.SerializeToString(deterministic=True)).digest()


def call_binding() -> bytes:
    """What a token of the current RPC is bound to: the caller and the whole query."""
    principal = current_principal()
    caller = principal.user_id.encode() if principal else b""
    return caller + b"\x00" + request_digest(current_request())


class PageTokens:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, body: bytes, query: str) -> bytes:
        message = body + b"\x00" + query.encode() + b"\x00" + call_binding()
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:16]

    def encode(self, position: dict[str, Any], *, query: str) -> str:
        """A token resuming after `position` for the query fingerprinted by `query`."""
        body = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
        return _b64(body) + "." + _b64(self._mac(body, query))

    def decode(self, token: str, *, query: str) -> dict[str, Any] | None:
        """The position in a token, None for an empty token; raises if it is not ours for this query."""
        if not token:
            return None
        try:
            body_text, mac_text = token.split(".", 1)
            body, mac = _unb64(body_text), _unb64(mac_text)
            valid = hmac.compare_digest(mac, self._mac(body, query))
            position = json.loads(body) if valid else None
        except (ValueError, UnicodeDecodeError):
            valid, position = False, None
        if not valid or not isinstance(position, dict):
            raise InvalidArgument(
                "page_token is invalid, was altered, or belongs to a different query or caller",
                reason="INVALID_PAGE_TOKEN",
                violations=[FieldViolation("page_token", "not a token issued for this query")],
            )
        return position

    def keyset_after(self, token: str, *, query: str) -> tuple[dt.datetime, str] | None:
        """The (time, id) a keyset page starts after, from a token made by `keyset_page`."""
        position = self.decode(token, query=query)  # signed by us, so its shape is ours
        return (dt.datetime.fromisoformat(str(position["v"])), str(position["id"])) if position else None

    def page(self, rows: Sequence[T], limit: int, *, query: str, position: Callable[[T], dict[str, Any]]) -> tuple[list[T], str]:
        """A page's rows and the next page's token, from up to `limit + 1` rows read in the page's order:
        one more than `limit` means there is a next page, resuming after `position` of the last row served."""
        if len(rows) <= limit:
            return list(rows), ""
        page = list(rows[:limit])
        return page, self.encode(position(page[-1]), query=query)

    def keyset_page(
        self, rows: Sequence[T], limit: int, *, query: str, key: Callable[[T], tuple[dt.datetime | None, str]]
    ) -> tuple[list[T], str]:
        """`page` for rows read in (time, id) order; `keyset_after` reads its tokens."""

        def position(row: T) -> dict[str, Any]:
            value, row_id = key(row)
            return {"v": value.isoformat() if value else "", "id": row_id}

        return self.page(rows, limit, query=query, position=position)
