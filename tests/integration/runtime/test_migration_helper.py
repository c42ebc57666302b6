"""The migration helper builds exactly the table the model factory declares (what autogenerate
would compare for a service), on SQLite and PostgreSQL, and drops it again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations as AlembicOperations
from sqlalchemy import MetaData, create_engine, inspect

from services.core.models import NAMING_CONVENTION
from services.core.operations import OperationsTable, create_operations_table, drop_operations_table
from services.core.settings import Settings

TABLE = "helpercheck_operations"


def test_the_migration_matches_the_model_and_downgrades(settings: Settings) -> None:
    declared = OperationsTable.declare(MetaData(naming_convention=NAMING_CONVENTION), service="helpercheck")
    assert declared.table.name == TABLE
    engine = create_engine(settings.resolved_database_url)
    try:
        with engine.begin() as connection:
            create_operations_table(AlembicOperations(MigrationContext.configure(connection)), TABLE)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, kind, parent: kind != "table" or name == TABLE,
                },
            )
            assert compare_metadata(context, declared.table.metadata) == []
        with engine.begin() as connection:
            drop_operations_table(AlembicOperations(MigrationContext.configure(connection)), TABLE)
        assert not inspect(engine).has_table(TABLE)
    finally:
        engine.dispose()
