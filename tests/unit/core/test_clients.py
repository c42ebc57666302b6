"""Whose address a call has: the peer, unless our gateway or a trusted proxy forwarded it."""

from __future__ import annotations

import pathlib

import pytest

from services.core.clients import GATEWAY_HEADER, ClientAddresses, gateway_token, peer_ip
from services.core.settings import Settings

TOKEN = "t" * 64


@pytest.mark.parametrize(
    ("peer", "ip"),
    [("ipv4:127.0.0.1:5000", "127.0.0.1"), ("ipv6:[::1]:5000", "::1"), ("ipv6:%5B::1%5D:5000", "::1"), ("unix:/tmp/s", "")],
)
def test_peer_ip(peer: str, ip: str) -> None:
    assert peer_ip(peer) == ip


def test_a_loopback_client_cannot_choose_its_address() -> None:
    addresses = ClientAddresses(TOKEN)
    assert addresses.resolve("ipv4:127.0.0.1:1", {"x-forwarded-for": "7.7.7.7"}) == "127.0.0.1"
    assert addresses.resolve("ipv4:127.0.0.1:1", {"x-forwarded-for": "7.7.7.7", GATEWAY_HEADER: "guess"}) == "127.0.0.1"
    assert addresses.resolve("ipv4:127.0.0.1:1", {"x-forwarded-for": "7.7.7.7", GATEWAY_HEADER: ""}) == "127.0.0.1"


def test_our_gateway_forwards_the_address_it_appended() -> None:
    addresses = ClientAddresses(TOKEN)
    metadata = {"x-forwarded-for": "6.6.6.6, 203.0.113.9", GATEWAY_HEADER: TOKEN}
    assert addresses.resolve("ipv4:10.1.2.3:1", metadata) == "203.0.113.9"  # the last entry: what Envoy saw
    assert addresses.resolve("ipv4:10.1.2.3:1", {**metadata, "x-forwarded-for": "not-an-ip"}) == "10.1.2.3"


def test_configured_proxies_are_trusted_by_address() -> None:
    addresses = ClientAddresses(TOKEN, ["10.0.0.0/8"])
    assert addresses.resolve("ipv4:10.9.9.9:1", {"x-forwarded-for": "198.51.100.7"}) == "198.51.100.7"
    assert addresses.resolve("ipv4:192.168.0.9:1", {"x-forwarded-for": "198.51.100.7"}) == "192.168.0.9"


def test_the_token_is_derived_from_the_secret_unless_set(tmp_path: pathlib.Path) -> None:
    one = Settings(data_dir=tmp_path, secret_key="a" * 40)
    assert gateway_token(one) == gateway_token(Settings(data_dir=tmp_path, secret_key="a" * 40))
    assert gateway_token(one) != gateway_token(Settings(data_dir=tmp_path, secret_key="b" * 40))
    assert gateway_token(Settings(data_dir=tmp_path, gateway_token="explicit")) == "explicit"


def test_bad_trusted_proxies_are_refused_at_start(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match="not an address or CIDR"):
        Settings(data_dir=tmp_path, trusted_proxies="10.0.0.0/8,not-a-network")
