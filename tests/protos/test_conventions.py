"""The convention checker passes on the real contracts and catches each broken rule."""

from __future__ import annotations

import pathlib
import sys
from collections import Counter

import pytest
from google.protobuf import descriptor_pb2
from grpc_tools import protoc

from tests.protos import conventions

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import protodeps  # noqa: E402  (a script beside generate.py, not a package)

DESCRIPTORS = ROOT / "clients" / "descriptors" / "marquee.binpb"
FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def load(path: pathlib.Path) -> descriptor_pb2.FileDescriptorSet:
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(path.read_bytes())
    return fds


def test_real_contracts_follow_conventions() -> None:
    violations = conventions.check(load(DESCRIPTORS))
    assert violations == [], "\n".join(map(str, violations))


def test_all_eight_services_are_declared() -> None:
    services = {
        f"{file.package}.{service.name}"
        for file in load(DESCRIPTORS).file
        for service in file.service
        if file.package.startswith("marquee.")
    }
    assert services == {
        f"marquee.{name}.v1.{name.capitalize()}Service"
        for name in ("auth", "catalog", "tracking", "media", "notes", "chat", "billing", "ads")
    }


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> list[conventions.Violation]:
    out = tmp_path_factory.mktemp("broken") / "broken.binpb"
    deps = protodeps.sync()
    status = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{FIXTURES}",
            f"-I{ROOT / 'protos'}",
            f"-I{deps}",
            f"-I{protodeps.protobuf_include()}",
            f"--descriptor_set_out={out}",
            "--include_imports",
            "marquee/broken/v1/broken.proto",
        ]
    )
    assert status == 0
    return conventions.check(load(out))


def test_broken_contract_trips_every_rule(broken: list[conventions.Violation]) -> None:
    by_rule = Counter(v.rule for v in broken)
    assert by_rule == {
        "http": 1,
        "access": 1,
        "paging": 3,
        "http-prefix": 1,
        "http-variable": 1,
        "request-id": 1,
        "update-mask": 1,
        "http-collision": 1,
        "enum-zero": 1,
    }, "\n".join(map(str, broken))


def test_violations_name_the_offending_element(broken: list[conventions.Violation]) -> None:
    elements = {(v.rule, v.element) for v in broken}
    assert ("http", "marquee.broken.v1.BrokenService.GetThing") in elements
    assert ("access", "marquee.broken.v1.BrokenService.ListThings") in elements
    assert ("request-id", "marquee.broken.v1.BrokenService.MarkThing") in elements
    assert ("enum-zero", "marquee.broken.v1.Colour") in elements
    assert not any(v.element.endswith("UpdateOther") for v in broken)
