"""The migrations build exactly the schema the models describe, and can be walked back."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from wegweiser import db, migrate
from wegweiser.models.base import Base


def schema_differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_the_migrated_schema_matches_the_models(ctx):
    assert schema_differences(db.engine()) == []


def test_every_migration_can_be_undone_and_redone(ctx):
    engine = db.engine()
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert schema_differences(engine) == []
