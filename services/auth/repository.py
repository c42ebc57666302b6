"""Auth's queries. Takes a session, never commits: the unit of work around the RPC does."""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, and_, bindparam, func, or_, select, update

from services.auth.models import Erasure, Identity, OAuthState, OneTimeToken, RefreshToken, Session, User
from services.core.db import Prepared
from services.core.repository import Repository

if TYPE_CHECKING:
    from services.auth.domain import UserView

_USER_COLUMNS = tuple(column.key for column in User.__table__.columns)
# A user row as read, for reads that hand it out and never change it (GetUser): building an ORM
# instance (an instrumented set per column) cost more than the query itself (issue #15).
_UserRecord = collections.namedtuple("_UserRecord", _USER_COLUMNS)  # type: ignore[misc]  # fields from the table
_USER_WITH_PROVIDERS = Prepared(
    select(*User.__table__.columns, Identity.provider)
    .outerjoin(Identity, Identity.user_id == User.id)
    .where(User.id == bindparam("user_id"))
)


class AuthRepository(Repository):
    # users
    def user(self, user_id: str, *, for_update: bool = False) -> User | None:
        query = select(User).where(User.id == user_id)
        if for_update:
            query = query.with_for_update()
        return self.s.scalars(query).first()

    def user_with_providers(self, user_id: str) -> tuple[UserView, list[str]] | None:
        """The user (its columns as read, not an ORM object) and the providers linked to it, in one
        round trip (the GetUser hot path)."""
        rows = _USER_WITH_PROVIDERS.rows(self.s, user_id=user_id)
        if not rows:
            return None
        return cast("UserView", _UserRecord._make(rows[0][:-1])), sorted({row[-1] for row in rows if row[-1]})

    def providers_of(self, user_id: str) -> list[str]:
        return sorted(set(self.s.scalars(select(Identity.provider).where(Identity.user_id == user_id))))

    def user_by_email(self, email: str) -> User | None:
        return self.s.scalars(select(User).where(User.email == email)).first()

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
            "last_sign_in_time_desc": (func.coalesce(User.last_login_time, User.create_time), True),
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

    # erasures: one row per peer service for each deleted account (the durable fan-out)
    def add_erasure(self, user_id: str, service: str, now: dt.datetime, *, confirmed: list[dict[str, Any]] | None = None) -> None:
        """A service's erasure of a deleted user: due now, or already `confirmed` with what it erased (Auth's own)."""
        self.s.add(
            Erasure(
                user_id=user_id, service=service, create_time=now, attempt_count=0, last_error="",
                next_attempt_time=now, lease_owner="", erased=confirmed or [], retained=[],
                confirm_time=now if confirmed is not None else None,
            )
        )  # fmt: skip

    def erasures_of(self, user_id: str) -> Sequence[Erasure]:
        return self.s.scalars(select(Erasure).where(Erasure.user_id == user_id).order_by(Erasure.service)).all()

    @staticmethod
    def _claimable(now: dt.datetime) -> Any:
        return and_(Erasure.confirm_time.is_(None), or_(Erasure.lease_until.is_(None), Erasure.lease_until < now))

    def due_erasures(self, now: dt.datetime, *, limit: int, user_id: str = "") -> list[tuple[str, str]]:
        """`(user, service)` pairs unconfirmed, unleased and due (all of one user's when `user_id` is given)."""
        query = select(Erasure.user_id, Erasure.service).where(self._claimable(now))
        query = query.where(Erasure.user_id == user_id) if user_id else query.where(Erasure.next_attempt_time <= now)
        rows = self.s.execute(query.order_by(Erasure.next_attempt_time).limit(limit)).all()
        return [(row[0], row[1]) for row in rows]

    def claim_erasure(self, user_id: str, service: str, *, owner: str, now: dt.datetime, until: dt.datetime) -> bool:
        """Takes the lease on one row if nobody holds it (compare-and-set: one claimant wins)."""
        result = self.s.execute(
            update(Erasure)
            .where(Erasure.user_id == user_id, Erasure.service == service, self._claimable(now))
            .values(lease_owner=owner, lease_until=until)
        )
        return isinstance(result, CursorResult) and result.rowcount == 1

    def confirm_erasure(
        self, user_id: str, service: str, *, now: dt.datetime, erased: list[dict[str, Any]], retained: list[dict[str, Any]]
    ) -> None:
        self.s.execute(
            update(Erasure)
            .where(Erasure.user_id == user_id, Erasure.service == service, Erasure.confirm_time.is_(None))
            .values(
                confirm_time=now, erased=erased, retained=retained, last_error="", lease_owner="", lease_until=None,
                attempt_count=Erasure.attempt_count + 1,
            )
        )  # fmt: skip

    def fail_erasure(self, user_id: str, service: str, *, owner: str, error: str, next_attempt_time: dt.datetime) -> None:
        """Records a failed attempt and releases the lease (only the holder's: a lease lost to expiry stays)."""
        self.s.execute(
            update(Erasure)
            .where(Erasure.user_id == user_id, Erasure.service == service, Erasure.lease_owner == owner)
            .values(
                attempt_count=Erasure.attempt_count + 1, last_error=error[:2000], next_attempt_time=next_attempt_time,
                lease_owner="", lease_until=None,
            )
        )  # fmt: skip
