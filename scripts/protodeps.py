"""Expose the third-party .proto sources we import under build/proto-deps.

The googleapis protos come from the installed googleapis-common-protos wheel
(never copied into the repo); buf and protoc read them from here.
"""

from __future__ import annotations

import pathlib
import shutil
import sys

import google.api
import grpc_tools

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEST = ROOT / "build" / "proto-deps"
# Packages of googleapis-common-protos whose .proto sources we import.
GOOGLE_PACKAGES = ("api", "rpc", "type", "longrunning")


def google_root() -> pathlib.Path:
    return pathlib.Path(next(iter(google.api.__path__))).parent


def protobuf_include() -> pathlib.Path:
    """The well-known types shipped by grpcio-tools (google/protobuf/*.proto)."""
    return pathlib.Path(next(iter(grpc_tools.__path__))) / "_proto"


def sync() -> pathlib.Path:
    if DEST.exists():
        shutil.rmtree(DEST)
    for package in GOOGLE_PACKAGES:
        source = google_root() / package
        target = DEST / "google" / package
        target.mkdir(parents=True)
        for proto in sorted(source.glob("*.proto")):
            (target / proto.name).symlink_to(proto)
    return DEST


if __name__ == "__main__":
    print(sync(), file=sys.stderr)
