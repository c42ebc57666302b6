"""Media's Celery tasks: the transcode operation and the helpers that encode its other rungs in parallel.

The operation task (`transcode`) plans the ladder, asks for one helper per extra rung,
then encodes rungs itself until none is left to claim, waits for the helpers' rungs,
and finishes (thumbnails, storyboard, audio) before the asset turns READY in the
transaction that ends the operation. Rungs are claimed in Redis with a lease renewed
while ffmpeg reports progress, so a rung whose worker died is claimed again once its
lease lapses, and a redelivered operation skips the rungs it already published. With
one worker the operation task simply encodes every rung; each extra worker takes rungs
off it.
"""

from __future__ import annotations

import logging
import os
import pathlib
import time
from collections.abc import Callable

import grpc
import redis
from celery import Celery
from google.protobuf.message import Message

from services.core.errors import DomainError
from services.core.operations import OperationStore, State
from services.core.storage import Connection, ObjectStore, StorageSettings
from services.core.tasks import OperationRun, OperationStopped, WorkerRuntime, operation_task, task
from services.media import domain, encoder, mapping
from services.media.mapping import asset_pb
from services.media.models import MEDIA_OPERATIONS
from services.media.settings import MediaSettings
from services.media.usecases import (
    DEADLINE_MESSAGE,
    ENCODE_HELPER_TASK,
    QUEUE,
    TRANSCODE_TASK,
    TranscodePipeline,
    TranscodePlan,
)

log = logging.getLogger("marquee.media.tasks")

CLAIM_LEASE_SECONDS = 15
WAIT_SECONDS = 0.5


class TranscodeFailed(DomainError):
    """INTERNAL in the operation's error, with reason TRANSCODE_FAILED and the step."""

    code = grpc.StatusCode.INTERNAL
    default_reason = "TRANSCODE_FAILED"


_pipelines: dict[tuple[int, int], TranscodePipeline] = {}
_apps: dict[int, Celery] = {}


def pipeline_for(runtime: WorkerRuntime) -> TranscodePipeline:
    """One pipeline (object store client, settings) per worker process and runtime."""
    key = (os.getpid(), id(runtime))
    if key not in _pipelines:
        settings = runtime.settings
        media = MediaSettings.load(settings)
        store = ObjectStore(Connection.from_settings(StorageSettings.load(settings), settings))
        work = pathlib.Path(media.media_work_dir) if media.media_work_dir else settings.data_dir / "media-work"
        _pipelines[key] = TranscodePipeline(runtime.database, store, media, work)
    return _pipelines[key]


def _celery(runtime: WorkerRuntime) -> Celery:
    if os.getpid() not in _apps:
        from services.worker import create_celery

        _apps[os.getpid()] = create_celery(runtime.settings, register=False)
    return _apps[os.getpid()]


class RungClaims:
    """Which worker encodes which rung of one operation, and how far each has got (Redis)."""

    def __init__(self, client: redis.Redis, operation_id: str, holder: str, *, lease_seconds: int = CLAIM_LEASE_SECONDS) -> None:
        self.client = client
        self.lease = lease_seconds
        self.prefix = f"marquee:media:transcode:{operation_id}"
        self.holder = holder

    def claim(self, rung: str) -> bool:
        return bool(self.client.set(f"{self.prefix}:claim:{rung}", self.holder, nx=True, ex=self.lease))

    def renew(self, rung: str, percent: int) -> None:
        self.client.set(f"{self.prefix}:claim:{rung}", self.holder, ex=self.lease)
        self.client.hset(f"{self.prefix}:percent", rung, percent)
        self.client.expire(f"{self.prefix}:percent", 86400)

    def release(self, rung: str) -> None:
        key = f"{self.prefix}:claim:{rung}"
        if self.client.get(key) == self.holder.encode():
            self.client.delete(key)

    def fail(self, rung: str, message: str) -> None:
        self.client.hset(f"{self.prefix}:failed", rung, message[:500])
        self.client.expire(f"{self.prefix}:failed", 86400)

    def failures(self) -> dict[str, str]:
        raw = self.client.hgetall(f"{self.prefix}:failed") or {}
        return {k.decode(): v.decode() for k, v in raw.items()}  # type: ignore[union-attr]

    def percents(self) -> dict[str, int]:
        raw = self.client.hgetall(f"{self.prefix}:percent") or {}
        return {k.decode(): int(v) for k, v in raw.items()}  # type: ignore[union-attr]


def _encode_claimed(
    pipeline: TranscodePipeline, plan: TranscodePlan, rung: domain.Rung, operation_id: str, claims: RungClaims,
    should_stop: Callable[[], bool], report: Callable[[str, int, str], None],
) -> None:  # fmt: skip
    """Encodes one claimed rung, keeping its lease alive; an encoder failure is recorded for the coordinator."""

    def progress(step: str, percent: int, message: str) -> None:
        claims.renew(rung.name, percent)
        report(step, percent, message)

    try:
        pipeline.encode_rendition(plan, rung, operation_id=operation_id, report=progress, should_stop=should_stop)
    except encoder.EncodeError as exc:
        claims.fail(rung.name, str(exc))
        raise
    finally:
        claims.release(rung.name)


@operation_task(MEDIA_OPERATIONS, name=TRANSCODE_TASK, queue=QUEUE, time_limit=6 * 3600)
def transcode(
    run: OperationRun, *, asset_id: str, preset: str = "", thumbnail_count: int = 10, storyboard_seconds: float = 10.0
) -> Message | None:
    pipeline = pipeline_for(run.runtime)
    run.progress("probe", 1, "planning the ladder from the probed source")
    plan = pipeline.plan(asset_id, preset=preset, thumbnail_count=thumbnail_count, storyboard_interval=storyboard_seconds)
    lease = pipeline.settings.media_rung_lease_seconds
    claims = RungClaims(run.runtime.redis, run.operation_id, f"{run.worker}:coordinator", lease_seconds=lease)
    helpers = max(0, len(plan.rungs) - 1)
    app = _celery(run.runtime)
    for _ in range(helpers):
        app.send_task(ENCODE_HELPER_TASK, kwargs={"operation_id": run.operation_id, "asset_id": asset_id, "preset": preset},
                      queue=QUEUE)  # fmt: skip
    names = [r.name for r in plan.rungs]
    last_report = [0.0]

    def overall(step: str, percent: int, message: str) -> None:
        # One event at most every 0.4 s: the stream shows progress without a write per ffmpeg block.
        now = time.monotonic()
        if now - last_report[0] < 0.4 and percent < 100:
            run.check_cancelled()
            return
        last_report[0] = now
        percents = claims.percents()
        done = pipeline_done[0]
        total = sum(100 if n in done else percents.get(n, 0) for n in names) // max(1, len(names))
        states = {n: ("done", 100) if n in done else ("encoding", percents[n]) if n in percents else ("queued", 0) for n in names}
        metadata = mapping.transcode_metadata(
            asset_id, plan.rungs, duration=plan.duration_seconds, preset=plan.preset, thumbnail_count=thumbnail_count,
            storyboard_seconds=storyboard_seconds, progress=states,
        )  # fmt: skip
        run.progress("encode", 2 + total * 88 // 100, message, metadata=metadata)

    pipeline_done: list[set[str]] = [set()]
    should_stop = lambda: run.stop_reason(max_age=0.2) is not None  # noqa: E731 - a tiny predicate
    try:
        while True:
            done = pipeline.done_rungs(asset_id, run.operation_id)
            pipeline_done[0] = done
            pending = [r for r in plan.rungs if r.name not in done]
            if not pending:
                break
            if failed := claims.failures():
                rung, why = next(iter(failed.items()))
                raise TranscodeFailed(f"encoding {rung} failed: {why}", domain=domain.ERROR_DOMAIN, metadata={"step": "encode"})
            mine = next((r for r in pending if claims.claim(r.name)), None)
            if mine is None:
                overall("encode", 0, f"waiting for {len(pending)} rungs encoding on other workers")
                time.sleep(WAIT_SECONDS)
                continue
            try:
                _encode_claimed(pipeline, plan, mine, run.operation_id, claims, should_stop, overall)
            except encoder.EncodeCancelled as stopped:
                raise OperationStopped(run.stop_reason() or str(stopped)) from stopped
        encoded = mapping.transcode_metadata(
            asset_id, plan.rungs, duration=plan.duration_seconds, preset=plan.preset, thumbnail_count=thumbnail_count,
            storyboard_seconds=storyboard_seconds, progress={n: ("done", 100) for n in names},
        )  # fmt: skip
        run.progress("thumbnails", 90, "thumbnails, storyboard and audio", metadata=encoded)
        pipeline.finish(plan, report=lambda step, percent, message: run.progress(step, 90 + percent // 12, message))
    except OperationStopped as stopped:
        if stopped.reason == "cancel":
            pipeline.fail(asset_id, code=1, message="cancelled", reason="CANCELLED", cancelled=True)
        elif stopped.reason == "deadline":
            pipeline.fail(asset_id, code=4, message=DEADLINE_MESSAGE, reason="DEADLINE_EXCEEDED")
        raise
    except encoder.EncodeError as exc:
        pipeline.fail(asset_id, code=13, message=f"the encoder failed: {exc}", reason="TRANSCODE_FAILED")
        raise TranscodeFailed(f"the encoder failed on the source: {exc}", domain=domain.ERROR_DOMAIN,
                              metadata={"step": "encode"}) from exc  # fmt: skip
    except DomainError as exc:  # TranscodeFailed, or the asset deleted meanwhile (NotFound)
        pipeline.fail(asset_id, code=exc.code.value[0], message=exc.message, reason=exc.reason)
        raise
    response = asset_pb(pipeline.ready_view(asset_id))
    if not run.succeed(response, also=lambda session: pipeline.mark_ready(session, asset_id)):
        pipeline.fail(asset_id, code=1, message="cancelled", reason="CANCELLED", cancelled=True)
    return response


@task(name=ENCODE_HELPER_TASK, queue=QUEUE, time_limit=6 * 3600)
def encode_helper(runtime: WorkerRuntime, *, operation_id: str, asset_id: str, preset: str = "") -> str:
    """Takes one unclaimed rung of a running transcode (if any is left) and encodes it."""
    pipeline = pipeline_for(runtime)
    store = OperationStore(MEDIA_OPERATIONS)
    checked = [0.0, False]

    def should_stop() -> bool:
        now = time.monotonic()
        if now - checked[0] >= 0.5:
            checked[0] = now
            if runtime.redis.get(MEDIA_OPERATIONS.cancel_key(operation_id)):
                checked[1] = True
            else:
                with runtime.database.transaction() as session:
                    record = store.get(session, operation_id)
                checked[1] = record is None or record.done or record.cancel_requested
        return bool(checked[1])

    if should_stop():
        return "stopped"
    plan = pipeline.plan(asset_id, preset=preset)
    lease = pipeline.settings.media_rung_lease_seconds
    claims = RungClaims(runtime.redis, operation_id, f"{runtime.identity}:helper", lease_seconds=lease)
    done = pipeline.done_rungs(asset_id, operation_id)
    # Highest rung first: the coordinator starts from the lowest, so the asset becomes playable soonest.
    for rung in sorted(plan.rungs, key=lambda r: -r.short_side):
        if rung.name in done or not claims.claim(rung.name):
            continue
        try:
            _encode_claimed(pipeline, plan, rung, operation_id, claims, should_stop, lambda *_: None)
        except encoder.EncodeCancelled:
            return "stopped"
        except encoder.EncodeError:
            log.warning("operation %s: rung %s failed", operation_id, rung.name)
            return "failed"
        with runtime.database.transaction() as session:
            record = store.get(session, operation_id)
        if record is None or record.done:
            pipeline.forget_source(asset_id)  # the operation ended meanwhile: this host's copy is not needed
        if record is None or record.state in (State.CANCELLED, State.FAILED):
            # The operation ended while this rung uploaded: take its objects back out.
            pipeline.store.delete_prefix(f"assets/{asset_id}/hls/{rung.name}/")
        return rung.name
    return "nothing to do"
