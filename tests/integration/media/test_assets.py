"""Asset CRUD over the wire: listing with filters and pages, updates with etags and masks, deletion from storage, purge."""

from __future__ import annotations

import datetime as dt
import pathlib

import grpc
import httpx
from google.protobuf import field_mask_pb2
from marquee.longrunning.v1 import operation_pb2
from marquee.media.v1 import media_pb2 as pb
from sqlalchemy import create_engine, text

from services.core.storage import ObjectStore
from tests.integration.media.conftest import Caller, fails
from tests.integration.media.test_uploads import upload_clip


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


async def test_list_filters_orders_and_pages(media, alice: Caller, clip: pathlib.Path) -> None:
    ready = await upload_clip(media, alice, clip, asset=pb.Asset(display_name="Lecture B"))
    names = [ready.name]
    for title in ("lecture a", "Zoology"):
        created = await media.CreateUpload(
            pb.CreateUploadRequest(filename="x.mp4", content_type="video/mp4", size_bytes=10, asset=pb.Asset(display_name=title)),
            metadata=alice.auth,
        )
        names.append(created.asset.name)
    newest = await media.ListAssets(pb.ListAssetsRequest(), metadata=alice.auth)
    assert [a.name for a in newest.assets] == names[::-1]
    by_name = await media.ListAssets(pb.ListAssetsRequest(order_by=pb.ASSET_ORDER_DISPLAY_NAME), metadata=alice.auth)
    assert [a.display_name for a in by_name.assets] == ["Lecture B", "Zoology", "lecture a"]
    lectures = await media.ListAssets(
        pb.ListAssetsRequest(filter=pb.AssetFilter(display_name_contains="LECTURE")), metadata=alice.auth
    )
    assert len(lectures.assets) == 2
    waiting = await media.ListAssets(
        pb.ListAssetsRequest(filter=pb.AssetFilter(states=[pb.ASSET_STATE_WAITING_UPLOAD])), metadata=alice.auth
    )
    assert {a.name for a in waiting.assets} == set(names[1:])
    page1 = await media.ListAssets(pb.ListAssetsRequest(page_size=2, order_by=pb.ASSET_ORDER_OLDEST), metadata=alice.auth)
    page2 = await media.ListAssets(
        pb.ListAssetsRequest(page_size=2, order_by=pb.ASSET_ORDER_OLDEST, page_token=page1.next_page_token), metadata=alice.auth
    )
    assert [a.name for a in [*page1.assets, *page2.assets]] == names
    assert not page2.next_page_token
    bad = await fails(media.ListAssets(pb.ListAssetsRequest(page_token=page1.next_page_token), metadata=alice.auth))
    assert bad.reason == "INVALID_PAGE_TOKEN"


async def test_update_with_etag_and_mask(media, alice: Caller) -> None:
    created = await media.CreateUpload(
        pb.CreateUploadRequest(filename="x.mp4", content_type="video/mp4", size_bytes=10), metadata=alice.auth
    )
    asset = created.asset
    renamed = pb.Asset(name=asset.name, etag=asset.etag, display_name="Renamed", labels={"course": "cs101"})
    updated = await media.UpdateAsset(
        pb.UpdateAssetRequest(asset=renamed, update_mask=mask("display_name", "labels")), metadata=alice.auth
    )
    assert updated.asset.display_name == "Renamed"
    assert dict(updated.asset.labels) == {"course": "cs101"}
    assert updated.asset.etag != asset.etag
    stale = await fails(
        media.UpdateAsset(
            pb.UpdateAssetRequest(
                asset=pb.Asset(name=asset.name, etag=asset.etag, display_name="Again"), update_mask=mask("display_name")
            ),
            metadata=alice.auth,
        )
    )
    assert stale.code == grpc.StatusCode.ABORTED
    assert stale.reason == "ETAG_MISMATCH"
    admin_only = await fails(
        media.UpdateAsset(
            pb.UpdateAssetRequest(
                asset=pb.Asset(name=asset.name, visibility=pb.ASSET_VISIBILITY_PUBLIC), update_mask=mask("visibility")
            ),
            metadata=alice.auth,
        )
    )
    assert admin_only.code == grpc.StatusCode.PERMISSION_DENIED
    unknown = await fails(
        media.UpdateAsset(pb.UpdateAssetRequest(asset=pb.Asset(name=asset.name), update_mask=mask("state")), metadata=alice.auth)
    )
    assert unknown.code == grpc.StatusCode.INVALID_ARGUMENT


async def test_delete_removes_every_object(media, alice: Caller, clip: pathlib.Path, objects: ObjectStore) -> None:
    asset = await upload_clip(media, alice, clip)
    prefix = asset.name + "/"
    assert objects.list_keys(prefix)
    stale = await fails(media.DeleteAsset(pb.DeleteAssetRequest(name=asset.name, etag="nope"), metadata=alice.auth))
    assert stale.reason == "ETAG_MISMATCH"
    await media.DeleteAsset(pb.DeleteAssetRequest(name=asset.name), metadata=alice.auth)
    assert objects.list_keys(prefix) == []
    gone = await fails(media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=alice.auth))
    assert gone.code == grpc.StatusCode.NOT_FOUND


async def test_purge_user_assets_deletes_their_objects(
    media, alice: Caller, service: Caller, clip: pathlib.Path, objects: ObjectStore
) -> None:
    first = await upload_clip(media, alice, clip)
    await media.CreateUpload(
        pb.CreateUploadRequest(filename="x.mp4", content_type="video/mp4", size_bytes=10), metadata=alice.auth
    )
    denied = await fails(media.PurgeUserAssets(pb.PurgeUserAssetsRequest(user=alice.name), metadata=alice.auth))
    assert denied.code == grpc.StatusCode.PERMISSION_DENIED
    purged = await media.PurgeUserAssets(pb.PurgeUserAssetsRequest(user=alice.name), metadata=service.auth)
    assert purged.deleted_asset_count == 2
    assert objects.list_keys(first.name + "/") == []
    again = await media.PurgeUserAssets(pb.PurgeUserAssetsRequest(user=alice.name), metadata=service.auth)
    assert again.deleted_asset_count == 0


async def test_expired_uploads_are_swept_with_their_bytes(
    media, alice: Caller, settings, objects: ObjectStore, redis_client_for_media
) -> None:
    created = await media.CreateUpload(
        pb.CreateUploadRequest(filename="x.mp4", content_type="video/mp4", size_bytes=5), metadata=alice.auth
    )
    async with httpx.AsyncClient(timeout=30) as client:
        await client.put(created.upload_target.url, content=b"12345", headers={"Content-Type": "video/mp4"})
    engine = create_engine(settings.resolved_database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE media_assets SET upload_expire_time = :t WHERE id = :id"),
            {"t": dt.datetime(2020, 1, 1, tzinfo=dt.UTC), "id": created.asset.name.removeprefix("assets/")},
        )
    engine.dispose()
    redis_client_for_media.delete("marquee:media:upload-sweep")
    await media.CreateUpload(
        pb.CreateUploadRequest(filename="y.mp4", content_type="video/mp4", size_bytes=5), metadata=alice.auth
    )
    gone = await fails(media.GetAsset(pb.GetAssetRequest(name=created.asset.name), metadata=alice.auth))
    assert gone.code == grpc.StatusCode.NOT_FOUND
    assert objects.list_keys(created.asset.name + "/") == []


async def test_a_transcode_cancelled_while_queued_returns_the_asset(media, alice: Caller, clip: pathlib.Path) -> None:
    # No worker consumes in this module: the operation stays QUEUED until cancelled.
    asset = await upload_clip(media, alice, clip)
    operation = (await media.StartTranscode(pb.StartTranscodeRequest(name=asset.name), metadata=alice.auth)).operation
    processing = (await media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=alice.auth)).asset
    assert processing.state == pb.ASSET_STATE_PROCESSING
    cancelled = await media.CancelOperation(pb.CancelOperationRequest(name=operation.name), metadata=alice.auth)
    assert cancelled.operation.state == operation_pb2.OPERATION_STATE_CANCELLED
    back = (await media.GetAsset(pb.GetAssetRequest(name=asset.name), metadata=alice.auth)).asset
    assert back.state == pb.ASSET_STATE_READY_TO_PROCESS
