"""Alembic environment: every service's tables, on SQLite and PostgreSQL.

Each service's migrations form their own branch (`branch_labels = ("<service>",)`,
revisions named `<service>_NNNN`), so a service's schema evolves, and can move to its
own database, without touching the others; `marquee migrate` applies all heads.
New revision for one service:
    alembic revision --autogenerate --head <service>@head -m "..."
First revision of a new service:
    alembic revision --autogenerate --head base --branch-label <service> --rev-id <service>_0001 -m "..."
"""

from __future__ import annotations

import importlib
import pkgutil

from alembic import context
from sqlalchemy import Connection, MetaData

import services
from services.core.db import make_engine
from services.core.settings import load_settings


def service_metadata() -> list[MetaData]:
    """The MetaData of every `services.<name>.models` module: autogenerate compares all of them."""
    found = []
    for module in sorted(m.name for m in pkgutil.iter_modules(services.__path__) if m.ispkg and m.name != "core"):
        try:
            models = importlib.import_module(f"services.{module}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"services.{module}.models":
                raise
            continue
        found.append(models.Base.metadata)
    return found


target_metadata = service_metadata()


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Full-text indexes a migration builds by hand (an SQLite FTS5 table, its shadow tables and its
    mapping table, all named `<service>_fts_*`) are not models: autogenerate must not drop them."""
    return not (type_ == "table" and name is not None and "_fts_" in name)


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or load_settings().resolved_database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
main()
