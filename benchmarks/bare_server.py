"""The baseline for bench_auth_unary.py: a bare grpc.aio server with one unary method.

    python benchmarks/bare_server.py RESPONSE_BYTES [--port 0]

No interceptors, no auth, no database, no protobuf: a generic handler answers
`/bench.Bare/Get` with the same pre-serialized payload of RESPONSE_BYTES bytes,
whatever the request. The server options are the ones Marquee's create_server
sets, so the difference measured is Marquee's own work per call.

Prints `bare: grpc listening on 127.0.0.1:PORT` and `bare: ready`, then serves
until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import grpc

SERVICE = "bench.Bare"
METHOD = "Get"
FULL_METHOD = f"/{SERVICE}/{METHOD}"
HOST = "127.0.0.1"
MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # Marquee's default max_message_bytes


def payload(size: int) -> bytes:
    """A payload of exactly `size` bytes (contents do not matter: the client does not parse it)."""
    return (b"marquee-bare-baseline-" * (size // 22 + 1))[:size]


async def serve(size: int, port: int) -> None:
    response = payload(size)

    async def get(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return response

    # No request_deserializer/response_serializer: bytes in, bytes out.
    handler = grpc.method_handlers_generic_handler(SERVICE, {METHOD: grpc.unary_unary_rpc_method_handler(get)})
    server = grpc.aio.server(
        options=[
            ("grpc.so_reuseport", 0),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
        ],
    )
    server.add_generic_rpc_handlers((handler,))
    bound = server.add_insecure_port(f"{HOST}:{port}")
    if bound == 0:
        raise OSError(f"could not bind {HOST}:{port}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    print(f"bare: grpc listening on {HOST}:{bound}", flush=True)
    print(f"bare: response {size} bytes", flush=True)
    print("bare: ready", flush=True)
    await stop.wait()
    await server.stop(2.0)
    print("bare: stopped", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("response_bytes", type=int, help="size of the pre-serialized response")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 picks a free one)")
    args = parser.parse_args()
    if not 0 <= args.response_bytes <= MAX_MESSAGE_BYTES:
        parser.error(f"response_bytes must be between 0 and {MAX_MESSAGE_BYTES}")
    asyncio.run(serve(args.response_bytes, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
