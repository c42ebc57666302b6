"""The embedded Redis is shared by every process on one data dir; the last one to leave stops it."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import redis

from services.core.redis_store import EmbeddedRedis


def _alive(pid: int) -> bool:
    return pathlib.Path(f"/proc/{pid}").exists() and "zombie" not in pathlib.Path(f"/proc/{pid}/status").read_text()


def test_second_user_joins_and_the_last_one_stops_it(tmp_path: pathlib.Path) -> None:
    first, second = EmbeddedRedis(tmp_path / "redis"), EmbeddedRedis(tmp_path / "redis")
    url = first.start()
    try:
        assert not first.joined
        assert second.start() == url
        assert second.joined
        pid = first.pid
        assert pid is not None
        assert second.pid == pid
        redis.Redis.from_url(url).set("kept", "1")
        first.stop()
        assert _alive(pid)
        assert redis.Redis.from_url(url).get("kept") == b"1"
        second.stop()
        assert not _alive(pid)
    finally:
        first.stop()
        second.stop()


def test_a_user_killed_without_leaving_is_forgotten(tmp_path: pathlib.Path) -> None:
    directory = tmp_path / "redis"
    script = (
        "import sys, time; from services.core.redis_store import EmbeddedRedis; "
        "r = EmbeddedRedis(__import__('pathlib').Path(sys.argv[1])); r.start(); print(r.pid, flush=True); time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(directory)], stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    assert child.stdout is not None
    with child.stdout:
        pid = int(child.stdout.readline())
        child.kill()
        child.wait(10)
    joining = EmbeddedRedis(directory)
    try:
        joining.start()
        assert joining.joined  # the server outlived the process that started it
        assert joining.pid == pid
    finally:
        joining.stop()
    assert not _alive(pid)
