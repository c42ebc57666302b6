"""A local Weaviate stand-in: the part of Weaviate's REST and gRPC APIs that `weaviate-client` v4 uses for
Chat's index, on real sockets, backed by an in-memory store.

REST (stdlib HTTP server): `GET /v1/meta`, `GET /v1/.well-known/ready`, `GET /v1/.well-known/live`,
`GET|DELETE /v1/schema/{class}`, `POST /v1/schema`. gRPC (the client's own `weaviate.v1` protos, service
`weaviate.v1.Weaviate`): `Search` (hybrid with BM25 + vector and `relativeScoreFusion`, plain filtered
fetches with limit/offset, property and vector returns), `BatchObjects` (upsert by uuid), `BatchDelete`
(by filter), `Aggregate` (object count). Filters: AND / OR / NOT, EQUAL, NOT_EQUAL, CONTAINS_ANY,
CONTAINS_ALL, CONTAINS_NONE, the ordering operators, on text, int, bool and text-array properties.
Anything else is answered UNIMPLEMENTED, so a client that starts using more of the API fails loudly.

`requests` counts the calls per method; `fail_next` makes the next N gRPC calls answer UNAVAILABLE and
`down` every call, REST included (an outage at the far end of the wire).
"""

from __future__ import annotations

import json
import math
import re
import struct
import threading
import time
import uuid
from collections import Counter
from concurrent import futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
import numpy as np
from google.protobuf import struct_pb2
from weaviate.proto.v1 import (
    aggregate_pb2,
    base_pb2,
    batch_delete_pb2,
    batch_pb2,
    properties_pb2,
    search_get_pb2,
    weaviate_pb2_grpc,
)

VERSION = "1.32.4"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
F = base_pb2.Filters


@dataclass
class StoredObject:
    uuid: str
    properties: dict[str, Any]
    vector: np.ndarray | None


@dataclass
class Collection:
    schema: dict[str, Any]
    objects: dict[str, StoredObject] = field(default_factory=dict)

    def data_type(self, name: str) -> str:
        for prop in self.schema.get("properties", []):
            if prop["name"] == name:
                return str(prop["dataType"][0])
        return "text"


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _WORD.findall(text)]


class WeaviateStandin:
    """Start with `with WeaviateStandin() as w:`; `w.url` and `w.grpc_address` are what a client needs."""

    def __init__(self) -> None:
        self.collections: dict[str, Collection] = {}
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.fail_next = 0
        self.down = False
        self._http: ThreadingHTTPServer | None = None
        self._grpc: grpc.Server | None = None
        self.http_port = 0
        self.grpc_port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def __enter__(self) -> WeaviateStandin:
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _rest_handler(self))
        self._http.daemon_threads = True
        self.http_port = self._http.server_address[1]
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        self._grpc = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=[("grpc.so_reuseport", 0)])
        weaviate_pb2_grpc.add_WeaviateServicer_to_server(_Servicer(self), self._grpc)
        self.grpc_port = self._grpc.add_insecure_port("127.0.0.1:0")
        self._grpc.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._grpc is not None:
            self._grpc.stop(0.5).wait()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()

    def collection(self, name: str) -> Collection:
        found = self.collections.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def count(self, name: str) -> int:
        with self.lock:
            return len(self.collection(name).objects) if name in self.collections else 0


# REST ------------------------------------------------------------------------------------------------------


def _rest_handler(standin: WeaviateStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            del format, args

        def _send(self, status: int, body: Any = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str) -> None:
            self._send(status, {"error": [{"message": message}]})

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"null")

        def do_GET(self) -> None:
            standin.requests[f"GET {self.path}"] += 1
            if standin.down:
                self._error(503, "the stand-in is down")
                return
            path = self.path.split("?")[0]
            if path == "/v1/meta":
                self._send(200, {"hostname": standin.url, "version": VERSION, "modules": {}, "grpcMaxMessageSize": 104858000})
            elif path in ("/v1/.well-known/ready", "/v1/.well-known/live"):
                self._send(200)
            elif path == "/v1/schema":
                with standin.lock:
                    self._send(200, {"classes": [c.schema for c in standin.collections.values()]})
            elif path.startswith("/v1/schema/"):
                with standin.lock:
                    found = standin.collections.get(path.removeprefix("/v1/schema/"))
                if found is None:
                    self._error(404, "class not found")
                else:
                    self._send(200, found.schema)
            else:
                self._error(404, f"not served by the stand-in: GET {path}")

        def do_POST(self) -> None:
            standin.requests[f"POST {self.path}"] += 1
            if self.path.split("?")[0] != "/v1/schema":
                self._error(404, f"not served by the stand-in: POST {self.path}")
                return
            schema = self._body()
            name = schema.get("class", "") if isinstance(schema, dict) else ""
            if not name or not name[0].isupper():
                self._error(422, "class name must start with a capital letter")
                return
            with standin.lock:
                if name in standin.collections:
                    self._error(422, f"class name {name!r} already exists")
                    return
                standin.collections[name] = Collection(schema)
            self._send(200, schema)

        def do_DELETE(self) -> None:
            standin.requests[f"DELETE {self.path}"] += 1
            path = self.path.split("?")[0]
            if not path.startswith("/v1/schema/"):
                self._error(404, f"not served by the stand-in: DELETE {path}")
                return
            with standin.lock:
                standin.collections.pop(path.removeprefix("/v1/schema/"), None)
            self._send(200)

    return Handler


# gRPC ------------------------------------------------------------------------------------------------------


def _float32s(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float32).copy()


def _test_value(node: base_pb2.Filters) -> Any:
    kind = node.WhichOneof("test_value")
    if kind is None:
        return None
    value = getattr(node, kind)
    return list(value.values) if kind.endswith("_array") else value


def _property_of(node: base_pb2.Filters) -> str:
    if node.HasField("target"):
        if node.target.WhichOneof("target") != "property":
            raise NotImplementedError("reference filters")
        return node.target.property
    return node.on[0] if node.on else ""


def _matches(node: base_pb2.Filters, obj: StoredObject) -> bool:
    op = node.operator
    if op == F.OPERATOR_AND:
        return all(_matches(child, obj) for child in node.filters)
    if op == F.OPERATOR_OR:
        return any(_matches(child, obj) for child in node.filters)
    if op == F.OPERATOR_NOT:
        return not all(_matches(child, obj) for child in node.filters)
    value = obj.properties.get(_property_of(node))
    wanted = _test_value(node)
    have = value if isinstance(value, list) else ([] if value is None else [value])
    wanted_list = wanted if isinstance(wanted, list) else [wanted]
    if op == F.OPERATOR_EQUAL:
        return value == wanted if not isinstance(value, list) else wanted in value
    if op == F.OPERATOR_NOT_EQUAL:
        return value != wanted
    if op == F.OPERATOR_CONTAINS_ANY:
        return any(v in have for v in wanted_list)
    if op == F.OPERATOR_CONTAINS_ALL:
        return all(v in have for v in wanted_list)
    if op == F.OPERATOR_CONTAINS_NONE:
        return not any(v in have for v in wanted_list)
    if op == F.OPERATOR_IS_NULL:
        return (value is None) == bool(wanted)
    if value is None:
        return False
    if op == F.OPERATOR_GREATER_THAN:
        return bool(value > wanted)
    if op == F.OPERATOR_GREATER_THAN_EQUAL:
        return bool(value >= wanted)
    if op == F.OPERATOR_LESS_THAN:
        return bool(value < wanted)
    if op == F.OPERATOR_LESS_THAN_EQUAL:
        return bool(value <= wanted)
    raise NotImplementedError(f"filter operator {F.Operator.Name(op)}")


def _value(data: Any) -> properties_pb2.Value:
    if isinstance(data, bool):
        return properties_pb2.Value(bool_value=data)
    if isinstance(data, int):
        return properties_pb2.Value(int_value=data)
    if isinstance(data, float):
        return properties_pb2.Value(number_value=data)
    if isinstance(data, list):
        return properties_pb2.Value(list_value=properties_pb2.ListValue(text_values=properties_pb2.TextValues(values=data)))
    if data is None:
        return properties_pb2.Value(null_value=struct_pb2.NULL_VALUE)
    return properties_pb2.Value(text_value=str(data))


def _scaled(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low < 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {key: (value - low) / (high - low) for key, value in scores.items()}


def _bm25(query: list[str], objects: list[StoredObject], properties: list[str]) -> dict[str, float]:
    """Okapi BM25 (k1 1.2, b 0.75) over the named text properties, as Weaviate's keyword search."""
    documents = {o.uuid: [t for p in properties for t in tokens(str(o.properties.get(p) or ""))] for o in objects}
    if not documents or not query:
        return {}
    average = sum(len(d) for d in documents.values()) / len(documents) or 1.0
    frequency = Counter(t for d in documents.values() for t in set(d))
    scores: dict[str, float] = {}
    for key, words in documents.items():
        counts = Counter(words)
        score = 0.0
        for term in set(query):
            tf = counts.get(term, 0)
            if not tf:
                continue
            idf = math.log(1 + (len(documents) - frequency[term] + 0.5) / (frequency[term] + 0.5))
            score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(words) / average))
        if score > 0:
            scores[key] = score
    return scores


class _Servicer(weaviate_pb2_grpc.WeaviateServicer):
    def __init__(self, standin: WeaviateStandin) -> None:
        self.standin = standin

    def _enter(self, method: str, context: grpc.ServicerContext) -> None:
        self.standin.requests[method] += 1
        with self.standin.lock:
            failing = self.standin.down or self.standin.fail_next > 0
            if self.standin.fail_next > 0:
                self.standin.fail_next -= 1
        if failing:
            context.abort(grpc.StatusCode.UNAVAILABLE, "the stand-in is down (fail_next)")

    def _collection(self, name: str, context: grpc.ServicerContext) -> Collection:
        found = self.standin.collections.get(name)
        if found is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"collection {name!r} not found")
        assert found is not None
        return found

    # BatchObjects -------------------------------------------------------------------------------------

    def BatchObjects(self, request: batch_pb2.BatchObjectsRequest, context: grpc.ServicerContext) -> batch_pb2.BatchObjectsReply:
        self._enter("BatchObjects", context)
        started = time.perf_counter()
        errors = []
        with self.standin.lock:
            for index, obj in enumerate(request.objects):
                collection = self.standin.collections.get(obj.collection)
                if collection is None:
                    errors.append(batch_pb2.BatchObjectsReply.BatchError(index=index, error=f"class {obj.collection} not found"))
                    continue
                try:
                    properties = self._properties(collection, obj.properties)
                except ValueError as exc:
                    errors.append(batch_pb2.BatchObjectsReply.BatchError(index=index, error=str(exc)))
                    continue
                vector = None
                if obj.vector_bytes:
                    vector = _float32s(obj.vector_bytes)
                elif obj.vectors:
                    vector = _float32s(obj.vectors[0].vector_bytes)
                elif obj.vector:
                    vector = np.asarray(obj.vector, dtype=np.float32)
                key = str(uuid.UUID(obj.uuid))
                collection.objects[key] = StoredObject(key, properties, vector)
        return batch_pb2.BatchObjectsReply(took=time.perf_counter() - started, errors=errors)

    def _properties(self, collection: Collection, given: batch_pb2.BatchObject.Properties) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for name, value in given.non_ref_properties.items():
            kind = collection.data_type(name)
            if kind == "int":
                if not float(value).is_integer():
                    raise ValueError(f"property {name!r} must be an int")
                properties[name] = int(value)
            elif kind == "boolean":
                properties[name] = bool(value)
            elif kind == "number":
                properties[name] = float(value)
            else:
                properties[name] = value
        for text_array in given.text_array_properties:
            properties[text_array.prop_name] = list(text_array.values)
        for int_array in given.int_array_properties:
            properties[int_array.prop_name] = list(int_array.values)
        for bool_array in given.boolean_array_properties:
            properties[bool_array.prop_name] = list(bool_array.values)
        for name in given.empty_list_props:
            properties[name] = []
        return properties

    # BatchDelete --------------------------------------------------------------------------------------

    def BatchDelete(
        self, request: batch_delete_pb2.BatchDeleteRequest, context: grpc.ServicerContext
    ) -> batch_delete_pb2.BatchDeleteReply:
        self._enter("BatchDelete", context)
        started = time.perf_counter()
        with self.standin.lock:
            collection = self._collection(request.collection, context)
            doomed = [o for o in collection.objects.values() if _matches(request.filters, o)]
            if not request.dry_run:
                for obj in doomed:
                    del collection.objects[obj.uuid]
        objects = (
            [batch_delete_pb2.BatchDeleteObject(uuid=uuid.UUID(o.uuid).bytes, successful=True) for o in doomed]
            if request.verbose
            else []
        )
        return batch_delete_pb2.BatchDeleteReply(
            took=time.perf_counter() - started, failed=0, matches=len(doomed), successful=len(doomed), objects=objects
        )

    # Aggregate ----------------------------------------------------------------------------------------

    def Aggregate(self, request: aggregate_pb2.AggregateRequest, context: grpc.ServicerContext) -> aggregate_pb2.AggregateReply:
        self._enter("Aggregate", context)
        if request.aggregations or request.HasField("group_by"):
            context.abort(grpc.StatusCode.UNIMPLEMENTED, "the stand-in aggregates object counts only")
        with self.standin.lock:
            collection = self._collection(request.collection, context)
            objects = [o for o in collection.objects.values() if not request.HasField("filters") or _matches(request.filters, o)]
        return aggregate_pb2.AggregateReply(single_result=aggregate_pb2.AggregateReply.Single(objects_count=len(objects)))

    # Search -------------------------------------------------------------------------------------------

    def Search(self, request: search_get_pb2.SearchRequest, context: grpc.ServicerContext) -> search_get_pb2.SearchReply:
        self._enter("Search", context)
        started = time.perf_counter()
        unsupported = [
            kind for kind in ("near_object", "near_text", "bm25_search", "group_by", "generative", "rerank")
            if request.HasField(kind)
        ]  # fmt: skip
        if unsupported or request.sort_by:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"the stand-in does not serve {unsupported or 'sort_by'}")
        with self.standin.lock:
            collection = self._collection(request.collection, context)
            allowed = [o for o in collection.objects.values() if not request.HasField("filters") or _matches(request.filters, o)]
            scored: list[tuple[StoredObject, float | None]]
            if request.HasField("hybrid_search"):
                scored = self._hybrid(request.hybrid_search, allowed, int(request.limit or 10))
            elif request.HasField("near_vector"):
                query = _float32s(request.near_vector.vector_bytes)
                ranked = sorted(allowed, key=lambda o: -self._cosine(query, o.vector))
                scored = [(o, None) for o in ranked]
            else:
                scored = [(o, None) for o in sorted(allowed, key=lambda o: o.uuid)]
            page = scored[request.offset : request.offset + int(request.limit or 10_000)]
            results = [self._result(request, obj, score) for obj, score in page]
        return search_get_pb2.SearchReply(took=time.perf_counter() - started, results=results)

    @staticmethod
    def _cosine(query: np.ndarray, vector: np.ndarray | None) -> float:
        if vector is None or vector.size != query.size:
            return -1.0
        denominator = float(np.linalg.norm(query) * np.linalg.norm(vector)) or 1.0
        return float(vector @ query) / denominator

    def _hybrid(self, hybrid: Any, allowed: list[StoredObject], limit: int) -> list[tuple[StoredObject, float | None]]:
        alpha = hybrid.alpha_param if hybrid.use_alpha_param else hybrid.alpha
        if hybrid.vector_bytes:
            query = _float32s(hybrid.vector_bytes)
        elif hybrid.HasField("near_vector"):
            query = _float32s(hybrid.near_vector.vector_bytes)
        elif hybrid.vectors:
            query = _float32s(hybrid.vectors[0].vector_bytes)
        else:
            raise NotImplementedError("hybrid search without a vector needs a vectorizer module")
        # Each half keeps its best `max(limit, 100)`, as Weaviate's subsearches do, then relativeScoreFusion.
        window = max(limit, 100)
        by_key = {o.uuid: o for o in allowed}
        vector_scores = {o.uuid: self._cosine(query, o.vector) for o in allowed if o.vector is not None}
        vector_best = dict(sorted(vector_scores.items(), key=lambda kv: -kv[1])[:window])
        keyword = _bm25(tokens(hybrid.query), allowed, list(hybrid.properties) or ["text"]) if hybrid.query else {}
        keyword_best = dict(sorted(keyword.items(), key=lambda kv: -kv[1])[:window])
        vector_scaled, keyword_scaled = _scaled(vector_best), _scaled(keyword_best)
        fused = {
            key: alpha * vector_scaled.get(key, 0.0) + (1 - alpha) * keyword_scaled.get(key, 0.0)
            for key in set(vector_best) | set(keyword_best)
        }
        ranked = sorted(fused, key=lambda key: (-fused[key], key))
        return [(by_key[key], fused[key]) for key in ranked]

    def _result(self, request: search_get_pb2.SearchRequest, obj: StoredObject, score: float | None) -> Any:
        wanted = (
            list(obj.properties)
            if request.properties.return_all_nonref_properties
            else list(request.properties.non_ref_properties)
        )
        fields = {name: _value(obj.properties.get(name)) for name in wanted if name in obj.properties}
        metadata = search_get_pb2.MetadataResult(id=obj.uuid, id_as_bytes=uuid.UUID(obj.uuid).bytes)
        if obj.vector is not None:
            packed = struct.pack(f"{obj.vector.size}f", *obj.vector.tolist())
            if request.metadata.vector:
                metadata.vector_bytes = packed
            for name in request.metadata.vectors:
                metadata.vectors.append(
                    base_pb2.Vectors(name=name, vector_bytes=packed, type=base_pb2.Vectors.VECTOR_TYPE_SINGLE_FP32)
                )
        if score is not None and request.metadata.score:
            metadata.score, metadata.score_present = score, True
        return search_get_pb2.SearchResult(
            properties=search_get_pb2.PropertiesResult(non_ref_props=properties_pb2.Properties(fields=fields)),
            metadata=metadata,
        )
