"""Linking an asset to a Catalog title or episode is checked through Catalog's contract (the session server
runs Catalog for real): an unknown title or episode is NOT_FOUND / TITLE_NOT_FOUND, a draft title is linkable
by the admin who can see it, and nothing is created or changed on a refused link."""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import field_mask_pb2
from marquee.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from marquee.media.v1 import media_pb2 as pb

from tests.integration.media.conftest import Caller, fails


def upload(title: str, name: str = "film.mp4") -> pb.CreateUploadRequest:
    return pb.CreateUploadRequest(
        filename=name, content_type="video/mp4", size_bytes=10, asset=pb.Asset(title=title, purpose=pb.ASSET_PURPOSE_TRAILER)
    )


async def test_links_to_titles_and_episodes_are_checked_in_the_catalog(
    media: Any, channel: grpc.aio.Channel, admin: Caller, alice: Caller
) -> None:
    catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
    draft = catalog_pb2.Title(kind=catalog_pb2.TITLE_KIND_MOVIE, display_name="Linkable draft")
    title = (await catalog.CreateTitle(catalog_pb2.CreateTitleRequest(title=draft), metadata=admin.auth)).title
    linked = (await media.CreateUpload(upload(title.name), metadata=admin.auth)).asset
    assert linked.title == title.name

    for missing in ("titles/doesnotexist0000", f"{title.name}/seasons/1/episodes/1"):
        error = await fails(media.CreateUpload(upload(missing), metadata=admin.auth))
        assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "TITLE_NOT_FOUND"), missing
        assert error.info.domain == "marquee.media"
        assert error.info.metadata["title"] == missing
    malformed = await fails(media.CreateUpload(upload("films/123"), metadata=admin.auth))
    assert malformed.code == grpc.StatusCode.INVALID_ARGUMENT
    assert malformed.bad_request is not None
    assert [v.field for v in malformed.bad_request.field_violations] == ["asset.title"]
    for missing in ("titles/doesnotexist0000", f"{title.name}/seasons/1/episodes/1"):  # refused links created nothing
        listed = await media.ListAssets(pb.ListAssetsRequest(filter=pb.AssetFilter(title=missing)), metadata=admin.auth)
        assert list(listed.assets) == []
    listed = await media.ListAssets(pb.ListAssetsRequest(filter=pb.AssetFilter(title=title.name)), metadata=admin.auth)
    assert [a.name for a in listed.assets] == [linked.name]

    moved = await fails(
        media.UpdateAsset(
            pb.UpdateAssetRequest(
                asset=pb.Asset(name=linked.name, title="titles/doesnotexist0000"),
                update_mask=field_mask_pb2.FieldMask(paths=["title"]),
            ),
            metadata=admin.auth,
        )
    )
    assert (moved.code, moved.reason) == (grpc.StatusCode.NOT_FOUND, "TITLE_NOT_FOUND")
    kept = (await media.GetAsset(pb.GetAssetRequest(name=linked.name), metadata=admin.auth)).asset
    assert kept.title == title.name
    # Users cannot link at all, whether or not the title exists.
    denied = await fails(media.CreateUpload(upload(title.name), metadata=alice.auth))
    assert denied.code == grpc.StatusCode.PERMISSION_DENIED
