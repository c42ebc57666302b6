"""Generate the TypeScript client in clients/web/src/gen/ from protos/, offline.

Runs the protoc that grpcio-tools ships with protoc-gen-es (clients/web/node_modules)
over every Marquee contract, the googleapis files they import (linked into
build/proto-deps by scripts/protodeps.py), google/rpc/error_details.proto (the
error detail types clients decode) and grpc.health.v1. The well-known types
(google/protobuf/*) are not generated: protoc-gen-es maps them to
@bufbuild/protobuf/wkt.

grpcio-health-checking ships no health.proto, only the compiled module, so the
Health contract is taken from the descriptor compiled into that module
(`grpc_health/v1/health_pb2.py`): nothing is written by hand.

Usage (normally through `npm run generate` / `npm run generate:check`):
  python clients/web/scripts/generate.py            # rewrite src/gen/
  python clients/web/scripts/generate.py --check    # fail if src/gen/ is stale
"""

from __future__ import annotations

import argparse
import filecmp
import os
import pathlib
import shutil
import sys
import tempfile

from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2
from grpc_tools import protoc

WEB = pathlib.Path(__file__).resolve().parent.parent
ROOT = WEB.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import protodeps  # noqa: E402 - the repository's own helper, found through the path above

PROTOS = ROOT / "protos"
GEN = WEB / "src" / "gen"
PLUGIN = WEB / "node_modules" / ".bin" / ("protoc-gen-es.cmd" if os.name == "nt" else "protoc-gen-es")
# Error details travel inside grpc-status-details-bin; no contract imports them.
DETAIL_PROTOS = ["google/rpc/error_details.proto"]
ES_OPTIONS = "target=ts,import_extension=js"


def marquee_protos() -> list[str]:
    return sorted(p.relative_to(PROTOS).as_posix() for p in PROTOS.rglob("*.proto"))


def include_args(deps: pathlib.Path) -> list[str]:
    return [f"-I{PROTOS}", f"-I{deps}", f"-I{protodeps.protobuf_include()}"]


def protoc_run(argv: list[str]) -> None:
    if protoc.main(["grpc_tools.protoc", *argv]) != 0:
        raise SystemExit("protoc failed")


def files_to_generate(deps: pathlib.Path, tmp: pathlib.Path) -> list[str]:
    """The contracts, the detail types and everything they import except the well-known types."""
    closure = tmp / "closure.binpb"
    protoc_run([*include_args(deps), f"--descriptor_set_out={closure}", "--include_imports", *marquee_protos(), *DETAIL_PROTOS])
    fds = descriptor_pb2.FileDescriptorSet.FromString(closure.read_bytes())
    return sorted(f.name for f in fds.file if not f.name.startswith("google/protobuf/"))


def health_descriptor_set(tmp: pathlib.Path) -> tuple[pathlib.Path, str]:
    """A descriptor set holding the Health contract exactly as grpcio-health-checking compiled it."""
    file = descriptor_pb2.FileDescriptorProto()
    health_pb2.DESCRIPTOR.CopyToProto(file)
    path = tmp / "health.binpb"
    path.write_bytes(descriptor_pb2.FileDescriptorSet(file=[file]).SerializeToString())
    return path, file.name


def generate(out: pathlib.Path) -> list[str]:
    if not PLUGIN.exists():
        raise SystemExit(f"{PLUGIN} is missing: run `npm ci` in {WEB}")
    deps = protodeps.sync()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = pathlib.Path(tmp_name)
        files = files_to_generate(deps, tmp)
        health_set, health_file = health_descriptor_set(tmp)
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        protoc_run(
            [
                *include_args(deps),
                f"--descriptor_set_in={health_set}",
                f"--plugin=protoc-gen-es={PLUGIN}",
                f"--es_out={out}",
                f"--es_opt={ES_OPTIONS}",
                *files,
                health_file,
            ]
        )
    return [*files, health_file]


def tree(root: pathlib.Path) -> dict[str, pathlib.Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def check() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = pathlib.Path(tmp) / "gen"
        generate(fresh)
        want, have = tree(fresh), tree(GEN) if GEN.exists() else {}
        stale = sorted(set(want) ^ set(have))
        stale += sorted(k for k in set(want) & set(have) if not filecmp.cmp(want[k], have[k], shallow=False))
    if stale:
        print("clients/web/src/gen is stale; run `npm run generate` in clients/web:", *stale, sep="\n  ", file=sys.stderr)
        return 1
    print(f"clients/web/src/gen is up to date ({len(want)} files)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="regenerate into a temporary folder and diff")
    args = parser.parse_args()
    if args.check:
        return check()
    generated = generate(GEN)
    print(f"generated {len(tree(GEN))} files from {len(generated)} protos into {GEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
