"""Object storage: one S3-API seam for AWS S3, Cloudflare R2, MinIO or the embedded SeaweedFS.

`ObjectStore` speaks S3 through boto3 (blocking; Celery tasks call it directly);
`Storage` is its async face for servers, running every call in its own small
thread pool so the event loop never blocks. Which store is used is configuration
alone (`StorageSettings`); when no endpoint is configured, the embedded SeaweedFS
that `marquee up` started writes its endpoint and generated credentials to
`data_dir/seaweedfs/connection.json`, and that is what is used.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import hmac
import json
import pathlib
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import boto3
import botocore.config
import botocore.exceptions
from pydantic import Field, SecretStr

from services.core.errors import Unavailable
from services.core.settings import ServiceSettings, Settings

P = ParamSpec("P")
T = TypeVar("T")

CONNECTION_FILE = "connection.json"
READ_CHUNK_BYTES = 8 * 1024 * 1024


class StorageSettings(ServiceSettings):
    """Where media bytes live. Empty endpoint: the embedded SeaweedFS in `data_dir/seaweedfs`."""

    storage_endpoint_url: str = Field(
        "", description="S3 API endpoint, e.g. https://<account>.r2.cloudflarestorage.com or http://minio:9000; empty: embedded."
    )
    storage_public_endpoint_url: str = Field(
        "", description="Endpoint presigned URLs are issued for (what players and uploaders reach); empty: the endpoint."
    )
    storage_bucket: str = Field("marquee-media", description="Bucket holding sources, renditions, images and text tracks.")
    storage_region: str = Field("us-east-1", description="Region used to sign requests (`auto` for R2).")
    storage_access_key_id: str = Field("", description="Access key id; empty with an endpoint uses boto3's default chain.")
    storage_secret_access_key: SecretStr = Field(SecretStr(""), description="Secret access key.")
    storage_path_style: bool = Field(True, description="Path-style addressing (MinIO, SeaweedFS); false for virtual hosts.")
    storage_create_bucket: bool = Field(True, description="Create the bucket at start when it is missing.")


@dataclass(frozen=True)
class Connection:
    """Everything needed to reach one bucket."""

    endpoint_url: str
    public_endpoint_url: str
    bucket: str
    region: str
    access_key_id: str
    secret_access_key: str
    path_style: bool = True

    def write(self, path: pathlib.Path) -> None:
        path.write_text(json.dumps(self.__dict__))
        path.chmod(0o600)

    @classmethod
    def read(cls, path: pathlib.Path) -> Connection:
        return cls(**json.loads(path.read_text()))

    @classmethod
    def from_settings(cls, storage: StorageSettings, core: Settings) -> Connection:
        if not storage.storage_endpoint_url:
            path = core.data_dir / "seaweedfs" / CONNECTION_FILE
            if not path.exists():
                # A server started without a store (`marquee serve` elsewhere, a test server): every call
                # that needs storage answers UNAVAILABLE, as when the store is down, never INTERNAL.
                raise Unavailable(
                    "object storage is not configured here (set MARQUEE_STORAGE_ENDPOINT_URL, or run `marquee up`)",
                    reason="DEPENDENCY_UNAVAILABLE",
                )
            return cls.read(path)
        return cls(
            endpoint_url=storage.storage_endpoint_url,
            public_endpoint_url=storage.storage_public_endpoint_url or storage.storage_endpoint_url,
            bucket=storage.storage_bucket,
            region=storage.storage_region,
            access_key_id=storage.storage_access_key_id,
            secret_access_key=storage.storage_secret_access_key.get_secret_value(),
            path_style=storage.storage_path_style,
        )


@dataclass(frozen=True)
class StoredPart:
    part_number: int
    size_bytes: int
    etag: str


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size_bytes: int
    content_type: str = ""


def _client(connection: Connection, endpoint: str) -> Any:
    config = botocore.config.Config(
        signature_version="s3v4",
        s3={"addressing_style": "path" if connection.path_style else "virtual"},
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        # Only send and verify checksums when an operation needs them: S3-compatible stores differ.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        max_pool_connections=32,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint or None,
        region_name=connection.region,
        aws_access_key_id=connection.access_key_id or None,
        aws_secret_access_key=connection.secret_access_key or None,
        config=config,
    )


def _is_missing(exc: botocore.exceptions.ClientError) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound", "NoSuchUpload")


class GetSigner:
    """SigV4 query-string signatures for GET on path-style URLs, computed here.

    boto3's presigner costs about a millisecond per URL; a two-hour film's session
    playlists name thousands of segments. This is the same algorithm (AWS Signature
    Version 4, UNSIGNED-PAYLOAD, `host` the only signed header) with the day's signing key
    derived once, so a URL costs two HMACs and a hash.
    """

    def __init__(self, endpoint_url: str, bucket: str, region: str, access_key_id: str, secret_access_key: str) -> None:
        parsed = urllib.parse.urlsplit(endpoint_url)
        self._origin = f"{parsed.scheme}://{parsed.netloc}"
        self._host = parsed.netloc
        self._base_path = parsed.path.rstrip("/") + "/" + _quote(bucket)
        self._region = region
        self._access = access_key_id
        self._secret = secret_access_key
        self._keys: dict[str, bytes] = {}

    def _signing_key(self, day: str) -> bytes:
        if day not in self._keys:
            key = f"AWS4{self._secret}".encode()
            for part in (day, self._region, "s3", "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            self._keys = {day: key}
        return self._keys[day]

    def sign(self, key: str, expires_seconds: int, *, now: dt.datetime | None = None) -> str:
        at = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
        day = at[:8]
        scope = f"{day}/{self._region}/s3/aws4_request"
        path = self._base_path + "/" + _quote(key)
        query = (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Credential={_quote(self._access + '/' + scope, safe='')}"
            f"&X-Amz-Date={at}&X-Amz-Expires={expires_seconds}&X-Amz-SignedHeaders=host"
        )
        canonical = f"GET\n{path}\n{query}\nhost:{self._host}\n\nhost\nUNSIGNED-PAYLOAD"
        to_sign = f"AWS4-HMAC-SHA256\n{at}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signature = hmac.new(self._signing_key(day), to_sign.encode(), hashlib.sha256).hexdigest()
        return f"{self._origin}{path}?{query}&X-Amz-Signature={signature}"


def _quote(value: str, safe: str = "/") -> str:
    return urllib.parse.quote(value, safe=safe + "-_.~")


class ObjectStore:
    """Blocking S3 calls on one bucket. Errors reaching the store become UNAVAILABLE."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.bucket = connection.bucket
        self._s3 = _client(connection, connection.endpoint_url)
        # Presigned URLs are signed for the host clients reach, which may differ from ours.
        self._signer = _client(connection, connection.public_endpoint_url)
        self._fast: GetSigner | None = None
        if connection.path_style and connection.access_key_id and connection.secret_access_key:
            self._fast = GetSigner(
                connection.public_endpoint_url, connection.bucket, connection.region,
                connection.access_key_id, connection.secret_access_key,
            )  # fmt: skip

    def _call(self, fn: Callable[..., T], **kwargs: Any) -> T:
        try:
            return fn(Bucket=self.bucket, **kwargs)
        except botocore.exceptions.ClientError:
            raise
        except (botocore.exceptions.BotoCoreError, OSError) as exc:
            raise Unavailable("object storage could not be reached; retry", reason="DEPENDENCY_UNAVAILABLE") from exc

    def ensure_bucket(self) -> None:
        try:
            self._call(self._s3.head_bucket)
        except botocore.exceptions.ClientError:
            self._call(self._s3.create_bucket)

    # Presigning is local computation: no request reaches the store.
    def presign_put(self, key: str, *, content_type: str, expires_seconds: int) -> str:
        return str(
            self._signer.generate_presigned_url(
                "put_object",
                Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type},
                ExpiresIn=expires_seconds,
                HttpMethod="PUT",
            )
        )

    def presign_part(self, key: str, upload_id: str, part_number: int, *, expires_seconds: int) -> str:
        return str(
            self._signer.generate_presigned_url(
                "upload_part",
                Params={"Bucket": self.bucket, "Key": key, "UploadId": upload_id, "PartNumber": part_number},
                ExpiresIn=expires_seconds,
                HttpMethod="PUT",
            )
        )

    def presign_segment(self, key: str, *, expires_seconds: int) -> str:
        """A presigned GET for a playlist entry: the fast signer where it applies, boto3 otherwise."""
        if self._fast is not None:
            return self._fast.sign(key, expires_seconds)
        return self.presign_get(key, expires_seconds=expires_seconds)

    def presign_get(self, key: str, *, expires_seconds: int, content_type: str = "") -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if content_type:
            params["ResponseContentType"] = content_type
        return str(self._signer.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_seconds))

    def create_multipart(self, key: str, *, content_type: str) -> str:
        reply = self._call(self._s3.create_multipart_upload, Key=key, ContentType=content_type)
        return str(reply["UploadId"])

    def list_parts(self, key: str, upload_id: str) -> list[StoredPart] | None:
        """Parts stored so far, ascending; None when the upload no longer exists."""
        found: list[StoredPart] = []
        marker = 0
        while True:
            try:
                reply = self._call(self._s3.list_parts, Key=key, UploadId=upload_id, PartNumberMarker=marker, MaxParts=1000)
            except botocore.exceptions.ClientError as exc:
                if _is_missing(exc):
                    return None
                raise
            for part in reply.get("Parts", []):
                found.append(StoredPart(int(part["PartNumber"]), int(part["Size"]), str(part["ETag"])))
            if not reply.get("IsTruncated"):
                return sorted(found, key=lambda p: p.part_number)
            marker = int(reply["NextPartNumberMarker"])

    def complete_multipart(self, key: str, upload_id: str, parts: list[StoredPart]) -> None:
        self._call(
            self._s3.complete_multipart_upload,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": p.part_number, "ETag": p.etag} for p in parts]},
        )

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            self._call(self._s3.abort_multipart_upload, Key=key, UploadId=upload_id)
        except botocore.exceptions.ClientError as exc:
            if not _is_missing(exc):
                raise

    def head(self, key: str) -> ObjectInfo | None:
        try:
            reply = self._call(self._s3.head_object, Key=key)
        except botocore.exceptions.ClientError as exc:
            if _is_missing(exc):
                return None
            raise
        return ObjectInfo(key, int(reply["ContentLength"]), str(reply.get("ContentType", "")))

    def put_bytes(self, key: str, data: bytes, *, content_type: str) -> int:
        self._call(self._s3.put_object, Key=key, Body=data, ContentType=content_type)
        return len(data)

    def put_file(self, key: str, path: pathlib.Path, *, content_type: str) -> int:
        with path.open("rb") as body:
            self._call(self._s3.put_object, Key=key, Body=body, ContentType=content_type)
        return path.stat().st_size

    def get_bytes(self, key: str) -> bytes:
        reply = self._call(self._s3.get_object, Key=key)
        return bytes(reply["Body"].read())

    def chunks(self, key: str) -> Iterator[bytes]:
        reply = self._call(self._s3.get_object, Key=key)
        body = reply["Body"]
        try:
            while chunk := body.read(READ_CHUNK_BYTES):
                yield chunk
        finally:
            body.close()

    def download(self, key: str, path: pathlib.Path) -> None:
        with path.open("wb") as out:
            for chunk in self.chunks(key):
                out.write(chunk)

    def sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        for chunk in self.chunks(key):
            digest.update(chunk)
        return digest.hexdigest()

    def list_keys(self, prefix: str) -> list[ObjectInfo]:
        found: list[ObjectInfo] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Prefix": prefix, "MaxKeys": 1000}
            if token:
                kwargs["ContinuationToken"] = token
            reply = self._call(self._s3.list_objects_v2, **kwargs)
            found.extend(ObjectInfo(str(o["Key"]), int(o["Size"])) for o in reply.get("Contents", []))
            if not reply.get("IsTruncated"):
                return found
            token = str(reply["NextContinuationToken"])

    def delete(self, key: str) -> None:
        self._call(self._s3.delete_object, Key=key)

    def delete_prefix(self, prefix: str) -> int:
        """Deletes every object under `prefix`; returns how many."""
        keys = [o.key for o in self.list_keys(prefix)]
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            self._call(self._s3.delete_objects, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
        return len(keys)


class Storage:
    """The async face of an `ObjectStore` for gRPC servers: every blocking call runs in a thread.

    The store is connected on first use, so a process serving Media can start before the
    embedded store has written its connection file (and one that never touches media never needs it).
    """

    def __init__(self, connect: Callable[[], ObjectStore], *, threads: int = 8) -> None:
        self._connect = connect
        self._store: ObjectStore | None = None
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="storage")

    @classmethod
    def from_settings(cls, storage: StorageSettings, core: Settings) -> Storage:
        return cls(lambda: ObjectStore(Connection.from_settings(storage, core)))

    @property
    def store(self) -> ObjectStore:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = self._connect()
        return self._store

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
