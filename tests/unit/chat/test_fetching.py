"""The fetch guard: which addresses a document uri may reach, and that the HTTP client connects only to the
address it checked (a real local HTTP server; the DNS answers come from a stand-in resolver)."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.chat.domain import FetchPolicy, check_document_uri
from services.chat.fetching import FetchRefused, GuardedTransport
from services.core.errors import InvalidArgument

REFUSED = [
    "127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.0.1", "172.31.255.254", "192.168.0.10", "100.64.0.1",
    "169.254.169.254", "169.254.0.1", "0.0.0.0",  # noqa: S104 -- refused, not bound
    "224.0.0.1", "239.255.255.250", "255.255.255.255", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:c0a8:0101::1", "2001:db8::1",
]  # fmt: skip
PUBLIC = ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "1.1.1.1"]


@pytest.mark.parametrize("address", REFUSED)
def test_inside_addresses_are_refused(address: str) -> None:
    assert FetchPolicy().refusal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_fetched(address: str) -> None:
    assert FetchPolicy().refusal(ipaddress.ip_address(address)) is None


def test_the_allow_list_opens_only_its_networks() -> None:
    policy = FetchPolicy.of(False, ["127.0.0.1/32", "10.20.0.0/16"])
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert policy.refusal(ipaddress.ip_address("10.20.3.4")) is None
    assert policy.refusal(ipaddress.ip_address("127.0.0.2")) == "a loopback address"
    assert policy.refusal(ipaddress.ip_address("10.21.0.1")) == "a private address"
    assert FetchPolicy.of(True, []).refusal(ipaddress.ip_address("169.254.169.254")) is None


@pytest.mark.parametrize(
    "uri", ["http://127.0.0.1/a", "http://[::1]:8080/a", "https://169.254.169.254/", "http://localhost/a", "http://x.localhost/"]
)
def test_a_literal_inside_host_is_refused_before_anything_is_stored(uri: str) -> None:
    with pytest.raises(InvalidArgument, match="not fetched"):
        check_document_uri(uri, FetchPolicy())
    assert check_document_uri("http://example.org/a.txt", FetchPolicy()) == "http://example.org/a.txt"
    with pytest.raises(InvalidArgument):
        check_document_uri("http://example.org:99999/", FetchPolicy())


class Answers:
    """A DNS stand-in: each lookup pops the next answer, and the lookups are counted."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.answers.pop(0)


@pytest.fixture
def site() -> Iterator[tuple[int, list[str]]]:
    hosts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keeps the connection, so the second request reuses the checked one

        def log_message(self, format: str, *args: object) -> None:
            del format, args

        def do_GET(self) -> None:
            hosts.append(self.headers.get("Host", ""))
            if self.path == "/away":
                self.send_response(302)
                self.send_header("Location", "http://rebound.test/secret")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], hosts
    server.shutdown()
    server.server_close()


async def test_a_name_is_resolved_once_checked_and_connected_to_as_checked(site: tuple[int, list[str]]) -> None:
    import httpx

    port, hosts = site
    # The second answer would rebind the name to the metadata address; the connection never asks again.
    answers = Answers(["127.0.0.1"], ["169.254.169.254"])
    async with httpx.AsyncClient(transport=GuardedTransport(FetchPolicy.of(False, ["127.0.0.1/32"]), answers)) as client:
        first = await client.get(f"http://docs.example.test:{port}/a")
        second = await client.get(f"http://docs.example.test:{port}/b")  # the same kept-alive connection
    assert (first.text, second.text) == ("ok", "ok")
    assert answers.asked == ["docs.example.test"]
    assert hosts == [f"docs.example.test:{port}"] * 2


@pytest.mark.parametrize("answer", [["10.0.0.5"], ["93.184.215.14", "127.0.0.1"], ["::ffff:192.168.1.1"]])
async def test_a_name_with_any_inside_answer_is_refused(answer: list[str]) -> None:
    import httpx

    async with httpx.AsyncClient(transport=GuardedTransport(FetchPolicy(), Answers(answer))) as client:
        with pytest.raises(FetchRefused, match="not fetched"):
            await client.get("http://sneaky.example.test/")


async def test_every_redirect_is_checked_where_it_connects(site: tuple[int, list[str]]) -> None:
    import httpx

    port, hosts = site
    answers = Answers(["127.0.0.1"], ["10.1.1.1"])
    transport = GuardedTransport(FetchPolicy.of(False, ["127.0.0.1/32"]), answers)
    async with httpx.AsyncClient(transport=transport, follow_redirects=True) as client:
        with pytest.raises(FetchRefused, match=r"rebound\.test resolves to 10\.1\.1\.1"):
            await client.get(f"http://start.example.test:{port}/away")
    assert answers.asked == ["start.example.test", "rebound.test"]
    assert len(hosts) == 1
