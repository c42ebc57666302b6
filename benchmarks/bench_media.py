"""Media figures, each beside a baseline measured in the same run on the same machine.

1. Transcode of a generated 1080p clip (testsrc2 + sine, `--seconds`, default 60) to the
   full STANDARD ladder through Marquee (StartTranscode → operation SUCCEEDED, one worker
   with one slot) against the very same ffmpeg commands (every rung, thumbnails, storyboard,
   audio) run directly one after the other: the overhead.
2. Time until the first rung is playable (the asset lists a rendition).
3. The same transcode with two workers (one slot each) against one.
4. Upload throughput: a presigned PUT from CreateUpload against a raw boto3 PUT to SeaweedFS.
5. Submit → first progress event: p50 over `--submits` small transcodes.
6. Playlist cost for a two-hour film: writing the per-session playlists of 5 rungs x 1200
   segments with gate-signed segment URLs (what CreatePlaybackSession does) against the
   former all-SigV4 playlists, and fetching the master and one variant against fetching the
   unsigned stored playlist.
7. The segment gate, per segment: GET a segment through the gate (check + 302 + the storage
   GET) against GET of a presigned storage URL directly, on a real session of the clip.

Runs everything on the embedded defaults in a temporary folder (SQLite, embedded Redis,
embedded SeaweedFS, real `marquee worker` processes) and removes it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any

import grpc
import httpx
import imageio_ffmpeg

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from marquee.longrunning.v1 import operation_pb2
from marquee.media.v1 import media_pb2 as pb
from marquee.media.v1 import media_pb2_grpc

from benchmarks.support import ROOT, child_env, log
from services.app import Dependencies, build_server
from services.core import migrate
from services.core.processes import stop_process
from services.core.redis_store import EmbeddedRedis
from services.core.seaweedfs import EmbeddedSeaweedFS
from services.core.settings import Settings
from services.core.storage import ObjectStore
from services.core.tokens import ROLE_ADMIN, KeySet, TokenSigner
from services.media import domain

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
SUCCEEDED = operation_pb2.OPERATION_STATE_SUCCEEDED


def make_clip(path: pathlib.Path, seconds: float, size: str) -> pathlib.Path:
    subprocess.run(  # noqa: S603 - ffmpeg from imageio-ffmpeg with an argument list
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(seconds),
         "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    return path


def direct_commands(source: pathlib.Path, out: pathlib.Path, duration: float) -> list[list[str]]:
    """Exactly what the pipeline runs for a 1080p source with the STANDARD ladder and defaults."""
    commands = []
    for rung in domain.ladder(1920, 1080, "standard"):
        folder = out / rung.name
        folder.mkdir(parents=True)
        commands.append(domain.encode_command(FFMPEG, str(source), str(folder), rung, has_audio=True))
    for n in range(10):
        commands.append(domain.thumbnail_command(FFMPEG, str(source), str(out / f"t{n}.jpg"), duration * (n + 0.5) / 10))
    frames = int(duration // 10) + 1
    columns = min(10, frames)
    commands.append(
        domain.storyboard_command(
            FFMPEG,
            str(source),
            str(out / "sprite.jpg"),
            interval=10.0,
            tile_width=240,
            columns=columns,
            rows=max(1, -(-frames // columns)),
        )
    )
    commands.append(domain.audio_command(FFMPEG, str(source), str(out / "audio.m4a")))
    return commands


def run_direct(source: pathlib.Path, work: pathlib.Path, duration: float) -> tuple[float, float]:
    """(all commands, the five encodes alone) in seconds."""
    out = work / f"direct-{uuid.uuid4().hex[:6]}"
    out.mkdir()
    started = time.monotonic()
    encodes = 0.0
    for command in direct_commands(source, out, duration):
        t0 = time.monotonic()
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - the pipeline's own ffmpeg commands
        if "-hls_time" in command:
            encodes += time.monotonic() - t0
    elapsed = time.monotonic() - started
    shutil.rmtree(out, ignore_errors=True)
    return elapsed, encodes


def start_worker(settings: Settings, name: str) -> subprocess.Popen[bytes]:
    env = child_env(
        {
            "MARQUEE_REDIS_URL": settings.redis_url,
            "MARQUEE_DATABASE_URL": settings.resolved_database_url,
            "MARQUEE_DATA_DIR": str(settings.data_dir),
            "MARQUEE_LOG_LEVEL": "WARNING",
            "MARQUEE_WORKER_TASK_MODULES": "",
            "PYTHONPATH": str(ROOT),
        }
    )
    log_file = (settings.data_dir / f"worker-{name}.log").open("ab")
    argv = [sys.executable, "-m", "services.cli", "worker", "--queues", "media", "--concurrency", "1"]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
        [*argv, "--hostname", f"{name}@bench"],
        env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_workers(settings: Settings, names: list[str]) -> None:
    from services.worker import create_celery

    app = create_celery(settings, register=False)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            replies = app.control.ping(destination=[f"{n}@bench" for n in names], timeout=0.5)
            if len(replies) == len(names):
                return
        raise RuntimeError("workers did not start")
    finally:
        app.close()


class Bench:
    def __init__(self, stub: media_pb2_grpc.MediaServiceStub, auth: tuple[tuple[str, str], ...]) -> None:
        self.stub = stub
        self.auth = auth

    async def upload(self, path: pathlib.Path, purpose: int = pb.ASSET_PURPOSE_EXTRA) -> tuple[pb.Asset, float]:
        data = await asyncio.to_thread(path.read_bytes)
        created = await self.stub.CreateUpload(
            pb.CreateUploadRequest(
                filename=path.name, content_type="video/mp4", size_bytes=len(data), asset=pb.Asset(purpose=purpose)
            ),
            metadata=self.auth,
        )
        async with httpx.AsyncClient(timeout=300) as client:
            started = time.monotonic()
            reply = await client.put(created.upload_target.url, content=data, headers=dict(created.upload_target.headers))
            put_seconds = time.monotonic() - started
        assert reply.status_code == 200, reply.text
        done = await self.stub.CompleteUpload(pb.CompleteUploadRequest(name=created.asset.name), metadata=self.auth)
        return done.asset, put_seconds

    async def transcode(self, asset: pb.Asset, *, thumbnails: int = 10) -> dict[str, float]:
        """Submit → SUCCEEDED, with the first progress event and the first playable rung on the way."""
        started = time.monotonic()
        operation = (
            await self.stub.StartTranscode(
                pb.StartTranscodeRequest(name=asset.name, settings=pb.TranscodeSettings(thumbnail_count=thumbnails)),
                metadata=self.auth,
            )
        ).operation
        figures: dict[str, float] = {}

        async def first_rung() -> None:
            while True:
                got = (await self.stub.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=self.auth)).asset
                if got.renditions:
                    figures["first_rung_s"] = time.monotonic() - started
                    return
                await asyncio.sleep(0.1)

        poller = asyncio.ensure_future(first_rung())
        async for reply in self.stub.WatchOperation(pb.WatchOperationRequest(name=operation.name), metadata=self.auth):
            op = reply.event.operation
            if "first_event_s" not in figures and op.progress.step:
                figures["first_event_s"] = time.monotonic() - started
            step = op.progress.step
            if step and f"step_{step}_s" not in figures:
                figures[f"step_{step}_s"] = time.monotonic() - started
            if op.done:
                assert op.state == SUCCEEDED, op.error.message
                break
        figures["total_s"] = time.monotonic() - started
        await asyncio.wait_for(poller, 30)
        return figures


def playlist_cost(store: ObjectStore, segments: int, rungs: int, *, mode: str = "gate") -> dict[str, float]:
    """Per-session signing of a two-hour film's playlists, and fetching them, against the stored unsigned one.
    `mode`: "gate" — segment URLs signed for the segment gate (HMAC, what sessions use; the same URL shape as
    MediaUseCases._gate_segment); "sigv4" — every segment presigned for storage (the former design)."""
    gate_key = b"k" * 32
    session_id, expires = uuid.uuid4().hex, int(time.time()) + 6 * 3600

    def sign(segment_key: str, expires_seconds: int) -> str:
        if mode == "sigv4":
            return store.presign_segment(segment_key, expires_seconds=expires_seconds)
        rung, segment = segment_key.rsplit("/", 2)[-2:]
        mac = domain.segment_mac(gate_key, session_id, rung, segment, expires)
        return f"http://127.0.0.1:1/media/v1/play/{session_id}/{rung}/{segment}?e={expires}&s={mac}"

    base = f"bench/{uuid.uuid4().hex}"
    media = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n"
    media += "".join(f"#EXTINF:6.000000,\nseg_{n:05d}.ts\n" for n in range(segments)) + "#EXT-X-ENDLIST\n"
    ladder = domain.ladder(1920, 1080, "standard")[:rungs]
    for rung in ladder:
        store.put_bytes(f"{base}/{rung.name}/index.m3u8", media.encode(), content_type="application/vnd.apple.mpegurl")
    started = time.monotonic()
    variants = []
    for rung in ladder:
        stored = store.get_bytes(f"{base}/{rung.name}/index.m3u8").decode()
        signed = domain.rewrite_media_playlist(
            stored, lambda seg, rung=rung: sign(f"{base}/{rung.name}/{seg}", expires_seconds=6 * 3600)
        )
        key = f"{base}/session/{rung.name}.m3u8"
        store.put_bytes(key, signed.encode(), content_type="application/vnd.apple.mpegurl")
        variants.append((rung, store.presign_get(key, expires_seconds=6 * 3600), rung.bitrate_bps, rung.peak_bitrate_bps))
    master = domain.master_playlist(variants, has_audio=True)
    store.put_bytes(f"{base}/session/master.m3u8", master.encode(), content_type="application/vnd.apple.mpegurl")
    master_url = store.presign_get(f"{base}/session/master.m3u8", expires_seconds=6 * 3600)
    sign_seconds = time.monotonic() - started
    signed_sizes, signed_fetch, plain_fetch = 0, [], []
    plain_url = store.presign_get(f"{base}/{ladder[-1].name}/index.m3u8", expires_seconds=600)
    with httpx.Client(timeout=30) as client:
        for _ in range(20):
            t0 = time.monotonic()
            client.get(master_url).raise_for_status()
            body = client.get(variants[-1][1]).content
            signed_fetch.append(time.monotonic() - t0)
            signed_sizes = len(body)
            t0 = time.monotonic()
            client.get(plain_url).raise_for_status()
            plain_fetch.append(time.monotonic() - t0)
    store.delete_prefix(base + "/")
    return {
        "session_sign_ms": sign_seconds * 1000,
        "signed_fetch_p50_ms": statistics.median(signed_fetch) * 1000,
        "unsigned_fetch_p50_ms": statistics.median(plain_fetch) * 1000,
        "signed_variant_kib": signed_sizes / 1024,
        "unsigned_variant_kib": len(media) / 1024,
    }


async def gate_cost(bench: Bench, asset: pb.Asset, rounds: int = 50) -> dict[str, float]:
    request = pb.CreatePlaybackSessionRequest(playback_session=pb.PlaybackSession(asset=asset.name, device_id="bench"))
    session = (await bench.stub.CreatePlaybackSession(request, metadata=bench.auth)).playback_session
    through_gate, direct, check = [], [], []
    async with httpx.AsyncClient(timeout=30) as client:
        master = (await client.get(session.playlist_url)).text
        variant = next(line for line in master.splitlines() if line.startswith("http"))
        segment = next(line for line in (await client.get(variant)).text.splitlines() if line.startswith("http"))
        for _ in range(rounds):
            t0 = time.monotonic()
            redirect = await client.get(segment)
            t1 = time.monotonic()
            assert redirect.status_code == 302, redirect.text
            (await client.get(redirect.headers["location"])).raise_for_status()
            through_gate.append(time.monotonic() - t0)
            check.append(t1 - t0)
            t0 = time.monotonic()
            (await client.get(redirect.headers["location"])).raise_for_status()
            direct.append(time.monotonic() - t0)
    await bench.stub.EndPlaybackSession(pb.EndPlaybackSessionRequest(name=session.name), metadata=bench.auth)
    return {
        "gate_check_p50_ms": statistics.median(check) * 1000,
        "segment_via_gate_p50_ms": statistics.median(through_gate) * 1000,
        "segment_direct_p50_ms": statistics.median(direct) * 1000,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the 1080p clip (default 60)")
    parser.add_argument("--submits", type=int, default=10, help="small transcodes for the first-event p50")
    parser.add_argument("--upload-mib", type=int, default=64, help="size of the upload throughput blob")
    args = parser.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="bench-media-"))
    redis_server = EmbeddedRedis(folder / "redis")
    seaweed = EmbeddedSeaweedFS(folder / "data" / "seaweedfs")
    workers: list[subprocess.Popen[bytes]] = []
    results: dict[str, Any] = {}
    try:
        settings = Settings(
            env="test", data_dir=folder / "data", database_url=f"sqlite:///{folder / 'marquee.db'}",
            redis_url=redis_server.start(), grpc_port=0, log_level="WARNING", services=["auth", "billing", "media"],
            access_token_ttl_seconds=12 * 3600,  # the run takes longer than a default token lives
        )  # fmt: skip
        connection = seaweed.start()
        migrate.upgrade(settings)
        deps = Dependencies.build(settings)
        server = build_server(deps, address="127.0.0.1:0")
        await server.start()
        token, _ = TokenSigner.from_settings(settings, KeySet.from_settings(settings)).sign(
            uuid.uuid4().hex, token_id=uuid.uuid4().hex, role=ROLE_ADMIN
        )
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
        bench = Bench(media_pb2_grpc.MediaServiceStub(channel), (("authorization", f"Bearer {token}"),))
        store = ObjectStore(connection)
        results.update({"clip_seconds": args.seconds, "cpus": os.cpu_count()})

        log(f"making a {args.seconds:g} s 1080p clip")
        clip = await asyncio.to_thread(make_clip, folder / "film.mp4", args.seconds, "1920x1080")
        small = await asyncio.to_thread(make_clip, folder / "small.mp4", 2, "426x240")

        log("upload throughput: presigned PUT vs raw boto3 PUT")
        blob = os.urandom(args.upload_mib * 1024 * 1024)
        (folder / "blob.mp4").write_bytes(blob)
        created = await bench.stub.CreateUpload(
            pb.CreateUploadRequest(filename="blob.mp4", content_type="video/mp4", size_bytes=len(blob)), metadata=bench.auth
        )
        async with httpx.AsyncClient(timeout=300) as client:
            t0 = time.monotonic()
            reply = await client.put(created.upload_target.url, content=blob, headers=dict(created.upload_target.headers))
            presigned = time.monotonic() - t0
        assert reply.status_code == 200
        t0 = time.monotonic()
        await asyncio.to_thread(store.put_bytes, "bench/raw.bin", blob, content_type="video/mp4")
        raw = time.monotonic() - t0
        results["upload_presigned_mib_s"] = args.upload_mib / presigned
        results["upload_raw_mib_s"] = args.upload_mib / raw

        workers.append(start_worker(settings, "w1"))
        await asyncio.to_thread(wait_workers, settings, ["w1"])

        log("submit → first progress event (small clips, one worker)")
        firsts = []
        for _ in range(args.submits):
            asset, _ = await bench.upload(small)
            firsts.append((await bench.transcode(asset, thumbnails=1))["first_event_s"])
        results["first_event_p50_ms"] = statistics.median(firsts) * 1000

        log("direct ffmpeg baseline (same commands, one after the other)")
        results["direct_s"], results["direct_encodes_s"] = await asyncio.to_thread(run_direct, clip, folder, args.seconds)
        log("Marquee, one worker with one slot")
        film, _ = await bench.upload(clip)
        one = await bench.transcode(film)
        results["marquee_1_worker_s"] = one["total_s"]
        # When each phase started (first event of its step), to see where time goes.
        results.update({f"marquee_1_worker_{k}": v for k, v in one.items() if k.startswith("step_")})
        results["first_rung_playable_s"] = one["first_rung_s"]
        results["overhead_pct"] = (one["total_s"] - results["direct_s"]) * 100 / results["direct_s"]
        log("direct ffmpeg baseline again (the machine is shared: bracket the figure)")
        results["direct_again_s"], results["direct_again_encodes_s"] = await asyncio.to_thread(
            run_direct, clip, folder, args.seconds
        )

        log("Marquee, two workers with one slot each")
        workers.append(start_worker(settings, "w2"))
        await asyncio.to_thread(wait_workers, settings, ["w1", "w2"])
        film2, _ = await bench.upload(clip)
        two = await bench.transcode(film2)
        results["marquee_2_workers_s"] = two["total_s"]
        results["first_rung_playable_2_workers_s"] = two["first_rung_s"]

        log("playlist signing for a two-hour film")
        results.update(await asyncio.to_thread(playlist_cost, store, 1200, 5))
        sigv4 = await asyncio.to_thread(playlist_cost, store, 1200, 5, mode="sigv4")
        results["session_sign_sigv4_ms"] = sigv4["session_sign_ms"]
        results["signed_variant_sigv4_kib"] = sigv4["signed_variant_kib"]

        log("segment gate: a segment through the gate vs a presigned storage URL")
        results.update(await gate_cost(bench, film2))

        await channel.close()
        await server.stop(1.0)
        for key, value in results.items():
            print(f"{key:40} {value:10.2f}" if isinstance(value, float) else f"{key:40} {value:>10}")
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in results.items()}))
    finally:
        log(f"figures so far: {json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in results.items()})}")
        for worker in workers:
            stop_process(worker, timeout_seconds=15)
        seaweed.stop()
        redis_server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
