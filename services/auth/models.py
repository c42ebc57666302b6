"""Auth's tables. Every table is prefixed `auth_`; no other service references them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.models import NAMING_CONVENTION, Timestamps, UtcDateTime, new_id, utcnow


class Base(DeclarativeBase):
    """Auth's own MetaData: the service owns these tables and nothing else."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Timestamps, Base):
    __tablename__ = "auth_users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # NULL for social accounts whose provider shares no email (UNIQUE allows many NULLs).
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    pending_email: Mapped[str] = mapped_column(String(320), default="", index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    avatar_url: Mapped[str] = mapped_column(String(2048), default="")
    skill_level: Mapped[str] = mapped_column(String(20), default="")
    locale: Mapped[str] = mapped_column(String(35), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="")
    preferences: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    role: Mapped[str] = mapped_column(String(20), default="user", index=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether Billing confirmed the sign-up credits; sign-ins ask again until it has.
    bonus_granted: Mapped[bool] = mapped_column(Boolean, default=False)
    disable_reason: Mapped[str] = mapped_column(String(500), default="")
    disable_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_login_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    password_change_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Identity(Base):
    """A social account linked to a user."""

    __tablename__ = "auth_identities"
    # A provider account belongs to one user, and a user links one account per provider.
    __table_args__ = (UniqueConstraint("provider", "subject"), UniqueConstraint("user_id", "provider"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("auth_users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320), default="")
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_sign_in_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Session(Base):
    """A signed-in device: one refresh-token family."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("auth_users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20))  # password, social, service
    provider: Mapped[str] = mapped_column(String(20), default="")  # google, github, discord for social
    device_id: Mapped[str] = mapped_column(String(200), default="", index=True)
    device_name: Mapped[str] = mapped_column(String(200), default="")
    platform: Mapped[int] = mapped_column(default=0)
    app_version: Mapped[str] = mapped_column(String(50), default="")
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    auth_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expire_time: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoke_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoke_reason: Mapped[str] = mapped_column(String(40), default="")


class RefreshToken(Base):
    """A refresh token, stored only as its SHA-256. Spent on use; reuse revokes the family."""

    __tablename__ = "auth_refresh_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expire_time: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    spend_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class OneTimeToken(Base):
    """Email verification and password reset tokens, stored as hashes."""

    __tablename__ = "auth_one_time_tokens"
    __table_args__ = (Index("ix_auth_one_time_tokens_user_purpose", "user_id", "purpose"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("auth_users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))  # verify_email, reset_password
    email: Mapped[str] = mapped_column(String(320), default="")  # the address the token proves
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expire_time: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    use_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class OAuthState(Base):
    """A pending social sign-in: the PKCE verifier stays here, never in the browser."""

    __tablename__ = "auth_oauth_states"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(20))
    intent: Mapped[str] = mapped_column(String(20), default="sign_in")  # sign_in, link, reauthenticate
    session_id: Mapped[str] = mapped_column(String(32), default="")  # the caller's session for link/reauthenticate
    user_id: Mapped[str] = mapped_column(String(32), default="")
    code_verifier: Mapped[str] = mapped_column(String(128))
    redirect_uri: Mapped[str] = mapped_column(Text)
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expire_time: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    use_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Erasure(Base):
    """One peer service's part in erasing a deleted account: written with the deletion, kept as its record.

    No foreign key to `auth_users`: the user row is gone; these rows outlive it. A dispatcher
    claims a due row by moving `lease_until` forward (compare-and-set), so two Auth processes
    never call the same service for the same user at once.
    """

    __tablename__ = "auth_erasures"
    __table_args__ = (Index("ix_auth_erasures_due", "confirm_time", "next_attempt_time"),)

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    service: Mapped[str] = mapped_column(String(40), primary_key=True)  # "tracking", "media", ...
    create_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    attempt_count: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_time: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    lease_owner: Mapped[str] = mapped_column(String(64), default="")
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    confirm_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # What the service reported: [{"category", "count", "description"}, ...].
    erased: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    retained: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
