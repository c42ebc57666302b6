"""The briefs' design, for bench_request_path.py: FastAPI + uvicorn + PyJWT + an SQLAlchemy read.

    python benchmarks/fastapi_server.py DATABASE_URL PUBLIC_KEY_PEM_FILE [--port 0]

`GET /users/me` with `authorization: Bearer <access token>`: PyJWT verifies the ES256 token
(issuer, audience, expiry) on every call, a sync endpoint (FastAPI runs it on its thread pool)
opens an SQLAlchemy ORM session and reads the caller's row of Auth's `auth_users` table, and the
answer is a pydantic model serialized as JSON. It is written the way a FastAPI tutorial writes
it, with no caches: the figure it gives is the design's, not a tuned server's. A dev-only
dependency (fastapi, uvicorn with httptools and uvloop): it never ships in Marquee.

Prints `fastapi: http listening on 127.0.0.1:PORT` and `fastapi: ready`, then serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import socket

import jwt
import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel
from sqlalchemy import JSON, Boolean, DateTime, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

HOST = "127.0.0.1"


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    """The columns of `auth_users` that GetUser answers with."""

    __tablename__ = "auth_users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320))
    email_verified: Mapped[bool] = mapped_column(Boolean)
    pending_email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(100))
    avatar_url: Mapped[str] = mapped_column(String(2048))
    skill_level: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(35))
    time_zone: Mapped[str] = mapped_column(String(64))
    preferences: Mapped[dict[str, object]] = mapped_column(JSON)
    role: Mapped[str] = mapped_column(String(20))
    disabled: Mapped[bool] = mapped_column(Boolean)
    disable_reason: Mapped[str] = mapped_column(String(500))
    create_time: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    update_time: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_login_time: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class UserOut(BaseModel):
    name: str
    email: str
    email_verified: bool
    pending_email: str
    display_name: str
    avatar_uri: str
    skill_level: str
    locale: str
    time_zone: str
    role: str
    disabled: bool
    disable_reason: str
    has_password: bool
    preferences: dict[str, object]
    create_time: dt.datetime
    update_time: dt.datetime
    last_sign_in_time: dt.datetime | None


def build_app(database_url: str, public_pem: str) -> FastAPI:
    connect_args = {"check_same_thread": False} if database_url.startswith("sqlite") else {}
    engine = create_engine(database_url, connect_args=connect_args, pool_size=40, max_overflow=0)
    sessions = sessionmaker(engine)
    app = FastAPI()

    def db() -> object:
        session = sessions()
        try:
            yield session
        finally:
            session.close()

    def caller(authorization: str = Header("")) -> str:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            raise HTTPException(401, "missing token")
        try:
            claims = jwt.decode(token, public_pem, algorithms=["ES256"], audience="marquee", issuer="marquee")
        except jwt.PyJWTError as exc:
            raise HTTPException(401, str(exc)) from exc
        return str(claims["sub"])

    @app.get("/users/me", response_model=UserOut)
    def get_me(user_id: str = Depends(caller), session: Session = Depends(db)) -> UserOut:  # noqa: B008 - FastAPI's idiom
        row = session.get(UserRow, user_id)
        if row is None:
            raise HTTPException(404, "not found")
        return UserOut(
            name=f"users/{row.id}", email=row.email or "", email_verified=row.email_verified,
            pending_email=row.pending_email, display_name=row.display_name, avatar_uri=row.avatar_url,
            skill_level=row.skill_level, locale=row.locale, time_zone=row.time_zone, role=row.role,
            disabled=row.disabled, disable_reason=row.disable_reason, has_password=bool(row.password_hash),
            preferences=row.preferences or {}, create_time=row.create_time, update_time=row.update_time,
            last_sign_in_time=row.last_login_time,
        )  # fmt: skip

    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("public_key_pem_file", type=pathlib.Path)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    app = build_app(args.database_url, args.public_key_pem_file.read_text())
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, args.port))
    sock.listen(2048)  # connections wait in the backlog while uvicorn starts, instead of being refused
    print(f"fastapi: http listening on {HOST}:{sock.getsockname()[1]}", flush=True)
    print("fastapi: ready", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, loop="uvloop", http="httptools")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
