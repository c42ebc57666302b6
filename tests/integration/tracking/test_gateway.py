"""Account export and erasure as JSON over HTTP through a real Envoy, as Auth's fan-out or an operator calls them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from marquee.tracking.v1 import tracking_pb2 as pb

from services.core.server import Server
from tests.gateway.helpers import running_gateway
from tests.integration.tracking.conftest import Caller, Show


@pytest.fixture(scope="module")
async def http(server: Server, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        running_gateway(server.port, tmp_path_factory.mktemp("envoy-tracking")) as envoy,
        httpx.AsyncClient(base_url=envoy.url, timeout=15.0) as client,
    ):
        yield client


def bearer(caller: Caller) -> dict[str, str]:
    return {"authorization": dict(caller.auth)["authorization"]}


async def test_export_is_the_whole_body_and_purge_answers_json(
    http: httpx.AsyncClient, tracking, service: Caller, alice: Caller, show: Show
) -> None:
    await tracking.MarkWatched(pb.MarkWatchedRequest(parent="users/me", items=[show.episode(1, 1)]), metadata=alice.auth)

    export = await http.get(f"/tracking/v1/{alice.name}:export", headers=bearer(service))
    assert export.status_code == 200, export.text
    assert export.headers["content-type"].startswith("application/json")
    document = export.json()  # the document itself, not wrapped in a message
    assert document["user"] == alice.name
    assert [(p["title_id"], p["season_number"], p["episode_number"]) for p in document["watch_history"]] == [
        (show.title_id, 1, 1)
    ]

    purged = await http.post(f"/tracking/v1/{alice.name}:purge", headers=bearer(service), json={"requestId": "r1"})
    assert purged.status_code == 200, purged.text
    body = purged.json()
    erased = {d["category"]: int(d.get("count", "0")) for d in body["erased"]}
    assert erased["watch_history"] == 1
    assert erased["watchlist"] == 1
    assert body["historyEntryCount"] == "1"  # int64 as a string, as JSON mapping says
    assert "retained" not in body or body["retained"] == []
    again = await http.get(f"/tracking/v1/{alice.name}:export", headers=bearer(service))
    assert again.json()["watch_history"] == []


async def test_bad_names_and_callers_over_http(http: httpx.AsyncClient, service: Caller, alice: Caller) -> None:
    me = await http.get("/tracking/v1/users/me:export", headers=bearer(service))
    assert me.status_code == 400, me.text
    assert me.json()["details"][0]["reason"] == "INVALID_ARGUMENT"
    user = await http.post(f"/tracking/v1/{alice.name}:purge", headers=bearer(alice), json={})
    assert user.status_code == 403, user.text
    anonymous = await http.get(f"/tracking/v1/{alice.name}:export")
    assert anonymous.status_code == 401, anonymous.text
