"""What the contract checks cost per call: the bounds walk and name parsing, beside the
protobuf parse every call pays anyway (the same-run baseline). Prints microseconds per call.

    python benchmarks/bench_validation.py [--rounds 20000]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from collections.abc import Callable

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from google.protobuf import field_mask_pb2, timestamp_pb2
from marquee.auth.v1 import auth_pb2
from marquee.tracking.v1 import tracking_pb2

from services.core import names, validation
from services.core.tokens import Principal


def per_call_us(fn: Callable[[], object], rounds: int) -> float:
    for _ in range(min(rounds, 1000)):
        fn()
    best = float("inf")
    for _ in range(5):  # best of five: the machine is shared
        started = time.perf_counter()
        for _ in range(rounds):
            fn()
        best = min(best, (time.perf_counter() - started) / rounds * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    rounds = parser.parse_args().rounds
    small = auth_pb2.GetUserRequest(name="users/me")
    medium = tracking_pb2.ListHistoryEntriesRequest(
        parent="users/me", page_size=50, item="titles/abc", since=timestamp_pb2.Timestamp(seconds=1_700_000_000)
    )
    large = auth_pb2.UpdateUserRequest(
        user=auth_pb2.User(name="users/me", display_name="Ada", locale="en-GB", time_zone="Africa/Kampala"),
        update_mask=field_mask_pb2.FieldMask(paths=["display_name", "locale", "time_zone"]),
    )
    user = Principal("u1")
    print(f"{'request':28s} {'parse (baseline)':>17s} {'bounds check':>13s} {'names.owned':>12s}   (µs per call, best of 5)")
    for label, request, path in [("GetUserRequest", small, "name"), ("ListHistoryEntriesRequest", medium, "parent"),
                                 ("UpdateUserRequest", large, "user.name")]:  # fmt: skip
        data = request.SerializeToString()
        parse = per_call_us(lambda r=request, d=data: type(r).FromString(d), rounds)
        check = per_call_us(lambda r=request: validation.check(r), rounds)
        owned = per_call_us(lambda r=request, p=path: names.owned(r, p, principal=user), rounds)
        print(f"{label:28s} {parse:17.2f} {check:13.2f} {owned:12.2f}")


if __name__ == "__main__":
    main()
