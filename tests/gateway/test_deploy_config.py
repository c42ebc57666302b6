"""The deployment's gateway config: rendered from the environment by the same template, valid for Envoy."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

from gateway.process import envoy_executable

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_gateway_config_renders_from_environment_upstreams_and_validates(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "envoy.json"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")},
        "MARQUEE_CORS_ALLOWED_ORIGINS": "https://app.example.com",
    }
    argv = [sys.executable, "-m", "services.cli", "gateway-config", "--upstreams", "marquee-a:50051,10.1.2.3:6000"]
    rendered = subprocess.run(
        [*argv, "--out", str(out)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False
    )
    assert rendered.returncode == 0, rendered.stderr
    config = json.loads(out.read_text())
    endpoints = config["static_resources"]["clusters"][0]["load_assignment"]["endpoints"][0]["lb_endpoints"]
    assert [e["endpoint"]["address"]["socket_address"] for e in endpoints] == [
        {"address": "marquee-a", "port_value": 50051},
        {"address": "10.1.2.3", "port_value": 6000},
    ]
    assert config["admin"]["address"]["socket_address"]["address"] == "127.0.0.1"  # admin never leaves loopback
    listener = config["static_resources"]["listeners"][0]["address"]["socket_address"]
    assert listener == {"address": "0.0.0.0", "port_value": 8080}  # noqa: S104 - the deploy listener
    cors = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]["route_config"]
    origins = cors["virtual_hosts"][0]["typed_per_filter_config"]["envoy.filters.http.cors"]["allow_origin_string_match"]
    assert origins == [{"exact": "https://app.example.com"}]
    validated = subprocess.run(
        [envoy_executable(), "--mode", "validate", "-c", str(out)], capture_output=True, text=True, timeout=60, check=False
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_media_gates_get_a_plain_http_route_that_validates(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "envoy.json"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")},
        "MARQUEE_CORS_ALLOWED_ORIGINS": "https://a.test",
    }
    argv = [sys.executable, "-m", "services.cli", "gateway-config", "--upstreams", "marquee-grpc:50051"]
    argv += ["--media-gates", "marquee-grpc:8090", "--out", str(out)]
    rendered = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False)
    assert rendered.returncode == 0, rendered.stderr
    config = json.loads(out.read_text())
    clusters = {c["name"]: c for c in config["static_resources"]["clusters"]}
    gate = clusters["marquee_media_gate"]["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
    assert gate["address"]["socket_address"] == {"address": "marquee-grpc", "port_value": 8090}
    assert "typed_extension_protocol_options" not in clusters["marquee_media_gate"]  # HTTP/1.1, not gRPC
    manager = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    first = manager["route_config"]["virtual_hosts"][0]["routes"][0]
    assert first["match"] == {"prefix": "/media/v1/play/"}
    assert first["typed_per_filter_config"]["envoy.filters.http.grpc_json_transcoder"]["disabled"] is True
    validated = subprocess.run(
        [envoy_executable(), "--mode", "validate", "-c", str(out)], capture_output=True, text=True, timeout=60, check=False
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_entrypoint_refuses_to_start_without_upstreams(tmp_path: pathlib.Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARQUEE_")}
    result = subprocess.run(
        ["sh", str(ROOT / "deploy" / "envoy-entrypoint.sh")], capture_output=True, text=True, env=env, timeout=30, check=False
    )
    assert result.returncode != 0
    assert "MARQUEE_GATEWAY_UPSTREAMS" in result.stderr
