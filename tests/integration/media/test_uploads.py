"""Direct uploads to real SeaweedFS over presigned URLs: single PUT, multipart with resume, refusals, limits."""

from __future__ import annotations

import asyncio
import hashlib
import pathlib

import grpc
import httpx
from google.protobuf import field_mask_pb2
from marquee.media.v1 import media_pb2 as pb

from services.core.storage import ObjectStore
from tests.integration.media.conftest import DOMAIN, Caller, fails

MiB = 1024 * 1024


async def put(url: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.put(url, content=body, headers=headers or {})


async def upload_clip(media: object, who: Caller, clip: pathlib.Path, **fields: object) -> pb.Asset:
    data = await asyncio.to_thread(clip.read_bytes)
    created = await media.CreateUpload(  # type: ignore[attr-defined]
        pb.CreateUploadRequest(filename=clip.name, content_type="video/mp4", size_bytes=len(data),
                               sha256=hashlib.sha256(data).hexdigest(), **fields),
        metadata=who.auth,
    )  # fmt: skip
    target = created.upload_target
    assert target.protocol == pb.UPLOAD_PROTOCOL_SINGLE
    reply = await put(target.url, data, dict(target.headers))
    assert reply.status_code == 200, reply.text
    done = await media.CompleteUpload(pb.CompleteUploadRequest(name=created.asset.name), metadata=who.auth)  # type: ignore[attr-defined]
    return done.asset


async def test_single_put_upload_is_verified_and_probed(media, alice: Caller, clip: pathlib.Path, objects: ObjectStore) -> None:
    asset = await upload_clip(media, alice, clip)
    assert asset.state == pb.ASSET_STATE_READY_TO_PROCESS
    assert asset.owner == alice.name
    assert asset.purpose == pb.ASSET_PURPOSE_PERSONAL
    assert asset.visibility == pb.ASSET_VISIBILITY_PRIVATE
    assert asset.source.container == "mp4"
    assert (asset.source.video.width, asset.source.video.height) == (640, 360)
    assert asset.source.video.codec == "h264"
    assert asset.source.audio[0].codec == "aac"
    assert 2.9 <= asset.duration.seconds + asset.duration.nanos / 1e9 <= 3.1
    assert objects.head(f"{asset.name}/source").size_bytes == len(await asyncio.to_thread(clip.read_bytes))  # type: ignore[union-attr]
    again = await media.CompleteUpload(pb.CompleteUploadRequest(name=asset.name), metadata=alice.auth)
    assert again.asset.etag == asset.etag  # completing twice changes nothing


async def test_presigned_url_refuses_tampering_and_other_content(media, alice: Caller) -> None:
    created = await media.CreateUpload(
        pb.CreateUploadRequest(filename="a.mp4", content_type="video/mp4", size_bytes=10), metadata=alice.auth
    )
    url = created.upload_target.url
    tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    assert (await put(tampered, b"0123456789", {"Content-Type": "video/mp4"})).status_code == 403
    assert (await put(url, b"0123456789", {"Content-Type": "video/webm"})).status_code == 403
    other_key = url.replace(created.asset.name.split("/")[1], "0" * 32)
    assert (await put(other_key, b"0123456789", {"Content-Type": "video/mp4"})).status_code == 403


async def test_non_video_is_refused_with_its_reason_and_discarded(media, alice: Caller, objects: ObjectStore) -> None:
    body = b"this is not a video at all, just text " * 10
    created = await media.CreateUpload(
        pb.CreateUploadRequest(filename="notes.mp4", content_type="video/mp4", size_bytes=len(body)), metadata=alice.auth
    )
    assert (await put(created.upload_target.url, body, {"Content-Type": "video/mp4"})).status_code == 200
    error = await fails(media.CompleteUpload(pb.CompleteUploadRequest(name=created.asset.name), metadata=alice.auth))
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "SOURCE_UNREADABLE"
    assert error.info.domain == DOMAIN
    assert "not a playable video" in error.message
    assert objects.head(f"{created.asset.name}/source") is None
    still = await media.GetAsset(pb.GetAssetRequest(name=created.asset.name), metadata=alice.auth)
    assert still.asset.state == pb.ASSET_STATE_WAITING_UPLOAD


async def test_size_and_checksum_mismatches_discard_the_bytes(
    media, alice: Caller, clip: pathlib.Path, objects: ObjectStore
) -> None:
    data = await asyncio.to_thread(clip.read_bytes)
    wrong_size = await media.CreateUpload(
        pb.CreateUploadRequest(filename="c.mp4", content_type="video/mp4", size_bytes=len(data) + 1), metadata=alice.auth
    )
    await put(wrong_size.upload_target.url, data, {"Content-Type": "video/mp4"})
    error = await fails(media.CompleteUpload(pb.CompleteUploadRequest(name=wrong_size.asset.name), metadata=alice.auth))
    assert error.reason == "UPLOAD_SIZE_MISMATCH"
    assert objects.head(f"{wrong_size.asset.name}/source") is None
    wrong_sum = await media.CreateUpload(
        pb.CreateUploadRequest(filename="c.mp4", content_type="video/mp4", size_bytes=len(data), sha256="0" * 64),
        metadata=alice.auth,
    )
    await put(wrong_sum.upload_target.url, data, {"Content-Type": "video/mp4"})
    error = await fails(media.CompleteUpload(pb.CompleteUploadRequest(name=wrong_sum.asset.name), metadata=alice.auth))
    assert error.reason == "UPLOAD_CHECKSUM_MISMATCH"
    missing = await fails(media.CompleteUpload(pb.CompleteUploadRequest(name=wrong_sum.asset.name), metadata=alice.auth))
    assert missing.reason == "UPLOAD_NOT_FOUND"


async def test_multipart_upload_resumes_after_a_dropped_part(media, alice: Caller, clip: pathlib.Path) -> None:
    # A 64 MiB + tail file: the clip padded with zeros after its end still probes as the clip (mp4 ignores trailing bytes).
    data = await asyncio.to_thread(clip.read_bytes)
    body = data + b"\0" * (64 * MiB + 1000 - len(data))
    created = await media.CreateUpload(
        pb.CreateUploadRequest(
            filename="big.mp4",
            content_type="video/mp4",
            size_bytes=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            protocol=pb.UPLOAD_PROTOCOL_MULTIPART,
        ),
        metadata=alice.auth,
    )
    target = created.upload_target
    assert target.protocol == pb.UPLOAD_PROTOCOL_MULTIPART
    assert target.part_count == 2
    assert target.part_size_bytes == 64 * MiB
    assert [(p.part_number, p.offset_bytes, p.size_bytes) for p in target.parts] == [(1, 0, 64 * MiB), (2, 64 * MiB, 1000)]
    first = target.parts[0]
    assert (await put(first.url, body[: first.size_bytes])).status_code == 200
    # Part 2 "drops": completing now names it as missing.
    error = await fails(media.CompleteUpload(pb.CompleteUploadRequest(name=created.asset.name), metadata=alice.auth))
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "UPLOAD_INCOMPLETE"
    assert error.info.metadata["missing_parts"] == "2"
    resumed = await media.ResumeUpload(pb.ResumeUploadRequest(name=created.asset.name), metadata=alice.auth)
    assert list(resumed.stored_part_numbers) == [1]
    assert resumed.stored_bytes == 64 * MiB
    assert [p.part_number for p in resumed.upload_target.parts] == [2]  # nothing is sent twice
    second = resumed.upload_target.parts[0]
    assert (await put(second.url, body[second.offset_bytes :])).status_code == 200
    done = await media.CompleteUpload(pb.CompleteUploadRequest(name=created.asset.name), metadata=alice.auth)
    assert done.asset.state == pb.ASSET_STATE_READY_TO_PROCESS
    assert done.asset.source.size_bytes == len(body)
    after = await fails(media.ResumeUpload(pb.ResumeUploadRequest(name=created.asset.name), metadata=alice.auth))
    assert after.reason == "UPLOAD_ALREADY_COMPLETED"


async def test_limits_types_and_roles(media, alice: Caller, admin: Caller) -> None:
    error = await fails(
        media.CreateUpload(pb.CreateUploadRequest(filename="a.txt", content_type="text/plain", size_bytes=5), metadata=alice.auth)
    )
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "UNSUPPORTED_MEDIA_TYPE"
    error = await fails(
        media.CreateUpload(
            pb.CreateUploadRequest(filename="a.mp4", content_type="video/mp4", size_bytes=6 * 1024 * MiB), metadata=alice.auth
        )
    )
    assert error.reason == "FILE_TOO_LARGE"
    assert error.info.metadata["max_bytes"] == str(5 * 1024 * MiB)
    error = await fails(
        media.CreateUpload(
            pb.CreateUploadRequest(
                filename="a.mp4", content_type="video/mp4", size_bytes=200 * MiB, protocol=pb.UPLOAD_PROTOCOL_SINGLE
            ),
            metadata=alice.auth,
        )
    )
    assert error.reason == "FILE_TOO_LARGE"
    error = await fails(
        media.CreateUpload(
            pb.CreateUploadRequest(
                filename="a.mp4", content_type="video/mp4", size_bytes=10, asset=pb.Asset(purpose=pb.ASSET_PURPOSE_TRAILER)
            ),
            metadata=alice.auth,
        )
    )
    assert error.code == grpc.StatusCode.PERMISSION_DENIED
    assert error.reason == "ROLE_REQUIRED"
    for _ in range(2):
        await media.CreateUpload(
            pb.CreateUploadRequest(filename="a.mp4", content_type="video/mp4", size_bytes=4 * 1024 * MiB), metadata=alice.auth
        )
    error = await fails(
        media.CreateUpload(
            pb.CreateUploadRequest(filename="a.mp4", content_type="video/mp4", size_bytes=3 * 1024 * MiB), metadata=alice.auth
        )
    )
    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.reason == "STORAGE_QUOTA_EXCEEDED"
    trailer = await media.CreateUpload(
        pb.CreateUploadRequest(
            filename="t.mp4", content_type="video/mp4", size_bytes=10, asset=pb.Asset(purpose=pb.ASSET_PURPOSE_TRAILER)
        ),
        metadata=admin.auth,
    )
    assert trailer.asset.visibility == pb.ASSET_VISIBILITY_PUBLIC


async def test_another_users_asset_answers_not_found(
    media, alice: Caller, bob: Caller, admin: Caller, clip: pathlib.Path
) -> None:
    asset = await upload_clip(media, alice, clip)
    for call in (
        media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=bob.auth),
        media.CompleteUpload(pb.CompleteUploadRequest(name=asset.name), metadata=bob.auth),
        media.ResumeUpload(pb.ResumeUploadRequest(name=asset.name), metadata=bob.auth),
        media.DeleteAsset(pb.DeleteAssetRequest(name=asset.name), metadata=bob.auth),
        media.UpdateAsset(
            pb.UpdateAssetRequest(
                asset=pb.Asset(name=asset.name, display_name="x"), update_mask=field_mask_pb2.FieldMask(paths=["display_name"])
            ),
            metadata=bob.auth,
        ),
        media.ListThumbnails(pb.ListThumbnailsRequest(parent=asset.name), metadata=bob.auth),
        media.ListTextTracks(pb.ListTextTracksRequest(parent=asset.name), metadata=bob.auth),
    ):
        assert (await fails(call)).code == grpc.StatusCode.NOT_FOUND
    listed = await media.ListAssets(pb.ListAssetsRequest(), metadata=bob.auth)
    assert asset.name not in [a.name for a in listed.assets]
    seen = await media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=admin.auth)
    assert seen.asset.owner == alice.name
