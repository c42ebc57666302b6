"""The embedded SeaweedFS keeps its logs, sockets and temp files in its own directory and is gone after stop."""

from __future__ import annotations

import os
import pathlib

from services.core.seaweedfs import EmbeddedSeaweedFS
from services.core.storage import CONNECTION_FILE, ObjectStore

TMP = pathlib.Path("/tmp")  # noqa: S108 - where weed writes when not told otherwise


def _ours(names: set[str], store: EmbeddedSeaweedFS, pid: int) -> set[str]:
    """Entries of /tmp that belong to this store (other stores on the machine share /tmp)."""
    marks = [f"-{port}." for port in store.ports.values()] + [f".{pid}"]
    return {n for n in names if any(mark in n for mark in marks)}


def test_embedded_store_writes_only_into_its_directory(tmp_path: pathlib.Path) -> None:
    before = set(os.listdir(TMP))
    store = EmbeddedSeaweedFS(tmp_path / "seaweedfs")
    connection = store.start()
    pid = store.pid
    assert pid is not None
    try:
        ObjectStore(connection).put_bytes("probe/hello.txt", b"hello", content_type="text/plain")
        assert ObjectStore(connection).get_bytes("probe/hello.txt") == b"hello"
        leaked = _ours(set(os.listdir(TMP)) - before, store, pid)
        # Only the gRPC sockets whose path weed 4.48 hard-codes; no logs, no filer/S3 sockets.
        assert leaked <= {p.name for p in store.hardcoded_sockets()}, leaked
        logs = list((store.directory / "logs").iterdir())
        assert any(p.name.startswith("weed.") and p.name.endswith(str(pid)) for p in logs), logs
        assert (store.directory / "filer.sock").is_socket()
        assert (store.directory / "s3.sock").is_socket()
    finally:
        store.stop(grace_seconds=2.0)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError(f"weed {pid} still runs after stop")
    assert _ours(set(os.listdir(TMP)) - before, store, pid) == set()
    assert not (store.directory / CONNECTION_FILE).exists()
