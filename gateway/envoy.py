"""The Envoy configuration for browsers and HTTP clients, rendered from the compiled contracts.

Nothing here is written per RPC: the transcoder reads every `google.api.http` rule
from the descriptor set, and the list of services comes from the same file. One
listener serves JSON/HTTP (with server-sent events for streams), gRPC-Web and
native gRPC; Envoy's own replies (unknown route, unknown query parameter, body
too large, upstream down) are rewritten as JSON `google.rpc.Status` bodies so
clients parse one error shape everywhere.
"""

from __future__ import annotations

import base64
import json
import pathlib
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import descriptor_pb2
from google.rpc import error_details_pb2, status_pb2

ROOT = pathlib.Path(__file__).resolve().parent.parent
DESCRIPTORS = ROOT / "clients" / "descriptors" / "marquee.binpb"
UPSTREAM_CLUSTER = "marquee_grpc"
# JSON bodies above this are refused by Envoy before they reach a service (gRPC
# services enforce their own 4 MiB message limit on native and gRPC-Web calls).
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
ERROR_DOMAIN = "marquee.gateway"

# Envoy's own replies → google.rpc code and a stable ErrorInfo reason.
LOCAL_REPLIES = (
    (400, 3, "INVALID_REQUEST"),
    (401, 16, "UNAUTHENTICATED"),
    (403, 7, "FORBIDDEN"),
    (404, 5, "ROUTE_NOT_FOUND"),
    (405, 12, "METHOD_NOT_ALLOWED"),
    (408, 4, "REQUEST_TIMEOUT"),
    (413, 8, "BODY_TOO_LARGE"),
    (429, 8, "RATE_LIMITED"),
    (431, 8, "HEADERS_TOO_LARGE"),
    (500, 13, "GATEWAY_ERROR"),
    (502, 14, "UPSTREAM_UNAVAILABLE"),
    (503, 14, "UPSTREAM_UNAVAILABLE"),
    (504, 4, "UPSTREAM_TIMEOUT"),
)
ALLOW_HEADERS = ",".join(
    (
        "authorization", "content-type", "accept", "x-grpc-web", "x-user-agent", "grpc-timeout",
        "x-request-id", "connect-protocol-version", "connect-timeout-ms",
    )
)  # fmt: skip
EXPOSE_HEADERS = "grpc-status,grpc-message,grpc-status-details-bin,x-request-id"


@dataclass(frozen=True)
class Upstream:
    host: str
    port: int


@dataclass(frozen=True)
class GatewayConfig:
    """What varies between `marquee up` and a deployment."""

    listen_host: str
    listen_port: int
    admin_port: int
    upstreams: tuple[Upstream, ...]
    descriptor_path: pathlib.Path = DESCRIPTORS
    cors_allowed_origins: tuple[str, ...] = ("*",)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    access_log_path: str = "/dev/stdout"
    admin_host: str = "127.0.0.1"
    trusted_proxy_hops: int = 0  # load balancers in front of Envoy whose x-forwarded-for entries are trusted
    services: tuple[str, ...] = field(default=())
    health_check_interval_seconds: float = 2.0  # how often Envoy asks each upstream's grpc.health.v1
    # Sent upstream as x-marquee-gateway (replacing any the client sent), so the services trust the
    # x-forwarded-for this Envoy appends and no other (services/core/clients.py).
    gateway_token: str = ""
    # Media's segment gates (HTTP/1.1): players fetch `/media/v1/play/...` segment URLs through this
    # Envoy, so an app needs one origin; none is no route (the gates' own URLs are used instead).
    media_gates: tuple[Upstream, ...] = ()


def marquee_services(descriptor_path: pathlib.Path = DESCRIPTORS) -> list[str]:
    """Every `marquee.*` service in the descriptor set."""
    fds = descriptor_pb2.FileDescriptorSet.FromString(descriptor_path.read_bytes())
    return sorted(
        f"{file.package}.{service.name}" for file in fds.file if file.package.startswith("marquee.") for service in file.service
    )


def _local_reply_mappers() -> list[dict[str, Any]]:
    mappers = []
    for http_status, grpc_code, reason in LOCAL_REPLIES:
        mappers.append(
            {
                # Every local reply of this status, whatever the request: the transcoder rewrites a JSON
                # request's content-type to application/grpc before it can fail, so no header tells
                # them apart. Envoy sends a gRPC caller's local reply as grpc-status + grpc-message.
                "filter": {
                    "status_code_filter": {
                        "comparison": {
                            "op": "EQ",
                            "value": {"default_value": http_status, "runtime_key": f"marquee.local_reply.{http_status}"},
                        }
                    }
                },
                "body_format_override": {
                    "json_format": {
                        "code": grpc_code,
                        "message": "%LOCAL_REPLY_BODY%",
                        "details": [
                            {
                                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                "reason": reason,
                                "domain": ERROR_DOMAIN,
                            }
                        ],
                    },
                    "content_type": "application/json",
                },
            }
        )
    return mappers


def _cors_policy(origins: tuple[str, ...]) -> dict[str, Any]:
    if "*" in origins:
        matchers: list[dict[str, Any]] = [{"safe_regex": {"regex": ".*"}}]
    else:
        matchers = [{"exact": origin} for origin in origins]
    return {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy",
        "allow_origin_string_match": matchers,
        "allow_methods": "GET,POST,PUT,PATCH,DELETE,OPTIONS",
        "allow_headers": ALLOW_HEADERS,
        "expose_headers": EXPOSE_HEADERS,
        "max_age": "86400",
        "allow_credentials": False,
    }


MALFORMED_REQUEST = "MALFORMED_REQUEST"
NO_TE_MESSAGE = "a gRPC request must carry `te: trailers`"


def _malformed_grpc_status(message: str) -> str:
    """`grpc-status-details-bin` for a request refused at the edge: a google.rpc.Status with ErrorInfo."""
    info = error_details_pb2.ErrorInfo(reason=MALFORMED_REQUEST, domain=ERROR_DOMAIN)
    status = status_pb2.Status(code=3, message=message)
    status.details.add().Pack(info)
    return base64.b64encode(status.SerializeToString()).decode().rstrip("=")


def _grpc_without_te_route() -> dict[str, Any]:
    """Native gRPC without `te: trailers` is malformed (the gRPC HTTP/2 protocol requires it): answer
    INVALID_ARGUMENT / MALFORMED_REQUEST at the edge, like any other malformed request, rather than
    pass it on to be refused as UNKNOWN. gRPC-Web and JSON calls are converted before routing and
    never reach this route without the header."""
    not_web = {"name": "content-type", "string_match": {"prefix": "application/grpc-web"}, "invert_match": True}
    no_te = {"name": "te", "string_match": {"exact": "trailers"}, "invert_match": True, "treat_missing_header_as_empty": True}
    headers = {"content-type": "application/grpc", "grpc-status": "3", "grpc-message": NO_TE_MESSAGE,
               "grpc-status-details-bin": _malformed_grpc_status(NO_TE_MESSAGE)}  # fmt: skip
    return {
        "match": {"prefix": "/", "grpc": {}, "headers": [not_web, no_te]},
        "direct_response": {"status": 200},
        "response_headers_to_add": [
            {"header": {"key": key, "value": value}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}
            for key, value in headers.items()
        ],
    }


def _unbuffered_grpc_routes() -> list[dict[str, Any]]:
    """Native gRPC and gRPC-Web stream straight through: the services enforce their own
    message limit and answer RESOURCE_EXHAUSTED in a form those clients read."""
    no_buffer = {
        "envoy.filters.http.buffer": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.BufferPerRoute",
            "disabled": True,
        }
    }
    route = {"cluster": UPSTREAM_CLUSTER, "timeout": "0s", "idle_timeout": "0s"}
    grpc_web = {"name": "content-type", "string_match": {"prefix": "application/grpc-web"}}
    return [
        _grpc_without_te_route(),
        {"match": {"prefix": "/", "grpc": {}}, "route": route, "typed_per_filter_config": no_buffer},
        {"match": {"prefix": "/", "headers": [grpc_web]}, "route": route, "typed_per_filter_config": no_buffer},
    ]


MEDIA_GATE_CLUSTER = "marquee_media_gate"
MEDIA_GATE_PREFIX = "/media/v1/play/"  # services/media/gate.py serves this path


def _media_gate_route() -> dict[str, Any]:
    """Segment requests go to a gate as plain HTTP: no transcoding, no gRPC-Web, no body buffering."""
    off = {"@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig", "disabled": True}
    return {
        "match": {"prefix": MEDIA_GATE_PREFIX},
        "route": {"cluster": MEDIA_GATE_CLUSTER, "timeout": "10s"},
        "typed_per_filter_config": {
            "envoy.filters.http.grpc_json_transcoder": off,
            "envoy.filters.http.grpc_web": off,
            "envoy.filters.http.buffer": off,
        },
    }


def _media_gate_cluster(gates: tuple[Upstream, ...]) -> dict[str, Any]:
    return {
        "name": MEDIA_GATE_CLUSTER,
        "type": "STRICT_DNS",
        "dns_lookup_family": "V4_PREFERRED",
        "connect_timeout": "2s",
        "lb_policy": "ROUND_ROBIN",
        "dns_refresh_rate": "5s",
        # Any gate answers for any session (the session lives in Redis), so a gate that stops
        # accepting connections is simply skipped for a while.
        "outlier_detection": {"consecutive_5xx": 3, "consecutive_local_origin_failure": 3, "base_ejection_time": "5s"},
        "load_assignment": {
            "cluster_name": MEDIA_GATE_CLUSTER,
            "endpoints": [
                {
                    "lb_endpoints": [
                        {"endpoint": {"address": {"socket_address": {"address": g.host, "port_value": g.port}}}} for g in gates
                    ]
                }
            ],
        },
    }


def render(config: GatewayConfig) -> dict[str, Any]:
    """The full Envoy bootstrap as a dict (Envoy reads it as JSON)."""
    services = list(config.services) or marquee_services(config.descriptor_path)
    access_log = {
        "name": "envoy.access_loggers.file",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
            "path": config.access_log_path,
            "log_format": {
                "json_format": {
                    "time": "%START_TIME%",
                    "method": "%REQ(:METHOD)%",
                    "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
                    "status": "%RESPONSE_CODE%",
                    "grpc_status": "%GRPC_STATUS(NUMBER)%",
                    "duration_ms": "%DURATION%",
                    "bytes_in": "%BYTES_RECEIVED%",
                    "bytes_out": "%BYTES_SENT%",
                    "request_id": "%REQ(X-REQUEST-ID)%",
                    "user_agent": "%REQ(USER-AGENT)%",
                    "flags": "%RESPONSE_FLAGS%",
                }
            },
        },
    }
    http_filters = [
        {
            "name": "envoy.filters.http.cors",
            "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors"},
        },
        {
            "name": "envoy.filters.http.buffer",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer",
                "max_request_bytes": config.max_body_bytes,
            },
        },
        {
            "name": "envoy.filters.http.grpc_web",
            "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb"},
        },
        {
            "name": "envoy.filters.http.grpc_json_transcoder",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder",
                "proto_descriptor": str(config.descriptor_path.resolve()),
                "services": services,
                "convert_grpc_status": True,
                "case_insensitive_enum_parsing": True,
                # Path variables reach the services decoded (`titles/slug%3Ademo` is `titles/slug:demo`);
                # an encoded slash stays encoded, so a single-segment variable never grows a segment.
                "url_unescape_spec": "ALL_CHARACTERS_EXCEPT_SLASH",
                "max_request_body_size": config.max_body_bytes,
                "print_options": {
                    "add_whitespace": False,
                    "always_print_primitive_fields": False,
                    "always_print_enums_as_ints": False,
                    "preserve_proto_field_names": False,
                    # Streams arrive as text/event-stream, one `data:` event per message.
                    "stream_sse_style_delimited": True,
                },
                "request_validation_options": {
                    "reject_unknown_method": True,
                    "reject_unknown_query_parameters": True,
                },
            },
        },
        {
            "name": "envoy.filters.http.router",
            "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
        },
    ]
    connection_manager = {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "stat_prefix": "marquee",
        "codec_type": "AUTO",
        "generate_request_id": True,
        # Envoy is the edge: it appends the real client address to x-forwarded-for (and never
        # trusts one the client sent), which is what the services rate-limit and record.
        "use_remote_address": True,
        "xff_num_trusted_hops": config.trusted_proxy_hops,
        "access_log": [access_log],
        # Mid-stream errors reach HTTP/1.1 clients only as trailers.
        "http_protocol_options": {"enable_trailers": True},
        "http2_protocol_options": {"allow_connect": False},
        "local_reply_config": {"mappers": _local_reply_mappers()},
        "route_config": {
            "name": "marquee",
            "virtual_hosts": [
                {
                    "name": "marquee",
                    "domains": ["*"],
                    "typed_per_filter_config": {"envoy.filters.http.cors": _cors_policy(config.cors_allowed_origins)},
                    "request_headers_to_add": [
                        {
                            "header": {"key": "x-marquee-gateway", "value": config.gateway_token or "none"},
                            "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                        }
                    ],
                    "routes": [
                        *([_media_gate_route()] if config.media_gates else []),
                        *_unbuffered_grpc_routes(),
                        {
                            "match": {"prefix": "/"},
                            # No route timeout: operation progress and chat answers stream for minutes.
                            "route": {"cluster": UPSTREAM_CLUSTER, "timeout": "0s", "idle_timeout": "0s"},
                        },
                    ],
                }
            ],
        },
        "http_filters": http_filters,
    }
    return {
        "admin": {
            "address": {"socket_address": {"address": config.admin_host, "port_value": config.admin_port}},
        },
        "static_resources": {
            "listeners": [
                {
                    "name": "marquee_http",
                    "address": {"socket_address": {"address": config.listen_host, "port_value": config.listen_port}},
                    "per_connection_buffer_limit_bytes": 1024 * 1024,
                    "filter_chains": [
                        {
                            "filters": [
                                {
                                    "name": "envoy.filters.network.http_connection_manager",
                                    "typed_config": connection_manager,
                                }
                            ]
                        }
                    ],
                }
            ],
            "clusters": [
                {
                    "name": UPSTREAM_CLUSTER,
                    "type": "STRICT_DNS",
                    "dns_lookup_family": "V4_PREFERRED",
                    "connect_timeout": "2s",
                    "lb_policy": "ROUND_ROBIN",
                    # Re-resolve often: a headless Kubernetes service names every pod, and pods come and go.
                    "dns_refresh_rate": "5s",
                    # Panic (call every upstream, healthy or not) only when none is healthy: with two
                    # replicas and one draining, the default 50 % threshold would keep calling it; with
                    # one upstream that fails a check (at start-up, under load), calls still go through.
                    "common_lb_config": {"healthy_panic_threshold": {"value": 1.0}},
                    # grpc.health.v1 on every upstream: a process that is stopping flips to NOT_SERVING
                    # first (services/core/server.py), so Envoy stops sending it calls before it goes.
                    "health_checks": [
                        {
                            # Three failed checks in a row take a process out (6 s at the default interval,
                            # within the 10 s shutdown grace); a slow answer under load is not one.
                            "timeout": "5s",
                            "interval": f"{config.health_check_interval_seconds}s",
                            "no_traffic_interval": f"{config.health_check_interval_seconds}s",
                            # An unhealthy upstream is asked again soon, so one that comes back (or
                            # failed the very first check at start-up) is back in rotation at once.
                            "unhealthy_interval": "0.5s",
                            "unhealthy_threshold": 3,
                            "healthy_threshold": 1,
                            "grpc_health_check": {},
                        }
                    ],
                    "typed_extension_protocol_options": {
                        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                            "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                            "explicit_http_config": {"http2_protocol_options": {}},
                        }
                    },
                    "load_assignment": {
                        "cluster_name": UPSTREAM_CLUSTER,
                        "endpoints": [
                            {
                                "lb_endpoints": [
                                    {"endpoint": {"address": {"socket_address": {"address": u.host, "port_value": u.port}}}}
                                    for u in config.upstreams
                                ]
                            }
                        ],
                    },
                },
                *([_media_gate_cluster(config.media_gates)] if config.media_gates else []),
            ],
        },
    }


def write(config: GatewayConfig, path: pathlib.Path) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(render(config), indent=2) + "\n")
    return path


def parse_upstreams(text: str) -> tuple[Upstream, ...]:
    """`host:port,host:port` → upstreams (the deploy form of MARQUEE_GATEWAY_UPSTREAMS)."""
    upstreams = []
    for part in text.split(","):
        host, _, port = part.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"upstream {part!r} must be host:port")
        upstreams.append(Upstream(host, int(port)))
    if not upstreams:
        raise ValueError("at least one upstream is needed")
    return tuple(upstreams)
