"""Every response through the gateway carries the `x-request-id` the service logged."""

from __future__ import annotations

import httpx


async def test_json_success_and_error_responses_carry_a_request_id(http: httpx.AsyncClient) -> None:
    listed = await http.get("/catalog/v1/titles")
    missing = await http.get("/catalog/v1/titles/no-such-title-anywhere")
    assert listed.status_code == 200
    assert missing.status_code == 404
    ids = [listed.headers.get("x-request-id"), missing.headers.get("x-request-id")]
    assert all(ids), ids
    assert ids[0] != ids[1]
