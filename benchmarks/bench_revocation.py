"""How fast a revocation reaches another server process, and what the check costs per call.

1. Latency: two `marquee serve --services auth` processes on one data dir (one SQLite file, one
   embedded Redis, as `marquee serve` once per core runs). Each round signs in on process A,
   checks the token works on process B, signs out on A (`Logout`), then calls B back to back
   until it answers UNAUTHENTICATED / SESSION_REVOKED. The figure is the time from A's Logout
   reply to B's first refusal.
2. Cost: `TokenVerifier.verify` on a cached token, in this process, without a revocation set
   (the baseline), with an empty one, and with 100,000 revoked sessions and users.

    python benchmarks/bench_revocation.py [--rounds 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import uuid

import grpc
from marquee.auth.v1 import auth_pb2, auth_pb2_grpc
from support import ROOT, ManagedProcess, child_env, log

from services.core.revocation import Revocations, Revoked
from services.core.settings import Settings
from services.core.tokens import KeySet, TokenSigner, TokenVerifier

READY = re.compile(r"marquee: ready")
PORT = re.compile(r"grpc listening on 127\.0\.0\.1:(\d+)")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def latency_rounds(port_a: int, port_b: int, rounds: int) -> list[float]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port_a}") as a, grpc.aio.insecure_channel(f"127.0.0.1:{port_b}") as b:
        stub_a, stub_b = auth_pb2_grpc.AuthServiceStub(a), auth_pb2_grpc.AuthServiceStub(b)
        email, password = f"revoke-{uuid.uuid4().hex[:8]}@example.com", "a long bench passphrase"
        await stub_a.Register(auth_pb2.RegisterRequest(email=email, password=password))
        waits = []
        for _ in range(rounds):
            login = await stub_a.Login(auth_pb2.LoginRequest(email=email, password=password))
            bearer = (("authorization", f"Bearer {login.tokens.access_token}"),)
            await stub_b.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=bearer)
            await stub_a.Logout(auth_pb2.LogoutRequest(refresh_token=login.tokens.refresh_token))
            signed_out = time.perf_counter()
            while True:
                try:
                    await stub_b.GetUser(auth_pb2.GetUserRequest(name="users/me"), metadata=bearer)
                except grpc.aio.AioRpcError as error:
                    if error.code() != grpc.StatusCode.UNAUTHENTICATED:
                        raise
                    waits.append(time.perf_counter() - signed_out)
                    break
                if time.perf_counter() - signed_out > 30:
                    raise RuntimeError("process B still honours a signed-out session after 30 s")
        return waits


def check_cost(entries: int) -> dict[str, float]:
    """ns per verify() of a cached token: no set, an empty set, `entries` revoked sessions and users."""
    settings = Settings(data_dir=pathlib.Path(tempfile.mkdtemp()))
    keys = KeySet.from_settings(settings)
    token, _ = TokenSigner.from_settings(settings, keys).sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex, role="user")
    verifier = TokenVerifier.from_settings(settings, keys)
    verifier.verify(token)  # cached from here on
    results = {}
    number = 200_000
    results["no_revocation_set_ns"] = min(timeit.repeat(lambda: verifier.verify(token), number=number, repeat=5)) / number * 1e9
    revocations = Revocations("redis://unused", lifetime_seconds=900)
    verifier.revocations = revocations
    results["empty_set_ns"] = min(timeit.repeat(lambda: verifier.verify(token), number=number, repeat=5)) / number * 1e9
    until = time.time() + 900
    # Filled as the listener fills it (no Redis needed to measure a lookup).
    revocations._sessions.update({uuid.uuid4().hex: Revoked("logout", until) for _ in range(entries)})
    revocations._users.update({uuid.uuid4().hex: Revoked("account_disabled", until) for _ in range(entries)})
    results[f"{entries}_entries_ns"] = min(timeit.repeat(lambda: verifier.verify(token), number=number, repeat=5)) / number * 1e9
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="bench-revocation-"))
    # Every round signs in again: lift the per-account login limit (5 a minute) for the run.
    env = child_env(
        {"MARQUEE_DATA_DIR": str(workdir / "data"), "MARQUEE_LOG_LEVEL": "WARNING", "MARQUEE_LOGIN_ATTEMPTS_PER_MINUTE": "100000"}
    )
    migrated = subprocess.run(
        [sys.executable, "-m", "services.cli", "migrate"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    if migrated.returncode != 0:
        raise RuntimeError(f"marquee migrate failed:\n{migrated.stdout}{migrated.stderr}")
    argv = [sys.executable, "-m", "services.cli", "serve", "--services", "auth", "--port", "0"]
    servers = [ManagedProcess(name, argv, env, workdir / f"{name}.log") for name in ("a", "b")]
    try:
        ports = []
        for server in servers:
            (found,) = server.start(READY, PORT)
            ports.append(int(found.group(1)))
        log(f"two auth processes on ports {ports}; {args.rounds} sign-in / sign-out rounds")
        waits = asyncio.run(latency_rounds(ports[0], ports[1], args.rounds))
    finally:
        for server in reversed(servers):
            server.stop()
    costs = check_cost(100_000)
    figures = {
        "rounds": len(waits),
        "revoke_to_refused_p50_ms": round(statistics.median(waits) * 1000, 2),
        "revoke_to_refused_p99_ms": round(percentile(waits, 0.99) * 1000, 2),
        "revoke_to_refused_max_ms": round(max(waits) * 1000, 2),
        **{key: round(value, 1) for key, value in costs.items()},
    }
    print(
        f"revoke on A -> first refusal on B: p50 {figures['revoke_to_refused_p50_ms']} ms, "
        f"p99 {figures['revoke_to_refused_p99_ms']} ms, max {figures['revoke_to_refused_max_ms']} ms ({len(waits)} rounds)"
    )
    print(
        f"verify() of a cached token: {costs['no_revocation_set_ns']:.0f} ns without a revocation set, "
        f"{costs['empty_set_ns']:.0f} ns with an empty one, {costs['100000_entries_ns']:.0f} ns with 100,000 entries"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
