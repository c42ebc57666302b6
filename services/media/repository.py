"""The only place Media builds queries. Takes a session; never commits (the unit of work does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from services.media.models import Asset, PlaybackSession, TextTrack, Thumbnail


class MediaRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # Assets
    def add(self, row: Any) -> None:
        self.session.add(row)
        self.session.flush()

    def asset(self, asset_id: str, *, for_update: bool = False) -> Asset | None:
        query = select(Asset).where(Asset.id == asset_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def stored_source_bytes(self, owner_id: str) -> int:
        """Bytes of sources a user holds or has declared for uploads in progress."""
        total = self.session.scalar(select(func.coalesce(func.sum(Asset.size_bytes), 0)).where(Asset.owner_id == owner_id))
        return int(total or 0)

    def list_assets(
        self,
        *,
        owner_id: str | None,
        states: Sequence[str],
        purposes: Sequence[str],
        title: str,
        name_contains: str,
        order: str,
        after: dict[str, Any] | None,
        limit: int,
    ) -> list[Asset]:
        query: Select[tuple[Asset]] = select(Asset)
        if owner_id is not None:
            query = query.where(Asset.owner_id == owner_id)
        if states:
            query = query.where(Asset.state.in_(states))
        if purposes:
            query = query.where(Asset.purpose.in_(purposes))
        if title:
            query = query.where(or_(Asset.title == title, Asset.title.startswith(title + "/")))
        if name_contains:
            escaped = name_contains.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(func.lower(Asset.display_name).like(f"%{escaped}%", escape="\\"))
        if order == "display_name":
            if after is not None:
                query = query.where(
                    or_(Asset.display_name > after["k"], (Asset.display_name == after["k"]) & (Asset.id > after["id"]))
                )
            query = query.order_by(Asset.display_name, Asset.id)
        elif order == "oldest":
            if after is not None:
                at = dt.datetime.fromisoformat(after["k"])
                query = query.where(or_(Asset.create_time > at, (Asset.create_time == at) & (Asset.id > after["id"])))
            query = query.order_by(Asset.create_time, Asset.id)
        else:
            if after is not None:
                at = dt.datetime.fromisoformat(after["k"])
                query = query.where(or_(Asset.create_time < at, (Asset.create_time == at) & (Asset.id < after["id"])))
            query = query.order_by(Asset.create_time.desc(), Asset.id.desc())
        return list(self.session.scalars(query.limit(limit)))

    def assets_of(self, owner_id: str) -> list[Asset]:
        return list(self.session.scalars(select(Asset).where(Asset.owner_id == owner_id)))

    def expired_uploads(self, now: dt.datetime, limit: int) -> list[Asset]:
        query = select(Asset).where(Asset.state == "waiting_upload", Asset.upload_expire_time < now).limit(limit)
        return list(self.session.scalars(query))

    def delete(self, row: Any) -> None:
        self.session.delete(row)
        self.session.flush()

    def feature_of(self, title: str, *, other_than: str) -> Asset | None:
        query = select(Asset).where(Asset.title == title, Asset.purpose == "feature", Asset.id != other_than)
        return self.session.scalars(query).first()

    # Thumbnails
    def thumbnails(self, asset_id: str) -> list[Thumbnail]:
        query = select(Thumbnail).where(Thumbnail.asset_id == asset_id)
        rows = list(self.session.scalars(query))
        # By time offset, uploaded images (no offset) last.
        return sorted(rows, key=lambda t: (t.time_offset_seconds is None, t.time_offset_seconds or 0.0, t.create_time, t.id))

    def thumbnail(self, asset_id: str, thumbnail_id: str) -> Thumbnail | None:
        query = select(Thumbnail).where(Thumbnail.asset_id == asset_id, Thumbnail.id == thumbnail_id)
        return self.session.scalars(query).first()

    def thumbnail_count(self, asset_id: str) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Thumbnail).where(Thumbnail.asset_id == asset_id)) or 0)

    # Text tracks
    def text_tracks(self, asset_id: str) -> list[TextTrack]:
        query = (
            select(TextTrack)
            .where(TextTrack.asset_id == asset_id)
            .order_by(TextTrack.language_code, TextTrack.kind, TextTrack.id)
        )
        return list(self.session.scalars(query))

    def text_track(self, asset_id: str, track_id: str) -> TextTrack | None:
        query = select(TextTrack).where(TextTrack.asset_id == asset_id, TextTrack.id == track_id)
        return self.session.scalars(query).first()

    def text_track_like(self, asset_id: str, kind: str, language_code: str, *, other_than: str = "") -> TextTrack | None:
        query = select(TextTrack).where(
            TextTrack.asset_id == asset_id,
            TextTrack.kind == kind,
            TextTrack.language_code == language_code,
            TextTrack.id != other_than,
        )
        return self.session.scalars(query).first()

    def clear_default_tracks(self, asset_id: str, *, except_id: str) -> None:
        self.session.execute(
            update(TextTrack).where(TextTrack.asset_id == asset_id, TextTrack.id != except_id).values(is_default=False)
        )

    # Playback sessions
    def playback_session(self, session_id: str, *, for_update: bool = False) -> PlaybackSession | None:
        query = select(PlaybackSession).where(PlaybackSession.id == session_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def active_sessions(self, user_id: str, *, for_update: bool = False) -> list[PlaybackSession]:
        query = select(PlaybackSession).where(PlaybackSession.user_id == user_id, PlaybackSession.state == "active")
        if for_update:
            query = query.with_for_update()
        return list(self.session.scalars(query))

    def sessions_of_asset(self, asset_id: str) -> list[PlaybackSession]:
        query = select(PlaybackSession).where(PlaybackSession.asset_id == asset_id, PlaybackSession.state == "active")
        return list(self.session.scalars(query))

    def list_sessions(
        self, user_id: str, *, include_ended_since: dt.datetime | None, after: dict[str, Any] | None, limit: int
    ) -> list[PlaybackSession]:
        query = select(PlaybackSession).where(PlaybackSession.user_id == user_id)
        if include_ended_since is None:
            query = query.where(PlaybackSession.state == "active")
        else:
            query = query.where(or_(PlaybackSession.state == "active", PlaybackSession.end_time >= include_ended_since))
        if after is not None:
            at = dt.datetime.fromisoformat(after["k"])
            query = query.where(
                or_(PlaybackSession.create_time < at, (PlaybackSession.create_time == at) & (PlaybackSession.id < after["id"]))
            )
        query = query.order_by(PlaybackSession.create_time.desc(), PlaybackSession.id.desc()).limit(limit)
        return list(self.session.scalars(query))

    def all_sessions_of(self, user_id: str) -> list[PlaybackSession]:
        """Every session of a user, ended ones too, newest first (account export and erasure)."""
        query = select(PlaybackSession).where(PlaybackSession.user_id == user_id)
        return list(self.session.scalars(query.order_by(PlaybackSession.create_time.desc(), PlaybackSession.id.desc())))
