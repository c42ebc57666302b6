"""`buf breaking` (FILE rules) against the last published contracts.

protos/BASELINE names the commit of the last landed main whose protos are
public. Every session that starts from a new landing moves it forward; until
protos first land (an empty file, or a commit that is not in main's history
because it never landed) there is nothing to compare against and this says so.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
BASELINE = ROOT / "protos" / "BASELINE"
sys.path.insert(0, str(ROOT / "scripts"))
import protodeps  # noqa: E402  (a sibling script, not a package)


def build_image(workspace: pathlib.Path, out: pathlib.Path) -> None:
    buf = pathlib.Path(sys.executable).parent / "buf"
    subprocess.run([str(buf), "build", str(workspace), "-o", str(out)], check=True)


def main() -> int:
    ref = BASELINE.read_text().strip() if BASELINE.exists() else ""
    if not ref:
        print("no published baseline yet (protos/BASELINE is empty): nothing can break")
        return 0
    known = subprocess.run(["git", "cat-file", "-e", f"{ref}^{{commit}}"], cwd=ROOT, check=False, capture_output=True)
    if known.returncode != 0:
        shallow = subprocess.run(
            ["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, check=False, capture_output=True, text=True
        )
        if shallow.stdout.strip() == "true":
            print(f"baseline {ref[:12]} is outside this shallow clone: cannot check breaking changes here")
            return 0
        # Only landed commits are public, and a landed commit is in main's history: a baseline
        # missing from a full clone names work that never landed, so nothing was published.
        print(f"baseline {ref[:12]} is not in this history (it never landed): nothing published to compare against")
        return 0
    deps = protodeps.sync()
    with tempfile.TemporaryDirectory() as tmp:
        base = pathlib.Path(tmp) / "baseline"
        base.mkdir()
        # The baseline's contracts and buf.yaml, with the same third-party protos linked in:
        # buf cannot read the (uncommitted) proto-deps module from a git ref.
        archive = subprocess.run(["git", "archive", ref, "protos", "buf.yaml"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive.stdout, check=True)
        (base / "build").mkdir()
        (base / "build" / "proto-deps").symlink_to(deps, target_is_directory=True)
        build_image(base, pathlib.Path(tmp) / "baseline.binpb")
        build_image(ROOT, pathlib.Path(tmp) / "current.binpb")
        buf = pathlib.Path(sys.executable).parent / "buf"
        result = subprocess.run(
            [
                str(buf), "breaking", str(pathlib.Path(tmp) / "current.binpb"),
                "--against", str(pathlib.Path(tmp) / "baseline.binpb"),
                "--config", '{"version": "v2", "breaking": {"use": ["FILE"]}}',
            ],
            cwd=ROOT, check=False,
        )  # fmt: skip
    if result.returncode == 0:
        print(f"no breaking changes against {ref[:12]}")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
