"""Note generation: key-term recall (embedded model vs the stand-in provider), and job wall time
per transcript minute with the share spent waiting on the model.

    python benchmarks/bench_notes.py [--embedded-cases 3] [--minutes 10,40] [--token-delay 0.002]

Runs Notes' real pipeline (`NotesUseCases.run_job`: parse, chunk, map-reduce, link, quiz, save) in
this process on a fresh SQLite database and an embedded Redis, through the shared runtime's
`execute_operation` as a worker runs it, with the price set to 0 so no Billing is needed. The
model is the OpenAI-compatible stand-in (`tests/support/llm_standin.py`, answering from the prompt
with `--token-delay` seconds per streamed word) or the embedded SmolLM2-135M (test-sized: its
recall shows what the seam carries, not what a real model writes), run twice: with the
extractive fallback (its default) and without it. Baselines measured in the
same run: parsing + chunking alone (no model), and the stand-in with no delay (pipeline cost).
The last stdout line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import pathlib
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from google.rpc import status_pb2

from services.core import migrate
from services.core.db import Database
from services.core.llm import LlmSettings, build_provider
from services.core.operations import OperationStore, State
from services.core.operations_service import Operations
from services.core.paging import PageTokens
from services.core.redis_store import EmbeddedRedis
from services.core.settings import Settings
from services.core.tasks import WorkerRuntime, execute_operation
from services.notes import domain as d
from services.notes import mapping
from services.notes import tasks as notes_tasks
from services.notes.billing_client import BillingClient
from services.notes.media_client import MediaClient
from services.notes.model import Completion, SeamModel, TextModel
from services.notes.models import NOTES_OPERATIONS
from services.notes.repository import NotesRepository
from services.notes.settings import NotesSettings
from services.notes.tasks import ThreadedRun
from services.notes.transcripts import parse_transcript
from services.notes.usecases import Deps, NotesUseCases
from services.notes.youtube import YouTubeClient
from tests.integration.notes import study_model
from tests.integration.notes.eval_set import CASES, Case, long_lecture
from tests.support.llm_standin import LlmStandin


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class TimedModel:
    """Counts the wall seconds during which at least one model call is in flight (chunks are summarized
    concurrently, so summing each call's time would count the same second several times)."""

    def __init__(self, inner: TextModel | None = None) -> None:
        self.inner: Any = inner
        self.seconds = 0.0
        self._in_flight = 0
        self._busy_since = 0.0
        self.answers: list[str] = []

    @property
    def name(self) -> str:
        return self.inner.name

    async def count_tokens(self, text: str) -> int:
        return await self.inner.count_tokens(text)

    async def complete(self, messages: Sequence[dict[str, str]], *, max_tokens: int) -> Completion:
        if self._in_flight == 0:
            self._busy_since = time.perf_counter()
        self._in_flight += 1
        try:
            completion = await self.inner.complete(messages, max_tokens=max_tokens)
            self.answers.append(completion.text)
            return completion
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self.seconds += time.perf_counter() - self._busy_since


class NoSend:
    """The job is run here, by `execute_operation`, not by a worker: enqueuing sends nothing."""

    def send_task(self, name: str, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        return None


def use_cases(db: Database, settings: NotesSettings, model: TextModel, redis_url: str, *, fallback: bool) -> NotesUseCases:
    def unused() -> Any:
        raise RuntimeError("not used by this benchmark")

    operations = Operations(NOTES_OPERATIONS, db, PageTokens(b"bench"), redis_url=redis_url, celery=NoSend())
    return NotesUseCases(
        db,
        settings,
        Deps(
            billing=BillingClient(unused, unused),
            youtube=YouTubeClient("http://127.0.0.1:9"),
            media=MediaClient(unused, unused),
            model=lambda: model,
            describe=mapping.job_metadata,
            note_response=mapping.note_pb,
            quiz_response=lambda quiz: mapping.quiz_pb(quiz, with_answers=False),
        ),
        operations,
        extractive_fallback=fallback,
    )


async def run_case(
    runtime: WorkerRuntime,
    settings: NotesSettings,
    timer: TimedModel,
    make_model: Callable[[], Any],
    case: Case,
    user: str,
    *,
    fallback: bool = False,
) -> dict[str, Any]:
    """Submit one job, then run it as the worker does: the shared runtime's `execute_operation`
    (claim, lease, progress, end exactly once) around Notes' task body, in a worker thread."""
    db, redis_url = runtime.database, runtime.settings.redis_url
    submit = use_cases(db, settings, timer, redis_url, fallback=fallback)
    source = {"transcript": {"text": case.srt(), "format": "srt", "title": case.title}}
    job = await submit.generate_notes(user, source, {"link_notes": False}, True, "")
    await submit.operations.close()

    def body(run: Any, **_: Any) -> Any:
        async def inner() -> Any:
            provider = make_model()
            timer.inner = SeamModel(provider)
            cases = use_cases(db, settings, timer, redis_url, fallback=fallback)
            try:
                return await cases.run_job(ThreadedRun(run))
            finally:
                await cases.operations.close()
                await provider.aclose()

        return asyncio.run(inner())

    before = timer.seconds
    timer.answers.clear()
    started = time.perf_counter()
    await asyncio.to_thread(execute_operation, dataclasses.replace(notes_tasks.run_job, body=body), runtime, job.id, {})
    wall = time.perf_counter() - started
    finished = await db.run(lambda s: OperationStore(NOTES_OPERATIONS).get(s, job.id))
    assert finished is not None
    recall = 0.0
    reason = ""
    if finished.state is State.SUCCEEDED:
        note = await db.run(lambda s: NotesRepository(s).note(user, str(finished.checkpoint["note_id"])))
        recall = d.key_term_recall(note.markdown + " " + json.dumps(note.content), case.terms)
    elif finished.error:
        reason = status_pb2.Status.FromString(finished.error).message[:60]
    return {
        "case": case.name if case.name != "long" else f"long_{case.minutes:.0f}min",
        "state": finished.state.value.lower(),
        "reason": reason,
        "minutes": case.minutes,
        "chunks": int(finished.checkpoint.get("chunk_count", 0)),
        "wall_s": wall,
        "model_s": timer.seconds - before,
        "recall": recall,
        # Recall over everything the model wrote, stored or not: what it knew, even when its JSON did not fit.
        "raw_recall": d.key_term_recall(" ".join(timer.answers), case.terms),
    }


def parse_and_chunk_seconds(case: Case, budget: int, rounds: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        transcript = parse_transcript(case.srt())
        d.chunk_transcript(transcript, budget, d.approximate_tokens)
    return (time.perf_counter() - started) / rounds


def table(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n{title}")
    header = f"{'case':16} {'state':10} {'min':>5} {'chunks':>6} {'wall s':>8} {'model s':>8} {'s/min':>7} {'model %':>7}"
    print(header + f" {'recall':>6} {'raw':>5}")
    for r in rows:
        per_minute = r["wall_s"] / r["minutes"] if r["minutes"] else 0.0
        share = 100 * r["model_s"] / r["wall_s"] if r["wall_s"] else 0.0
        print(
            f"{r['case']:16} {r['state']:10} {r['minutes']:5.1f} {r['chunks']:6d} {r['wall_s']:8.2f} {r['model_s']:8.2f} "
            f"{per_minute:7.2f} {share:6.1f}% {r['recall']:6.2f} {r['raw_recall']:5.2f}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--embedded-cases", type=int, default=len(CASES), help="evaluation cases run on the embedded model (0: none)"
    )
    parser.add_argument("--strict-cases", type=int, default=1, help="of those, cases run again with the extractive fallback off")
    parser.add_argument("--minutes", default="10,40", help="lengths of the long transcripts timed with the stand-in")
    parser.add_argument(
        "--token-delay", type=float, default=0.002, help="stand-in seconds per streamed word (a fast hosted model)"
    )
    args = parser.parse_args()

    folder = pathlib.Path(tempfile.mkdtemp(prefix="bench-notes-"))
    embedded_redis = EmbeddedRedis(folder / "redis")
    redis_url = embedded_redis.start()
    core = Settings(
        env="test", data_dir=folder, database_url=f"sqlite:///{folder / 'notes.db'}", redis_url=redis_url, log_level="WARNING"
    )
    migrate.upgrade(core)
    runtime = WorkerRuntime(core)
    settings = NotesSettings.load(core, notes_credits_per_note=0, notes_chunk_tokens=400, notes_max_active_jobs=100)
    results: dict[str, Any] = {}
    embedded_eval: list[dict[str, Any]] = []
    embedded_strict: list[dict[str, Any]] = []
    try:
        lengths = [int(m) for m in args.minutes.split(",") if m]
        baseline = {m: parse_and_chunk_seconds(long_lecture(m), 400) for m in lengths}
        with LlmStandin(reply=study_model.reply) as standin:
            llm = LlmSettings.load(
                core,
                llm_provider="openai",
                llm_base_url=standin.openai_url,
                llm_model="standin",
                llm_tokenize_url=standin.openai_url.removesuffix("/v1") + "/tokenize",
            )
            model = TimedModel()
            log("stand-in: evaluation set")
            standin_eval = [
                await run_case(runtime, settings, model, lambda: build_provider(llm), case, "bench-standin") for case in CASES
            ]
            timed = {}
            for delay, label in ((0.0, "no_delay"), (args.token_delay, "delayed")):
                standin.token_delay = delay
                for minutes in lengths:
                    log(f"stand-in ({label}): {minutes}-minute lecture")
                    timed[f"{label}_{minutes}"] = await run_case(
                        runtime, settings, model, lambda: build_provider(llm), long_lecture(minutes), f"bench-{label}-{minutes}"
                    )
        if args.embedded_cases:
            local_llm = LlmSettings.load(core, llm_provider="local")
            local_model = TimedModel()
            local_settings = NotesSettings.load(
                core,
                notes_credits_per_note=0,
                notes_chunk_tokens=1500,
                notes_output_tokens=300,
                notes_structured_retries=1,
                notes_max_active_jobs=100,
            )
            runs = ((True, embedded_eval, args.embedded_cases), (False, embedded_strict, args.strict_cases))
            for fallback, rows, count in runs:
                for case in CASES[: min(count, args.embedded_cases)]:
                    log(f"embedded model, fallback {'on' if fallback else 'off'}: {case.name} (slow: a CPU model)")
                    rows.append(
                        await run_case(
                            runtime,
                            local_settings,
                            local_model,
                            lambda: build_provider(local_llm),
                            case,
                            "bench-embedded",
                            fallback=fallback,
                        )
                    )
    finally:
        runtime.close()
        embedded_redis.stop()

    table("Key-term recall on the evaluation set, stand-in provider", standin_eval)
    if embedded_eval:
        table("Key-term recall, embedded SmolLM2-135M (test-sized), grounded with the extractive fallback", embedded_eval)
        table(
            "Key-term recall, embedded SmolLM2-135M, grounded, fallback off (a section that never fits fails the job)",
            embedded_strict,
        )
    table("Long lectures, stand-in (no_delay = pipeline cost baseline; delayed = model latency)", list(timed.values()))
    print("\nBaseline, parse + chunk only (no model): " + ", ".join(f"{m} min {s * 1000:.1f} ms" for m, s in baseline.items()))

    def mean(rows: list[dict[str, Any]]) -> float:
        return sum(r["recall"] for r in rows) / len(rows) if rows else 0.0

    results = {
        "recall_standin": round(mean(standin_eval), 3),
        "recall_embedded": round(mean(embedded_eval), 3) if embedded_eval else None,
        "raw_recall_standin": round(sum(r["raw_recall"] for r in standin_eval) / len(standin_eval), 3),
        "raw_recall_embedded": round(sum(r["raw_recall"] for r in embedded_eval) / len(embedded_eval), 3)
        if embedded_eval
        else None,
        "recall_embedded_fallback_off": round(mean(embedded_strict), 3) if embedded_strict else None,
        "embedded_succeeded": sum(1 for r in embedded_eval if r["state"] == "succeeded"),
        "embedded_succeeded_fallback_off": sum(1 for r in embedded_strict if r["state"] == "succeeded"),
        "embedded_cases": len(embedded_eval),
        "wall_s_per_transcript_minute": {k: round(v["wall_s"] / v["minutes"], 3) for k, v in timed.items()},
        "model_share_percent": {k: round(100 * v["model_s"] / v["wall_s"], 1) if v["wall_s"] else 0.0 for k, v in timed.items()},
        "parse_chunk_ms": {str(m): round(s * 1000, 2) for m, s in baseline.items()},
        "embedded_wall_s": [round(r["wall_s"], 1) for r in embedded_eval],
    }
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())
