"""Auth's queries. Takes a session, never commits: the unit of work around the RPC does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session as DbSession

from services.auth.models import Identity, OAuthState, OneTimeToken, RefreshToken, Session, User
from services.core.db import Prepared

_USER_COLUMNS = tuple(column.key for column in User.__table__.columns)
_USER_WITH_PROVIDERS = Prepared(
    select(*User.__table__.columns, Identity.provider)
    .outerjoin(Identity, Identity.user_id == User.id)
    .where(User.id == bindparam("user_id"))
)


class AuthRepository:
    def __init__(self, session: DbSession) -> None:
        self.s = session

    # users
    def user(self, user_id: str, *, for_update: bool = False) -> User | None:
        query = select(User).where(User.id == user_id)
        if for_update:
            query = query.with_for_update()
        return self.s.scalars(query).first()

    def user_with_providers(self, user_id: str) -> tuple[User, list[str]] | None:
        """The user and the providers linked to it, in one round trip (the GetUser hot path)."""
        rows = _USER_WITH_PROVIDERS.rows(self.s, user_id=user_id)
        if not rows:
            return None
        # A transient User from the row (the same values the ORM would load), without an identity map.
        user = User(**dict(zip(_USER_COLUMNS, rows[0][:-1], strict=True)))
        return user, sorted({row[-1] for row in rows if row[-1]})

    def providers_of(self, user_id: str) -> list[str]:
        return sorted(set(self.s.scalars(select(Identity.provider).where(Identity.user_id == user_id))))

    def user_by_email(self, email: str) -> User | None:
        return self.s.scalars(select(User).where(User.email == email)).first()

    def add(self, row: object) -> None:
        self.s.add(row)

    def flush(self) -> None:
        self.s.flush()

    def delete(self, row: object) -> None:
        self.s.delete(row)

    def mark_bonus_granted(self, user_id: str) -> None:
        self.s.execute(update(User).where(User.id == user_id).values(bonus_granted=True))

    def count_admins(self) -> int:
        return self.s.scalar(select(func.count()).select_from(User).where(User.role == "admin", User.disabled.is_(False))) or 0

    def list_users(
        self,
        *,
        email_contains: str,
        role: str,
        disabled: bool | None,
        provider: str,
        created_after: dt.datetime | None,
        created_before: dt.datetime | None,
        order: str,
        after: tuple[object, str] | None,
        limit: int,
    ) -> tuple[Sequence[User], int]:
        query = select(User)
        if email_contains:
            query = query.where(User.email.contains(email_contains.lower(), autoescape=True))
        if role:
            query = query.where(User.role == role)
        if disabled is not None:
            query = query.where(User.disabled.is_(disabled))
        if provider:
            query = query.where(User.id.in_(select(Identity.user_id).where(Identity.provider == provider)))
        if created_after is not None:
            query = query.where(User.create_time >= created_after)
        if created_before is not None:
            query = query.where(User.create_time < created_before)
        total = self.s.scalar(select(func.count()).select_from(query.subquery())) or 0
        column, descending = {
            "create_time_desc": (User.create_time, True),
            "create_time_asc": (User.create_time, False),
            "email": (User.email, False),
            "last_login_desc": (func.coalesce(User.last_login_time, User.create_time), True),
        }[order]
        if after is not None:
            value, last_id = after
            if descending:
                query = query.where((column < value) | ((column == value) & (User.id < last_id)))
            else:
                query = query.where((column > value) | ((column == value) & (User.id > last_id)))
        ordering = (column.desc(), User.id.desc()) if descending else (column.asc(), User.id.asc())
        return self.s.scalars(query.order_by(*ordering).limit(limit + 1)).all(), total

    # identities
    def identity(self, provider: str, subject: str) -> Identity | None:
        return self.s.scalars(select(Identity).where(Identity.provider == provider, Identity.subject == subject)).first()

    def identities_of(self, user_id: str) -> Sequence[Identity]:
        return self.s.scalars(
            select(Identity).where(Identity.user_id == user_id).order_by(Identity.create_time, Identity.id)
        ).all()

    # sessions and refresh tokens
    def session(self, session_id: str) -> Session | None:
        return self.s.get(Session, session_id)

    def active_sessions(self, user_id: str, now: dt.datetime) -> Sequence[Session]:
        return self.s.scalars(
            select(Session)
            .where(Session.user_id == user_id, Session.revoke_time.is_(None), Session.expire_time > now)
            .order_by(Session.last_used_time.desc(), Session.id.desc())
        ).all()

    def sessions_of(self, user_id: str) -> Sequence[Session]:
        return self.s.scalars(select(Session).where(Session.user_id == user_id).order_by(Session.create_time.desc())).all()

    def session_for_device(self, user_id: str, device_id: str, now: dt.datetime) -> Session | None:
        return self.s.scalars(
            select(Session).where(
                Session.user_id == user_id,
                Session.device_id == device_id,
                Session.revoke_time.is_(None),
                Session.expire_time > now,
            )
        ).first()

    def refresh_token(self, token_hash: str, *, for_update: bool = False) -> RefreshToken | None:
        query = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
        if for_update:
            query = query.with_for_update()
        return self.s.scalars(query).first()

    def spend_refresh_token(self, token_id: str, now: dt.datetime) -> bool:
        """Marks the token spent; False if someone else spent it first (a race is a reuse)."""
        result = self.s.execute(
            update(RefreshToken).where(RefreshToken.id == token_id, RefreshToken.spend_time.is_(None)).values(spend_time=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def revoke_sessions(self, user_id: str, now: dt.datetime, reason: str, *, keep: str = "") -> int:
        """Revoke a user's live sessions (a handful: one per device) as ORM changes, so the unit of
        work sees each one and tells every process after it commits (`AuthUseCases`)."""
        query = select(Session).where(Session.user_id == user_id, Session.revoke_time.is_(None))
        if keep:
            query = query.where(Session.id != keep)
        sessions = list(self.s.scalars(query))
        for session in sessions:
            session.revoke_time, session.revoke_reason = now, reason
        return len(sessions)

    # one-time tokens and oauth state
    def one_time_token(self, token_hash: str) -> OneTimeToken | None:
        return self.s.scalars(select(OneTimeToken).where(OneTimeToken.token_hash == token_hash)).first()

    def supersede_one_time_tokens(self, user_id: str, purpose: str, now: dt.datetime) -> None:
        """Older unused tokens stop working (they read as used, so they are INVALID, not EXPIRED)."""
        self.s.execute(
            update(OneTimeToken)
            .where(OneTimeToken.user_id == user_id, OneTimeToken.purpose == purpose, OneTimeToken.use_time.is_(None))
            .values(use_time=now)
        )

    def spend_session_refresh_tokens(self, session_id: str, now: dt.datetime) -> None:
        self.s.execute(
            update(RefreshToken)
            .where(RefreshToken.session_id == session_id, RefreshToken.spend_time.is_(None))
            .values(spend_time=now)
        )

    def oauth_state(self, state_id: str, *, for_update: bool = False) -> OAuthState | None:
        query = select(OAuthState).where(OAuthState.id == state_id)
        if for_update:
            query = query.with_for_update()
        return self.s.scalars(query).first()
