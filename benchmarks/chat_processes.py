"""The Chat benchmark's three parties in their own processes: the Marquee server, the stand-in model, the clients.

    python benchmarks/chat_processes.py standin          # prints {"openai_url", "control_url"}; stops at stdin EOF
    python benchmarks/chat_processes.py server [--code-root DIR]   # reads one JSON line (settings), prints {"port"}
    python benchmarks/chat_processes.py clients          # reads one JSON line (the streams), prints the figures

With all three in the benchmark's own process and event loop, the 100-stream figure counted the clients' own
decoding and the stand-in's 100 threads against the server (one GIL, one loop). Here the server has a process
of its own, so what is measured is the server's work. `--code-root` imports `services` from another checkout
(the same-run baseline of an older code path: its settings names must match). The stand-in's `token_delay`
is set over its control route: `POST /token_delay` with `{"seconds": 0.01}`.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

HERE = pathlib.Path(__file__).resolve()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- the parent's side ----------------------------------------------------------------------------------


class Child:
    """A child process of this script: one JSON line in (optional), one JSON line out, stopped by closing stdin."""

    def __init__(self, role: str, *args: str, config: dict[str, Any] | None = None) -> None:
        self.process = subprocess.Popen(  # noqa: S603 -- this interpreter running this file
            [sys.executable, str(HERE), role, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        if config is not None:
            self.process.stdin.write(json.dumps(config) + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=30)
            raise RuntimeError(f"the {role} process ended without an answer (exit {self.process.returncode})")
        self.answer: dict[str, Any] = json.loads(line)

    def cpu_seconds(self) -> float:
        """User + system CPU of the process (all its threads) so far, from /proc."""
        fields = pathlib.Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def py_spy(pid: int, output: pathlib.Path, seconds: int, *, gil: bool = False) -> subprocess.Popen[bytes]:
    """py-spy sampling `pid` (every thread; `gil`: only the one holding the GIL) in raw collapsed stacks."""
    spy = shutil.which("py-spy") or str(pathlib.Path(sys.executable).with_name("py-spy"))
    argv = [spy, "record", "--pid", str(pid), "--rate", "200", "--duration", str(seconds), "--format", "raw", "--nonblocking",
            "--threads", *(["--gil"] if gil else []), "--output", str(output)]  # fmt: skip
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 -- our own arguments


def set_token_delay(control_url: str, seconds: float) -> None:
    import httpx

    httpx.post(f"{control_url}/token_delay", json={"seconds": seconds}, timeout=5).raise_for_status()


# -- the stand-in model ---------------------------------------------------------------------------------


def standin_main() -> None:
    sys.path.insert(0, str(HERE.parents[1]))
    from tests.support.llm_standin import LlmStandin

    standin = LlmStandin(reply=lambda messages: "From the guide: " + " ".join(["word"] * 58) + " [1].", embedding_dim=256)

    class Control(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
            if self.path != "/token_delay":
                self.send_response(404)
                self.end_headers()
                return
            standin.token_delay = float(body["seconds"])
            self.send_response(204)
            self.end_headers()

    control = HTTPServer(("127.0.0.1", 0), Control)
    threading.Thread(target=control.serve_forever, daemon=True).start()
    with standin:
        print(json.dumps({"openai_url": standin.openai_url, "control_url": f"http://127.0.0.1:{control.server_address[1]}"}))
        sys.stdout.flush()
        sys.stdin.read()  # until the parent closes it
    control.shutdown()


# -- the server -----------------------------------------------------------------------------------------


def server_main(code_root: str) -> None:
    sys.path.insert(0, code_root or str(HERE.parents[1]))
    config = json.loads(sys.stdin.readline())

    from services.app import Dependencies, build_server
    from services.chat.settings import ChatSettings
    from services.core.embeddings import EmbeddingSettings
    from services.core.llm import LlmSettings
    from services.core.settings import Settings

    trace = _trace() if os.environ.get("CHAT_BENCH_TRACE") else None

    async def serve() -> None:
        deps = Dependencies.build(Settings(**config["settings"]))
        deps.service_settings[LlmSettings] = LlmSettings(**config["llm"])
        deps.service_settings[EmbeddingSettings] = EmbeddingSettings(**config["embeddings"])
        deps.service_settings[ChatSettings] = ChatSettings(**config["chat"])
        server = build_server(deps, address="127.0.0.1:0")
        await server.start()
        import services

        print(json.dumps({"port": server.port, "services": str(pathlib.Path(services.__file__).parent)}))
        sys.stdout.flush()
        try:
            await asyncio.to_thread(sys.stdin.read)
        finally:
            await server.stop(1.0)
            await deps.close()
            if trace is not None:
                await asyncio.to_thread(pathlib.Path(os.environ["CHAT_BENCH_TRACE"]).write_text, json.dumps(trace))

    asyncio.run(serve())


def _trace() -> dict[str, list[tuple[float, float]]]:
    """(start, end) of the answer path's steps, by name (CHAT_BENCH_TRACE=file: written when the server stops)."""
    import functools

    from services.chat.billing_client import BillingClient
    from services.chat.usecases import ChatUseCases
    from services.chat.writer import CoalescingWriter
    from services.core.db import Database

    spans: dict[str, list[tuple[float, float]]] = {}

    def timed(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                spans.setdefault(label, []).append((t, time.perf_counter()))

        setattr(owner, name, wrapper)

    for owner, name in ((ChatUseCases, "send_message"), (ChatUseCases, "_take_allowance"), (ChatUseCases, "_sources"),
                        (ChatUseCases, "_count"), (ChatUseCases, "_standing_instructions"), (ChatUseCases, "_query_vector"),
                        (BillingClient, "allowance"), (BillingClient, "_fetch"), (CoalescingWriter, "run"),
                        (Database, "read"), (Database, "run")):  # fmt: skip
        timed(owner, name, f"{owner.__name__}.{name}")
    return spans


# -- the clients ----------------------------------------------------------------------------------------


async def streams(address: str, tokens: list[str], questions: list[str]) -> dict[str, Any]:
    """One answer stream per token at once (each user creates a conversation, then asks): the figures."""
    import grpc
    from marquee.chat.v1 import chat_pb2 as pb
    from marquee.chat.v1 import chat_pb2_grpc

    async with grpc.aio.insecure_channel(address) as channel:
        stub = chat_pb2_grpc.ChatServiceStub(channel)

        async def first_token(token: str, question: str) -> tuple[float, bool, str]:
            user = (("authorization", f"Bearer {token}"),)
            created = await stub.CreateConversation(pb.CreateConversationRequest(parent="users/me"), metadata=user)
            started = time.perf_counter()
            first = None
            done = False
            asked = pb.SendMessageRequest(conversation=created.conversation.name, content=question)
            try:
                async for event in stub.SendMessage(asked, metadata=user):
                    if first is None and event.WhichOneof("event") == "delta":
                        first = time.perf_counter() - started
                    done = event.WhichOneof("event") == "completed"
            except grpc.aio.AioRpcError as exc:  # counted, not fatal: a refused answer is a figure too
                return float("nan"), False, exc.code().name
            return (first if first is not None else float("nan")), done, ""

        t = time.perf_counter()
        outcomes = await asyncio.gather(*(first_token(token, questions[n % len(questions)]) for n, token in enumerate(tokens)))
        wall = time.perf_counter() - t
    firsts = [o[0] for o in outcomes if o[0] == o[0]] or [float("nan")]  # those that got a first token
    failed: dict[str, int] = {}
    for outcome in outcomes:
        if outcome[2]:
            failed[outcome[2]] = failed.get(outcome[2], 0) + 1
    return {
        "concurrent_streams": len(tokens),
        "concurrent_completed": sum(1 for o in outcomes if o[1]),
        "concurrent_failed": failed,
        "concurrent_wall_s": round(wall, 2),
        "concurrent_ttft_p50_ms": round(statistics.median(firsts) * 1000, 1),
        "concurrent_ttft_p99_ms": round(percentile(firsts, 0.99) * 1000, 1),
        "concurrent_ttft_max_ms": round(max(firsts) * 1000, 1),
    }


def clients_main() -> None:
    config = json.loads(sys.stdin.readline())
    print(json.dumps(asyncio.run(streams(config["address"], config["tokens"], config["questions"]))))
    sys.stdout.flush()


if __name__ == "__main__":
    role = sys.argv[1]
    if role == "standin":
        standin_main()
    elif role == "server":
        server_main(sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--code-root" else "")
    elif role == "clients":
        clients_main()
    else:
        raise SystemExit(f"unknown role {role!r}: standin, server or clients")
